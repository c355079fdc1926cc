//! The simulator's configuration: names as on the live platform, and the model's sizes.

use crate::config::sources::KubeConfig;
use crate::model::capacity::{CapacityParams, Limits};

/// Names and sizes of the simulated platform. `Default` is the runbook's production setup.
#[derive(Debug, Clone, PartialEq)]
pub struct SimSettings {
    /// Minimum and maximum of each component: the initial HPA bounds come from here.
    pub limits: Limits,
    /// Tasks per worker (WORKER_CONCURRENCY), processing time, pool sizes per pod.
    pub capacity: CapacityParams,
    /// PostgreSQL max_connections (the runbook's recommended 500).
    pub max_connections: u32,
    pub queue_key: String,
    pub processing_key: String,
    /// The namespace, deployments and HPAs, named as on the live platform.
    pub kube: KubeConfig,
    pub db_primary: String,
    pub db_replicas: Vec<String>,
    pub db_class: String,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            limits: Limits::default(),
            capacity: CapacityParams::default(),
            max_connections: 500,
            queue_key: "agent:queue:default".into(),
            processing_key: "agent:processing".into(),
            kube: KubeConfig::default(),
            db_primary: "agentos-primary".into(),
            db_replicas: vec!["agentos-replica-1".into(), "agentos-replica-2".into()],
            db_class: "db.r6g.xlarge".into(),
        }
    }
}

/// Requests per second one API pod serves at 100% of its CPU request.
pub const API_RPS_PER_CORE: f64 = 150.0;
/// HTTP_TIMEOUT of the runbook's api-config: requests queued longer fail.
pub const API_TIMEOUT_SECS: f64 = 30.0;
/// REDIS_POOL_SIZE per API pod; Redis connections per worker.
pub const REDIS_POOL_API: u64 = 50;
pub const REDIS_POOL_WORKER: u64 = 2;
pub const REDIS_MAX_CLIENTS: u64 = 10_000;
pub const REDIS_SHARDS: u32 = 3;
/// Three cache.r6g.large-sized shards, 4 GiB of maxmemory each.
pub const REDIS_MAX_MEMORY: u64 = 3 * 4 * 1024 * 1024 * 1024;
/// Seconds between HPA syncs (kube-controller-manager --horizontal-pod-autoscaler-sync-period).
pub const HPA_SYNC_SECS: u64 = 15;
/// The HPA controller's tolerance.
pub const HPA_TOLERANCE: f64 = 0.1;
/// Container requests (what HPA utilization is a percentage of), by workload: (cores, MiB).
pub const API_REQUESTS: (f64, f64) = (1.0, 1024.0);
pub const WORKER_REQUESTS: (f64, f64) = (1.0, 2048.0);
/// Default limits (Guaranteed QoS: equal to the requests).
pub const API_LIMITS: (&str, &str) = ("1", "1Gi");
pub const WORKER_LIMITS: (&str, &str) = ("1", "2Gi");
/// Kubernetes events kept.
pub const EVENTS_KEPT: usize = 200;
/// Events returned by one observation.
pub const EVENTS_OBSERVED: usize = 60;
