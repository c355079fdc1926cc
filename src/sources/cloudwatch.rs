//! The CloudWatch source: every metric of one refresh in one GetMetricData call, at most
//! once a minute by default (CloudWatch's granularity): the load balancer's latency
//! statistic, 5xx rate and request rate; RDS CPU, free memory and connections; ElastiCache
//! memory and engine CPU (the worst node).

use super::poll::Poller;
use crate::config::sources::AwsConfig;
use crate::live::aws::AwsTarget;
use crate::live::classify;
use crate::live::discover::{self, Discovery, Found, Resolved};
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

/// The queries for the resolved names (configured or discovered) and the configured nodes.
pub fn queries(cfg: &AwsConfig, names: &Resolved) -> Vec<Query> {
    let q = |id: &str, namespace, metric, dimension: (&'static str, String), stat: &str| Query {
        id: id.to_string(),
        namespace,
        metric,
        dimension,
        stat: stat.to_string(),
    };
    let mut out = Vec::new();
    if let Ok(lb) = &names.load_balancer {
        let d = ("LoadBalancer", lb.value.clone());
        out.push(q("latency", "AWS/ApplicationELB", "TargetResponseTime", d.clone(), &cfg.latency_statistic));
        out.push(q("requests", "AWS/ApplicationELB", "RequestCount", d.clone(), "Sum"));
        out.push(q("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d.clone(), "Sum"));
        out.push(q("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", d, "Sum"));
    }
    if let Ok(db) = &names.rds_primary {
        let d = ("DBInstanceIdentifier", db.value.clone());
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

/// The load balancer metrics, each with the query that gives it.
const LB_METRICS: [(MetricId, &str, &str); 3] = [
    (MetricId::ApiP99, "latency", "TargetResponseTime"),
    (MetricId::ApiRps, "requests", "RequestCount"),
    (MetricId::ApiErrorRate, "requests", "RequestCount"),
];

/// Why each metric the queries could not give has no value: its dimension is neither set nor
/// discovered (the discovery's gap), or CloudWatch had no datapoint for it in the lookback
/// window (named with the dimension and where it came from).
pub fn gaps(names: &Resolved, region: &str, latest: &HashMap<String, f64>) -> BTreeMap<MetricId, Gap> {
    let mut out = BTreeMap::new();
    let window = format!("the last {} minutes", LOOKBACK.as_secs() / 60);
    let no_data = |namespace: &str, metric: &str, dim: &str, found: &Found, setting: &str| {
        Gap::new(
            GapKind::NoData,
            format!(
                "CloudWatch has no {namespace} {metric} datapoint for {dim}={} ({}) in {window} in {region}",
                found.value,
                found.origin.describe()
            ),
        )
        .setting(setting)
    };
    match &names.load_balancer {
        Err(gap) => {
            for (id, _, _) in LB_METRICS {
                out.insert(id, gap.clone());
            }
        }
        Ok(lb) => {
            for (id, query, metric) in LB_METRICS {
                if !latest.contains_key(query) {
                    out.insert(id, no_data("AWS/ApplicationELB", metric, "LoadBalancer", lb, "aws.load_balancer"));
                }
            }
            if latest.get("requests").is_some_and(|r| *r <= 0.0) {
                out.insert(
                    MetricId::ApiErrorRate,
                    Gap::new(GapKind::NoTraffic, "no request reached the load balancer in the last minute"),
                );
            }
        }
    }
    match &names.rds_primary {
        Err(gap) => {
            out.insert(MetricId::DbCpu, gap.clone());
        }
        Ok(db) if !latest.contains_key("dbcpu") => {
            out.insert(
                MetricId::DbCpu,
                no_data("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", db, "aws.rds_primary"),
            );
        }
        Ok(_) => {}
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
    discovery: Discovery,
    region: String,
    cfg: AwsConfig,
}

impl CloudWatchSource {
    pub fn new(target: &AwsTarget, cfg: &AwsConfig) -> CloudWatchSource {
        CloudWatchSource {
            client: aws_sdk_cloudwatch::Client::new(&target.sdk),
            discovery: target.discovery.clone(),
            region: target.region.clone(),
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
        // The first refresh waits for the discovery (bounded by its deadline); later ones use
        // the last answer while a new discovery runs.
        let names = self.discovery.resolved(discover::WAIT).await;
        let queries = queries(&self.cfg, &names);
        if queries.is_empty() {
            // Nothing to read (every gap says why), but "ok" still means CloudWatch answered:
            // the cheapest call that checks the endpoint and the credentials.
            self.client
                .list_metrics()
                .namespace("AWS/ApplicationELB")
                .send()
                .await
                .map_err(|e| classify::aws("CloudWatch ListMetrics", &e))?;
        }
        let latest = fetch(&self.client, &queries).await?;
        let mut state = state_from(&latest);
        state.gaps = gaps(&names, &self.region, &latest);
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

    fn names(lb: Option<&str>, db: Option<&str>) -> Resolved {
        let found = |v: &str, key| Found { value: v.to_string(), origin: discover::Origin::Config(key) };
        let missing = |key: &str| Gap::new(GapKind::NotFound, "nothing found").setting(key);
        Resolved::new(
            lb.map(|v| found(v, "aws.load_balancer")).ok_or_else(|| missing("aws.load_balancer")),
            db.map(|v| found(v, "aws.rds_primary")).ok_or_else(|| missing("aws.rds_primary")),
        )
    }

    #[test]
    fn one_query_set_per_resolved_resource() {
        let mut cfg = AwsConfig::default();
        assert_eq!(queries(&cfg, &names(None, Some("agentos-primary"))).len(), 3, "RDS primary only");
        assert!(queries(&cfg, &names(None, None)).is_empty());
        cfg.elasticache_nodes = vec!["a-001".into(), "a-002".into()];
        assert_eq!(queries(&cfg, &names(Some("app/alb/1"), Some("db"))).len(), 3 + 4 + 4);
    }

    #[test]
    fn every_metric_without_a_value_says_why() {
        let none = HashMap::new();
        let g = gaps(&names(None, None), "us-east-1", &none);
        for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps, MetricId::DbCpu] {
            assert_eq!(g[&id].kind, GapKind::NotFound, "{id:?}");
        }
        assert_eq!(g[&MetricId::ApiP99].setting.as_deref(), Some("aws.load_balancer"));
        assert_eq!(g[&MetricId::DbCpu].setting.as_deref(), Some("aws.rds_primary"));
        let g = gaps(&names(Some("app/alb/1"), Some("db")), "us-east-1", &none);
        let p99 = &g[&MetricId::ApiP99];
        assert_eq!(p99.kind, GapKind::NoData);
        assert!(p99.reason.contains("LoadBalancer=app/alb/1 (set by aws.load_balancer)"), "{p99}");
        assert!(!p99.reason.contains("  "), "no run of spaces: {p99}");
        let idle: HashMap<String, f64> =
            [("requests", 0.0), ("latency", 0.1), ("dbcpu", 4.0)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let g = gaps(&names(Some("app/alb/1"), Some("db")), "us-east-1", &idle);
        assert_eq!(g.get(&MetricId::ApiErrorRate).map(|g| g.kind), Some(GapKind::NoTraffic));
        assert!(
            !g.contains_key(&MetricId::ApiP99)
                && !g.contains_key(&MetricId::DbCpu)
                && !g.contains_key(&MetricId::ApiRps)
        );
    }
}
