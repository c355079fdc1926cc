//! The incident report (`cockpit report`): built from the entries of a recording over a window,
//! then written as markdown, HTML, JSON or plain text. `analyze` reads the entries; `checklist`
//! marks the runbook's Emergency Scaling Checklist from evidence; `chart` draws the key metrics
//! as SVG; `markdown`, `html` and `text` write it out; `window` reads the times a user gives.

pub mod analyze;
pub mod chart;
pub mod checklist;
pub mod drill;
pub mod html;
pub mod load_test;
pub mod markdown;
pub mod text;
pub mod window;

use crate::model::MetricId;
use crate::model::level::{Level, Threshold};
use serde::Serialize;

/// The five metrics of the Overview: peaks and charts are given for these.
pub const KEY_METRICS: [MetricId; 5] =
    [MetricId::WorkerCpu, MetricId::WorkerMemory, MetricId::QueueDepth, MetricId::ApiP99, MetricId::AgentWait];

/// The metrics whose first critical value detects the incident: the key metrics and the error
/// rate.
pub const DETECT_METRICS: [MetricId; 6] = [
    MetricId::WorkerCpu,
    MetricId::WorkerMemory,
    MetricId::QueueDepth,
    MetricId::ApiP99,
    MetricId::AgentWait,
    MetricId::ApiErrorRate,
];

/// Back under critical on these, with no emergency condition, is the recovery: what the
/// emergency action's "Monitor recovery" judges (the agent wait time of a backlog still
/// draining, or a database at its connection limit, stay critical for a while after: they are
/// in the timeline and the peaks).
pub const RECOVERY_METRICS: [MetricId; 3] = [MetricId::QueueDepth, MetricId::ApiP99, MetricId::ApiErrorRate];

/// A sustained minute with nothing critical is a recovery.
pub const RECOVERY_SECS: f64 = 60.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub context: String,
    /// The window asked for (wall-clock seconds).
    pub from: f64,
    pub to: f64,
    /// The runs recorded in the window.
    pub runs: Vec<Run>,
    pub timeline: Vec<Item>,
    pub times: Times,
    pub peaks: Vec<Peak>,
    pub checklist: Vec<Check>,
    pub charts: Vec<Series>,
    /// Lines of the recording that could not be read (a torn last write).
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub t: f64,
    pub origin: String,
    pub who: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A metric crossed a threshold.
    Level,
    /// An emergency condition of the runbook started or ended.
    Emergency,
    /// A Kubernetes event: a rescale, an HPA, a pod.
    Cluster,
    /// A deployment's desired replicas or its HPA's pin changed (before → after).
    Replicas,
    /// A source went stale or recovered.
    Source,
    /// A guided action: its start, each step, its end.
    Action,
    /// A drill's mistake, with the runbook passage that avoids it (drill debriefs only).
    Mistake,
    /// What a drill's facilitator injected (a peer killed, load added; drill debriefs only).
    Injected,
}

impl Kind {
    pub fn tag(self) -> &'static str {
        match self {
            Kind::Level => "level",
            Kind::Emergency => "emergency",
            Kind::Cluster => "k8s",
            Kind::Replicas => "replicas",
            Kind::Source => "source",
            Kind::Action => "action",
            Kind::Mistake => "mistake",
            Kind::Injected => "injected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub t: f64,
    pub kind: Kind,
    pub level: Level,
    pub text: String,
    /// Who ran it (actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
}

/// Detect → act → recover, wall-clock seconds; `None`: not reached in the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Times {
    /// The first critical value of a `DETECT_METRICS` metric, or emergency condition.
    pub detect: Option<f64>,
    /// The first action at or after detection.
    pub act: Option<f64>,
    /// The start of the first sustained minute after detection with none of `RECOVERY_METRICS`
    /// critical and no emergency condition.
    pub recover: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peak {
    pub metric: String,
    pub label: String,
    /// None: the metric had no value in the window.
    pub value: Option<f64>,
    pub shown: String,
    pub t: Option<f64>,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Done,
    Open,
    /// Nothing in a recording can show it (root cause, the write-up): for the post-mortem.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub item: String,
    pub mark: Mark,
    /// What shows it done (or why it is open), and when.
    pub evidence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
}

/// A key metric over the window, for its chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub metric: String,
    pub label: String,
    pub unit: String,
    pub threshold: Threshold,
    /// (t, value); None: no value then (a gap in the line).
    pub points: Vec<(f64, Option<f64>)>,
    #[serde(skip)]
    pub id: Option<MetricId>,
}

impl Report {
    /// True when the window holds no sample and no event.
    pub fn is_empty(&self) -> bool {
        self.timeline.is_empty() && self.charts.iter().all(|c| c.points.is_empty())
    }
}

/// Wall-clock seconds as a time of day in `tz` ("13:05:02"), and with its date.
pub fn clock(t: f64, tz: &jiff::tz::TimeZone) -> String {
    fmt(t, tz, "%H:%M:%S")
}

pub fn date_time(t: f64, tz: &jiff::tz::TimeZone) -> String {
    fmt(t, tz, "%Y-%m-%d %H:%M:%S %Z")
}

fn fmt(t: f64, tz: &jiff::tz::TimeZone, f: &str) -> String {
    match jiff::Timestamp::from_millisecond((t * 1000.0).round() as i64) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime(f).to_string(),
        Err(_) => format!("{t:.0}"),
    }
}

/// "4m38s after", for a time after the first critical.
pub fn after(t: Option<f64>, from: Option<f64>) -> String {
    match (t, from) {
        (Some(t), Some(f)) => format!("+{}", crate::model::units::duration_short((t - f).max(0.0))),
        _ => "—".into(),
    }
}
