//! The `[share]` table of `config.toml`: where the war room's stream lives and how much of it
//! is kept.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ShareConfig {
    /// The Redis of the stream (redis://, rediss://; several comma-separated URLs for a
    /// cluster's seeds). `COCKPIT_SHARE_URL` overrides it. Default: the platform's own,
    /// `redis.url` or `REDIS_URL`.
    pub url: Option<String>,
    /// Talk to a Redis Cluster without asking the node first.
    pub cluster: bool,
    /// The stream's name. Default: the Kubernetes context (`in-cluster` inside a pod), or the
    /// demo's `demo`.
    #[schemars(pattern(r"\S"))]
    pub name: Option<String>,
    /// Minutes of history (samples, events, actions) kept in the stream for late joiners and
    /// `cockpit report --share`.
    #[schemars(range(min = 10, max = 10080))]
    pub history_minutes: u32,
    /// At most this many history entries are kept, whatever their age (about 200 bytes each).
    #[schemars(range(min = 1000, max = 10000000))]
    pub history_max_entries: u64,
}

impl Default for ShareConfig {
    fn default() -> Self {
        ShareConfig { url: None, cluster: false, name: None, history_minutes: 360, history_max_entries: 50_000 }
    }
}
