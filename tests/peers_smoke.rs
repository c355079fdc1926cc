//! Each test peer starts, answers a real client, and (redis, postgres) comes back on the same
//! port after a kill. See tests/support/mod.rs.

mod support;

use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use redis::AsyncCommands;
use serde_json::json;
use support::{Fault, Kmock, Moto, Postgres, PostgresOptions, RedisCluster, RedisServer};

fn api_code(err: &kube::Error) -> Option<(u16, String)> {
    match err {
        kube::Error::Api(status) => Some((status.code, status.reason.clone())),
        _ => None,
    }
}

#[tokio::test]
async fn redis_server_answers_and_restarts_on_the_same_port() -> Result<()> {
    let mut server = RedisServer::start()?;
    eprintln!("redis started in {:?}", server.started_in);
    let client = redis::Client::open(server.url())?;
    let mut con = client.get_multiplexed_async_connection().await?;
    let () = con.set("queue:depth", 42).await?;
    let depth: i64 = con.get("queue:depth").await?;
    assert_eq!(depth, 42);

    let port = server.port();
    server.kill()?;
    assert!(redis::cmd("PING").query_async::<String>(&mut con).await.is_err());
    server.restart()?;
    assert_eq!(server.port(), port);
    let mut con = client.get_multiplexed_async_connection().await?;
    let gone: Option<i64> = con.get("queue:depth").await?;
    assert_eq!(gone, None, "nothing is persisted across a restart");
    Ok(())
}

#[tokio::test]
async fn redis_server_with_a_password_refuses_anonymous_clients() -> Result<()> {
    let server = RedisServer::start_with_password("s3cret")?;
    assert!(server.url().contains(":s3cret@"));
    let mut con = redis::Client::open(server.url())?.get_multiplexed_async_connection().await?;
    let pong: String = redis::cmd("PING").query_async(&mut con).await?;
    assert_eq!(pong, "PONG");
    let anonymous = format!("redis://127.0.0.1:{}", server.port());
    let mut con = redis::Client::open(anonymous)?.get_multiplexed_async_connection().await?;
    let refused = redis::cmd("PING").query_async::<String>(&mut con).await;
    assert!(refused.is_err(), "PING without AUTH must fail: {refused:?}");
    Ok(())
}

#[tokio::test]
async fn redis_cluster_has_three_ok_masters_and_spreads_keys() -> Result<()> {
    let cluster = RedisCluster::start()?;
    eprintln!("redis cluster started in {:?}", cluster.started_in);
    assert_eq!(cluster.urls().len(), 3);
    let client = redis::cluster::ClusterClient::new(cluster.urls())?;
    let mut con = client.get_async_connection().await?;
    for i in 0..20 {
        let () = con.set(format!("key:{i}"), i).await?;
    }
    for i in 0..20 {
        let v: i64 = con.get(format!("key:{i}")).await?;
        assert_eq!(v, i);
    }
    // INFO is per node in a cluster: ask each node on its own.
    let mut keys = 0;
    for url in cluster.urls() {
        let mut node = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
        let info: String = redis::cmd("CLUSTER").arg("INFO").query_async(&mut node).await?;
        assert!(info.contains("cluster_state:ok"), "{info}");
        assert!(info.contains("cluster_size:3"), "{info}");
        let n: i64 = redis::cmd("DBSIZE").query_async(&mut node).await?;
        assert!(n > 0, "every master holds some of the 20 keys");
        keys += n;
    }
    assert_eq!(keys, 20);
    Ok(())
}

async fn pg_connect(pg: &Postgres) -> Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

#[tokio::test]
async fn postgres_answers_over_tcp_with_a_password_and_restarts() -> Result<()> {
    let mut pg = Postgres::start()?;
    eprintln!("postgres started in {:?}", pg.started_in);
    assert!(pg.url().starts_with("postgres://cockpit:"));
    let client = pg_connect(&pg).await?;
    let one: i32 = client.query_one("SELECT 1", &[]).await?.get(0);
    assert_eq!(one, 1);
    let ext: i64 =
        client.query_one("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'", &[]).await?.get(0);
    assert_eq!(ext, 1);
    let calls: i64 = client.query_one("SELECT count(*) FROM pg_stat_statements", &[]).await?.get(0);
    assert!(calls > 0, "pg_stat_statements records queries");
    client.batch_execute("CREATE TABLE jobs (id int); INSERT INTO jobs VALUES (1), (2)").await?;

    let wrong = format!("postgres://cockpit:wrong@127.0.0.1:{}/cockpit", pg.port());
    let refused = tokio_postgres::connect(&wrong, tokio_postgres::NoTls).await;
    let err = refused.err().context("a wrong password must be refused")?;
    let code = err.as_db_error().map(|e| e.code().code().to_string());
    assert_eq!(code.as_deref(), Some("28P01"), "{err:?}");

    let port = pg.port();
    pg.kill()?;
    assert!(client.query_one("SELECT 1", &[]).await.is_err());
    pg.restart()?;
    assert_eq!(pg.port(), port);
    let client = pg_connect(&pg).await?;
    let n: i64 = client.query_one("SELECT count(*) FROM jobs", &[]).await?.get(0);
    assert_eq!(n, 2, "data survives a restart");
    assert_eq!(pg.psql(&["SELECT count(*) FROM jobs"])?.trim(), "2");
    Ok(())
}

#[tokio::test]
async fn postgres_can_start_without_pg_stat_statements() -> Result<()> {
    let opts = PostgresOptions { pg_stat_statements: false, ..Default::default() };
    let pg = Postgres::start_with(opts)?;
    let client = pg_connect(&pg).await?;
    let preload: String = client.query_one("SHOW shared_preload_libraries", &[]).await?.get(0);
    assert_eq!(preload, "");
    let err = client
        .query_one("SELECT count(*) FROM pg_stat_statements", &[])
        .await
        .err()
        .context("pg_stat_statements must be missing")?;
    assert_eq!(err.as_db_error().map(|e| e.code().code()), Some("42P01"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn moto_serves_cloudwatch_metrics_and_rds_instances() -> Result<()> {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat};
    let moto = Moto::start()?;
    eprintln!("moto started in {:?}", moto.started_in);
    let config = moto.sdk_config().await;
    let cw = aws_sdk_cloudwatch::Client::new(&config);
    let now = SystemTime::now();
    let dim = Dimension::builder().name("Queue").value("jobs").build();
    cw.put_metric_data()
        .namespace("AgentOS")
        .metric_data(
            MetricDatum::builder()
                .metric_name("QueueDepth")
                .dimensions(dim.clone())
                .value(42.0)
                .timestamp(DateTime::from(now))
                .build(),
        )
        .send()
        .await?;
    let metric = Metric::builder().namespace("AgentOS").metric_name("QueueDepth").dimensions(dim).build();
    let query = MetricDataQuery::builder()
        .id("depth")
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Average").build())
        .build();
    let out = cw
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(DateTime::from(now - Duration::from_secs(600)))
        .end_time(DateTime::from(now + Duration::from_secs(600)))
        .send()
        .await?;
    let values = out.metric_data_results()[0].values();
    assert_eq!(values, [42.0]);

    let rds = aws_sdk_rds::Client::new(&config);
    rds.create_db_instance()
        .db_instance_identifier("agentos-db")
        .db_instance_class("db.t3.micro")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .send()
        .await?;
    let described = rds.describe_db_instances().db_instance_identifier("agentos-db").send().await?;
    let instance = &described.db_instances()[0];
    assert_eq!(instance.db_instance_class(), Some("db.t3.micro"));
    moto.reset()?;
    assert!(rds.describe_db_instances().send().await?.db_instances().is_empty());
    Ok(())
}

fn deployment(name: &str, replicas: i32) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "main", "image": "agentos:1"}]}}},
        "status": {"replicas": replicas, "readyReplicas": replicas},
    })
}

#[tokio::test]
async fn kmock_serves_kube_list_get_patch_and_watch() -> Result<()> {
    let kmock = Kmock::start()?;
    eprintln!("kmock started in {:?}", kmock.started_in);
    let stored = kmock.apply(deployment("api-server", 2)).await?;
    assert_eq!(stored["status"]["readyReplicas"], 2, "apply writes status too");
    let client = kmock.client().await?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let list = deployments.list(&ListParams::default()).await?;
    assert_eq!(list.items.len(), 1);
    assert!(list.metadata.resource_version.is_some());
    assert!(deployments.get_opt("nope").await?.is_none(), "404 NotFound gives None");

    let mut applied = watcher(deployments.clone(), watcher::Config::default()).applied_objects().boxed();
    let first = tokio::time::timeout(Duration::from_secs(10), applied.try_next()).await??;
    assert_eq!(first.and_then(|d| d.metadata.name).as_deref(), Some("api-server"));

    let pp = PatchParams::default();
    deployments.patch("api-server", &pp, &Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}}))).await?;
    let strategic = json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "agentos:2"}]}}}});
    let d = deployments.patch("api-server", &pp, &Patch::Strategic(strategic)).await?;
    let containers = d.spec.template.spec.map(|s| s.containers).unwrap_or_default();
    assert_eq!((containers.len(), containers[0].image.as_deref()), (1, Some("agentos:2")));
    let ops = json!([{"op": "replace", "path": "/spec/replicas", "value": 4}]);
    let d = deployments.patch("api-server", &pp, &Patch::Json::<()>(serde_json::from_value(ops)?)).await?;
    assert_eq!(d.spec.replicas, Some(4));
    assert_eq!(d.metadata.generation, Some(3), "two spec changes since create");

    // The watcher sees the writes, each with a newer resourceVersion.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout_at(deadline.into(), applied.try_next()).await??;
        if next.and_then(|d| d.spec.replicas) == Some(4) {
            break;
        }
    }
    let dry = deployments
        .patch("api-server", &PatchParams::default().dry_run(), &Patch::Merge(json!({"spec": {"replicas": 9}})))
        .await?;
    assert_eq!(dry.spec.replicas, Some(9));
    let kept = deployments.get("api-server").await?;
    assert_eq!(kept.spec.replicas, Some(4), "dryRun=All stores nothing");

    let out = kmock.kubectl(&[
        "get",
        "deployment",
        "api-server",
        "-o",
        "jsonpath={.spec.replicas} {.metadata.labels.tier} {.status.readyReplicas}",
    ])?;
    assert_eq!(out, "4 web 2");
    deployments.delete("api-server", &Default::default()).await?;
    assert!(deployments.get_opt("api-server").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn kmock_scales_conflicts_and_leases() -> Result<()> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment("worker", 2)).await?;
    let client = kmock.client().await?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let scale = deployments.get_scale("worker").await?;
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    assert_eq!(scale.status.map(|s| s.replicas), Some(2));
    deployments.patch_scale("worker", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 5}}))).await?;
    assert_eq!(kmock.kubectl(&["get", "deploy", "worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    let out = kmock.kubectl(&["scale", "deployment", "worker", "--replicas=3"])?;
    assert!(out.contains("scaled"), "{out}");
    assert_eq!(deployments.get("worker").await?.spec.replicas, Some(3));
    kmock.kubectl(&["patch", "deployment", "worker", "-p", r#"{"metadata":{"annotations":{"by":"kubectl"}}}"#])?;

    // A replace carrying a stale resourceVersion is refused with 409 Conflict.
    let mut stale = deployments.get("worker").await?;
    deployments.patch("worker", &PatchParams::default(), &Patch::Merge(json!({"spec": {"paused": true}}))).await?;
    stale.spec.replicas = Some(7);
    let err = deployments.replace("worker", &PostParams::default(), &stale).await.err().context("stale write")?;
    assert_eq!(api_code(&err), Some((409, "Conflict".into())));

    let leases: Api<Lease> = Api::namespaced(client, "default");
    let lease: Lease = serde_json::from_value(json!({"metadata": {"name": "cockpit-lock"},
        "spec": {"holderIdentity": "me", "leaseDurationSeconds": 30}}))?;
    let created = leases.create(&PostParams::default(), &lease).await?;
    let mut mine = created.clone();
    if let Some(spec) = mine.spec.as_mut() {
        spec.holder_identity = Some("me-again".into());
    }
    leases.replace("cockpit-lock", &PostParams::default(), &mine).await?;
    let mut theirs = created;
    if let Some(spec) = theirs.spec.as_mut() {
        spec.holder_identity = Some("them".into());
    }
    let err = leases.replace("cockpit-lock", &PostParams::default(), &theirs).await.err().context("stale lease")?;
    assert_eq!(api_code(&err), Some((409, "Conflict".into())));
    let already = leases.create(&PostParams::default(), &lease).await.err().context("twice")?;
    assert_eq!(api_code(&already), Some((409, "AlreadyExists".into())));
    Ok(())
}

#[tokio::test]
async fn kmock_counts_requests_injects_faults_and_answers_reviews() -> Result<()> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment("api-server", 1)).await?;
    let client = kmock.client().await?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    kmock.reset_stats()?;
    deployments.list(&ListParams::default()).await?;
    deployments.get("api-server").await?;
    deployments.patch("api-server", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 2}}))).await?;
    let stats = kmock.stats()?;
    assert_eq!(
        (stats["list"].as_u64(), stats["get"].as_u64(), stats["write"].as_u64()),
        (Some(1), Some(1), Some(1)),
        "{stats}"
    );
    assert_eq!(stats["by_resource"]["deployments"]["patch"], 1);

    kmock.inject_fault(Fault::status(500).method("PATCH").path_contains("deployments/api-server"))?;
    let patch = Patch::Merge(json!({"spec": {"replicas": 3}}));
    let err = deployments.patch("api-server", &PatchParams::default(), &patch).await.err().context("fault")?;
    assert_eq!(api_code(&err).map(|c| c.0), Some(500));
    deployments.patch("api-server", &PatchParams::default(), &patch).await?;
    kmock.inject_fault(Fault::status(409).verb("patch").reason("Conflict"))?;
    let err = deployments.patch("api-server", &PatchParams::default(), &patch).await.err().context("409")?;
    assert_eq!(api_code(&err), Some((409, "Conflict".into())));

    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = |verb: &str| -> Result<SelfSubjectAccessReview> {
        Ok(serde_json::from_value(json!({"spec": {"resourceAttributes": {
            "namespace": "default", "verb": verb, "group": "apps", "resource": "deployments"}}}))?)
    };
    let answer = reviews.create(&PostParams::default(), &review("patch")?).await?;
    assert!(answer.status.map(|s| s.allowed).unwrap_or(false));
    kmock.deny(json!({"verb": "patch", "resource": "deployments"}))?;
    let answer = reviews.create(&PostParams::default(), &review("patch")?).await?;
    assert!(!answer.status.map(|s| s.allowed).unwrap_or(true));
    let err = deployments.patch("api-server", &PatchParams::default(), &patch).await.err().context("denied")?;
    assert_eq!(api_code(&err), Some((403, "Forbidden".into())));
    assert!(kmock.kubectl(&["auth", "can-i", "patch", "deployments"]).is_err(), "kubectl says no");
    assert_eq!(kmock.kubectl(&["auth", "can-i", "get", "deployments"])?.trim(), "yes");

    kmock
        .apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-0",
        "annotations": {"kmock/health": "fail"}}, "spec": {"containers": [{"name": "main", "image": "x"}]}}))
        .await?;
    kmock
        .apply(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-1"},
        "spec": {"containers": [{"name": "main", "image": "x"}]}}))
        .await?;
    let (code, body) =
        support::process::http(kmock.port(), "GET", "/api/v1/namespaces/default/pods/api-1:8080/proxy/health", None)?;
    assert_eq!((code, body.as_str()), (200, "ok"));
    let (code, _) =
        support::process::http(kmock.port(), "GET", "/api/v1/namespaces/default/pods/api-0/proxy/health", None)?;
    assert_eq!(code, 503);
    kmock
        .apply(json!({"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
        "metadata": {"name": "api-1", "namespace": "default"}, "timestamp": "2025-01-01T00:00:00Z",
        "window": "30s", "containers": [{"name": "main", "usage": {"cpu": "250m", "memory": "64Mi"}}]}))
        .await?;
    let raw = kmock.kubectl(&["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"])?;
    let metrics: serde_json::Value = serde_json::from_str(&raw)?;
    assert_eq!(metrics["kind"], "PodMetricsList");
    assert_eq!(metrics["items"][0]["containers"][0]["usage"]["cpu"], "250m");
    Ok(())
}

#[tokio::test]
async fn kmock_watch_resumes_after_the_server_closes_it() -> Result<()> {
    let kmock = Kmock::start()?;
    let deployments: Api<Deployment> = Api::namespaced(kmock.client().await?, "default");
    // A stream only moves when polled: drive the watcher in a task of its own.
    let (tx, mut names) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut events = watcher(deployments, watcher::Config::default()).applied_objects().boxed();
        while let Some(event) = events.next().await {
            let name = event.map(|d| d.metadata.name.unwrap_or_default()).map_err(|e| e.to_string());
            if tx.send(name).is_err() {
                break;
            }
        }
    });
    kmock.apply(deployment("a", 1)).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    assert_eq!(next_name(&mut names, deadline).await?, "a");
    // The watcher lists first, then watches: wait for its watch before closing it.
    while kmock.stats()?["watch"].as_u64() < Some(1) {
        assert!(Instant::now() < deadline, "the watcher never opened a watch");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(kmock.close_watches()?, 1);
    kmock.apply(deployment("b", 1)).await?;
    // apply() writes twice (create, then status): "a" may come again before "b".
    while next_name(&mut names, deadline).await? != "b" {}
    assert_eq!(kmock.stats()?["list"], 1, "resumed from its resourceVersion, no relist");
    assert_eq!(kmock.stats()?["watch"], 2);
    task.abort();
    Ok(())
}

async fn next_name(names: &mut Names, deadline: Instant) -> Result<String> {
    match tokio::time::timeout_at(deadline.into(), names.recv()).await {
        Ok(Some(Ok(name))) => Ok(name),
        other => bail!("no watch event: {other:?}"),
    }
}

type Names = tokio::sync::mpsc::UnboundedReceiver<Result<String, String>>;
