//! The operations the guided actions need, as one interface with two implementations: the
//! embedded simulator (`sim::SimPlatform`) and the live platform (Kubernetes, Redis, RDS, ...).
//! Actions are written against this trait only, so they run unchanged on either.

pub mod live;
// Redis cluster (issue 9)
pub mod shards;

use crate::model::state::{DbInstance, DeploymentState, HpaState, Usage, Workload};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Why an operation failed. `Conflict` means someone else changed the object meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Conflict,
    NotFound,
    Forbidden,
    Timeout,
    Unavailable,
    Invalid,
    ReadOnly,
    /// The platform cannot see this input: a setting is missing or discovery found nothing (the
    /// message names the setting). Not transient: asking again gives the same answer, so a
    /// verification judges on what it can see instead of waiting for it.
    Blind,
    Other,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct PlatformError {
    pub kind: ErrorKind,
    pub message: String,
}

impl PlatformError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PlatformError { kind, message: message.into() }
    }
    /// Worth retrying: the server was busy or unreachable, not wrong.
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout | ErrorKind::Unavailable)
    }
}

pub type PResult<T> = Result<T, PlatformError>;

/// How a write is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOpts {
    /// Ask the server to validate without storing (server-side dry run).
    pub dry_run: bool,
    /// Fail with `Conflict` unless the object is still at this resourceVersion.
    pub expect_version: Option<String>,
}

impl WriteOpts {
    pub fn at(version: Option<String>) -> Self {
        WriteOpts { dry_run: false, expect_version: version }
    }
}

/// A deployment with the version it was read at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub state: DeploymentState,
    pub resource_version: Option<String>,
}

/// An HPA with its whole spec, so it can be put back exactly as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hpa {
    pub state: HpaState,
    /// The `spec` object as the API returned it.
    pub spec: serde_json::Value,
    pub annotations: std::collections::BTreeMap<String, String>,
    pub resource_version: Option<String>,
}

/// A pod of a deployment, for readiness and health checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    pub name: String,
    pub ready: bool,
    pub phase: String,
    pub terminating: bool,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
}

/// The holder of the action lock (a Kubernetes Lease on the live platform).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockHolder {
    pub holder: String,
    /// Seconds on the platform clock when it was taken.
    pub since: f64,
    /// Seconds on the platform clock when it was last renewed.
    pub renewed: f64,
    pub action: String,
    /// When it was taken on the wall clock (the live platform; the simulator's clock is
    /// simulated time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_wall: Option<jiff::Timestamp>,
}

impl LockHolder {
    /// When it was taken, as a person reads it: local time with its offset (RFC 3339) on the
    /// live platform, "T+00:12:30" of simulated time on the simulator.
    pub fn since_text(&self) -> String {
        crate::model::lease::since_text(self.since, self.since_wall)
    }
}

impl From<LockHolder> for crate::model::lease::LeaseHolder {
    fn from(h: LockHolder) -> Self {
        crate::model::lease::LeaseHolder {
            holder: h.holder,
            action: h.action,
            since: h.since,
            since_wall: h.since_wall,
        }
    }
}

/// The outcome of trying to take the lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LockOutcome {
    Acquired,
    HeldBy(LockHolder),
}

#[async_trait]
pub trait Platform: Send + Sync {
    /// "simulator" or "kubernetes context X, namespace Y".
    fn describe(&self) -> String;
    /// Who is acting: local user and, where known, the Kubernetes identity.
    fn identity(&self) -> String;
    /// Seconds on this platform's clock (simulated time for the simulator).
    fn now(&self) -> f64;
    /// Wait on this platform's clock (simulated time passes faster in the simulator).
    async fn sleep(&self, d: Duration);

    // Deployments.
    async fn deployment(&self, w: Workload) -> PResult<Deployment>;
    async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment>;
    /// Set (Some) or remove (None) an annotation on the deployment.
    async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment>;
    /// Set container 0's CPU and memory limits; starts a rollout.
    async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment>;
    async fn pods(&self, w: Workload) -> PResult<Vec<Pod>>;
    /// A pod's `/health` through the API server's pod proxy: Ok(body) on 200.
    async fn pod_health(&self, pod: &str) -> PResult<String>;
    /// Average use of the workload's pods.
    async fn usage(&self, w: Workload) -> PResult<Option<Usage>>;

    // HPAs.
    async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>>;
    /// Replace the HPA's spec and annotations (optimistic on `opts.expect_version`).
    async fn replace_hpa(
        &self,
        w: Workload,
        spec: &serde_json::Value,
        annotations: &std::collections::BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa>;

    // Queue.
    async fn queue_depth(&self) -> PResult<u64>;
    async fn in_flight(&self) -> PResult<u64>;

    // Database.
    async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)>;
    async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance>;
    /// `SELECT 1` on the primary: the round trip in ms.
    async fn db_ping(&self) -> PResult<f64>;
    async fn db_max_connections(&self) -> PResult<u32>;

    // API health (for monitoring an action's effect).
    async fn api_latency_p99(&self) -> PResult<Option<f64>>;
    async fn api_error_rate(&self) -> PResult<Option<f64>>;

    /// Tell people (a configured command or webhook).
    async fn notify(&self, message: &str) -> PResult<()>;

    // The action lock.
    async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome>;
    async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()>;
    async fn release_lock(&self, holder: &str) -> PResult<()>;

    // Read replicas (issue 9)
    /// The primary and every read replica RDS lists for it (its ReadReplicaDBInstanceIdentifiers),
    /// configured in aws.rds_replicas or not, with their status ("creating", "available",
    /// "deleting", ...).
    async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)>;
    /// CreateDBInstanceReadReplica of the primary, named `id`, in `class`.
    async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance>;
    /// DeleteDBInstance of a read replica (never the primary).
    async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance>;
    /// The replica's lag behind the primary, seconds; None while it has no measurement yet.
    async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>>;
    /// `SELECT 1` on the replica's endpoint: the round trip in ms.
    async fn db_replica_ping(&self, id: &str) -> PResult<f64>;
    /// Client connections open on the replica, other than the cockpit's own.
    async fn db_replica_connections(&self, id: &str) -> PResult<u32>;
    // Redis cluster (issue 9)
    /// The Redis cluster as its nodes see it: masters, their slots and memory, slots on the move.
    async fn redis_cluster(&self) -> PResult<shards::ClusterView>;
    /// The ElastiCache replication group behind the Redis: its status and node groups.
    async fn redis_group(&self) -> PResult<shards::ReplicationGroup>;
    /// Ask ElastiCache for `shards` node groups now (online resharding); a scale-in names the
    /// node groups to remove.
    async fn modify_redis_shards(
        &self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> PResult<shards::ReplicationGroup>;
}
