//! The full-screen cockpit on live peers, read as a person reads it: started in a
//! pseudo-terminal against kmock and redis-server, it shows what kubectl and redis-cli say;
//! a peer killed turns its panes stale.

mod pty;
mod support;

use std::time::{Duration, Instant};

use anyhow::Result;
use support::live::kube_objects::{deployment, hpa, pod};
use support::{Kmock, RedisServer};

const NS: &str = "production";

fn wait_until(s: &pty::Session, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let screen = s.screen();
        if ok(&screen) {
            return screen;
        }
        assert!(Instant::now() < deadline, "no {what}; screen:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_cockpit_shows_what_kubectl_and_redis_cli_say() -> Result<()> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment(NS, "agent-worker", 6, 5)).await?;
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 6)).await?;
    for i in 0..6 {
        kmock
            .apply(pod(
                NS,
                "agent-worker",
                &format!("agent-worker-1-{i}"),
                if i == 0 { Some((2, "CrashLoopBackOff", "OOMKilled")) } else { None },
            ))
            .await?;
    }
    let mut redis = RedisServer::start()?;
    for i in 0..1234 {
        support::redis_peer::command(redis.port(), None, &["RPUSH", "agent:queue:default", &i.to_string()])?;
    }
    let kubeconfig = kmock.kubeconfig_path().display().to_string();
    let url = redis.url();
    let mut s =
        pty::start_env(&["-n", NS], 160, 50, &[("KUBECONFIG", kubeconfig.as_str()), ("REDIS_URL", url.as_str())]);
    s.wait_for("kubernetes context kmock, namespace production");
    let ready = kmock.kubectl(&[
        "-n",
        NS,
        "get",
        "deploy",
        "agent-worker",
        "-o",
        "jsonpath={.status.readyReplicas}/{.spec.replicas}",
    ])?;
    assert_eq!(ready, "5/6");
    let screen = wait_until(&s, "the worker deployment", |sc| sc.contains(&format!("ready {ready}")));
    assert!(screen.contains("min 5 max 100"), "{screen}");
    let cli = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port().to_string(), "LLEN", "agent:queue:default"])
        .output()?;
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim(), "1234", "redis-cli LLEN");
    let screen = wait_until(&s, "the queue depth", |sc| {
        sc.lines().any(|l| l.contains("Queue") && (l.contains("1234") || l.contains("1,234") || l.contains("1.2k")))
    });
    assert!(screen.contains("CrashLoopBackOff") || screen.contains("OOMKilled"), "the sick pod is shown:\n{screen}");

    redis.kill()?;
    wait_until(&s, "redis stale", |sc| sc.to_lowercase().contains("stale") && sc.contains("refused"));
    redis.restart()?;
    s.send(b"q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    Ok(())
}

/// The configuration a newcomer has: Kubernetes and an idle Redis (maxmemory 0, as
/// redis-server starts), no AWS, no PostgreSQL, an 80-column terminal. Nothing reads as a
/// false alarm or a number of nothing, and every blind spot is named in the header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_cache_without_aws_reads_as_it_is_at_80_columns() -> Result<()> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let redis = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    let kubeconfig = kmock.kubeconfig_path().display().to_string();
    let url = redis.url();
    let home_s = home.path().display().to_string();
    let mut s = pty::start_env(
        &["-n", NS],
        80,
        24,
        &[("KUBECONFIG", kubeconfig.as_str()), ("REDIS_URL", url.as_str()), ("HOME", home_s.as_str())],
    );
    wait_until(&s, "the workers", |sc| sc.contains("ready 5/5"));
    s.send(b"4");
    let screen = wait_until(&s, "the cache pane", |sc| sc.contains("no limit"));
    let mem = screen.lines().find(|l| l.contains("Memory") && l.contains("no limit")).unwrap_or_default();
    assert!(mem.contains("✓ OK") && mem.contains(" used"), "maxmemory 0 reads no limit:\n{screen}");
    assert!(!screen.contains("/ 0B"), "{screen}");
    // No keyspace hits or misses but the cockpit's own reads: no traffic, not 0% critical.
    let screen = wait_until(&s, "no traffic", |sc| sc.contains("no traffic"));
    let hits = screen.lines().find(|l| l.contains("Hit rate")).unwrap_or_default();
    assert!(hits.contains("✓ OK") && !hits.contains("CRIT"), "{screen}");
    let header = screen.lines().next().unwrap_or_default();
    // The live target in a few words, and the sources that leave threshold metrics blind.
    assert!(header.contains("kmock/production"), "{screen}");
    assert!(header.contains("cw? 3 blind") && header.contains("pg? 3 blind"), "{screen}");
    for l in screen.lines() {
        assert!(!l.contains('…'), "nothing is cut at 80 columns: {l:?}\n{screen}");
    }
    // The platform's own reads still count: 9 hits and a miss read 90%.
    support::redis_peer::command(redis.port(), None, &["SET", "session:1", "x"])?;
    for _ in 0..9 {
        support::redis_peer::command(redis.port(), None, &["GET", "session:1"])?;
    }
    support::redis_peer::command(redis.port(), None, &["GET", "session:none"])?;
    let screen = wait_until(&s, "a hit rate", |sc| sc.lines().any(|l| l.contains("Hit rate") && l.contains("90%")));
    assert!(screen.lines().any(|l| l.contains("Hit rate") && l.contains("✓ OK")), "{screen}");
    s.send(b"q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    Ok(())
}
