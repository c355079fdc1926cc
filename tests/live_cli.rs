//! `cockpit check`, `cockpit snapshot` and `cockpit` on the live platform, run as a person
//! runs them: the real binary, configured by environment variables alone.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, Result};
use serde_json::json;
use support::live::kube_objects::{deployment, hpa};
use support::{Kmock, KmockOptions, RedisServer};

/// The binary with a clean environment: a fresh HOME (no ~/.kube, no ~/.aws) plus `vars`.
fn cockpit(home: &Path, vars: &[(&str, String)], args: &[&str]) -> Result<Output> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USER", "oncall")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--log-file", &home.join("cockpit.log").display().to_string()])
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Ok(cmd.output()?)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test]
async fn check_says_what_works_what_is_missing_and_which_permissions_lack() -> Result<()> {
    let deny = vec![
        json!({"verb": "patch", "group": "apps", "resource": "deployments", "subresource": "scale"}),
        json!({"verb": "create", "resource": "leases"}),
    ];
    let kmock = Kmock::start_with(KmockOptions { deny, ..KmockOptions::default() })?;
    kmock.apply(deployment("production", "api-server", 3, 3)).await?;
    kmock.apply(deployment("production", "agent-worker", 5, 5)).await?;
    kmock.apply(hpa("production", "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let mut redis = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    let vars = [("KUBECONFIG", kmock.kubeconfig_path().display().to_string()), ("REDIS_URL", redis.url())];
    let out = cockpit(home.path(), &vars, &["check", "-n", "production"])?;
    let t = text(&out);
    // Every configured source answered, but without metrics-server the pods' CPU and memory,
    // which feed thresholds, have no value: named, with exit status 3.
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains(
            "            WARN CPU utilization (workers), Memory utilization (workers): no data: metrics.k8s.io served \
             no pod metrics for agent-worker (is metrics-server installed?)"
        ),
        "{t}"
    );
    assert!(t.contains("blind spot(s)"), "{t}");
    assert!(
        t.contains("kubernetes  ok: deployments: api-server 3/3 ready, agent-worker 5/5 ready; 1 of 2 HPAs"),
        "{t}"
    );
    assert!(t.contains("redis       ok: single node"), "{t}");
    assert!(t.contains("postgres    not configured: set postgres.url in the config, DATABASE_URL"), "{t}");
    assert!(t.contains("cloudwatch  not configured") && t.contains("rds         not configured"), "{t}");
    assert!(t.contains("permissions missing in namespace production (2 of"), "{t}");
    assert!(t.contains("patch deployments/scale (apps): scale-api, scale-workers, emergency"), "{t}");
    assert!(t.contains("create leases (coordination.k8s.io): the action lock"), "{t}");
    assert!(!t.contains("get pods/proxy"), "allowed: not listed\n{t}");

    redis.kill()?;
    let out = cockpit(home.path(), &vars, &["check", "-n", "production"])?;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "a configured source fails: {t}");
    assert!(t.contains("redis       FAILED: connection refused"), "{t}");
    assert!(t.contains("kubernetes  ok"), "{t}");
    Ok(())
}

#[tokio::test]
async fn snapshot_prints_the_values_of_the_live_sources() -> Result<()> {
    let redis = RedisServer::start()?;
    for i in 0..12 {
        support::redis_peer::command(redis.port(), None, &["RPUSH", "agent:queue:default", &i.to_string()])?;
    }
    let home = tempfile::tempdir()?;
    let out = cockpit(home.path(), &[("REDIS_URL", redis.url())], &["snapshot", "--format", "json"])?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).context("JSON on stdout")?;
    let metric = |key: &str| report["metrics"].as_array().and_then(|m| m.iter().find(|r| r["key"] == key)).cloned();
    assert_eq!(metric("queue_depth").context("queue_depth")?["value"], 12.0);
    let sources = report["sources"].as_array().context("sources")?;
    let state = |name: &str| sources.iter().find(|s| s["source"] == name).map(|s| s["status"]["state"].clone());
    assert_eq!(state("redis"), Some(json!("live")));
    assert_eq!(state("kube"), Some(json!("not_configured")));
    assert!(report["origin"].as_str().is_some_and(|o| o.starts_with("live")));
    Ok(())
}

#[tokio::test]
async fn credentials_never_reach_the_output_nor_the_log() -> Result<()> {
    let mut redis = RedisServer::start_with_password("pw-in-url-77")?;
    let home = tempfile::tempdir()?;
    let vars = [("REDIS_URL", redis.url())];
    assert!(redis.url().contains("pw-in-url-77"));
    let runs = [
        cockpit(home.path(), &vars, &["--log-level", "debug", "snapshot", "--format", "json"])?,
        cockpit(home.path(), &vars, &["--log-level", "debug", "check"])?,
    ];
    redis.kill()?;
    let failed = cockpit(home.path(), &vars, &["--log-level", "debug", "check"])?;
    assert_eq!(failed.status.code(), Some(1));
    assert!(text(&failed).contains("connection refused"), "{}", text(&failed));
    for out in runs.iter().chain([&failed]) {
        assert!(!text(out).contains("pw-in-url-77"), "{}", text(out));
    }
    let log = std::fs::read_to_string(home.path().join("cockpit.log")).unwrap_or_default();
    assert!(!log.contains("pw-in-url-77"), "{log}");
    Ok(())
}

#[tokio::test]
async fn with_nothing_configured_the_cockpit_says_what_to_configure() -> Result<()> {
    let home = tempfile::tempdir()?;
    for args in [&[][..], &["snapshot"][..]] {
        let out = cockpit(home.path(), &[], args)?;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains("no live source is configured") && t.contains("cockpit check"), "{t}");
    }
    let out = cockpit(home.path(), &[], &["check"])?;
    assert_eq!(out.status.code(), Some(0), "nothing configured is not a failure: {}", text(&out));
    // But what it leaves unseen is said, with the way out.
    let t = text(&out);
    assert!(
        t.contains("metric(s) that feed a threshold or an emergency condition have no source: kubernetes, redis, postgres, cloudwatch not configured")
            && t.contains("cockpit demo"),
        "{t}"
    );
    Ok(())
}
