//! Why a metric shows no value: a blind spot named with the setting that would supply it, or a
//! state in which its threshold means nothing ("no traffic", "no limit"). The screen, `check`
//! and snapshots all show the same gap, so nothing is hidden and no state reads as a number.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of gap: a few words that stand in for the value on a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The source that would give it is not configured at all.
    NotConfigured,
    /// The source is configured but this input is not (an unset load balancer, no RDS primary).
    NotSet,
    /// The input is configured but was not found (a load balancer no one can discover).
    NotFound,
    /// The source answered without this value (CloudWatch returned no datapoint, no
    /// metrics-server).
    NoData,
    /// Configured, no answer yet.
    Waiting,
    /// No keyspace hits or misses: a hit rate means nothing.
    NoTraffic,
    /// No limit is set (maxmemory 0, maxclients 0): a percentage of it means nothing.
    NoLimit,
    /// No replica reports: replica lag means nothing.
    NoReplicas,
}

impl GapKind {
    /// What the row shows instead of a number.
    pub fn short(self) -> &'static str {
        match self {
            GapKind::NotConfigured => "not configured",
            GapKind::NotSet => "not set",
            GapKind::NotFound => "not found",
            GapKind::NoData => "no data",
            GapKind::Waiting => "waiting",
            GapKind::NoTraffic => "no traffic",
            GapKind::NoLimit => "no limit",
            GapKind::NoReplicas => "no replicas",
        }
    }

    /// A blind spot: the cockpit cannot see a value that exists. These count against the
    /// pane's level (as unknown), are listed by `check` and make its exit status non-zero.
    pub fn is_blind(self) -> bool {
        matches!(self, GapKind::NotConfigured | GapKind::NotSet | GapKind::NotFound | GapKind::NoData)
    }

    /// A real state of the platform in which the threshold does not apply: not an alarm and
    /// not a blind spot.
    pub fn not_applicable(self) -> bool {
        matches!(self, GapKind::NoTraffic | GapKind::NoLimit | GapKind::NoReplicas)
    }
}

/// Why a metric has no value, and what would give it one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub kind: GapKind,
    /// A sentence: "no load balancer is known, so API p99, 5xx and requests are not read".
    pub reason: String,
    /// The config key or environment variable that would supply it: "aws.load_balancer".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
}

impl Gap {
    pub fn new(kind: GapKind, reason: impl Into<String>) -> Gap {
        Gap { kind, reason: reason.into(), setting: None }
    }

    pub fn setting(mut self, s: impl Into<String>) -> Gap {
        self.setting = Some(s.into());
        self
    }

    /// "no data: CloudWatch returned no datapoint … (set aws.load_balancer)".
    pub fn describe(&self) -> String {
        match &self.setting {
            Some(s) => format!("{}: {} (set {s})", self.kind.short(), self.reason),
            None => format!("{}: {}", self.kind.short(), self.reason),
        }
    }
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
