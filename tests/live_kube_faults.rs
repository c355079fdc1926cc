//! The Kubernetes source under faults injected into kmock: throttling and a slow API server
//! are told apart, and a watch whose resourceVersion expired (410 Gone) is the only thing
//! that makes it LIST again, after which it shows the cluster as it is.

mod support;

use std::time::Duration;

use anyhow::{Context, Result};
use cockpit::model::{FailureKind, SourceId, SourceStatus};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::json;
use support::live::kube_objects::{deployment, pod, pod_metrics};
use support::live::{Running, config, env};
use support::{Fault, Kmock};

const NS: &str = "production";
const LIMIT: Duration = Duration::from_secs(30);

async fn start(kmock: &Kmock, home: &std::path::Path) -> Result<Running> {
    kmock.apply(deployment(NS, "api-server", 1, 1)).await?;
    kmock.apply(deployment(NS, "agent-worker", 1, 1)).await?;
    kmock.apply(pod(NS, "api-server", "api-server-1", None)).await?;
    kmock.apply(pod_metrics(NS, "api-server", "api-server-1", "100m", "64Mi")).await?;
    let mut c = config(0.5);
    c.kubernetes.kubeconfig = Some(kmock.kubeconfig_path());
    c.kubernetes.namespace = NS.into();
    c.kubernetes.metrics_refresh_secs = 0.5;
    let mut run = Running::start(&c, &env(home)).await;
    run.until_live(SourceId::Kube, LIMIT).await?;
    Ok(run)
}

fn failure(run: &Running) -> Result<cockpit::model::SourceFailure> {
    match run.status(SourceId::Kube) {
        SourceStatus::Stale { failure, .. } => Ok(failure.clone()),
        other => anyhow::bail!("not stale: {other:?}"),
    }
}

#[tokio::test]
async fn throttling_and_a_slow_server_are_told_apart_and_both_recover() -> Result<()> {
    let kmock = Kmock::start()?;
    let home = tempfile::tempdir()?;
    let mut run = start(&kmock, home.path()).await?;
    kmock.inject_fault(Fault::status(429).path_contains("/apis/metrics.k8s.io/").always())?;
    run.until_stale(SourceId::Kube, LIMIT).await?;
    assert_eq!(failure(&run)?.kind, FailureKind::Throttled, "{}", failure(&run)?);
    kmock.clear_faults()?;
    run.until_live(SourceId::Kube, Duration::from_secs(90)).await?;
    // Slower than the refresh's timeout (2 s at least).
    kmock.inject_fault(Fault::delay(6.0).path_contains("/apis/metrics.k8s.io/").always())?;
    run.until_stale(SourceId::Kube, LIMIT).await?;
    assert_eq!(failure(&run)?.kind, FailureKind::Timeout, "{}", failure(&run)?);
    kmock.clear_faults()?;
    run.until_live(SourceId::Kube, LIMIT).await?;
    Ok(())
}

#[tokio::test]
async fn an_expired_watch_lists_again_and_shows_the_cluster_as_it_is() -> Result<()> {
    let kmock = Kmock::start()?;
    let home = tempfile::tempdir()?;
    let mut run = start(&kmock, home.path()).await?;
    let client = kmock.client().await?;
    // Keep every watch from reconnecting while the cluster moves on.
    kmock.inject_fault(Fault::status(503).verb("watch").always())?;
    kmock.close_watches()?;
    run.until_stale(SourceId::Kube, LIMIT).await?;
    Api::<DynamicObject>::namespaced_with(
        client.clone(),
        NS,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment")),
    )
    .delete("api-server", &DeleteParams::default())
    .await?;
    // More writes than kmock's watch log keeps (5,000): the watches' version expires.
    let cm = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
    let maps: Api<DynamicObject> = Api::namespaced_with(client, NS, &cm);
    kmock.apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "churn", "namespace": NS}, "data": {"n": "0"}})).await?;
    let writes = futures::future::join_all((1..=5100).map(|n| {
        let maps = maps.clone();
        async move {
            maps.patch("churn", &PatchParams::default(), &Patch::Merge(json!({"data": {"n": n.to_string()}})))
                .await
                .map(drop)
        }
    }))
    .await;
    writes.into_iter().collect::<Result<Vec<()>, _>>().context("churn")?;
    kmock.reset_stats()?;
    kmock.clear_faults()?;
    run.until("the deleted deployment gone after the re-list", LIMIT, |b| {
        b.source_status(SourceId::Kube).is_live()
            && b.state.kube.as_ref().is_some_and(|k| k.api.deployment.is_none() && k.workers.deployment.is_some())
    })
    .await?;
    let stats = kmock.stats()?;
    assert!(
        stats["by_resource"]["deployments"]["list"].as_u64().unwrap_or(0) >= 1,
        "the expired watch listed again: {stats}"
    );
    Ok(())
}
