//! `cockpit capacity` (issue 9) against moto's CloudWatch and RDS, and a real PostgreSQL for
//! max_connections: 90 days of daily datapoints with known slopes go in; the table, the
//! Theil–Sen slopes, the crossing dates and the actions come out, as text, markdown and JSON.

mod support;

use anyhow::Result;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use serde_json::Value;
use std::process::Command;
use support::{Moto, Postgres};

const DAY: i64 = 86_400;

struct Rig {
    _moto: Moto,
    _pg: Postgres,
    home: tempfile::TempDir,
    cfg: std::path::PathBuf,
    /// The start of the lookback (UTC midnight, 90 days before today's).
    from: i64,
}

/// One datapoint a day at noon, for each of the 90 days before today.
async fn put_days(
    cw: &aws_sdk_cloudwatch::Client,
    ns: &str,
    metric: &str,
    dim: Option<(&str, &str)>,
    from: i64,
    f: impl Fn(i64) -> f64,
) -> Result<()> {
    for d in 0..90 {
        let mut datum = MetricDatum::builder()
            .metric_name(metric)
            .value(f(d))
            .timestamp(DateTime::from_secs(from + d * DAY + DAY / 2));
        if let Some((k, v)) = dim {
            datum = datum.dimensions(Dimension::builder().name(k).value(v).build());
        }
        cw.put_metric_data().namespace(ns).metric_data(datum.build()).send().await?;
    }
    Ok(())
}

async fn rig() -> Result<Rig> {
    let moto = Moto::start()?;
    let pg = Postgres::start_with(support::PostgresOptions {
        settings: vec![("max_connections".into(), "500".into())],
        ..Default::default()
    })?;
    let sdk = moto.sdk_config().await;
    let rds = aws_sdk_rds::Client::new(&sdk);
    rds.create_db_instance()
        .db_instance_identifier("agentos-primary")
        .db_instance_class("db.r6g.xlarge")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(100)
        .send()
        .await?;
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
    let from = now / DAY * DAY - 90 * DAY;
    let lb = "app/agentos-alb/50dc6c495c0c9188";
    // API: 100 requests/s, one more each day.
    put_days(&cw, "AWS/ApplicationELB", "RequestCount", Some(("LoadBalancer", lb)), from, |d| {
        (100.0 + d as f64) * 86_400.0
    })
    .await?;
    // Connections: 300 + 2 a day, a broken day of 5000 every 30: the trend keeps to 2/day.
    let db = Some(("DBInstanceIdentifier", "agentos-primary"));
    put_days(&cw, "AWS/RDS", "DatabaseConnections", db, from, |d| {
        if d % 30 == 11 { 5000.0 } else { 300.0 + 2.0 * d as f64 }
    })
    .await?;
    // Storage: 40 GiB used of 100, 0.2 GiB more a day.
    put_days(&cw, "AWS/RDS", "FreeStorageSpace", db, from, |d| (60.0 - 0.2 * d as f64) * 1024.0 * 1024.0 * 1024.0)
        .await?;
    // Redis: the fullest node is 50% + 0.3 a day (over 75% by the end); the other stays low.
    let node = |n: &'static str| Some(("CacheClusterId", n));
    put_days(&cw, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", node("agentos-redis-0001-001"), from, |d| {
        50.0 + 0.3 * d as f64
    })
    .await?;
    put_days(&cw, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", node("agentos-redis-0002-001"), from, |_| 20.0)
        .await?;
    // The platform's own: executions, peak concurrency; no queue depth published.
    put_days(&cw, "AgentOS", "AgentExecutions", None, from, |d| 10_000.0 + 100.0 * d as f64).await?;
    put_days(&cw, "AgentOS", "ConcurrentAgents", None, from, |d| 100.0 + 2.0 * d as f64).await?;

    let home = tempfile::tempdir()?;
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[aws]\nenabled = true\nregion = \"us-east-1\"\nendpoint_url = {:?}\nrds_primary = \"agentos-primary\"\n\
             load_balancer = {lb:?}\nelasticache_nodes = [\"agentos-redis-0001-001\", \"agentos-redis-0002-001\"]\n\
             platform_namespace = \"AgentOS\"\n[postgres]\nurl = {:?}\n",
            moto.endpoint(),
            pg.url()
        ),
    )?;
    Ok(Rig { _moto: moto, _pg: pg, home, cfg, from })
}

impl Rig {
    fn capacity(&self, args: &[&str]) -> Result<(i32, String, String)> {
        let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .arg("--config")
            .arg(&self.cfg)
            .arg("capacity")
            .args(args)
            .env("HOME", self.home.path())
            .env("COCKPIT_STATE_DIR", self.home.path().join("state"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("KUBECONFIG")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .output()?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }
}

fn row<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["rows"].as_array().and_then(|r| r.iter().find(|r| r["key"] == key)).unwrap_or(&Value::Null)
}

fn date(t: i64) -> String {
    jiff::Timestamp::from_second(t).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_projects_moto_s_cloudwatch_history_in_json_text_and_markdown() -> Result<()> {
    let rig = rig().await?;
    let charts = rig.home.path().join("charts");
    let (code, out, err) = rig.capacity(&["--format", "json", "--charts", &charts.to_string_lossy()])?;
    assert_eq!(code, 0, "{out}\n{err}");
    let v: Value = serde_json::from_str(&out)?;
    assert_eq!(v["from"].as_f64(), Some(rig.from as f64));

    let rps = row(&v, "api_requests_per_second");
    assert_eq!(rps["points"].as_array().map(Vec::len), Some(90), "{rps}");
    assert!((rps["trend"]["slope"].as_f64().unwrap_or(0.0) - 1.0).abs() < 1e-6, "{}", rps["trend"]);
    assert!((rps["current"].as_f64().unwrap_or(0.0) - 189.0).abs() < 1e-6, "{rps}");
    // Day 120 (the end of the 30 days after the 90): 100 + 120.
    assert!((rps["projection"][0].as_f64().unwrap_or(0.0) - 220.0).abs() < 1e-6, "{}", rps["projection"]);

    // Connections: the broken days do not bend the trend; 300 + 2d reaches 500 at day 100.
    let conns = row(&v, "database_connections");
    let slope = conns["trend"]["slope"].as_f64().unwrap_or(0.0);
    assert!((slope - 2.0).abs() < 1e-6, "{}", conns["trend"]);
    assert_eq!(conns["limit"]["value"].as_f64(), Some(500.0), "max_connections from PostgreSQL");
    assert_eq!(conns["crossing"]["state"], "at", "{}", conns["crossing"]);
    let at = conns["crossing"]["t"].as_f64().unwrap_or(0.0) as i64;
    assert_eq!(date(at), date(rig.from + 100 * DAY), "{}", conns["crossing"]);
    assert!(conns["action"].as_str().unwrap_or("").contains("raise max_connections"), "{}", conns["action"]);

    // Storage: used = allocated (100 GiB) − free; 40 + 0.2d never reaches 100 in the projection.
    let storage = row(&v, "storage_gb");
    assert!((storage["historical"].as_f64().unwrap_or(0.0) - 40.6).abs() < 1e-6, "{storage}");
    let reached = date(rig.from + 300 * DAY);
    assert_eq!(storage["action"], format!("none in the projection; the limit is reached {reached} on the trend"));

    // Redis: the fullest node; over the runbook's 75% already.
    let redis = row(&v, "redis_memory_pct");
    assert!((redis["current"].as_f64().unwrap_or(0.0) - 76.7).abs() < 1e-6, "{redis}");
    assert_eq!(redis["crossing"]["state"], "over");
    assert!(redis["action"].as_str().unwrap_or("").starts_with("now: add a Redis shard"), "{}", redis["action"]);

    // Executions and concurrency from the platform's namespace, with the worker formula.
    let exec = row(&v, "daily_executions");
    assert!((exec["trend"]["slope"].as_f64().unwrap_or(0.0) - 100.0).abs() < 1e-6, "{}", exec["trend"]);
    let peak = row(&v, "peak_concurrent_agents");
    assert_eq!(peak["limit"]["value"].as_f64(), Some(500.0), "100 workers × 5 tasks");
    // 100 + 2 × 120 = 340 at the horizon: 68 workers by the formula.
    assert!(peak["detail"].to_string().contains("340 / 5 tasks per worker = 68"), "{}", peak["detail"]);

    // What nothing supplies is named, never blank.
    let queue = row(&v, "average_queue_depth");
    assert!(queue["points"].as_array().is_some_and(Vec::is_empty));
    assert!(queue["missing"].as_str().unwrap_or("").contains("no datapoint of AgentOS QueueDepth"), "{queue}");
    assert_eq!(queue["action"], "unknown: no data (see below)");

    // A chart per metric with data, the projection dashed.
    let conns_svg = std::fs::read_to_string(charts.join("database_connections.svg"))?;
    assert!(conns_svg.starts_with("<svg") && conns_svg.contains("stroke-dasharray=\"4 3\""), "{conns_svg}");
    assert!(conns_svg.contains("limit 500"), "{conns_svg}");
    assert!(!charts.join("average_queue_depth.svg").exists(), "no chart without data");

    let (code, text, _) = rig.capacity(&["--format", "text"])?;
    assert_eq!(code, 0);
    assert!(text.contains("Capacity review"), "{text}");
    let line = text.lines().find(|l| l.starts_with("Database Connections")).unwrap_or_default();
    assert!(
        line.contains("306") && line.contains("478") && line.contains("540"),
        "historical, current, projection: {line}"
    );
    assert!(text.contains(&format!("crossed {}", date(rig.from + 100 * DAY))), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "80 columns: {text}");

    let (code, md, _) = rig.capacity(&["--format", "markdown"])?;
    assert_eq!(code, 0);
    assert!(md.contains("| Metric | Historical | Current | 30-Day Projection | Action Needed |"), "{md}");
    assert!(md.contains("| Database Connections | 306 | 478 | 540 ("), "{md}");
    assert!(md.contains("![Database Connections](data:image/svg+xml"), "inline charts");
    Ok(())
}

/// The demo: the simulator's soak scenario grows by 10 users a day, and the review projects it.
#[test]
fn capacity_demo_projects_the_growing_soak() -> Result<()> {
    let home = tempfile::tempdir()?;
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["capacity", "--demo", "--lookback", "30d", "--format", "json"])
        .env("HOME", home.path())
        .env("COCKPIT_STATE_DIR", home.path().join("state"))
        .env("COCKPIT_CONFIG_DIR", home.path().join("config"))
        .output()?;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout)?;
    // 10 users a day at 1 request/s each.
    let rps = row(&v, "api_requests_per_second");
    assert!((rps["trend"]["slope"].as_f64().unwrap_or(0.0) - 10.0).abs() < 0.5, "{}", rps["trend"]);
    let conns = row(&v, "database_connections");
    assert!(
        conns["trend"]["slope"].as_f64().unwrap_or(0.0) > 0.5,
        "connections grow with the pods: {}",
        conns["trend"]
    );
    assert_eq!(conns["limit"]["value"].as_f64(), Some(500.0));
    assert!(conns["projection"][0].as_f64() > conns["current"].as_f64(), "{conns}");
    assert_eq!(row(&v, "storage_gb")["missing"], "the simulator models no storage");
    Ok(())
}
