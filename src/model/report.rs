//! `cockpit snapshot`: the board as text, JSON or Markdown, for pasting into an incident
//! channel. Every format says the same things in the same order: the runbook's emergency
//! conditions first, then when it was taken (wall clock with its zone; a demo's simulated time
//! too), by which cockpit, against which cluster, the worst level, the health of each source,
//! the database connections, what has no value and why, every metric with its thresholds in
//! its unit, the replicas and the worker formula.

use super::board::Board;
use super::capacity::{ConnectionPlan, WorkerPlan};
use super::gap::Gap;
use super::level::{Bound, Level};
use super::metric::MetricId;
use super::source::{SourceId, SourceStatus};
use super::state::Workload;
use super::units::{self, Unit};
use serde::Serialize;

mod render;

/// Where and when a report was taken: what the board itself does not know.
#[derive(Debug, Clone)]
pub struct Taken {
    /// "demo incident (seed 1)" or "live: kubernetes context X, namespace Y".
    pub origin: String,
    /// The wall clock when it was taken, in the local zone.
    pub at: jiff::Zoned,
    /// Seconds of simulated time (a demo).
    pub simulated: Option<f64>,
    pub kubernetes: Option<KubeTarget>,
}

impl Taken {
    /// Now, on the wall clock of this machine.
    pub fn now(origin: impl Into<String>) -> Taken {
        Taken { origin: origin.into(), at: jiff::Zoned::now(), simulated: None, kubernetes: None }
    }
}

/// The cluster a live report was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KubeTarget {
    /// The kubeconfig context (None in-cluster).
    pub context: Option<String>,
    pub namespace: String,
    /// The API server's URL, without credentials.
    pub server: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: Option<f64>,
    pub unit: Unit,
    pub display: String,
    pub level: Level,
    pub stale: bool,
    /// The bounds in the metric's unit: "> 500 ms", "> 2 s", "<= 80%".
    pub warn: Option<String>,
    pub crit: Option<String>,
    /// The bounds' numbers in the metric's unit (`unit`), for scripts.
    pub warn_value: Option<f64>,
    pub crit_value: Option<f64>,
    pub trend: &'static str,
    /// Why there is no value, and the setting that would give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
}

/// A source's health.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub source: SourceId,
    pub status: SourceHealth,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceHealth {
    /// not_configured, connecting, live or stale.
    pub state: &'static str,
    /// "connection refused" for a stale source; what configures it for one not configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplicaRow {
    pub workload: Workload,
    pub deployment: Option<String>,
    pub desired: Option<u32>,
    pub ready: Option<u32>,
    pub hpa_min: Option<u32>,
    pub hpa_max: Option<u32>,
    pub hpa_desired: Option<u32>,
}

/// The database's connections now, and what the runbook's formula needs.
#[derive(Debug, Clone, Serialize)]
pub struct Connections {
    /// Open connections, by state; None when PostgreSQL is not read.
    pub open: Option<u32>,
    pub max_connections: Option<u32>,
    pub by_state: std::collections::BTreeMap<String, u32>,
    /// The formula at the current API pods and workers.
    pub plan: ConnectionPlan,
}

/// A metric that feeds a threshold or an emergency condition and has no value.
#[derive(Debug, Clone, Serialize)]
pub struct BlindSpot {
    pub key: &'static str,
    pub label: &'static str,
    pub gap: Gap,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The runbook's emergency conditions that hold: first, so nobody scrolls for them.
    pub emergency: Vec<String>,
    /// The worst level the board shows (a state such as "no traffic" counts as OK).
    pub worst: Level,
    /// RFC 3339 with the offset of the local zone.
    pub taken_at: String,
    /// The local zone's name ("Europe/Paris"), or its offset when it has none.
    pub time_zone: String,
    pub cockpit_version: &'static str,
    pub origin: String,
    /// A demo's simulated time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulated: Option<Simulated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubeTarget>,
    pub sources: Vec<SourceRow>,
    pub database_connections: Connections,
    pub blind_spots: Vec<BlindSpot>,
    pub metrics: Vec<MetricRow>,
    pub replicas: Vec<ReplicaRow>,
    /// The guided actions' lock (the Lease): who holds it, free, or why it is not known.
    /// Absent when Kubernetes has not answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_lock: Option<crate::model::lease::LeaseView>,
    pub capacity: WorkerPlan,
}

#[derive(Debug, Clone, Serialize)]
pub struct Simulated {
    /// "T+00:30:00".
    pub time: String,
    pub secs: f64,
}

/// A bound in its metric's unit: "> 70%", "> 500 ms", "> 2 s", "> 1000 tasks".
pub fn bound_text(b: Bound, unit: Unit) -> String {
    let n = units::trim_number;
    let v = b.value;
    let value = match unit {
        Unit::Percent => format!("{}%", n(v)),
        Unit::Millis if v.abs() >= 1000.0 => format!("{} s", n(v / 1000.0)),
        Unit::Millis => format!("{} ms", n(v)),
        Unit::Seconds => format!("{} s", n(v)),
        Unit::Bytes => units::bytes(v),
        Unit::Count => n(v),
        Unit::Tasks | Unit::TasksPerMin | Unit::ReqPerSec | Unit::OpsPerSec | Unit::Pods => {
            format!("{} {}", n(v), unit.label())
        }
    };
    format!("{} {value}", b.cmp.symbol())
}

fn trend_word(t: super::history::Trend) -> &'static str {
    match t {
        super::history::Trend::Rising => "rising",
        super::history::Trend::Falling => "falling",
        super::history::Trend::Steady => "steady",
        super::history::Trend::Unknown => "unknown",
    }
}

fn health(id: SourceId, s: &SourceStatus) -> SourceHealth {
    match s {
        SourceStatus::NotConfigured => {
            SourceHealth { state: "not_configured", detail: Some(format!("set {}", id.setting())) }
        }
        SourceStatus::Connecting => SourceHealth { state: "connecting", detail: None },
        SourceStatus::Live { .. } => SourceHealth { state: "live", detail: None },
        SourceStatus::Stale { failure, .. } => SourceHealth { state: "stale", detail: Some(failure.to_string()) },
    }
}

impl Report {
    pub fn from_board(board: &Board, taken: Taken) -> Report {
        let metrics: Vec<MetricRow> = MetricId::ALL
            .iter()
            .map(|&id| {
                let r = board.reading(id);
                let unit = id.unit();
                MetricRow {
                    key: id.key(),
                    label: id.label(),
                    value: r.value.filter(|v| v.is_finite()),
                    unit,
                    display: r.formatted(),
                    level: r.shown_level(),
                    stale: r.stale,
                    warn: r.threshold.warn.map(|b| bound_text(b, unit)),
                    crit: r.threshold.crit.map(|b| bound_text(b, unit)),
                    warn_value: r.threshold.warn.map(|b| b.value),
                    crit_value: r.threshold.crit.map(|b| b.value),
                    trend: trend_word(board.trend(id)),
                    gap: if r.value.is_none() { board.gap(id).cloned() } else { None },
                }
            })
            .collect();
        let worst = MetricId::ALL.iter().map(|id| board.reading(*id).counted_level()).max().unwrap_or(Level::Unknown);
        let replicas = Workload::BOTH
            .iter()
            .map(|&w| {
                let ws = board.state.kube.as_ref().map(|k| k.workload(w).clone()).unwrap_or_default();
                ReplicaRow {
                    workload: w,
                    deployment: ws.deployment.as_ref().map(|d| d.name.clone()),
                    desired: ws.deployment.as_ref().map(|d| d.desired),
                    ready: ws.deployment.as_ref().map(|d| d.ready),
                    hpa_min: ws.hpa.as_ref().map(|h| h.min),
                    hpa_max: ws.hpa.as_ref().map(|h| h.max),
                    hpa_desired: ws.hpa.as_ref().map(|h| h.desired),
                }
            })
            .collect();
        let api = board.current_replicas(Workload::Api).unwrap_or(0);
        let workers = board.current_replicas(Workload::Workers).unwrap_or(0);
        let pg = board.state.postgres.as_ref();
        let zone = taken.at.time_zone();
        Report {
            emergency: board.emergency_reasons(),
            worst,
            taken_at: rfc3339(&taken.at),
            time_zone: zone.iana_name().map(str::to_string).unwrap_or_else(|| taken.at.strftime("%:z").to_string()),
            cockpit_version: env!("CARGO_PKG_VERSION"),
            origin: taken.origin,
            simulated: taken.simulated.map(|s| Simulated { time: format!("T+{}", units::clock(s)), secs: s }),
            kubernetes: taken.kubernetes,
            sources: SourceId::ALL
                .iter()
                .map(|&s| SourceRow { source: s, status: health(s, board.source_status(s)) })
                .collect(),
            database_connections: Connections {
                open: pg.map(|p| p.total),
                max_connections: pg.map(|p| p.max_connections),
                by_state: pg.map(|p| p.by_state.clone()).unwrap_or_default(),
                plan: board.connection_plan(api, workers),
            },
            blind_spots: board
                .blind_spots()
                .into_iter()
                .map(|(id, g)| BlindSpot { key: id.key(), label: id.label(), gap: g.clone() })
                .collect(),
            metrics,
            replicas,
            action_lock: board.state.kube.as_ref().map(|k| k.lease.clone()),
            capacity: board.worker_plan(),
        }
    }

    /// The highest step of warn < crit < emergency that holds, if any.
    pub fn reached(&self) -> Option<Alarm> {
        if !self.emergency.is_empty() {
            Some(Alarm::Emergency)
        } else if self.worst == Level::Crit {
            Some(Alarm::Crit)
        } else if self.worst == Level::Warn {
            Some(Alarm::Warn)
        } else {
            None
        }
    }

    /// Blind spots that are not for want of a whole source: a source that is configured left a
    /// metric that feeds a threshold or an emergency condition without a value.
    pub fn configured_blind_spots(&self) -> impl Iterator<Item = &BlindSpot> {
        self.blind_spots.iter().filter(|b| b.gap.kind != super::gap::GapKind::NotConfigured)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// The steps of `--fail-on`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alarm {
    Warn,
    Crit,
    Emergency,
}

/// RFC 3339 with the zone's offset: "2025-03-01T03:12:45+01:00".
pub fn rfc3339(t: &jiff::Zoned) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::level::Comparison;
    use crate::model::{BoardSettings, SourceFailure, SourceUpdate};

    fn at() -> jiff::Zoned {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
        jiff::Timestamp::from_second(1_740_795_165).unwrap().to_zoned(tz)
    }

    fn taken(origin: &str) -> Taken {
        Taken { origin: origin.into(), at: at(), simulated: None, kubernetes: None }
    }

    #[test]
    fn bounds_carry_their_unit() {
        assert_eq!(bound_text(Bound::above(70.0), Unit::Percent), "> 70%");
        assert_eq!(bound_text(Bound::above(2000.0), Unit::Millis), "> 2 s");
        assert_eq!(bound_text(Bound::above(500.0), Unit::Millis), "> 500 ms");
        assert_eq!(bound_text(Bound::above(30.0), Unit::Seconds), "> 30 s");
        assert_eq!(bound_text(Bound::above(1000.0), Unit::Tasks), "> 1000 tasks");
        assert_eq!(bound_text(Bound { cmp: Comparison::AtMost, value: 80.0 }, Unit::Percent), "<= 80%");
    }

    #[test]
    fn a_live_report_says_when_on_the_wall_clock_and_by_which_cockpit() {
        let board = Board::new(BoardSettings::default(), &[SourceId::Redis]);
        let mut t = taken("live: redis");
        t.kubernetes = Some(KubeTarget {
            context: Some("prod".into()),
            namespace: "production".into(),
            server: "https://k:6443".into(),
        });
        let r = Report::from_board(&board, t);
        let text = r.to_text();
        assert!(text.contains("taken 2025-03-01T04:12:45+02:00"), "{text}");
        assert!(!text.contains("00:00:00"), "no clock since the start: {text}");
        assert!(text.contains(&format!("cockpit {}", env!("CARGO_PKG_VERSION"))), "{text}");
        assert!(text.contains("kubernetes context prod · namespace production · API server https://k:6443"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["taken_at"], "2025-03-01T04:12:45+02:00");
        assert!(json.get("at").is_none(), "no seconds since the start");
        assert_eq!(json["kubernetes"]["server"], "https://k:6443");
        let md = r.to_markdown();
        assert!(md.contains("2025-03-01T04:12:45+02:00") && md.contains("API server https://k:6443"), "{md}");
    }

    #[test]
    fn source_health_connections_and_gaps_are_in_every_format() {
        let mut board = Board::new(BoardSettings::default(), &[SourceId::Redis, SourceId::Postgres]);
        board.ingest(SourceUpdate {
            source: SourceId::Postgres,
            at: 1.0,
            result: Err(SourceFailure::new(crate::model::FailureKind::Refused, "connection refused")),
        });
        let r = Report::from_board(&board, taken("live"));
        let gap = board.gap(MetricId::ApiP99).expect("no CloudWatch: a gap").describe();
        for (name, out) in [("text", r.to_text()), ("markdown", r.to_markdown()), ("json", r.to_json())] {
            assert!(out.contains("connection refused"), "{name}: {out}");
            let connections = ["DATABASE CONNECTIONS", "**Database connections:**", "\"database_connections\""];
            assert!(connections.iter().any(|c| out.contains(c)), "{name}: {out}");
            assert!(name == "json" || out.contains("the formula needs"), "{name}: {out}");
            let reason = &board.gap(MetricId::ApiP99).unwrap().reason;
            assert!(out.contains(&gap) || (name == "json" && out.contains(reason.as_str())), "{name}: {gap}\n{out}");
        }
    }
}
