//! A team drill as the room runs it: the facilitator's `cockpit drill --host` in a real
//! pseudo-terminal publishes to a real redis-server; the team's `cockpit watch` shows the drill
//! without naming its scenario; the facilitator's menu (`F`) kills the queue's Redis and every
//! viewer sees it go stale; at the end the debrief lists the injection.

mod pty;
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::RedisServer;

fn watch(url: &str, home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["watch", "--snapshot", "--share-url", url])
        .env("COCKPIT_STATE_DIR", home.join("state"))
        .env("COCKPIT_CONFIG_DIR", home.join("config"))
        .env_remove("REDIS_URL")
        .env_remove("KUBECONFIG")
        .env("HOME", home)
        .output()
        .expect("watch")
}

/// A viewer's snapshot, until `ok` holds (30 s at most).
fn viewer_until(url: &str, home: &std::path::Path, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let o = watch(url, home);
        let t = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        if ok(&t) {
            return t;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{what}: not within 30 s; last:\n{t}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn the_team_watches_the_hosts_drill_and_sees_the_facilitators_injection_only_by_its_effect() {
    let redis = RedisServer::start().expect("redis-server");
    let url = redis.url();
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("debrief.md");
    let out_s = out.display().to_string();
    let args = [
        "drill",
        "--host",
        "--share-url",
        &url,
        "--scenario",
        "queue-flood",
        "--seed",
        "7",
        "--speed",
        "5",
        "--out",
        &out_s,
    ];
    let mut host = pty::start_env(&args, 120, 40, &[("REDIS_URL", ""), ("KUBECONFIG", "/nonexistent")]);
    host.wait_for("publishing");
    // Esc clears the status line; the footer then offers the facilitator's menu.
    host.send(b"\x1b");
    host.wait_for("F facilitator");

    let team = tempfile::tempdir().expect("tmp");
    let seen = viewer_until(&url, team.path(), "the team sees the drill", |t| t.contains("redis       ✓ live"));
    assert!(seen.contains("watch drill:") && seen.contains("drill (seed 7, difficulty 1)"), "{seen}");
    assert!(!seen.contains("queue-flood") && !seen.contains("queue flood"), "the scenario is not named:\n{seen}");

    host.send(b"F");
    host.wait_for("Facilitator: inject");
    host.send(b"2");
    host.wait_for("facilitator: killed the queue's Redis for 3m00s");
    let stale = viewer_until(&url, team.path(), "the team sees Redis die", |t| t.contains("redis       ~ STALE"));
    assert!(stale.contains("Connection refused") && !stale.contains("inject"), "{stale}");

    host.send(b"q");
    host.wait_exit();
    let md = std::fs::read_to_string(&out).expect("the debrief");
    assert!(md.contains("## Drill: queue-flood (seed 7, difficulty 1)"), "named at the end:\n{md}");
    assert!(md.contains("Injected by the facilitator:") && md.contains("killed the queue's Redis for 3m00s"), "{md}");
}

#[test]
fn host_without_a_redis_for_the_stream_says_how_to_give_one_and_exits_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["drill", "--host"])
        .env("COCKPIT_STATE_DIR", dir.path().join("state"))
        .env("COCKPIT_CONFIG_DIR", dir.path().join("config"))
        .env_remove("REDIS_URL")
        .env_remove("COCKPIT_SHARE_URL")
        .env("HOME", dir.path())
        .output()
        .expect("drill");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cockpit drill --host:") && err.contains("--share-url"), "{err}");
}
