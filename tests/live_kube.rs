//! The Kubernetes source against kmock: what the cockpit shows is what kubectl shows; after
//! the first lists it only watches (no LIST of a watched kind, metrics.k8s.io polls counted
//! apart); a dead API server marks only this source stale and it recovers; a refused token
//! is an authentication failure.

mod support;

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use cockpit::model::lease::LeaseView;
use cockpit::model::state::KubeState;
use cockpit::model::{Board, FailureKind, SourceId, SourceStatus};
use support::live::kube_objects::{deployment, event, hpa, pod, pod_metrics};
use support::live::{Running, config, env};
use support::{Fault, Kmock, RedisServer};

const NS: &str = "production";
const LIMIT: Duration = Duration::from_secs(30);

async fn seed(kmock: &Kmock, workers: u32) -> Result<()> {
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(deployment(NS, "agent-worker", workers, workers - 1)).await?;
    for i in 0..3 {
        let name = format!("api-server-7d9f-{i}");
        kmock.apply(pod(NS, "api-server", &name, None)).await?;
        kmock.apply(pod_metrics(NS, "api-server", &name, "250m", "256Mi")).await?;
    }
    for i in 0..workers - 1 {
        kmock.apply(pod(NS, "agent-worker", &format!("agent-worker-5c4b-{i}"), None)).await?;
    }
    let sick = format!("agent-worker-5c4b-{}", workers - 1);
    kmock.apply(pod(NS, "agent-worker", &sick, Some((3, "CrashLoopBackOff", "OOMKilled")))).await?;
    kmock.apply(pod(NS, "other-app", "other-app-1", None)).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, workers)).await?;
    kmock
        .apply(event(NS, "e1", "HorizontalPodAutoscaler", "worker-hpa", "SuccessfulRescale", "New size: 5", false))
        .await?;
    kmock.apply(event(NS, "e2", "Pod", &sick, "BackOff", "Back-off restarting failed container", true)).await?;
    kmock.apply(event(NS, "e3", "Pod", "other-app-1", "Pulled", "not ours", false)).await?;
    Ok(())
}

fn kube_config(kmock: &Kmock) -> cockpit::config::Config {
    let mut c = config(0.5);
    c.kubernetes.kubeconfig = Some(kmock.kubeconfig_path());
    c.kubernetes.namespace = NS.into();
    // Pod metrics at every refresh here (15 s by default), so that their polls are seen.
    c.kubernetes.metrics_refresh_secs = 0.5;
    c
}

fn kube(b: &Board) -> Option<&KubeState> {
    b.source_status(SourceId::Kube).is_live().then_some(()).and(b.state.kube.as_ref())
}

fn kubectl(kmock: &Kmock, args: &[&str]) -> Result<String> {
    let mut all = vec!["-n", NS];
    all.extend_from_slice(args);
    kmock.kubectl(&all)
}

#[tokio::test]
async fn the_cockpit_shows_what_kubectl_shows_and_only_watches_after_the_start() -> Result<()> {
    let kmock = Kmock::start()?;
    seed(&kmock, 5).await?;
    let home = tempfile::tempdir()?;
    let mut run = Running::start(&kube_config(&kmock), &env(home.path())).await;
    run.until("workers and their pods", LIMIT, |b| {
        kube(b).is_some_and(|k| k.workers.pods.total == 5 && k.api.usage.is_some())
    })
    .await?;
    let k = run.board.state.kube.clone().context("kube state")?;
    let w = k.workers.deployment.clone().context("workers deployment")?;
    assert_eq!(
        format!("{} {}", w.desired, w.ready),
        kubectl(&kmock, &["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas} {.status.readyReplicas}"])?
    );
    assert_eq!((w.cpu_limit.as_deref(), w.memory_limit.as_deref()), (Some("1"), Some("1Gi")));
    let listed = kubectl(&kmock, &["get", "pods", "-l", "app=agent-worker", "-o", "name"])?;
    assert_eq!(k.workers.pods.total as usize, listed.lines().count());
    let ready = kubectl(
        &kmock,
        &["get", "pods", "-l", "app=agent-worker", "-o", "jsonpath={.items[*].status.conditions[0].status}"],
    )?;
    assert_eq!(k.workers.pods.ready as usize, ready.split_whitespace().filter(|s| *s == "True").count());
    assert_eq!((k.workers.pods.restarts, k.workers.pods.oom_killed), (3, 1));
    let problem = &k.workers.pods.problems[0];
    assert_eq!(
        (problem.name.as_str(), problem.ready, problem.reason.as_deref()),
        ("agent-worker-5c4b-4", false, Some("CrashLoopBackOff"))
    );
    assert_eq!((k.api.pods.total, k.api.pods.ready), (3, 3), "other-app's pod is not counted");
    let h = k.workers.hpa.clone().context("worker hpa")?;
    assert_eq!(
        format!("{} {} {}", h.min, h.max, h.current),
        kubectl(
            &kmock,
            &[
                "get",
                "hpa",
                "worker-hpa",
                "-o",
                "jsonpath={.spec.minReplicas} {.spec.maxReplicas} {.status.currentReplicas}"
            ]
        )?
    );
    assert!(
        h.condition("ScalingLimited").is_some_and(|c| !c.status)
            && h.condition("AbleToScale").is_some_and(|c| c.status)
    );
    assert!(h.last_scale_at.is_some());
    assert_eq!((h.targets[0].target, h.targets[0].current), (70.0, Some(64.0)));
    let usage = k.api.usage.context("api usage")?;
    assert!((usage.cpu_pct - 50.0).abs() < 1e-9 && (usage.memory_pct - 50.0).abs() < 1e-9, "250m of 500m: {usage:?}");
    let reasons: Vec<&str> = k.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "only the events of the watched objects: {reasons:?}");
    assert!(reasons.contains(&"SuccessfulRescale") && reasons.contains(&"BackOff"));

    // Steady state: count metrics.k8s.io requests with an armed no-op fault, then change
    // things and cut every watch; the changes must arrive through watches alone.
    kmock.inject_fault(Fault {
        path_contains: Some("/apis/metrics.k8s.io/".into()),
        times: Some(1_000_000),
        ..Fault::default()
    })?;
    kmock.reset_stats()?;
    kubectl(&kmock, &["scale", "deployment", "agent-worker", "--replicas=8"])?;
    assert_eq!(kmock.close_watches()?, 6, "deployments, hpas, events, the lock's lease, two pod watches");
    kmock.apply(pod(NS, "agent-worker", "agent-worker-5c4b-9", None)).await?;
    run.until("the scale and the new pod", LIMIT, |b| {
        kube(b)
            .is_some_and(|k| k.workers.deployment.as_ref().is_some_and(|d| d.desired == 8) && k.workers.pods.total == 6)
    })
    .await?;
    // Read the poll count on both sides of the stats, so that no poll falls between the two
    // reads, and wait (bounded) for at least one poll: the changes above can arrive sooner.
    let polls = || -> Result<u64> {
        let faults = support::process::http(kmock.port(), "GET", "/_kmock/faults", None)?.1;
        let left: serde_json::Value = serde_json::from_str(&faults)?;
        Ok(1_000_000 - left[0]["times"].as_u64().context("the counting fault")?)
    };
    let deadline = std::time::Instant::now() + LIMIT;
    let (stats, metric_polls) = loop {
        let before = polls()?;
        let stats = kmock.stats()?;
        if before > 0 && polls()? == before {
            break (stats, before);
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "pod metrics are never polled: {stats}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for kind in ["deployments", "horizontalpodautoscalers", "events"] {
        assert_eq!(stats["by_resource"][kind]["list"].as_u64().unwrap_or(0), 0, "no LIST of {kind}: {stats}");
    }
    assert_eq!(
        stats["by_resource"]["pods"]["list"].as_u64().unwrap_or(0),
        metric_polls,
        "pod LISTs are metrics polls only: {stats}"
    );
    assert!(stats["watch"].as_u64().unwrap_or(0) >= 5, "the watches resumed: {stats}");
    Ok(())
}

/// The guided actions' Lease as another cockpit writes it: renewed `renewed_ago` seconds ago.
fn lease(holder: &str, action: &str, renewed_ago: i64) -> serde_json::Value {
    let t = (jiff::Timestamp::now() - jiff::SignedDuration::from_secs(renewed_ago))
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    serde_json::json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "cockpit-actions", "namespace": NS,
                     "annotations": {"cockpit.agentos.io/action": action}},
        "spec": {"holderIdentity": holder, "acquireTime": t, "renewTime": t, "leaseDurationSeconds": 60}
    })
}

fn lock(b: &Board) -> Option<LeaseView> {
    kube(b).map(|k| k.lease.clone())
}

#[tokio::test]
async fn the_action_lock_shows_who_holds_it_by_watch_and_a_forbidden_read_is_unknown_with_the_role() -> Result<()> {
    let kmock = Kmock::start()?;
    seed(&kmock, 5).await?;
    let home = tempfile::tempdir()?;
    let mut run = Running::start(&kube_config(&kmock), &env(home.path())).await;
    run.until("the lock is free (no Lease)", LIMIT, |b| lock(b) == Some(LeaseView::Free)).await?;
    // Another cockpit takes it: seen through the watch, with who and what, without the id.
    kmock.apply(lease("bob@laptop · action 20261203T190026Z-1-0000-scale-api", "scale-api", 2)).await?;
    run.until(
        "bob holds the lock",
        LIMIT,
        |b| matches!(lock(b), Some(LeaseView::Held(h)) if h.who() == "bob@laptop" && h.action == "scale-api"),
    )
    .await?;
    let Some(LeaseView::Held(h)) = lock(&run.board) else { unreachable!() };
    let text = LeaseView::Held(h.clone()).describe();
    assert!(text.starts_with("held by bob@laptop (scale-api) since ") && !text.contains("action 2026"), "{text}");
    assert!(h.since_wall.is_some(), "a wall-clock time on the live platform");
    // A holder that stopped renewing (a cockpit killed mid-action) no longer holds it.
    kmock.apply(lease("bob@laptop · action 20261203T190026Z-1-0000-scale-api", "scale-api", 600)).await?;
    run.until("the expired lease is free", LIMIT, |b| lock(b) == Some(LeaseView::Free)).await?;
    drop(run);

    // An identity that may not read Leases: everything else still shows, and the lock is
    // unknown with the Role that would let it be read.
    kmock.deny(serde_json::json!({"verb": "list", "resource": "leases"}))?;
    kmock.deny(serde_json::json!({"verb": "watch", "resource": "leases"}))?;
    let mut run = Running::start(&kube_config(&kmock), &env(home.path())).await;
    run.until("the lock is unknown, the rest live", LIMIT, |b| {
        matches!(lock(b), Some(LeaseView::Unknown { .. })) && kube(b).is_some_and(|k| k.workers.pods.total == 5)
    })
    .await?;
    let Some(LeaseView::Unknown { reason }) = lock(&run.board) else { unreachable!() };
    assert!(
        reason.contains("may not read Lease cockpit-actions")
            && reason.contains("needs get, list and watch on coordination.k8s.io leases"),
        "{reason}"
    );
    assert!(run.status(SourceId::Kube).is_live(), "a forbidden Lease does not make Kubernetes stale");
    Ok(())
}

#[tokio::test]
async fn a_dead_api_server_marks_only_kubernetes_stale_and_it_recovers() -> Result<()> {
    let mut kmock = Kmock::start()?;
    seed(&kmock, 5).await?;
    let redis = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    let mut c = kube_config(&kmock);
    c.redis.url = Some(redis.url());
    let mut run = Running::start(&c, &env(home.path())).await;
    run.until("both live", LIMIT, |b| kube(b).is_some() && b.source_status(SourceId::Redis).is_live()).await?;
    kmock.kill()?;
    let mark = run.mark();
    run.until_stale(SourceId::Kube, LIMIT).await?;
    let SourceStatus::Stale { failure, last_ok, .. } = run.status(SourceId::Kube).clone() else { unreachable!() };
    assert_eq!(failure.kind, FailureKind::Refused, "{failure}");
    assert!(last_ok.is_some());
    assert_eq!(
        run.board.state.kube.as_ref().and_then(|k| k.workers.deployment.as_ref()).map(|d| d.desired),
        Some(5),
        "last values kept"
    );
    run.until_updates(SourceId::Redis, 3, LIMIT).await?;
    ensure!(run.since(mark, SourceId::Redis).iter().all(|u| u.result.is_ok()), "redis is not affected");
    // The emulator comes back empty: the test plays the cluster and writes the objects again.
    kmock.restart()?;
    let back = run.mark();
    run.until_live(SourceId::Kube, LIMIT).await?;
    let failed = run.since(back, SourceId::Kube).iter().take_while(|u| u.result.is_err()).count();
    assert!(failed <= 2, "{failed} failed refreshes after the API server was back");
    seed(&kmock, 7).await?;
    run.until("the new state through the resumed watches", LIMIT, |b| {
        kube(b).is_some_and(|k| k.workers.deployment.as_ref().is_some_and(|d| d.desired == 7))
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_refused_token_is_an_authentication_failure_without_the_token() -> Result<()> {
    let kmock = Kmock::start()?;
    let home = tempfile::tempdir()?;
    let text = std::fs::read_to_string(kmock.kubeconfig_path())?;
    let bad = home.path().join("kubeconfig");
    let token = text.lines().find_map(|l| l.trim().strip_prefix("token: ")).context("a token")?.to_string();
    std::fs::write(&bad, text.replace(&token, "not-the-token-987"))?;
    let mut c = kube_config(&kmock);
    c.kubernetes.kubeconfig = None;
    // KUBECONFIG alone configures the source.
    let e = env(home.path()).with("KUBECONFIG", bad.display().to_string());
    let mut run = Running::start(&c, &e).await;
    run.until_stale(SourceId::Kube, LIMIT).await?;
    let SourceStatus::Stale { failure, .. } = run.status(SourceId::Kube).clone() else { unreachable!() };
    assert_eq!(failure.kind, FailureKind::Authentication, "{failure}");
    assert!(failure.message.contains("401") && !failure.message.contains("not-the-token-987"), "{failure}");
    Ok(())
}

#[tokio::test]
async fn without_any_kubeconfig_kubernetes_is_not_configured() -> Result<()> {
    let home = tempfile::tempdir()?;
    let targets = cockpit::live::Targets::resolve(&config(1.0), &env(home.path())).await;
    assert!(targets.kube.is_none() && targets.redis.is_none() && targets.postgres.is_none() && targets.aws.is_none());
    let missing = home.path().join("nope");
    let mut c = config(1.0);
    c.kubernetes.kubeconfig = Some(missing);
    let err = cockpit::live::Targets::resolve(&c, &env(home.path()))
        .await
        .kube
        .context("given")?
        .err()
        .context("missing file")?;
    assert!(err.message.contains("does not exist"), "{err}");
    // --context picks the kubeconfig context; one that is not there is said so.
    let kmock = Kmock::start()?;
    let mut c = kube_config(&kmock);
    c.kubernetes.context = Some("kmock".into());
    let ok = cockpit::live::Targets::resolve(&c, &env(home.path()))
        .await
        .kube
        .context("given")?
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    assert_eq!(ok.describe(), "kubernetes context kmock, namespace production");
    c.kubernetes.context = Some("staging".into());
    let err = cockpit::live::Targets::resolve(&c, &env(home.path()))
        .await
        .kube
        .context("given")?
        .err()
        .context("no such context")?;
    assert!(err.message.contains("staging"), "{err}");
    Ok(())
}
