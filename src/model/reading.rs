//! A metric's current value, judged, plus the rules for the runbook's emergency conditions.

use super::gap::GapKind;
use super::level::{Level, Threshold};
use super::metric::MetricId;
use serde::{Deserialize, Serialize};

/// The current value of a metric as the panes and snapshots show it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub id: MetricId,
    pub value: Option<f64>,
    /// The level of the value against its thresholds (Unknown without a value).
    pub level: Level,
    /// The source is failing: the value is the last good one.
    pub stale: bool,
    pub threshold: Threshold,
    /// Why there is no value (the board holds the whole [`super::gap::Gap`], with its reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<GapKind>,
}

impl Reading {
    pub fn new(id: MetricId, value: Option<f64>, threshold: Threshold, stale: bool) -> Self {
        let level = match value {
            Some(v) => threshold.level(v),
            None => Level::Unknown,
        };
        Reading { id, value, level, stale, threshold, gap: None }
    }

    /// The level this reading adds to its pane and to the header: a state in which the
    /// threshold does not apply (no traffic, no limit) alarms no one and hides nothing, so it
    /// counts as OK there while its row still says what it is.
    pub fn counted_level(&self) -> Level {
        if !self.stale && self.value.is_none() && self.gap.is_some_and(GapKind::not_applicable) {
            Level::Ok
        } else {
            self.shown_level()
        }
    }

    /// What the screen shows: STALE wins over the value's level, so an old number never reads
    /// as current.
    pub fn shown_level(&self) -> Level {
        if self.stale { Level::Stale } else { self.level }
    }

    /// The value with its unit, or the few words of its gap ("no traffic", "not set").
    pub fn formatted(&self) -> String {
        match (self.value, self.gap) {
            (Some(v), _) => self.id.unit().format(v),
            (None, Some(g)) => g.short().into(),
            (None, None) => "—".into(),
        }
    }
}

/// The runbook's "When to Emergency Scale" list, as configurable rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmergencyRules {
    /// "Queue depth > 10,000 and growing".
    pub queue_depth: f64,
    /// "API latency > 5 seconds", in ms.
    pub api_latency_ms: f64,
    /// "Error rate > 10%".
    pub error_rate_pct: f64,
}

impl Default for EmergencyRules {
    fn default() -> Self {
        EmergencyRules { queue_depth: 10_000.0, api_latency_ms: 5_000.0, error_rate_pct: 10.0 }
    }
}
