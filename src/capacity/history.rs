//! The daily history of each metric: from CloudWatch (one GetMetricData per metric group, a
//! daily statistic over the lookback) and, for what CloudWatch does not hold, from the
//! cockpit's own recordings (a day counts when at least an hour of it was recorded).

use super::review::{History, Inputs, Kind};
use super::trend::DAY;
use crate::config::sources::AwsConfig;
use crate::live::discover::Resolved;
use crate::record::Entry;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use std::collections::BTreeMap;
use std::path::Path;

/// The custom metrics the platform publishes, in `aws.platform_namespace`.
const PLATFORM: [(Kind, &str, &str); 3] = [
    (Kind::DailyExecutions, "AgentExecutions", "Sum"),
    (Kind::PeakConcurrent, "ConcurrentAgents", "Maximum"),
    (Kind::QueueDepth, "QueueDepth", "Average"),
];

struct Query {
    id: String,
    namespace: String,
    metric: &'static str,
    dimension: Option<(&'static str, String)>,
    stat: &'static str,
}

/// One GetMetricData call: each query's daily values, by id, oldest first.
async fn daily(
    cw: &aws_sdk_cloudwatch::Client,
    queries: &[Query],
    from: f64,
    to: f64,
) -> Result<BTreeMap<String, Vec<(f64, f64)>>, String> {
    let at = |t: f64| DateTime::from_secs(t as i64);
    let mut req = cw.get_metric_data().start_time(at(from)).end_time(at(to));
    for q in queries {
        let mut m = Metric::builder().namespace(&q.namespace).metric_name(q.metric);
        if let Some((k, v)) = &q.dimension {
            m = m.dimensions(Dimension::builder().name(*k).value(v).build());
        }
        let stat = MetricStat::builder().metric(m.build()).period(DAY as i32).stat(q.stat).build();
        req = req.metric_data_queries(MetricDataQuery::builder().id(&q.id).metric_stat(stat).return_data(true).build());
    }
    let mut out: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = req
            .clone()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| crate::live::classify::aws("CloudWatch GetMetricData", &e).to_string())?;
        for r in page.metric_data_results() {
            let Some(id) = r.id() else { continue };
            let e = out.entry(id.to_string()).or_default();
            for (t, v) in r.timestamps().iter().zip(r.values()) {
                // The day the value belongs to, from its bucket's start.
                let day = ((t.secs() as f64 - from) / DAY).floor() * DAY + from;
                e.push((day, *v));
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v.dedup_by(|a, b| a.0 == b.0);
    }
    Ok(out)
}

/// Everything CloudWatch holds for the review, into `inputs`.
pub async fn from_cloudwatch(
    cw: &aws_sdk_cloudwatch::Client,
    rds: &aws_sdk_rds::Client,
    cfg: &AwsConfig,
    names: &Resolved,
    from: f64,
    to: f64,
    inputs: &mut Inputs,
) {
    // The platform's own metrics.
    match &cfg.platform_namespace {
        Some(ns) => {
            let q: Vec<Query> = PLATFORM
                .iter()
                .map(|(k, m, s)| Query {
                    id: k.key().into(),
                    namespace: ns.clone(),
                    metric: m,
                    dimension: None,
                    stat: s,
                })
                .collect();
            group(cw, &q, from, to, inputs, |k| format!("CloudWatch {ns}/{} ({}, daily)", metric_of(k), stat_of(k)))
                .await;
        }
        None => {
            for (k, m, s) in PLATFORM {
                inputs.missing.insert(
                    k,
                    format!(
                        "not in CloudWatch: set aws.platform_namespace (the namespace the platform publishes {m} \
                         in, {s} a day), or keep a cockpit recording"
                    ),
                );
            }
        }
    }
    // The load balancer's requests: the day's sum over its seconds.
    match &names.load_balancer {
        Ok(lb) => {
            let q = [Query {
                id: Kind::ApiRps.key().into(),
                namespace: "AWS/ApplicationELB".into(),
                metric: "RequestCount",
                dimension: Some(("LoadBalancer", lb.value.clone())),
                stat: "Sum",
            }];
            group(cw, &q, from, to, inputs, |_| {
                format!("CloudWatch AWS/ApplicationELB RequestCount of {} (Sum a day / 86400 s)", lb.value)
            })
            .await;
            if let Some(h) = inputs.history.get_mut(&Kind::ApiRps) {
                h.points.iter_mut().for_each(|p| p.1 /= DAY);
            }
        }
        Err(gap) => {
            inputs.missing.insert(Kind::ApiRps, gap.describe());
        }
    }
    // The RDS primary: connections, and storage as allocated less free.
    match &names.rds_primary {
        Ok(db) => {
            let dim = Some(("DBInstanceIdentifier", db.value.clone()));
            let q = [
                Query {
                    id: Kind::DbConnections.key().into(),
                    namespace: "AWS/RDS".into(),
                    metric: "DatabaseConnections",
                    dimension: dim.clone(),
                    stat: "Maximum",
                },
                Query {
                    id: Kind::StorageGb.key().into(),
                    namespace: "AWS/RDS".into(),
                    metric: "FreeStorageSpace",
                    dimension: dim,
                    stat: "Minimum",
                },
            ];
            let allocated = allocated_gib(rds, &db.value).await;
            group(cw, &q, from, to, inputs, |k| match k {
                Kind::StorageGb => format!(
                    "CloudWatch AWS/RDS FreeStorageSpace of {} (Minimum a day), from the allocated storage",
                    db.value
                ),
                _ => format!("CloudWatch AWS/RDS DatabaseConnections of {} (Maximum a day)", db.value),
            })
            .await;
            match &allocated {
                Ok(gib) => {
                    if let Some(h) = inputs.history.get_mut(&Kind::StorageGb) {
                        h.points.iter_mut().for_each(|p| p.1 = gib - p.1 / (1024.0 * 1024.0 * 1024.0));
                    }
                }
                Err(why) => {
                    if inputs.history.remove(&Kind::StorageGb).is_some() {
                        inputs.missing.insert(Kind::StorageGb, format!("used storage needs the allocated size: {why}"));
                    }
                }
            }
            inputs.allocated_gb = Some(allocated);
        }
        Err(gap) => {
            for k in [Kind::DbConnections, Kind::StorageGb] {
                inputs.missing.insert(k, gap.describe());
            }
            inputs.allocated_gb = Some(Err(gap.describe()));
        }
    }
    // ElastiCache: the fullest node each day.
    if cfg.elasticache_nodes.is_empty() {
        inputs.missing.insert(
            Kind::RedisMemory,
            "not in CloudWatch: set aws.elasticache_nodes (the CacheClusterId of each node)".to_string(),
        );
    } else {
        let q: Vec<Query> = cfg
            .elasticache_nodes
            .iter()
            .enumerate()
            .map(|(i, n)| Query {
                id: format!("redis{i}"),
                namespace: "AWS/ElastiCache".into(),
                metric: "DatabaseMemoryUsagePercentage",
                dimension: Some(("CacheClusterId", n.clone())),
                stat: "Maximum",
            })
            .collect();
        match daily(cw, &q, from, to).await {
            Ok(by_id) => {
                let mut days: BTreeMap<i64, f64> = BTreeMap::new();
                for v in by_id.values() {
                    for (t, x) in v {
                        let e = days.entry(*t as i64).or_insert(f64::NEG_INFINITY);
                        *e = e.max(*x);
                    }
                }
                if days.is_empty() {
                    inputs.missing.insert(Kind::RedisMemory, no_data("AWS/ElastiCache DatabaseMemoryUsagePercentage"));
                } else {
                    inputs.history.insert(
                        Kind::RedisMemory,
                        History {
                            points: days.into_iter().map(|(t, v)| (t as f64, v)).collect(),
                            source: format!(
                                "CloudWatch AWS/ElastiCache DatabaseMemoryUsagePercentage (Maximum a day, the fullest of {})",
                                cfg.elasticache_nodes.join(", ")
                            ),
                        },
                    );
                }
            }
            Err(e) => {
                inputs.missing.insert(Kind::RedisMemory, e);
            }
        }
    }
}

fn metric_of(k: Kind) -> &'static str {
    PLATFORM.iter().find(|p| p.0 == k).map(|p| p.1).unwrap_or("?")
}

fn stat_of(k: Kind) -> &'static str {
    PLATFORM.iter().find(|p| p.0 == k).map(|p| p.2).unwrap_or("?")
}

fn no_data(what: &str) -> String {
    format!("no datapoint of {what} in the lookback")
}

/// One group's call; each query's id is its kind's key.
async fn group(
    cw: &aws_sdk_cloudwatch::Client,
    q: &[Query],
    from: f64,
    to: f64,
    inputs: &mut Inputs,
    source: impl Fn(Kind) -> String,
) {
    let kinds: Vec<Kind> = q.iter().filter_map(|q| Kind::ALL.iter().copied().find(|k| k.key() == q.id)).collect();
    match daily(cw, q, from, to).await {
        Ok(by_id) => {
            for (k, q) in kinds.iter().zip(q) {
                match by_id.get(k.key()).filter(|v| !v.is_empty()) {
                    Some(points) => {
                        inputs.history.insert(*k, History { points: points.clone(), source: source(*k) });
                    }
                    None => {
                        let what = format!("{} {}", q.namespace, q.metric);
                        inputs.missing.insert(*k, no_data(&what));
                    }
                }
            }
        }
        Err(e) => {
            for k in kinds {
                inputs.missing.insert(k, e.clone());
            }
        }
    }
}

async fn allocated_gib(rds: &aws_sdk_rds::Client, id: &str) -> Result<f64, String> {
    let out = rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| crate::live::classify::aws(&format!("RDS DescribeDBInstances {id}"), &e).to_string())?;
    out.db_instances()
        .first()
        .and_then(|i| i.allocated_storage())
        .map(f64::from)
        .ok_or_else(|| format!("RDS gives no allocated storage for {id}"))
}

/// Daily series from the cockpit's recordings, for the kinds CloudWatch left without data.
pub fn from_recordings(root: &Path, contexts: &[String], from: f64, to: f64, inputs: &mut Inputs) {
    use crate::model::MetricId;
    // (kind, metric, how a day is summed up, scale)
    let wanted: [(Kind, MetricId, Agg, f64); 5] = [
        (Kind::DailyExecutions, MetricId::Throughput, Agg::Mean, 1440.0),
        (Kind::PeakConcurrent, MetricId::InFlight, Agg::Max, 1.0),
        (Kind::QueueDepth, MetricId::QueueDepth, Agg::Mean, 1.0),
        (Kind::ApiRps, MetricId::ApiRps, Agg::Mean, 1.0),
        (Kind::RedisMemory, MetricId::RedisMemory, Agg::Max, 1.0),
    ];
    let todo: Vec<_> = wanted.iter().filter(|w| !inputs.history.contains_key(&w.0)).collect();
    if todo.is_empty() {
        return;
    }
    for w in &todo {
        if let Some(m) = inputs.missing.get_mut(&w.0) {
            m.push_str("; and no cockpit recording in the lookback holds it");
        }
    }
    for context in contexts {
        let Ok((entries, _)) = crate::record::store::read(root, context, from, to) else { continue };
        // Per day: per metric (sum, count, max), and the seconds recorded.
        let mut keys: Vec<String> = Vec::new();
        let mut refresh = 1.0;
        let mut days: BTreeMap<i64, Day> = BTreeMap::new();
        for e in &entries {
            match e {
                Entry::Start(s) => {
                    keys = s.metrics.clone();
                    refresh = s.refresh_secs.max(0.1);
                }
                Entry::Sample { t, v, .. } => {
                    let day = ((t - from) / DAY).floor() as i64;
                    let d = days.entry(day).or_default();
                    d.0 += refresh;
                    for w in &todo {
                        let Some(i) = keys.iter().position(|k| k == w.1.key()) else { continue };
                        let Some(Some(x)) = v.get(i) else { continue };
                        let x = f64::from(*x);
                        let m = d.1.entry(w.1).or_insert((0.0, 0, f64::NEG_INFINITY));
                        m.0 += x;
                        m.1 += 1;
                        m.2 = m.2.max(x);
                    }
                }
                _ => {}
            }
        }
        for w in &todo {
            if inputs.history.contains_key(&w.0) {
                continue;
            }
            let points: Vec<(f64, f64)> = days
                .iter()
                .filter(|(_, (secs, _))| *secs >= 3600.0)
                .filter_map(|(day, (_, m))| {
                    let (sum, n, max) = m.get(&w.1)?;
                    let v = match w.2 {
                        Agg::Mean => sum / f64::from((*n).max(1)),
                        Agg::Max => *max,
                    };
                    Some((from + *day as f64 * DAY, v * w.3))
                })
                .collect();
            if points.is_empty() {
                continue;
            }
            {
                let how = match w.0 {
                    Kind::DailyExecutions => "the recorded throughput × 1440 min",
                    _ if w.2 == Agg::Max => "the day's highest recorded value",
                    _ => "the day's mean of what was recorded",
                };
                inputs.missing.remove(&w.0);
                inputs.history.insert(
                    w.0,
                    History {
                        points,
                        source: format!("cockpit recordings of {context} ({how}; days with an hour or more)"),
                    },
                );
            }
        }
    }
}

/// One day of a recording: the seconds recorded, and per metric (sum, count, max).
type Day = (f64, BTreeMap<crate::model::MetricId, (f64, u32, f64)>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Agg {
    Mean,
    Max,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::entry::Start;
    use crate::record::recorder::Sink;
    use crate::record::store::{FileStore, Retention};

    /// A recording of ten days (an hour and a half of each at a 60 s refresh, the queue 10 deeper
    /// each day) and one day of half an hour: the review gets the ten days, from the file store
    /// the cockpit writes.
    #[test]
    fn recorded_days_of_an_hour_or_more_become_daily_points() {
        let dir = tempfile::tempdir().expect("tmp");
        let now = crate::record::session::wall_now();
        let to = (now / DAY).floor() * DAY;
        let from = to - 12.0 * DAY;
        let mut store = FileStore::open(dir.path(), "prod", Retention::default()).expect("store");
        let keys = ["queue_depth", "in_flight", "throughput", "api_requests", "redis_memory"];
        store
            .write(&Entry::Start(Start {
                t: from,
                origin: "live".into(),
                context: "prod".into(),
                version: "test".into(),
                who: "ops@test".into(),
                metrics: keys.iter().map(|k| k.to_string()).collect(),
                thresholds: BTreeMap::new(),
                emergency: Default::default(),
                refresh_secs: 60.0,
            }))
            .expect("start");
        for d in 0..11 {
            let samples = if d == 10 { 30 } else { 90 };
            for i in 0..samples {
                let t = from + d as f64 * DAY + 3600.0 + i as f64 * 60.0;
                let q = 100.0 + 10.0 * d as f64;
                let v = vec![Some(q as f32), Some(i as f32), Some(2.0), None, Some(40.0)];
                store.write(&Entry::Sample { t, v, l: "ooooo".into() }).expect("sample");
            }
        }
        store.flush().expect("flush");
        let mut inputs = Inputs::default();
        inputs.missing.insert(Kind::QueueDepth, "not in CloudWatch".into());
        from_recordings(dir.path(), &["prod".to_string()], from, to, &mut inputs);
        let q = &inputs.history[&Kind::QueueDepth];
        assert_eq!(q.points.len(), 10, "the half-hour day is left out: {:?}", q.points);
        for (d, (t, v)) in q.points.iter().enumerate() {
            assert_eq!((*t, *v), (from + d as f64 * DAY, 100.0 + 10.0 * d as f64));
        }
        assert!(q.source.contains("cockpit recordings of prod"), "{}", q.source);
        assert!(!inputs.missing.contains_key(&Kind::QueueDepth));
        assert_eq!(inputs.history[&Kind::PeakConcurrent].points[0].1, 89.0, "the day's highest");
        assert_eq!(inputs.history[&Kind::DailyExecutions].points[0].1, 2880.0, "2/min × 1440");
        assert!(!inputs.history.contains_key(&Kind::ApiRps), "never recorded: not invented");
    }
}
