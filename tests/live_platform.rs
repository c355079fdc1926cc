//! The live platform's Kubernetes operations against kmock, checked with kubectl: scale with
//! a resourceVersion precondition, server-side dry run, annotations, limits, the action lock
//! (a Lease) between two holders, pod health through the API server's proxy, and an HPA
//! replaced and put back exactly.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use cockpit::live::{Clock, Targets};
use cockpit::model::state::Workload;
use cockpit::platform::live::LivePlatform;
use cockpit::platform::{ErrorKind, LockOutcome, Platform, WriteOpts};
use serde_json::json;
use support::Kmock;
use support::live::kube_objects::{deployment, hpa, pod};
use support::live::{config, env};

const NS: &str = "production";

async fn platform(kmock: &Kmock) -> Result<LivePlatform> {
    let home = tempfile::tempdir()?;
    let mut c = config(1.0);
    c.kubernetes.kubeconfig = Some(kmock.kubeconfig_path());
    c.kubernetes.namespace = NS.into();
    let targets = Targets::resolve(&c, &env(home.path())).await;
    Ok(LivePlatform::connect(&c, &targets, Clock::start()).await)
}

fn kubectl(kmock: &Kmock, args: &[&str]) -> Result<String> {
    let mut all = vec!["-n", NS];
    all.extend_from_slice(args);
    kmock.kubectl(&all)
}

async fn seeded() -> Result<Kmock> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    Ok(kmock)
}

#[tokio::test]
async fn scale_refuses_a_stale_version_and_a_dry_run_stores_nothing() -> Result<()> {
    let kmock = seeded().await?;
    let p = platform(&kmock).await?;
    let before = p.deployment(Workload::Workers).await?;
    assert_eq!(before.state.desired, 5);
    kubectl(&kmock, &["annotate", "deployment", "agent-worker", "touched=yes"])?;
    let err =
        p.scale(Workload::Workers, 9, &WriteOpts::at(before.resource_version.clone())).await.err().context("stale")?;
    assert_eq!(err.kind, ErrorKind::Conflict, "{err}");
    assert_eq!(kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    let fresh = p.deployment(Workload::Workers).await?;
    let scaled = p.scale(Workload::Workers, 9, &WriteOpts::at(fresh.resource_version)).await?;
    assert_eq!(scaled.state.desired, 9);
    assert_eq!(kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "9");
    let dry = WriteOpts { dry_run: true, expect_version: None };
    assert_eq!(p.scale(Workload::Workers, 20, &dry).await?.state.desired, 20, "the server's answer");
    assert_eq!(
        kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?,
        "9",
        "nothing stored"
    );
    p.annotate(Workload::Workers, "drain", Some("true"), &dry).await?;
    assert_eq!(
        kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?,
        ""
    );
    Ok(())
}

#[tokio::test]
async fn annotations_and_limits_are_patched() -> Result<()> {
    let kmock = seeded().await?;
    let p = platform(&kmock).await?;
    let d = p.annotate(Workload::Workers, "drain", Some("true"), &WriteOpts::default()).await?;
    assert!(d.state.draining());
    assert_eq!(
        kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?,
        "true"
    );
    p.annotate(Workload::Workers, "drain", None, &WriteOpts::default()).await?;
    assert_eq!(
        kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?,
        ""
    );
    let stale = d.resource_version.clone();
    let err = p.set_limits(Workload::Workers, "2", "4Gi", &WriteOpts::at(stale)).await.err().context("stale limits")?;
    assert_eq!(err.kind, ErrorKind::Conflict, "{err}");
    let d = p.set_limits(Workload::Workers, "2", "4Gi", &WriteOpts::default()).await?;
    assert_eq!((d.state.cpu_limit.as_deref(), d.state.memory_limit.as_deref()), (Some("2"), Some("4Gi")));
    let limits = kubectl(
        &kmock,
        &[
            "get",
            "deploy",
            "agent-worker",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].resources.limits.cpu} {.spec.template.spec.containers[0].resources.limits.memory} {.spec.template.spec.containers[0].resources.requests.cpu}",
        ],
    )?;
    assert_eq!(limits, "2 4Gi 500m", "requests untouched");
    Ok(())
}

#[tokio::test]
async fn the_lock_is_held_by_one_holder_at_a_time() -> Result<()> {
    let kmock = seeded().await?;
    let (a, b) = (platform(&kmock).await?, platform(&kmock).await?);
    let ttl = Duration::from_secs(60);
    // Both at once on a free lock: exactly one wins, the other is told who.
    let (ra, rb) =
        tokio::join!(a.acquire_lock("alice", "scale-workers", ttl), b.acquire_lock("bob", "drain-workers", ttl));
    let (winner, loser, lost) = match (ra?, rb?) {
        (LockOutcome::Acquired, LockOutcome::HeldBy(h)) => (&a, &b, h),
        (LockOutcome::HeldBy(h), LockOutcome::Acquired) => (&b, &a, h),
        other => bail!("one holder must win: {other:?}"),
    };
    let winner_name = lost.holder.clone();
    let loser_name = if winner_name == "alice" { "bob" } else { "alice" };
    assert_eq!(
        kubectl(&kmock, &["get", "lease", "cockpit-actions", "-o", "jsonpath={.spec.holderIdentity}"])?,
        winner_name
    );
    assert!(lost.action == "scale-workers" || lost.action == "drain-workers");
    winner.renew_lock(&winner_name, ttl).await?;
    let err = loser.renew_lock(loser_name, ttl).await.err().context("not the holder")?;
    assert_eq!(err.kind, ErrorKind::Conflict, "{err}");
    assert!(
        matches!(loser.acquire_lock(loser_name, "emergency", ttl).await?, LockOutcome::HeldBy(h) if h.holder == winner_name)
    );
    winner.release_lock(&winner_name).await?;
    assert_eq!(kubectl(&kmock, &["get", "lease", "cockpit-actions", "-o", "jsonpath={.spec.holderIdentity}"])?, "");
    // A lease not renewed within its duration is taken over.
    assert_eq!(loser.acquire_lock(loser_name, "emergency", Duration::from_secs(1)).await?, LockOutcome::Acquired);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(winner.acquire_lock(&winner_name, "reenable-hpa", ttl).await?, LockOutcome::Acquired);
    let transitions = kubectl(&kmock, &["get", "lease", "cockpit-actions", "-o", "jsonpath={.spec.leaseTransitions}"])?;
    assert!(transitions.parse::<u32>()? >= 2, "{transitions}");
    Ok(())
}

#[tokio::test]
async fn pod_health_goes_through_the_pod_proxy() -> Result<()> {
    let kmock = seeded().await?;
    kmock.apply(pod(NS, "api-server", "api-server-1", None)).await?;
    let mut sick = pod(NS, "api-server", "api-server-2", None);
    sick["metadata"]["annotations"] = json!({"kmock/health": "fail"});
    kmock.apply(sick).await?;
    let p = platform(&kmock).await?;
    assert_eq!(p.pod_health("api-server-1").await?, "ok");
    let err = p.pod_health("api-server-2").await.err().context("unhealthy")?;
    assert_eq!(err.kind, ErrorKind::Unavailable, "{err}");
    assert!(err.message.contains("503"), "{err}");
    let pods = p.pods(Workload::Api).await?;
    assert_eq!(pods.len(), 2);
    assert!(pods.iter().all(|p| p.ready && p.cpu_limit.as_deref() == Some("1")));
    let err = p.pod_health("nope").await.err().context("no such pod")?;
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    Ok(())
}

#[tokio::test]
async fn an_hpa_replaced_and_put_back_round_trips_its_spec_exactly() -> Result<()> {
    let kmock = seeded().await?;
    let p = platform(&kmock).await?;
    let original = p.hpa(Workload::Workers).await?.context("worker hpa")?;
    assert_eq!((original.state.min, original.state.max, original.state.pinned), (5, 100, false));
    let mut pinned_spec = original.spec.clone();
    pinned_spec["minReplicas"] = json!(100);
    let saved = BTreeMap::from([("cockpit.agentos.io/saved-spec".to_string(), original.spec.to_string())]);
    let dry = WriteOpts { dry_run: true, expect_version: original.resource_version.clone() };
    p.replace_hpa(Workload::Workers, &pinned_spec, &saved, &dry).await?;
    assert_eq!(kubectl(&kmock, &["get", "hpa", "worker-hpa", "-o", "jsonpath={.spec.minReplicas}"])?, "5", "dry run");
    let pinned = p
        .replace_hpa(Workload::Workers, &pinned_spec, &saved, &WriteOpts::at(original.resource_version.clone()))
        .await?;
    assert!(pinned.state.pinned && pinned.state.min == 100);
    let stale = p
        .replace_hpa(
            Workload::Workers,
            &original.spec,
            &BTreeMap::new(),
            &WriteOpts::at(original.resource_version.clone()),
        )
        .await;
    assert_eq!(stale.err().map(|e| e.kind), Some(ErrorKind::Conflict));
    p.replace_hpa(Workload::Workers, &original.spec, &BTreeMap::new(), &WriteOpts::at(pinned.resource_version)).await?;
    let back = p.hpa(Workload::Workers).await?.context("hpa")?;
    assert_eq!(back.spec, original.spec, "the spec round-trips exactly");
    assert!(back.annotations.is_empty());
    let by_kubectl: serde_json::Value =
        serde_json::from_str(&kubectl(&kmock, &["get", "hpa", "worker-hpa", "-o", "json"])?)?;
    assert_eq!(by_kubectl["spec"], original.spec);
    assert_eq!(by_kubectl["status"]["currentReplicas"], 5, "status untouched");
    Ok(())
}

#[tokio::test]
async fn identity_names_the_local_user() -> Result<()> {
    let kmock = seeded().await?;
    let p = platform(&kmock).await?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    assert!(p.identity().starts_with(if user.is_empty() { "unknown" } else { &user }), "{}", p.identity());
    assert!(p.describe().contains("namespace production"), "{}", p.describe());
    // Not configured is blind, not transient: no step waits for it until its timeout.
    let err = p.queue_depth().await.err().context("redis not configured")?;
    assert_eq!(err.kind, ErrorKind::Blind);
    assert!(err.message.contains("redis is not configured") && err.message.contains("(set redis.url or REDIS_URL)"));
    Ok(())
}
