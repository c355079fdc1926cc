//! The CloudWatch source: every metric of one refresh in one GetMetricData call, at most
//! once a minute by default (CloudWatch's granularity): the load balancer's latency
//! statistic, 5xx rate and request rate; RDS CPU, free memory and connections; ElastiCache
//! memory and engine CPU (the worst node).

use super::poll::Poller;
use crate::config::sources::AwsConfig;
use crate::live::aws::AwsTarget;
use crate::live::classify;
use crate::model::state::CloudState;
use crate::model::{Gap, GapKind, MetricId, SourceData, SourceFailure, SourceId};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Seconds per datapoint asked for.
const PERIOD: i32 = 60;
/// How far back to look for the newest datapoint.
const LOOKBACK: Duration = Duration::from_secs(600);

/// One query: its id, namespace, metric, dimension and statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimension: (&'static str, String),
    pub stat: String,
}

/// The queries the config asks for.
pub fn queries(cfg: &AwsConfig) -> Vec<Query> {
    let q = |id: &str, namespace, metric, dimension: (&'static str, String), stat: &str| Query {
        id: id.to_string(),
        namespace,
        metric,
        dimension,
        stat: stat.to_string(),
    };
    let mut out = Vec::new();
    if let Some(lb) = &cfg.load_balancer {
        let d = ("LoadBalancer", lb.clone());
        out.push(q("latency", "AWS/ApplicationELB", "TargetResponseTime", d.clone(), &cfg.latency_statistic));
        out.push(q("requests", "AWS/ApplicationELB", "RequestCount", d.clone(), "Sum"));
        out.push(q("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d.clone(), "Sum"));
        out.push(q("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", d, "Sum"));
    }
    if !cfg.rds_primary.is_empty() {
        let d = ("DBInstanceIdentifier", cfg.rds_primary.clone());
        out.push(q("dbcpu", "AWS/RDS", "CPUUtilization", d.clone(), "Average"));
        out.push(q("dbmem", "AWS/RDS", "FreeableMemory", d.clone(), "Average"));
        out.push(q("dbconn", "AWS/RDS", "DatabaseConnections", d, "Average"));
    }
    for (i, node) in cfg.elasticache_nodes.iter().enumerate() {
        let d = ("CacheClusterId", node.clone());
        out.push(q(&format!("cachemem{i}"), "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", d.clone(), "Average"));
        out.push(q(&format!("cachecpu{i}"), "AWS/ElastiCache", "EngineCPUUtilization", d, "Average"));
    }
    out
}

/// The state from the newest value of each query (by id).
pub fn state_from(latest: &HashMap<String, f64>) -> CloudState {
    let get = |id: &str| latest.get(id).copied();
    let requests = get("requests");
    let errors = match (get("target5xx"), get("elb5xx")) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    };
    // The load balancer publishes no 5xx datapoint when there were none.
    let api_5xx_pct = match (requests, errors) {
        (Some(r), e) if r > 0.0 => Some(e.unwrap_or(0.0) * 100.0 / r),
        _ => None,
    };
    let worst = |prefix: &str| latest.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, v)| *v).reduce(f64::max);
    CloudState {
        gaps: BTreeMap::new(),
        api_p99_ms: get("latency").map(|s| s * 1000.0),
        api_5xx_pct,
        api_rps: requests.map(|r| r / PERIOD as f64),
        db_cpu_pct: get("dbcpu"),
        db_free_memory: get("dbmem"),
        db_connections: get("dbconn"),
        cache_memory_pct: worst("cachemem"),
        cache_cpu_pct: worst("cachecpu"),
    }
}

/// Why each metric the queries could not give has no value: its dimension is not set, or
/// CloudWatch had no datapoint for it in the lookback window.
pub fn gaps(cfg: &AwsConfig, latest: &HashMap<String, f64>) -> BTreeMap<MetricId, Gap> {
    let mut out = BTreeMap::new();
    let window = format!("the last {} minutes", LOOKBACK.as_secs() / 60);
    match &cfg.load_balancer {
        None => {
            for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps] {
                out.insert(
                    id,
                    Gap::new(
                        GapKind::NotSet,
                        "no load balancer is known, so API p99, 5xx rate and requests are not read",
                    )
                    .setting("aws.load_balancer"),
                );
            }
        }
        Some(lb) => {
            let none = |metric: &str| {
                Gap::new(
                    GapKind::NoData,
                    format!(
                        "CloudWatch has no AWS/ApplicationELB {metric} datapoint for LoadBalancer={lb} in {window}                          (check the name and the region)"
                    ),
                )
                .setting("aws.load_balancer")
            };
            if !latest.contains_key("latency") {
                out.insert(MetricId::ApiP99, none("TargetResponseTime"));
            }
            match latest.get("requests") {
                None => {
                    out.insert(MetricId::ApiRps, none("RequestCount"));
                    out.insert(MetricId::ApiErrorRate, none("RequestCount"));
                }
                Some(r) if *r <= 0.0 => {
                    out.insert(
                        MetricId::ApiErrorRate,
                        Gap::new(GapKind::NoTraffic, "no request reached the load balancer in the last minute"),
                    );
                }
                Some(_) => {}
            }
        }
    }
    if cfg.rds_primary.is_empty() {
        out.insert(
            MetricId::DbCpu,
            Gap::new(GapKind::NotSet, "no RDS primary is known, so the database CPU is not read")
                .setting("aws.rds_primary"),
        );
    } else if !latest.contains_key("dbcpu") {
        out.insert(
            MetricId::DbCpu,
            Gap::new(
                GapKind::NoData,
                format!(
                    "CloudWatch has no AWS/RDS CPUUtilization datapoint for DBInstanceIdentifier={} in {window}",
                    cfg.rds_primary
                ),
            )
            .setting("aws.rds_primary"),
        );
    }
    out
}

/// One GetMetricData call for these queries: the newest value of each, by id.
pub async fn fetch(
    client: &aws_sdk_cloudwatch::Client,
    queries: &[Query],
) -> Result<HashMap<String, f64>, SourceFailure> {
    let mut latest = HashMap::new();
    if queries.is_empty() {
        return Ok(latest);
    }
    // The end a period ahead: the newest (partial) minute is in the window whatever the
    // server's bucketing.
    let end = SystemTime::now() + Duration::from_secs(PERIOD as u64);
    let mut req = client
        .get_metric_data()
        .start_time(DateTime::from(end - LOOKBACK))
        .end_time(DateTime::from(end))
        .scan_by(ScanBy::TimestampDescending);
    for q in queries {
        let dim = Dimension::builder().name(q.dimension.0).value(&q.dimension.1).build();
        let metric = Metric::builder().namespace(q.namespace).metric_name(q.metric).dimensions(dim).build();
        let stat = MetricStat::builder().metric(metric).period(PERIOD).stat(&q.stat).build();
        req = req.metric_data_queries(MetricDataQuery::builder().id(&q.id).metric_stat(stat).return_data(true).build());
    }
    let out = req.send().await.map_err(|e| classify::aws("CloudWatch GetMetricData", &e))?;
    for r in out.metric_data_results() {
        let (Some(id), values, times) = (r.id(), r.values(), r.timestamps()) else { continue };
        // Newest first as asked; pick by timestamp anyway, in case the server ignores ScanBy.
        let newest = times.iter().zip(values).max_by_key(|(t, _)| (t.secs(), t.subsec_nanos())).map(|(_, v)| *v);
        if let Some(v) = newest.or_else(|| values.first().copied()) {
            latest.insert(id.to_string(), v);
        }
    }
    Ok(latest)
}

pub struct CloudWatchSource {
    client: aws_sdk_cloudwatch::Client,
    queries: Vec<Query>,
    cfg: AwsConfig,
}

impl CloudWatchSource {
    pub fn new(target: &AwsTarget, cfg: &AwsConfig) -> CloudWatchSource {
        CloudWatchSource {
            client: aws_sdk_cloudwatch::Client::new(&target.sdk),
            queries: queries(cfg),
            cfg: cfg.clone(),
        }
    }
}

impl Poller for CloudWatchSource {
    fn id(&self) -> SourceId {
        SourceId::CloudWatch
    }

    fn reset(&mut self) {}

    async fn refresh(&mut self) -> Result<SourceData, SourceFailure> {
        let latest = fetch(&self.client, &self.queries).await?;
        let mut state = state_from(&latest);
        state.gaps = gaps(&self.cfg, &latest);
        Ok(SourceData::CloudWatch(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_xx_rate_counts_both_sources_and_zero_when_absent() {
        let m: HashMap<String, f64> = [("requests", 600.0), ("target5xx", 3.0), ("elb5xx", 3.0), ("latency", 0.25)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let s = state_from(&m);
        assert_eq!((s.api_5xx_pct, s.api_rps, s.api_p99_ms), (Some(1.0), Some(10.0), Some(250.0)));
        let m: HashMap<String, f64> = [("requests".to_string(), 60.0)].into_iter().collect();
        assert_eq!(state_from(&m).api_5xx_pct, Some(0.0));
        assert_eq!(state_from(&HashMap::new()).api_5xx_pct, None);
    }

    #[test]
    fn one_query_set_per_configured_resource() {
        let mut cfg = AwsConfig::default();
        assert_eq!(queries(&cfg).len(), 3, "RDS primary only by default");
        cfg.load_balancer = Some("app/alb/1".into());
        cfg.elasticache_nodes = vec!["a-001".into(), "a-002".into()];
        assert_eq!(queries(&cfg).len(), 3 + 4 + 4);
    }
}
