//! The runbook's "Capacity Metrics to Track" table, built from daily series: for each metric
//! its Historical value (the first week of the lookback), Current (the last whole day), the
//! Theil–Sen projection with its interval, the limit it runs into and when, and the action the
//! capacity formulas give. A metric without data says what would supply it.

use super::trend::{DAY, Trend, theil_sen};
use crate::model::capacity::{self, CapacityParams, Limits};
use crate::model::units::trim_number;
use serde::Serialize;
use std::collections::BTreeMap;

/// The rows, in the runbook's order, then the Redis memory its limits name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    DailyExecutions,
    PeakConcurrent,
    QueueDepth,
    ApiRps,
    DbConnections,
    StorageGb,
    RedisMemory,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::DailyExecutions,
        Kind::PeakConcurrent,
        Kind::QueueDepth,
        Kind::ApiRps,
        Kind::DbConnections,
        Kind::StorageGb,
        Kind::RedisMemory,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::DailyExecutions => "Daily Agent Executions",
            Kind::PeakConcurrent => "Peak Concurrent Agents",
            Kind::QueueDepth => "Average Queue Depth",
            Kind::ApiRps => "API Requests/Second",
            Kind::DbConnections => "Database Connections",
            Kind::StorageGb => "Storage Usage (GB)",
            Kind::RedisMemory => "Redis Memory (%)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::DailyExecutions => "daily_executions",
            Kind::PeakConcurrent => "peak_concurrent_agents",
            Kind::QueueDepth => "average_queue_depth",
            Kind::ApiRps => "api_requests_per_second",
            Kind::DbConnections => "database_connections",
            Kind::StorageGb => "storage_gb",
            Kind::RedisMemory => "redis_memory_pct",
        }
    }
}

/// One metric's daily history: (start of the day, value), and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub points: Vec<(f64, f64)>,
    pub source: String,
}

/// What the review is computed from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub history: BTreeMap<Kind, History>,
    /// Why a metric has no history: the metric or setting that would supply it.
    pub missing: BTreeMap<Kind, String>,
    /// max_connections, or why it is not known.
    pub max_connections: Option<Result<f64, String>>,
    /// The RDS primary's allocated storage in GB, or why it is not known.
    pub allocated_gb: Option<Result<f64, String>>,
    /// The runbook's Redis memory trigger, %.
    pub redis_memory_warn: f64,
    pub queue_warn: f64,
}

impl Inputs {
    /// No history yet; the limits taken from the thresholds in force (the runbook's 75% Redis
    /// memory and 1000-task queue warnings unless configured otherwise).
    pub fn with_thresholds(settings: &crate::model::BoardSettings) -> Inputs {
        use crate::model::MetricId;
        let warn = |m: MetricId, default: f64| {
            let t = settings.thresholds.get(&m).copied().unwrap_or_else(|| m.default_threshold());
            t.warn.map(|b| b.value).unwrap_or(default)
        };
        Inputs {
            redis_memory_warn: warn(MetricId::RedisMemory, 75.0),
            queue_warn: warn(MetricId::QueueDepth, 1000.0),
            ..Inputs::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    pub value: f64,
    /// "max_connections", "max pods: 100 workers × 5 tasks".
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Crossing {
    /// At or over the limit on the last day.
    Over,
    /// The line reaches the limit then (seconds since the epoch); `earliest` by the interval.
    At { t: f64, earliest: f64 },
    /// Rising, but the interval's steep end reaches it at `earliest`.
    Possible { earliest: f64 },
    /// Not rising toward it.
    NotRising,
    /// No limit to cross, or it is unknown: why.
    NoLimit { why: String },
    /// Too little history to say.
    NoTrend,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub kind: Kind,
    pub key: &'static str,
    pub label: &'static str,
    /// Where the history came from; None: no data (`missing` says why).
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    pub points: Vec<(f64, f64)>,
    pub historical: Option<f64>,
    pub current: Option<f64>,
    pub trend: Option<Trend>,
    /// At the end of the projection: (value, low, high).
    pub projection: Option<(f64, f64, f64)>,
    pub limit: Option<Limit>,
    pub crossing: Crossing,
    /// The short form for the table.
    pub action: String,
    /// The working: the formula and numbers behind the action.
    pub detail: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Seconds since the epoch: the start of the lookback and its end (the end of the last whole day).
    pub from: f64,
    pub to: f64,
    pub project_days: f64,
    pub rows: Vec<Row>,
}

/// The median of the first (or last) `n` values.
fn edge_median(points: &[(f64, f64)], n: usize, last: bool) -> Option<f64> {
    let mut v: Vec<f64> = if last {
        points.iter().rev().take(n).map(|p| p.1).collect()
    } else {
        points.iter().take(n).map(|p| p.1).collect()
    };
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let k = v.len();
    Some(if k % 2 == 1 { v[k / 2] } else { (v[k / 2 - 1] + v[k / 2]) / 2.0 })
}

pub fn build(inputs: &Inputs, from: f64, to: f64, project_days: f64, p: &CapacityParams, limits: &Limits) -> Review {
    let horizon = to + project_days * DAY;
    let rows = Kind::ALL
        .iter()
        .map(|&kind| {
            let h = inputs.history.get(&kind).filter(|h| !h.points.is_empty());
            let points = h.map(|h| h.points.clone()).unwrap_or_default();
            let trend = theil_sen(&points);
            let projection = trend.map(|t| t.at(horizon));
            let limit = limit_of(kind, inputs, p, limits);
            let current = points.last().map(|x| x.1);
            let crossing = match (&limit, trend, current) {
                (Err(why), _, _) => Crossing::NoLimit { why: why.clone() },
                (Ok(_), None, _) => Crossing::NoTrend,
                (Ok(l), Some(_), Some(c)) if c >= l.value => Crossing::Over,
                (Ok(l), Some(t), _) => match (t.crossing(l.value, to), t.crossing_earliest(l.value, to)) {
                    (Some(at), Some(earliest)) => Crossing::At { t: at, earliest: earliest.min(at) },
                    (Some(at), None) => Crossing::At { t: at, earliest: at },
                    (None, Some(earliest)) => Crossing::Possible { earliest },
                    (None, None) => Crossing::NotRising,
                },
            };
            let missing = match h {
                Some(_) => None,
                None => Some(
                    inputs.missing.get(&kind).cloned().unwrap_or_else(|| "no datapoint in the lookback".to_string()),
                ),
            };
            let (mut action, detail) = action(kind, projection.map(|x| x.0), &limit, &crossing, horizon, p, limits);
            if points.is_empty() {
                action = "unknown: no data (see below)".to_string();
            }
            Row {
                kind,
                key: kind.key(),
                label: kind.label(),
                source: h.map(|h| h.source.clone()),
                missing,
                historical: edge_median(&points, 7, false),
                current,
                trend,
                projection,
                limit: limit.ok(),
                crossing,
                action,
                detail,
                points,
            }
        })
        .collect();
    Review { from, to, project_days, rows }
}

fn limit_of(kind: Kind, inputs: &Inputs, p: &CapacityParams, limits: &Limits) -> Result<Limit, String> {
    let max_w = limits.worker_pods.max as f64;
    match kind {
        Kind::DailyExecutions => Ok(Limit {
            value: max_w * p.tasks_per_worker * DAY / p.avg_processing_secs.max(f64::EPSILON),
            what: format!(
                "what max pods complete a day: {} workers × {} tasks × 86400 s / {} s",
                limits.worker_pods.max,
                trim_number(p.tasks_per_worker),
                trim_number(p.avg_processing_secs)
            ),
        }),
        Kind::PeakConcurrent => Ok(Limit {
            value: max_w * p.tasks_per_worker,
            what: format!("max pods: {} workers × {} tasks", limits.worker_pods.max, trim_number(p.tasks_per_worker)),
        }),
        Kind::QueueDepth => {
            Ok(Limit { value: inputs.queue_warn, what: "the runbook's queue depth warning".to_string() })
        }
        Kind::ApiRps => Err("the runbook gives no request-rate limit (API pods scale on CPU and p99)".to_string()),
        Kind::DbConnections => match &inputs.max_connections {
            Some(Ok(m)) => Ok(Limit { value: *m, what: "max_connections".to_string() }),
            Some(Err(why)) => Err(format!("max_connections unknown: {why}")),
            None => Err("max_connections unknown: set postgres.url (it is read there)".to_string()),
        },
        Kind::StorageGb => match &inputs.allocated_gb {
            Some(Ok(g)) => Ok(Limit { value: *g, what: "the RDS primary's allocated storage".to_string() }),
            Some(Err(why)) => Err(format!("allocated storage unknown: {why}")),
            None => Err("allocated storage unknown: set aws.rds_primary".to_string()),
        },
        Kind::RedisMemory => Ok(Limit {
            value: inputs.redis_memory_warn,
            what: "the runbook's \"when to scale\" Redis memory".to_string(),
        }),
    }
}

fn date(t: f64) -> String {
    jiff::Timestamp::from_second(t as i64).map(|ts| ts.strftime("%Y-%m-%d").to_string()).unwrap_or_else(|_| "?".into())
}

/// The short action and its working.
fn action(
    kind: Kind,
    projected: Option<f64>,
    limit: &Result<Limit, String>,
    crossing: &Crossing,
    horizon: f64,
    p: &CapacityParams,
    limits: &Limits,
) -> (String, Vec<String>) {
    let mut detail = Vec::new();
    let when = match crossing {
        Crossing::Over => Some("now".to_string()),
        Crossing::At { t, .. } if *t <= horizon => Some(format!("by {}", date(*t))),
        Crossing::At { earliest, .. } | Crossing::Possible { earliest } if *earliest <= horizon => {
            Some(format!("possibly by {}", date(*earliest)))
        }
        _ => None,
    };
    let Some(pv) = projected else {
        return (format!("unknown: fewer than {} days of data", super::trend::MIN_DAYS), detail);
    };
    let short = match kind {
        Kind::DailyExecutions | Kind::QueueDepth | Kind::PeakConcurrent => {
            let plan = match kind {
                // The arrivals a day brings, spread evenly: λ = executions / 86400.
                Kind::DailyExecutions => capacity::workers(0.0, pv / DAY, p, limits),
                Kind::QueueDepth => capacity::workers(pv, 0.0, p, limits),
                _ => {
                    let needed = (pv / p.tasks_per_worker.max(f64::EPSILON)).ceil().max(0.0) as u32;
                    let mut w = capacity::workers(0.0, 0.0, p, limits);
                    w.needed = needed;
                    w.recommended = limits.worker_pods.clamp(needed);
                    w.exceeds_max = needed > limits.worker_pods.max;
                    w.plugged = format!(
                        "{} / {} tasks per worker = {needed}",
                        trim_number(pv.round()),
                        trim_number(p.tasks_per_worker)
                    );
                    w.arrivals.clear();
                    w
                }
            };
            detail.push(format!("workers: {} {}", plan.plugged, plan.arrivals).trim_end().to_string());
            if plan.exceeds_max {
                format!(
                    "{}: {} workers needed, over max pods {}: raise the worker maximum and add nodes",
                    when.clone().unwrap_or_else(|| "in the projection".into()),
                    plan.needed,
                    limits.worker_pods.max
                )
            } else if let Some(w) = &when {
                format!("{w}: scale workers to {} by the formula", plan.recommended)
            } else {
                format!("none: {} workers cover it by the formula", plan.recommended)
            }
        }
        Kind::ApiRps => "none from the runbook's formulas: watch API p99 (scale-api)".to_string(),
        Kind::DbConnections => match &when {
            Some(w) => format!("{w}: raise max_connections or resize-db; add-replica to move reads"),
            None => "none: max_connections holds".to_string(),
        },
        Kind::StorageGb => match &when {
            Some(w) => format!("{w}: grow the RDS allocated storage"),
            None => "none: the allocated storage holds".to_string(),
        },
        Kind::RedisMemory => match &when {
            Some(w) => format!("{w}: add a Redis shard (scale-redis)"),
            None => "none: memory stays under the trigger".to_string(),
        },
    };
    let short = match (limit, crossing) {
        (Err(why), _) if !matches!(kind, Kind::ApiRps) => format!("unknown: {why}"),
        // Past the projection, but on the way: say when, so it is planned for.
        (Ok(_), Crossing::At { t, .. }) if *t > horizon && short.starts_with("none") => {
            format!("none in the projection; the limit is reached {} on the trend", date(*t))
        }
        _ => short,
    };
    (short, detail)
}
