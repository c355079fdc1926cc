//! The CloudWatch and RDS sources and the RDS operation of the live platform, against moto.
//! moto serves no percentile statistics: the latency is read with "Maximum" here (the
//! default is "p99").

mod support;

use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cockpit::live::{Clock, Targets};
use cockpit::model::state::SourceData;
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use cockpit::sources::cloudwatch::CloudWatchSource;
use cockpit::sources::poll::refresh_once;
use cockpit::sources::rds::RdsSource;
use support::Moto;
use support::live::{config, env};

fn aws_config(moto: &Moto) -> cockpit::config::Config {
    let mut c = config(1.0);
    c.aws.enabled = Some(true);
    c.aws.region = Some("us-east-1".into());
    c.aws.endpoint_url = Some(moto.endpoint());
    c.aws.load_balancer = Some("app/agentos-alb/50dc6c495c0c9188".into());
    // Set, as a user would: unset, the primary is discovered (tests/live_discovery.rs).
    c.aws.rds_primary = Some("agentos-primary".into());
    c.aws.latency_statistic = "Maximum".into();
    c.aws.elasticache_nodes = vec!["agentos-redis-0001-001".into(), "agentos-redis-0002-001".into()];
    c.aws.rds_replicas = vec!["agentos-replica-1".into()];
    c
}

fn creds(home: &std::path::Path) -> cockpit::live::Env {
    env(home).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing")
}

async fn put(cw: &aws_sdk_cloudwatch::Client, ns: &str, metric: &str, dim: (&str, &str), values: &[f64]) -> Result<()> {
    let now = SystemTime::now();
    let d = Dimension::builder().name(dim.0).value(dim.1).build();
    for v in values {
        cw.put_metric_data()
            .namespace(ns)
            .metric_data(
                MetricDatum::builder()
                    .metric_name(metric)
                    .dimensions(d.clone())
                    .value(*v)
                    .timestamp(DateTime::from(now))
                    .build(),
            )
            .send()
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn cloudwatch_metrics_come_back_as_written_in_one_call() -> Result<()> {
    let moto = Moto::start()?;
    let home = tempfile::tempdir()?;
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
    let lb = ("LoadBalancer", "app/agentos-alb/50dc6c495c0c9188");
    put(&cw, "AWS/ApplicationELB", "TargetResponseTime", lb, &[0.2, 0.75, 0.4]).await?;
    put(&cw, "AWS/ApplicationELB", "RequestCount", lb, &[400.0, 200.0]).await?;
    put(&cw, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, &[9.0]).await?;
    put(&cw, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, &[3.0]).await?;
    let db = ("DBInstanceIdentifier", "agentos-primary");
    put(&cw, "AWS/RDS", "CPUUtilization", db, &[40.0, 60.0]).await?;
    put(&cw, "AWS/RDS", "FreeableMemory", db, &[2.0e9]).await?;
    put(&cw, "AWS/RDS", "DatabaseConnections", db, &[120.0]).await?;
    put(&cw, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", ("CacheClusterId", "agentos-redis-0001-001"), &[55.0])
        .await?;
    put(&cw, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", ("CacheClusterId", "agentos-redis-0002-001"), &[71.0])
        .await?;
    put(&cw, "AWS/ElastiCache", "EngineCPUUtilization", ("CacheClusterId", "agentos-redis-0001-001"), &[12.0]).await?;

    let c = aws_config(&moto);
    let targets = Targets::resolve(&c, &creds(home.path())).await;
    let target = targets.aws.context("aws configured")?.map_err(|f| anyhow::anyhow!("{f}"))?;
    let mut src = CloudWatchSource::new(&target, &c.aws);
    let SourceData::CloudWatch(s) =
        refresh_once(&mut src, Duration::from_secs(15)).await.map_err(|f| anyhow::anyhow!("{f}"))?
    else {
        bail!("not cloudwatch")
    };
    assert_eq!(s.api_p99_ms, Some(750.0), "the Maximum of 0.2, 0.75, 0.4 s");
    assert_eq!(s.api_rps, Some(10.0), "600 requests in the 60 s period");
    assert_eq!(s.api_5xx_pct, Some(2.0), "12 of 600");
    assert_eq!((s.db_cpu_pct, s.db_free_memory, s.db_connections), (Some(50.0), Some(2.0e9), Some(120.0)));
    assert_eq!((s.cache_memory_pct, s.cache_cpu_pct), (Some(71.0), Some(12.0)), "the worst node");
    Ok(())
}

#[tokio::test]
async fn rds_instances_are_described_and_modified() -> Result<()> {
    let moto = Moto::start()?;
    let home = tempfile::tempdir()?;
    let rds = aws_sdk_rds::Client::new(&moto.sdk_config().await);
    rds.create_db_instance()
        .db_instance_identifier("agentos-primary")
        .db_instance_class("db.r6g.large")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .send()
        .await?;
    rds.create_db_instance_read_replica()
        .db_instance_identifier("agentos-replica-1")
        .source_db_instance_identifier("agentos-primary")
        .db_instance_class("db.r6g.large")
        .send()
        .await?;
    let c = aws_config(&moto);
    let targets = Targets::resolve(&c, &creds(home.path())).await;
    let target = targets.aws.as_ref().context("aws configured")?.as_ref().map_err(|f| anyhow::anyhow!("{f}"))?;
    let mut src = RdsSource::new(target, &c.aws);
    let SourceData::Rds(r) =
        refresh_once(&mut src, Duration::from_secs(15)).await.map_err(|f| anyhow::anyhow!("{f}"))?
    else {
        bail!("not rds")
    };
    let primary = r.primary.context("the primary")?;
    assert_eq!(
        (primary.class.as_str(), primary.status.as_str(), primary.is_replica),
        ("db.r6g.large", "available", false)
    );
    assert_eq!(r.replicas.len(), 1);
    assert!(r.replicas[0].is_replica && r.replicas[0].id == "agentos-replica-1");

    let p = LivePlatform::connect(&c, &targets, Clock::start()).await;
    let changed = p.modify_db_class("agentos-primary", "db.r6g.2xlarge", true).await?;
    assert_eq!(changed.class, "db.r6g.2xlarge");
    let (primary, replicas) = p.db_instances().await?;
    assert_eq!((primary.class.as_str(), replicas.len()), ("db.r6g.2xlarge", 1));
    let described = rds.describe_db_instances().db_instance_identifier("agentos-primary").send().await?;
    assert_eq!(described.db_instances()[0].db_instance_class(), Some("db.r6g.2xlarge"), "moto holds the change");
    let missing = p.modify_db_class("nope", "db.r6g.large", true).await.err().context("no such instance")?;
    assert_eq!(missing.kind, cockpit::platform::ErrorKind::NotFound, "{missing}");
    Ok(())
}

#[tokio::test]
async fn aws_without_credentials_or_switched_off_is_not_configured() -> Result<()> {
    let home = tempfile::tempdir()?;
    let mut c = config(1.0);
    c.aws.enabled = None;
    let targets = Targets::resolve(&c, &env(home.path())).await;
    assert!(targets.aws.is_none(), "no credential hint: not configured, not an error");
    let targets = Targets::resolve(&c, &creds(home.path())).await;
    let err = targets.aws.context("credentials make it configured")?.err().context("but there is no region")?;
    assert!(err.message.contains("region"), "{err}");
    c.aws.enabled = Some(false);
    assert!(Targets::resolve(&c, &creds(home.path())).await.aws.is_none());
    Ok(())
}
