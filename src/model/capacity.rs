//! The runbook's capacity-planning formulas, evaluated on live values and held to its limits.
//!
//! Where the runbook is wrong the numbers here say so:
//! - its shell recipe `QUEUE_DEPTH / TASKS_PER_WORKER / 60 * PROCESS_TIME + CURRENT_WORKERS`
//!   divides integers left to right, so any queue under 300 tasks recommends no change, and it
//!   ignores tasks still arriving; the cockpit uses the capacity formula plus the arrival rate;
//! - its database example prints `(20 * 10) + (100 * 5) * 1.2 = 840`, which evaluates to 800:
//!   the buffer applies to the sum, `((20 * 10) + (100 * 5)) * 1.2 = 840`.

use serde::{Deserialize, Serialize};

/// Minimum and maximum of one component (the runbook's "Scalable Components" table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

impl Range {
    pub fn clamp(&self, v: u32) -> u32 {
        v.clamp(self.min, self.max.max(self.min))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub api_pods: Range,
    pub worker_pods: Range,
    pub redis_shards: Range,
    pub db_replicas: Range,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            api_pods: Range { min: 3, max: 50 },
            worker_pods: Range { min: 5, max: 100 },
            redis_shards: Range { min: 3, max: 10 },
            db_replicas: Range { min: 1, max: 5 },
        }
    }
}

/// The constants of the formulas (runbook: "Capacity Planning Formulas", "Concurrency Tuning").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapacityParams {
    pub tasks_per_worker: f64,
    pub avg_processing_secs: f64,
    pub target_queue_secs: f64,
    pub conns_per_api_pod: f64,
    pub conns_per_worker: f64,
    /// 0.2 for the runbook's 20% buffer.
    pub connection_buffer: f64,
}

impl Default for CapacityParams {
    fn default() -> Self {
        CapacityParams {
            tasks_per_worker: 5.0,
            avg_processing_secs: 30.0,
            target_queue_secs: 60.0,
            conns_per_api_pod: 10.0,
            conns_per_worker: 5.0,
            connection_buffer: 0.2,
        }
    }
}

/// The worker recommendation, with its working shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerPlan {
    /// The runbook's formula on the current queue: (Q × T) / (W × C).
    pub backlog_workers: f64,
    /// Workers needed to keep up with arrivals alone: λ × T / C.
    pub arrival_workers: f64,
    /// The two together, rounded up.
    pub needed: u32,
    /// Held to the component limits.
    pub recommended: u32,
    pub exceeds_max: bool,
    /// "(Q × T) / (W × C)" with numbers.
    pub formula: String,
    pub plugged: String,
    pub arrivals: String,
}

/// Evaluate the worker formula. `arrival_rate` is tasks per second entering the queue.
pub fn workers(queue_depth: f64, arrival_rate: f64, p: &CapacityParams, limits: &Limits) -> WorkerPlan {
    let q = queue_depth.max(0.0);
    let lambda = if arrival_rate.is_finite() { arrival_rate.max(0.0) } else { 0.0 };
    let denom = (p.target_queue_secs * p.tasks_per_worker).max(f64::EPSILON);
    let backlog = q * p.avg_processing_secs / denom;
    let arrival = lambda * p.avg_processing_secs / p.tasks_per_worker.max(f64::EPSILON);
    let raw = backlog + arrival;
    let needed = if raw.is_finite() { raw.ceil().min(u32::MAX as f64) as u32 } else { u32::MAX };
    let recommended = limits.worker_pods.clamp(needed);
    let n = crate::model::units::trim_number;
    WorkerPlan {
        backlog_workers: backlog,
        arrival_workers: arrival,
        needed,
        recommended,
        exceeds_max: needed > limits.worker_pods.max,
        formula: "Workers = (Queue × Processing time) / (Target queue time × Tasks per worker)".into(),
        plugged: format!(
            "({} × {}s) / ({}s × {}) = {:.1}",
            q as u64,
            n(p.avg_processing_secs),
            n(p.target_queue_secs),
            n(p.tasks_per_worker),
            backlog
        ),
        arrivals: format!(
            "+ arrivals {:.2}/s × {}s / {} = {:.1}",
            lambda,
            n(p.avg_processing_secs),
            n(p.tasks_per_worker),
            arrival
        ),
    }
}

/// The connection requirement, with its working shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionPlan {
    pub api_pods: u32,
    pub workers: u32,
    pub required: f64,
    pub max_connections: u32,
    pub exceeds_max: bool,
    pub plugged: String,
}

/// Required connections = ((API pods × per pod) + (workers × per worker)) × (1 + buffer).
pub fn connections(api_pods: u32, workers: u32, max_connections: u32, p: &CapacityParams) -> ConnectionPlan {
    let base = api_pods as f64 * p.conns_per_api_pod + workers as f64 * p.conns_per_worker;
    let required = base * (1.0 + p.connection_buffer);
    let n = crate::model::units::trim_number;
    ConnectionPlan {
        api_pods,
        workers,
        required,
        max_connections,
        exceeds_max: max_connections > 0 && required > max_connections as f64,
        plugged: format!(
            "(({api_pods} × {}) + ({workers} × {})) × {} = {}",
            n(p.conns_per_api_pod),
            n(p.conns_per_worker),
            n(1.0 + p.connection_buffer),
            n(required.round())
        ),
    }
}

/// The runbook's shell recipe, evaluated as bash would (integer division, left to right),
/// so the cockpit can show how far it is from the capacity formula.
pub fn runbook_shell_recipe(queue_depth: u64, current_workers: u32, p: &CapacityParams) -> u64 {
    let tpw = (p.tasks_per_worker as u64).max(1);
    let t = p.avg_processing_secs as u64;
    queue_depth / tpw / 60 * t + current_workers as u64
}
