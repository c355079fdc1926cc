//! Discovery and `cockpit check` against the real peers: the load balancer in front of the API
//! from the Ingress (or LoadBalancer Service) status that kmock stores, matched to an ALB that
//! moto serves (ELBv2 DescribeLoadBalancers); the RDS primary behind the database host (RDS
//! DescribeDBInstances); what cannot be found named as a gap with its setting; `check` naming
//! the discovered values and the blind spots, with its exit statuses; every request of `check`
//! under a deadline, against an API server that accepts connections and never answers.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cockpit::config::Config;
use cockpit::live::discover::{self, Origin};
use cockpit::live::{Env, Targets};
use cockpit::model::state::SourceData;
use cockpit::model::{GapKind, MetricId};
use cockpit::sources::cloudwatch::CloudWatchSource;
use cockpit::sources::poll::refresh_once;
use cockpit::sources::rds::RdsSource;
use serde_json::{Value, json};
use support::live::kube_objects::{deployment, hpa, pod, pod_metrics};
use support::live::{config, env};
use support::{Fault, Kmock, Moto, Postgres, RedisServer};

const NS: &str = "production";

fn service(name: &str, app: &str, load_balancer: Option<&str>) -> Value {
    let mut s = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]}});
    if let Some(host) = load_balancer {
        s["spec"]["type"] = json!("LoadBalancer");
        s["status"] = json!({"loadBalancer": {"ingress": [{"hostname": host}]}});
    }
    s
}

fn ingress(name: &str, backend: &str, hostname: Option<&str>) -> Value {
    let mut i = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": backend, "port": {"number": 80}}}}]}}]}});
    if let Some(h) = hostname {
        // Written as the ingress controller would, through the status subresource.
        i["status"] = json!({"loadBalancer": {"ingress": [{"hostname": h}]}});
    }
    i
}

/// An Application Load Balancer in moto: (DNS name, CloudWatch dimension app/NAME/ID).
async fn alb(moto: &Moto, name: &str, kind: &str) -> Result<(String, String)> {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&moto.sdk_config().await);
    let lb_type = aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum::from(kind);
    let out = elb.create_load_balancer().name(name).subnets(moto.default_subnet()?).r#type(lb_type).send().await?;
    let lb = out.load_balancers().first().context("a load balancer")?;
    let dns = lb.dns_name().context("dns name")?.to_string();
    let dim = discover::dimension(lb.load_balancer_arn().context("arn")?).context("app/NAME/ID")?;
    Ok((dns, dim))
}

/// An RDS instance in moto: its endpoint address.
async fn rds_instance(moto: &Moto, id: &str) -> Result<String> {
    let rds = aws_sdk_rds::Client::new(&moto.sdk_config().await);
    let out = rds
        .create_db_instance()
        .db_instance_identifier(id)
        .db_instance_class("db.r6g.large")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .send()
        .await?;
    Ok(out.db_instance().and_then(|i| i.endpoint()).and_then(|e| e.address()).context("endpoint")?.to_string())
}

async fn put(moto: &Moto, ns: &str, metric: &str, dim: (&str, &str), value: f64) -> Result<()> {
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
    let d = Dimension::builder().name(dim.0).value(dim.1).build();
    let datum = MetricDatum::builder()
        .metric_name(metric)
        .dimensions(d)
        .value(value)
        .timestamp(DateTime::from(SystemTime::now()));
    cw.put_metric_data().namespace(ns).metric_data(datum.build()).send().await?;
    Ok(())
}

/// The API deployment with its Service, and the worker deployment, in kmock.
async fn cluster() -> Result<Kmock> {
    let kmock = Kmock::start()?;
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(service("api", "api-server", None)).await?;
    Ok(kmock)
}

fn aws_config(moto: &Moto, kmock: Option<&Kmock>) -> Config {
    let mut c = config(1.0);
    c.aws.enabled = Some(true);
    c.aws.region = Some("us-east-1".into());
    c.aws.endpoint_url = Some(moto.endpoint());
    c.aws.latency_statistic = "Maximum".into();
    c.aws.rds_replicas = Vec::new();
    c.kubernetes.namespace = NS.into();
    c.kubernetes.kubeconfig = kmock.map(|k| k.kubeconfig_path());
    c
}

fn creds(home: &Path) -> Env {
    env(home).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing")
}

async fn cloudwatch(c: &Config, env: &Env) -> Result<(cockpit::model::state::CloudState, Targets)> {
    let targets = Targets::resolve(c, env).await;
    let t = targets.aws.as_ref().context("aws configured")?.as_ref().map_err(|f| anyhow::anyhow!("{f}"))?;
    let mut src = CloudWatchSource::new(t, &c.aws);
    match refresh_once(&mut src, Duration::from_secs(20)).await.map_err(|f| anyhow::anyhow!("{f}"))? {
        SourceData::CloudWatch(s) => Ok((s, targets)),
        _ => bail!("not cloudwatch"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_balancer_is_discovered_from_the_ingress_and_read_from_cloudwatch() -> Result<()> {
    let (moto, kmock, home) = (Moto::start()?, cluster().await?, tempfile::tempdir()?);
    let (dns, dim) = alb(&moto, "agentos", "application").await?;
    let (_, other) = alb(&moto, "internal-tools", "application").await?;
    kmock.apply(ingress("api", "api", Some(&dns.to_uppercase()))).await?;
    let lb = ("LoadBalancer", dim.as_str());
    put(&moto, "AWS/ApplicationELB", "TargetResponseTime", lb, 0.42).await?;
    put(&moto, "AWS/ApplicationELB", "RequestCount", lb, 600.0).await?;
    put(&moto, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, 6.0).await?;
    let c = aws_config(&moto, Some(&kmock));
    let (s, targets) = cloudwatch(&c, &creds(home.path())).await?;
    assert_eq!((s.api_p99_ms, s.api_5xx_pct, s.api_rps), (Some(420.0), Some(1.0), Some(10.0)), "{:?}", s.gaps);
    for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps] {
        assert!(!s.gaps.contains_key(&id), "{id:?}: {:?}", s.gaps);
    }
    let names = targets.aws.context("aws")?.map_err(|f| anyhow::anyhow!("{f}"))?.discovery.latest().context("done")?;
    let found = names.load_balancer.clone().map_err(|g| anyhow::anyhow!("{g}"))?;
    assert_eq!(found.value, dim);
    assert_eq!(found.origin, Origin::Discovered(format!("Ingress {NS}/api")));

    // An explicit setting wins over what the Ingress says.
    let mut explicit = c.clone();
    explicit.aws.load_balancer = Some(other.clone());
    let (s, targets) = cloudwatch(&explicit, &creds(home.path())).await?;
    let names = targets.aws.context("aws")?.map_err(|f| anyhow::anyhow!("{f}"))?.discovery.latest().context("done")?;
    assert_eq!(
        names.load_balancer.as_ref().map(|f| (f.value.clone(), f.origin.clone())).ok(),
        Some((other.clone(), Origin::Config("aws.load_balancer")))
    );
    let p99 = &s.gaps[&MetricId::ApiP99];
    assert_eq!(p99.kind, GapKind::NoData, "no datapoint for the other one");
    assert!(p99.reason.contains(&format!("LoadBalancer={other} (set by aws.load_balancer)")), "{p99}");

    // Without an Ingress, a Service of type LoadBalancer in front of the API tells.
    kmock.kubectl(&["-n", NS, "delete", "ingress", "api"])?;
    kmock.apply(service("api", "api-server", Some(&dns))).await?;
    let (s, targets) = cloudwatch(&c, &creds(home.path())).await?;
    assert_eq!(s.api_p99_ms, Some(420.0));
    let names = targets.aws.context("aws")?.map_err(|f| anyhow::anyhow!("{f}"))?.discovery.latest().context("done")?;
    assert_eq!(
        names.load_balancer.as_ref().map(|f| f.origin.clone()).ok(),
        Some(Origin::Discovered(format!("Service {NS}/api (type LoadBalancer)")))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_discovery_cannot_find_is_a_gap_naming_the_key() -> Result<()> {
    let (moto, kmock, home) = (Moto::start()?, cluster().await?, tempfile::tempdir()?);
    let c = aws_config(&moto, Some(&kmock));
    let expect = |s: &cockpit::model::state::CloudState, text: &str| -> Result<()> {
        for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps] {
            let g = s.gaps.get(&id).with_context(|| format!("{id:?} has a gap"))?;
            assert_eq!((g.kind, g.setting.as_deref()), (GapKind::NotFound, Some("aws.load_balancer")), "{g}");
            assert!(g.reason.contains(text), "{g}");
        }
        Ok(())
    };
    let (s, _) = cloudwatch(&c, &creds(home.path())).await?;
    expect(&s, "no Ingress or LoadBalancer Service for api-server in production")?;

    // An Ingress whose controller has not written its status yet.
    kmock.apply(ingress("api", "api", None)).await?;
    let (s, _) = cloudwatch(&c, &creds(home.path())).await?;
    expect(&s, "Ingress production/api has no load balancer hostname in its status yet")?;

    // A hostname that is no ALB of the region; a Network Load Balancer publishes no latency.
    kmock.apply(ingress("api", "api", Some("elsewhere.example.com"))).await?;
    let (s, _) = cloudwatch(&c, &creds(home.path())).await?;
    expect(
        &s,
        "Ingress production/api's hostname elsewhere.example.com matches no Application Load Balancer in us-east-1",
    )?;
    let (nlb, _) = alb(&moto, "tcp-front", "network").await?;
    kmock.apply(ingress("api", "api", Some(&nlb))).await?;
    let (s, _) = cloudwatch(&c, &creds(home.path())).await?;
    // (moto writes "app/" into every ARN; AWS writes "net/" for a Network Load Balancer.)
    expect(&s, "Ingress production/api is served by a network load balancer (")?;
    expect(&s, "/tcp-front/")?;

    // Without Kubernetes there is nothing to discover from.
    let (s, _) = cloudwatch(&aws_config(&moto, None), &creds(home.path())).await?;
    let g = &s.gaps[&MetricId::ApiP99];
    assert_eq!((g.kind, g.setting.as_deref()), (GapKind::NotSet, Some("aws.load_balancer")), "{g}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rds_primary_is_the_instance_behind_the_database_host_or_named_as_not_found() -> Result<()> {
    let (moto, home) = (Moto::start()?, tempfile::tempdir()?);
    let endpoint = rds_instance(&moto, "orders-db").await?;
    let c = aws_config(&moto, None);
    let rds = |c: Config, env: Env| async move {
        let targets = Targets::resolve(&c, &env).await;
        let t = targets.aws.as_ref().context("aws")?.as_ref().map_err(|f| anyhow::anyhow!("{f}"))?;
        match refresh_once(&mut RdsSource::new(t, &c.aws), Duration::from_secs(20)).await {
            Ok(SourceData::Rds(r)) => Ok::<_, anyhow::Error>(r),
            other => bail!("{other:?}"),
        }
    };
    let with_db = creds(home.path()).with("DATABASE_URL", format!("postgres://app@{endpoint}:5432/orders"));
    let r = rds(c.clone(), with_db.clone()).await?;
    assert_eq!(r.primary.as_ref().map(|p| p.id.as_str()), Some("orders-db"), "{r:?}");
    assert!(r.missing.is_empty(), "{r:?}");
    let (cw, targets) = cloudwatch(&c, &with_db).await?;
    let names = targets.aws.context("aws")?.map_err(|f| anyhow::anyhow!("{f}"))?.discovery.latest().context("done")?;
    let primary = names.rds_primary.clone().map_err(|g| anyhow::anyhow!("{g}"))?;
    assert_eq!(primary.describe(), format!("orders-db (discovered from DATABASE_URL's host {endpoint})"));
    let cpu = &cw.gaps[&MetricId::DbCpu];
    assert!(cpu.kind == GapKind::NoData && cpu.reason.contains("DBInstanceIdentifier=orders-db (discovered"), "{cpu}");

    // A host that is no RDS endpoint, and no instance with the runbook's name: not found.
    let elsewhere = creds(home.path()).with("DATABASE_URL", "postgres://app@db.internal:5432/orders");
    let r = rds(c.clone(), elsewhere.clone()).await?;
    assert_eq!(r.primary, None);
    let g = r.missing.first().context("the primary is named as missing")?;
    assert_eq!((g.kind, g.setting.as_deref()), (GapKind::NotFound, Some("aws.rds_primary")), "{g}");
    assert!(
        g.reason.contains("DATABASE_URL's host db.internal is the endpoint of no RDS instance in us-east-1")
            && g.reason.contains("no instance has the runbook's name agentos-primary"),
        "{g}"
    );
    let (cw, _) = cloudwatch(&c, &elsewhere).await?;
    assert_eq!(cw.gaps[&MetricId::DbCpu], *g, "CloudWatch and RDS say the same");

    // The runbook's name when it exists; an explicit name that does not exist is not found.
    rds_instance(&moto, "agentos-primary").await?;
    let r = rds(c.clone(), elsewhere.clone()).await?;
    assert_eq!(r.primary.as_ref().map(|p| p.id.as_str()), Some("agentos-primary"));
    let mut explicit = c.clone();
    explicit.aws.rds_primary = Some("nope".into());
    explicit.aws.rds_replicas = vec!["nope-replica".into()];
    let r = rds(explicit, with_db).await?;
    assert_eq!(r.primary, None);
    let texts: Vec<String> = r.missing.iter().map(|g| g.describe()).collect();
    assert_eq!(
        texts,
        vec![
            "not found: RDS primary nope (set by aws.rds_primary) does not exist in us-east-1 (set aws.rds_primary)"
                .to_string(),
            "not found: RDS replica nope-replica does not exist in us-east-1 (set aws.rds_replicas)".to_string(),
        ]
    );
    Ok(())
}

/// The binary with a clean environment: a fresh HOME plus `vars`; killed (and the test failed)
/// if it has not ended after `limit`: a command that never returns is the bug under test.
fn cockpit(home: &Path, vars: &[(&str, String)], args: &[&str], limit: Duration) -> Result<Output> {
    // COCKPIT_BIN_UNDER_TEST runs these tests against another build (e.g. the one before a fix).
    let bin = std::env::var("COCKPIT_BIN_UNDER_TEST").unwrap_or_else(|_| env!("CARGO_BIN_EXE_cockpit").to_string());
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USER", "oncall")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--log-file", &home.join("cockpit.log").display().to_string()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    while child.try_wait()?.is_none() {
        if start.elapsed() > limit {
            child.kill()?;
            let out = child.wait_with_output()?;
            bail!("`cockpit {}` never returned (killed after {limit:?}):\n{}", args.join(" "), text(&out));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(child.wait_with_output()?)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A config file for the binary: AWS on moto (moto serves no p99: "Maximum").
fn config_file(home: &Path, moto: &Moto, extra: &str) -> Result<String> {
    let path = home.join("config.toml");
    let mut f = std::fs::File::create(&path)?;
    writeln!(
        f,
        "[aws]\nenabled = true\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\nlatency_statistic = \"Maximum\"\n\
         rds_replicas = []\n{extra}",
        moto.endpoint()
    )?;
    Ok(path.display().to_string())
}

fn aws_vars() -> Vec<(&'static str, String)> {
    vec![("AWS_ACCESS_KEY_ID", "testing".into()), ("AWS_SECRET_ACCESS_KEY", "testing".into())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_without_a_load_balancer_warns_names_the_key_and_exits_3() -> Result<()> {
    let (moto, kmock, home) = (Moto::start()?, cluster().await?, tempfile::tempdir()?);
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let cfg = config_file(home.path(), &moto, "")?;
    let mut vars = aws_vars();
    vars.push(("KUBECONFIG", kmock.kubeconfig_path().display().to_string()));
    let out = cockpit(home.path(), &vars, &["--config", &cfg, "check", "-n", NS], Duration::from_secs(120))?;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "every source answered, but blind spots remain: {t}");
    assert!(t.contains("cloudwatch  ok: 0 of 8 metrics"), "{t}");
    assert!(
        t.contains(
            "            WARN API latency p99, API error rate (5xx): not found: no Ingress or LoadBalancer Service for \
             api-server in production (set aws.load_balancer)"
        ),
        "{t}"
    );
    assert!(
        t.contains("            WARN DB CPU: not found: no database host (postgres.url, DATABASE_URL or PGHOST)")
            && t.contains("no instance has the runbook's name agentos-primary (set aws.rds_primary)"),
        "{t}"
    );
    assert!(
        t.contains("rds         ok: no primary, no replica") && t.contains("            not found: no database host"),
        "{t}"
    );
    // No metrics-server here: the pods' CPU is a blind spot of Kubernetes, named as such.
    assert!(t.contains("            WARN CPU utilization (workers), Memory utilization (workers)"), "{t}");
    assert!(t.contains("blind spot(s)"), "{t}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_shows_discovered_values_and_exits_0_when_nothing_is_blind() -> Result<()> {
    let (moto, kmock, home) = (Moto::start()?, cluster().await?, tempfile::tempdir()?);
    let pg = Postgres::start()?;
    let redis = RedisServer::start()?;
    let (dns, dim) = alb(&moto, "agentos", "application").await?;
    kmock.apply(ingress("api", "api", Some(&dns))).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    for (app, n) in [("api-server", 3), ("agent-worker", 5)] {
        for i in 0..n {
            let name = format!("{app}-{i}");
            kmock.apply(pod(NS, app, &name, None)).await?;
            kmock.apply(pod_metrics(NS, app, &name, "250m", "256Mi")).await?;
        }
    }
    // The database host is the RDS endpoint's name (as in production); PGHOSTADDR reaches the
    // PostgreSQL peer without DNS, as libpq allows.
    let endpoint = rds_instance(&moto, "orders-db").await?;
    let lb = ("LoadBalancer", dim.as_str());
    put(&moto, "AWS/ApplicationELB", "TargetResponseTime", lb, 0.2).await?;
    put(&moto, "AWS/ApplicationELB", "RequestCount", lb, 120.0).await?;
    put(&moto, "AWS/RDS", "CPUUtilization", ("DBInstanceIdentifier", "orders-db"), 35.0).await?;
    let cfg = config_file(home.path(), &moto, "")?;
    let mut vars = aws_vars();
    vars.extend([
        ("KUBECONFIG", kmock.kubeconfig_path().display().to_string()),
        ("REDIS_URL", redis.url()),
        ("PGHOST", endpoint.clone()),
        ("PGHOSTADDR", "127.0.0.1".to_string()),
        ("PGPORT", pg.port().to_string()),
        ("PGUSER", pg.user().to_string()),
        ("PGPASSWORD", pg.password().to_string()),
        ("PGDATABASE", pg.dbname().to_string()),
    ]);
    let out = cockpit(home.path(), &vars, &["--config", &cfg, "check", "-n", NS], Duration::from_secs(120))?;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains(&format!("            load balancer {dim} (discovered from Ingress production/api)")), "{t}");
    assert!(
        t.contains(&format!("            RDS primary orders-db (discovered from PGHOST's host {endpoint})")),
        "{t}"
    );
    assert!(t.contains("rds         ok: primary orders-db db.r6g.large available"), "{t}");
    assert!(!t.contains("WARN"), "{t}");

    // An explicit setting wins and says so; one that names nothing real is a blind spot.
    let cfg = config_file(home.path(), &moto, "load_balancer = \"app/typo/0\"")?;
    let out = cockpit(home.path(), &vars, &["--config", &cfg, "check", "-n", NS], Duration::from_secs(120))?;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("            load balancer app/typo/0 (set by aws.load_balancer)"), "{t}");
    assert!(
        t.contains(
            "WARN API latency p99: no data: CloudWatch has no AWS/ApplicationELB TargetResponseTime datapoint for \
             LoadBalancer=app/typo/0 (set by aws.load_balancer)"
        ),
        "{t}"
    );
    Ok(())
}

/// An API server that accepts connections and never answers (held until the test ends).
fn silent_server() -> Result<(u16, std::thread::JoinHandle<()>)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().take(256).flatten() {
            held.push(conn);
        }
    });
    Ok((port, handle))
}

fn kubeconfig_for(home: &Path, server: &str) -> Result<String> {
    let path = home.join("silent-kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: silent\nclusters:\n- name: silent\n  cluster:\n    server: {server}\n\
             contexts:\n- name: silent\n  context:\n    cluster: silent\n    user: u\n    namespace: {NS}\nusers:\n- name: u\n  user:\n    token: t\n"
        ),
    )?;
    Ok(path.display().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_returns_against_an_api_server_that_never_answers() -> Result<()> {
    let (moto, home) = (Moto::start()?, tempfile::tempdir()?);
    let (port, _server) = silent_server()?;
    let cfg = config_file(home.path(), &moto, "")?;
    let mut vars = aws_vars();
    vars.push(("KUBECONFIG", kubeconfig_for(home.path(), &format!("http://127.0.0.1:{port}"))?));
    let out = cockpit(home.path(), &vars, &["--config", &cfg, "check"], Duration::from_secs(120))?;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "the API server failed: {t}");
    assert!(t.contains("kubernetes  FAILED: timed out: kubernetes: no answer within 10s"), "{t}");
    assert!(t.contains("identity and permissions: not checked (the API server failed above)"), "{t}");
    // Discovery of the load balancer has its own deadline, and says so.
    assert!(t.contains("discovering the load balancer took longer than 5s"), "{t}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_reviews_that_never_answer_end_at_their_deadline() -> Result<()> {
    let kmock = cluster().await?;
    let home = tempfile::tempdir()?;
    kmock.inject_fault(Fault::delay(600.0).path_contains("selfsubjectaccessreviews").always())?;
    let vars = [("KUBECONFIG", kmock.kubeconfig_path().display().to_string())];
    let out = cockpit(home.path(), &vars, &["check", "-n", NS], Duration::from_secs(120))?;
    let t = text(&out);
    assert!(t.contains("kubernetes  ok: deployments: api-server 3/3 ready"), "{t}");
    assert!(
        t.contains("            permissions: could not be checked: the API server did not answer within 10s"),
        "{t}"
    );
    Ok(())
}
