//! Schemas of the config tables whose types live in the model (`Limits`, `CapacityParams`,
//! `EmergencyRules`): the same fields, with the validator's ranges and docs written for the
//! person editing `config.toml`. A test holds their fields and defaults to the model's.

use crate::model::capacity::{CapacityParams, Limits};
use crate::model::reading::EmergencyRules;
use schemars::JsonSchema;
use serde::Serialize;

/// The fewest and the most of a component that the plans and the guided actions may ask for.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodRange {
    /// At least 1: the component cannot run on none.
    #[schemars(range(min = 1))]
    pub min: u32,
    /// At least 1 and at least min.
    #[schemars(range(min = 1))]
    pub max: u32,
}

/// The fewest and the most read replicas the plans may ask for.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplicaRange {
    /// 0 or more: a database may run without replicas.
    pub min: u32,
    /// At least 1 and at least min.
    #[schemars(range(min = 1))]
    pub max: u32,
}

/// The runbook's "Scalable Components": the bounds every recommendation and action is held to.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSchema {
    /// API server pods (the runbook: 3 to 50).
    pub api_pods: PodRange,
    /// Agent worker pods (the runbook: 5 to 100).
    pub worker_pods: PodRange,
    /// Redis shards (the runbook: 3 to 10).
    pub redis_shards: PodRange,
    /// PostgreSQL read replicas (the runbook: 1 to 5).
    pub db_replicas: ReplicaRange,
}

impl Default for LimitsSchema {
    fn default() -> Self {
        let l = Limits::default();
        let pods = |r: crate::model::capacity::Range| PodRange { min: r.min, max: r.max };
        LimitsSchema {
            api_pods: pods(l.api_pods),
            worker_pods: pods(l.worker_pods),
            redis_shards: pods(l.redis_shards),
            db_replicas: ReplicaRange { min: l.db_replicas.min, max: l.db_replicas.max },
        }
    }
}

/// The constants of the runbook's capacity formulas ("Capacity Planning Formulas",
/// "Concurrency Tuning").
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CapacitySchema {
    /// Tasks one worker runs at once (C in the worker formula).
    #[schemars(range(max = 10_000), extend("exclusiveMinimum" = 0))]
    pub tasks_per_worker: f64,
    /// Seconds one task takes (T).
    #[schemars(range(max = 86_400), extend("exclusiveMinimum" = 0))]
    pub avg_processing_secs: f64,
    /// Seconds a task may wait in the queue (W): the backlog is planned to clear in this time.
    #[schemars(range(max = 86_400), extend("exclusiveMinimum" = 0))]
    pub target_queue_secs: f64,
    /// Database connections one API pod holds.
    #[schemars(range(min = 0, max = 10_000))]
    pub conns_per_api_pod: f64,
    /// Database connections one worker holds.
    #[schemars(range(min = 0, max = 10_000))]
    pub conns_per_worker: f64,
    /// The headroom on top of the connections needed, as a fraction: 0.2 for the runbook's 20%.
    #[schemars(range(min = 0, max = 1))]
    pub connection_buffer: f64,
}

impl Default for CapacitySchema {
    fn default() -> Self {
        let c = CapacityParams::default();
        CapacitySchema {
            tasks_per_worker: c.tasks_per_worker,
            avg_processing_secs: c.avg_processing_secs,
            target_queue_secs: c.target_queue_secs,
            conns_per_api_pod: c.conns_per_api_pod,
            conns_per_worker: c.conns_per_worker,
            connection_buffer: c.connection_buffer,
        }
    }
}

/// The runbook's "When to Emergency Scale": any one of these, held, raises the emergency.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EmergencySchema {
    /// Queue depth, in tasks, above which a growing queue is an emergency (runbook: 10,000).
    #[schemars(range(min = 1))]
    pub queue_depth: f64,
    /// API latency (p99), in milliseconds, above which it is an emergency (runbook: 5 s).
    #[schemars(range(min = 1, max = 3_600_000))]
    pub api_latency_ms: f64,
    /// API error rate, in percent, above which it is an emergency (runbook: 10%).
    #[schemars(range(max = 100), extend("exclusiveMinimum" = 0))]
    pub error_rate_pct: f64,
}

impl Default for EmergencySchema {
    fn default() -> Self {
        let e = EmergencyRules::default();
        EmergencySchema {
            queue_depth: e.queue_depth,
            api_latency_ms: e.api_latency_ms,
            error_rate_pct: e.error_rate_pct,
        }
    }
}
