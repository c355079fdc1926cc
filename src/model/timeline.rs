//! The events timeline: scaling events, level changes, source health and actions.

use super::level::Level;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A Kubernetes event: rescale, pod ready, OOMKilled.
    Cluster,
    /// A metric changed level.
    Level,
    /// A source went stale or recovered.
    Source,
    /// A guided action step.
    Action,
}

impl Category {
    pub fn tag(self) -> &'static str {
        match self {
            Category::Cluster => "k8s",
            Category::Level => "level",
            Category::Source => "source",
            Category::Action => "action",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: f64,
    pub category: Category,
    pub level: Level,
    pub text: String,
}
