//! What a recording holds: one JSON line per entry, compact enough that a day of one collector
//! at the default refresh fits in a few MiB once gzipped (measured in `benches/record.rs`).

use crate::model::level::{Level, Threshold};
use crate::model::reading::EmergencyRules;
use crate::model::timeline::Category;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry. `t` is wall-clock time, seconds since the Unix epoch (a demo's simulated time is
/// laid on the wall clock from the moment it started).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Entry {
    /// At the start of every run and of every file: what is recorded, by whom, against which
    /// thresholds, so that a report judges values as the cockpit did.
    Start(Start),
    /// Every metric's value, in the order of `Start::metrics` (null: no value), and its level
    /// letter as shown then (`o` ok, `u` unknown, `s` stale, `w` warn, `c` crit).
    Sample { t: f64, v: Vec<Option<f32>>, l: String },
    /// The replicas of both deployments, when they change.
    Replicas { t: f64, api: Replicas, workers: Replicas },
    /// A timeline entry: a level change, a Kubernetes event, a source going stale or recovering,
    /// an action step.
    Event { t: f64, cat: Category, lvl: Level, text: String },
    /// The runbook's emergency conditions, when they change (empty: none holds any more).
    Emergency { t: f64, reasons: Vec<String> },
}

impl Entry {
    pub fn t(&self) -> f64 {
        match self {
            Entry::Start(s) => s.t,
            Entry::Sample { t, .. }
            | Entry::Replicas { t, .. }
            | Entry::Event { t, .. }
            | Entry::Emergency { t, .. } => *t,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    pub t: f64,
    /// "demo incident (seed 7)", "live", "collector".
    pub origin: String,
    /// The Kubernetes context (or "demo").
    pub context: String,
    pub version: String,
    /// user@host of the recorder.
    pub who: String,
    /// Metric keys, in the order of every `Sample::v`.
    pub metrics: Vec<String>,
    pub thresholds: BTreeMap<String, Threshold>,
    pub emergency: EmergencyRules,
    pub refresh_secs: f64,
}

/// Desired, ready, and the HPA's min and max (when there is an HPA), and whether it is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Replicas {
    pub desired: Option<u32>,
    pub ready: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_max: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
}

/// A level as one letter, for samples.
pub fn level_letter(l: Level) -> char {
    match l {
        Level::Ok => 'o',
        Level::Unknown => 'u',
        Level::Stale => 's',
        Level::Warn => 'w',
        Level::Crit => 'c',
    }
}

pub fn letter_level(c: char) -> Level {
    match c {
        'o' => Level::Ok,
        's' => Level::Stale,
        'w' => Level::Warn,
        'c' => Level::Crit,
        _ => Level::Unknown,
    }
}
