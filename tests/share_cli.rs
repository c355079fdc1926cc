//! `cockpit collect` and `cockpit watch` as a user runs them, against a real redis-server:
//! one collector publishes and a second stands by and takes over when the first is killed;
//! a viewer makes no request to the platform; a silent collector makes viewers stale.

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{Kmock, RedisServer};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("tmp") }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cockpit"));
        c.args(args)
            .env("COCKPIT_STATE_DIR", self.dir.path().join("state"))
            .env("COCKPIT_CONFIG_DIR", self.dir.path().join("config"))
            .env_remove("REDIS_URL")
            .env_remove("DATABASE_URL")
            .env_remove("KUBECONFIG")
            .env("HOME", self.dir.path());
        c
    }

    fn collector(&self, url: &str) -> Child {
        self.cmd(&["collect", "--demo", "--scenario", "incident", "--speed", "20", "--share-url", url])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("collector")
    }

    fn snapshot(&self, url: &str) -> Output {
        self.cmd(&["watch", "--snapshot", "--share-url", url]).output().expect("watch")
    }
}

/// Who holds the collector's lock of the demo stream.
fn holder(redis: &RedisServer) -> String {
    support::redis_peer::command(redis.port(), None, &["GET", "cockpit:{demo}:collector"]).unwrap_or_default()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(30), "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_standby_takes_over_and_a_silent_collector_makes_viewers_stale() {
    let redis = RedisServer::start().expect("redis");
    let env = Env::new();
    let url = redis.url();
    let mut a = env.collector(&url);
    let a_id = format!("pid {}", a.id());
    wait_for("the first collector holds the lock", || holder(&redis).ends_with(&a_id));
    let mut b = env.collector(&url);
    let b_id = format!("pid {}", b.id());
    std::thread::sleep(Duration::from_secs(3));
    assert!(holder(&redis).ends_with(&a_id), "the second waits: {}", holder(&redis));

    let out = env.snapshot(&url);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(&a_id) && stdout.contains("demo incident (seed 1)"), "{stdout}");
    assert!(stdout.contains("kubernetes  ✓ live") && stdout.contains("Queue depth"), "{stdout}");

    // The first dies without a word: the standby takes over.
    a.kill().expect("kill");
    a.wait().expect("reaped");
    wait_for("the standby holds the lock", || holder(&redis).ends_with(&b_id));
    wait_for("viewers follow the new collector", || text(&env.snapshot(&url).stdout).contains(&b_id));

    // The second stops cleanly: it lets the lock go at once.
    let _ = Command::new("kill").arg("-TERM").arg(b.id().to_string()).status();
    let status = b.wait().expect("reaped");
    assert!(status.success(), "collect exits 0 on SIGTERM: {status}");
    assert_eq!(holder(&redis), "", "the lock is released");
    let mut err = String::new();
    std::io::Read::read_to_string(b.stderr.as_mut().expect("stderr"), &mut err).expect("stderr");
    assert!(err.contains("standing by") && err.contains("publishing") && err.contains("released"), "{err}");

    // Nobody publishes: a viewer says so and shows every source stale.
    std::thread::sleep(Duration::from_secs(6));
    let out = env.snapshot(&url);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains(&b_id) && stderr.contains("silent for"), "{stderr}");
    assert!(stdout.contains("kubernetes  ~ STALE: timed out: collector") && stdout.contains("silent for"), "{stdout}");
}

#[test]
fn a_viewer_sends_nothing_to_the_platform() {
    let share = RedisServer::start().expect("share redis");
    let platform_redis = RedisServer::start().expect("platform redis");
    let kube = Kmock::start().expect("kmock");
    let env = Env::new();
    let url = share.url();
    let mut a = env.collector(&url);
    wait_for("the collector publishes", || !holder(&share).is_empty());
    std::thread::sleep(Duration::from_secs(2));
    let connections = || {
        let info = support::redis_peer::command(platform_redis.port(), None, &["INFO", "stats"]).expect("info");
        info.lines().find_map(|l| l.strip_prefix("total_connections_received:")).map(|v| v.trim().to_string())
    };
    let (kube_before, redis_before) = (kube.stats().expect("stats")["total"].clone(), connections());
    // The viewer has the platform's settings in its environment, as an engineer's shell has.
    let out = env
        .cmd(&["watch", "--snapshot", "--share-url", &url])
        .env("KUBECONFIG", kube.kubeconfig_path())
        .env("REDIS_URL", platform_redis.url())
        .output()
        .expect("watch");
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("Queue depth"));
    assert_eq!(kube.stats().expect("stats")["total"], kube_before, "no request to the API server");
    // Reading the counter is itself one connection: one more than before, none from the viewer.
    let after: u64 = connections().and_then(|c| c.parse().ok()).expect("counter");
    let before: u64 = redis_before.and_then(|c| c.parse().ok()).expect("counter");
    assert_eq!(after, before + 1, "no connection to the platform's Redis from the viewer");
    a.kill().expect("kill");
    let _ = a.wait();
}

#[test]
fn watch_names_the_streams_there_are_and_what_is_missing() {
    let redis = RedisServer::start().expect("redis");
    let env = Env::new();
    // No Redis for the stream at all: a usage error that names the settings.
    let out = env.cmd(&["watch", "--snapshot"]).output().expect("watch");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("share.url") && text(&out.stderr).contains("REDIS_URL"),
        "{}",
        text(&out.stderr)
    );
    // A Redis where nothing is published: the viewer says so.
    let out = env.cmd(&["watch", "--snapshot", "--share-url", &redis.url()]).output().expect("watch");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no stream is published there yet"), "{}", text(&out.stderr));
    // A name that is not there: the ones that are.
    let mut a = env.collector(&redis.url());
    wait_for("the collector publishes", || !holder(&redis).is_empty());
    let out = env.cmd(&["watch", "--snapshot", "--context", "prod", "--share-url", &redis.url()]).output().expect("w");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("streams there: demo"), "{}", text(&out.stderr));
    a.kill().expect("kill");
    let _ = a.wait();
}

#[test]
fn a_report_is_read_from_the_stream() {
    let redis = RedisServer::start().expect("redis");
    let env = Env::new();
    let url = redis.url();
    // Half an hour of the incident at once, in the past: the stream's history holds it.
    let mut a = env
        .cmd(&["collect", "--demo", "--scenario", "incident", "--skip", "30m", "--share-url", &url, "--no-record"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("collector");
    let len = || {
        let n =
            support::redis_peer::command(redis.port(), None, &["XLEN", "cockpit:{demo}:history"]).unwrap_or_default();
        n.trim_start_matches(':').parse::<u64>().unwrap_or(0)
    };
    wait_for("the skipped half hour is in the stream", || len() > 800);
    let out =
        env.cmd(&["report", "--share", "--share-url", &url, "--since", "1h", "--format", "json"]).output().expect("r");
    a.kill().expect("kill");
    let _ = a.wait();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["context"], "demo");
    assert!(v["times"]["detect"].as_f64().is_some(), "the incident is detected: {}", v["times"]);
    // No local recording was made (--no-record): everything came from the stream.
    assert!(!env.dir.path().join("state/recordings/demo").exists());
    let out = env
        .cmd(&[
            "report",
            "--share",
            "--share-url",
            &url,
            "--from",
            "2020-01-01T00:00:00Z",
            "--to",
            "2020-01-01T01:00:00Z",
        ])
        .output()
        .expect("r");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the stream holds nothing between"), "{}", text(&out.stderr));
}
