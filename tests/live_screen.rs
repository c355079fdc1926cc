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
