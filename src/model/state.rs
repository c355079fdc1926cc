//! The data each source reports. The simulator and the live sources fill the same types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which of the two scaled deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    Api,
    Workers,
}

impl Workload {
    pub const BOTH: [Workload; 2] = [Workload::Api, Workload::Workers];
    pub fn label(self) -> &'static str {
        match self {
            Workload::Api => "API pods",
            Workload::Workers => "workers",
        }
    }
}

/// A deployment's spec and status, as `kubectl get deployment` shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DeploymentState {
    pub name: String,
    pub desired: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
    pub generation: i64,
    pub observed_generation: i64,
    pub annotations: BTreeMap<String, String>,
    /// Container 0's limits, as Kubernetes quantities ("2", "4Gi").
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
}

impl DeploymentState {
    pub fn draining(&self) -> bool {
        self.annotations.get("drain").is_some_and(|v| v == "true")
    }
    pub fn rolling_out(&self) -> bool {
        self.observed_generation < self.generation || self.updated < self.desired
    }
}

/// One metric target of an HPA with its current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HpaTarget {
    /// "cpu", "memory", "redis_queue_depth".
    pub name: String,
    /// "Utilization" (percent) or "AverageValue".
    pub kind: String,
    pub target: f64,
    pub current: Option<f64>,
}

/// An HPA condition (AbleToScale, ScalingActive, ScalingLimited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HpaCondition {
    pub kind: String,
    pub status: bool,
    pub reason: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HpaState {
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub current: u32,
    pub desired: u32,
    pub targets: Vec<HpaTarget>,
    pub conditions: Vec<HpaCondition>,
    /// Seconds on the app clock of the last scale, when known.
    pub last_scale_at: Option<f64>,
    /// True when the cockpit has pinned it for an emergency (saved spec present).
    pub pinned: bool,
}

impl HpaState {
    pub fn condition(&self, kind: &str) -> Option<&HpaCondition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }
}

/// A pod that needs attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodProblem {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: u32,
    /// "OOMKilled", "CrashLoopBackOff", ... from the last termination or waiting state.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PodsSummary {
    pub total: u32,
    pub ready: u32,
    pub pending: u32,
    pub terminating: u32,
    pub restarts: u32,
    pub oom_killed: u32,
    /// The worst few, most relevant first.
    pub problems: Vec<PodProblem>,
}

/// Average use per pod, as percentages of the container requests (what the HPA sees).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub cpu_pct: f64,
    pub memory_pct: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorkloadState {
    pub deployment: Option<DeploymentState>,
    pub hpa: Option<HpaState>,
    pub pods: PodsSummary,
    pub usage: Option<Usage>,
}

/// A Kubernetes event (scaling, readiness, OOM), newest last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeEvent {
    pub at: f64,
    pub object: String,
    pub reason: String,
    pub message: String,
    pub warning: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KubeState {
    pub api: WorkloadState,
    pub workers: WorkloadState,
    /// Recent events, oldest first.
    pub events: Vec<KubeEvent>,
    /// The guided actions' lock: who holds it.
    #[serde(default)]
    pub lease: crate::model::lease::LeaseView,
}

impl KubeState {
    pub fn workload(&self, w: Workload) -> &WorkloadState {
        match w {
            Workload::Api => &self.api,
            Workload::Workers => &self.workers,
        }
    }
}

/// Queue and cache, both from Redis.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RedisState {
    /// Length of each configured queue.
    pub queues: Vec<(String, u64)>,
    /// Size of the in-flight set.
    pub in_flight: u64,
    /// A cumulative count of completed tasks, when the platform keeps one.
    pub completed_total: Option<u64>,
    pub used_memory: u64,
    pub max_memory: u64,
    pub clients: u64,
    pub max_clients: u64,
    /// Cumulative keyspace hits and misses (INFO stats).
    pub hits: u64,
    pub misses: u64,
    pub ops_per_sec: f64,
    pub shards: u32,
    /// "ok" / "fail"; None on a single node.
    pub cluster_state: Option<String>,
    /// Used memory per shard (node address, bytes), on a cluster.
    pub shard_memory: Vec<(String, u64)>,
    pub round_trip_ms: f64,
    // Redis cluster (issue 9): the runbook's "When to Scale" signals per shard (per master).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shard_readings: Vec<ShardReading>,
}

/// One shard (a master, or the single node) as the runbook's "When to Scale" reads it: memory
/// against its maxmemory, connections against its maxclients, command latency, and the lag of
/// each of its replicas.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ShardReading {
    /// host:port of the master.
    pub addr: String,
    pub used_memory: u64,
    /// 0: no limit.
    pub max_memory: u64,
    pub clients: u64,
    /// 0: no limit.
    pub max_clients: u64,
    /// Hash slots it owns (of 16384); None on a single node.
    #[serde(default)]
    pub slots: Option<u32>,
    /// Slots it is migrating away or importing right now.
    #[serde(default)]
    pub moving_slots: u32,
    /// Mean microseconds per command over the last poll (INFO commandstats, the cockpit's own
    /// INFO/CLUSTER commands left out); None until two polls, or when no command ran.
    #[serde(default)]
    pub usec_per_call: Option<f64>,
    /// The worst command's p99 in microseconds since the server started (INFO latencystats,
    /// Redis 7+), with the command; None where the server does not report it.
    #[serde(default)]
    pub p99_usec: Option<(String, f64)>,
    #[serde(default)]
    pub replicas: Vec<ReplicaLink>,
}

impl ShardReading {
    /// Used memory in percent of maxmemory; None without a limit.
    pub fn memory_pct(&self) -> Option<f64> {
        (self.max_memory > 0).then(|| self.used_memory as f64 * 100.0 / self.max_memory as f64)
    }
    /// Connections in percent of maxclients; None without a limit.
    pub fn clients_pct(&self) -> Option<f64> {
        (self.max_clients > 0).then(|| self.clients as f64 * 100.0 / self.max_clients as f64)
    }
}

/// A replica of a shard, from its master's INFO replication.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReplicaLink {
    pub addr: String,
    /// "online", "wait_bgsave", "send_bulk", ...
    pub state: String,
    /// How far behind the master's replication offset, in bytes.
    pub lag_bytes: u64,
    /// Seconds since its last acknowledgement.
    pub lag_secs: u64,
}

impl RedisState {
    pub fn depth(&self) -> u64 {
        self.queues.iter().map(|(_, n)| n).sum()
    }
}

/// A running query, from pg_stat_activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryInfo {
    pub pid: i32,
    pub state: String,
    pub seconds: f64,
    pub query: String,
}

/// A statement from pg_stat_statements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementInfo {
    pub calls: i64,
    pub mean_ms: f64,
    pub total_ms: f64,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PostgresState {
    /// Connections by state (active, idle, idle in transaction, ...).
    pub by_state: BTreeMap<String, u32>,
    pub total: u32,
    pub max_connections: u32,
    pub longest: Vec<QueryInfo>,
    /// (replica name, lag in seconds).
    pub replica_lag: Vec<(String, f64)>,
    /// None when pg_stat_statements is not loaded.
    pub top_statements: Option<Vec<StatementInfo>>,
    pub round_trip_ms: f64,
}

impl PostgresState {
    pub fn active(&self) -> u32 {
        self.by_state.get("active").copied().unwrap_or(0)
    }
}

/// The CloudWatch metrics of one refresh. Each is None when CloudWatch returned no datapoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CloudState {
    /// Why a metric is None: its dimension is not set, or CloudWatch had no datapoint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gaps: BTreeMap<super::metric::MetricId, super::gap::Gap>,
    pub api_p99_ms: Option<f64>,
    pub api_5xx_pct: Option<f64>,
    pub api_rps: Option<f64>,
    pub db_cpu_pct: Option<f64>,
    pub db_free_memory: Option<f64>,
    pub db_connections: Option<f64>,
    pub cache_memory_pct: Option<f64>,
    pub cache_cpu_pct: Option<f64>,
}

/// One RDS instance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DbInstance {
    pub id: String,
    pub class: String,
    pub status: String,
    pub pending_class: Option<String>,
    pub is_replica: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RdsState {
    pub primary: Option<DbInstance>,
    pub replicas: Vec<DbInstance>,
    /// Why a configured (or looked-for) instance is not above: not found, with the setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<super::gap::Gap>,
}

/// One refresh of one source. Sent a few times a second at most, so the size difference between
/// the variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum SourceData {
    Kube(KubeState),
    Redis(RedisState),
    Postgres(PostgresState),
    #[serde(rename = "cloudwatch")]
    CloudWatch(CloudState),
    Rds(RdsState),
}

impl SourceData {
    pub fn source(&self) -> super::source::SourceId {
        use super::source::SourceId;
        match self {
            SourceData::Kube(_) => SourceId::Kube,
            SourceData::Redis(_) => SourceId::Redis,
            SourceData::Postgres(_) => SourceId::Postgres,
            SourceData::CloudWatch(_) => SourceId::CloudWatch,
            SourceData::Rds(_) => SourceId::Rds,
        }
    }
}

/// Everything known about the platform: the last good data of each source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PlatformState {
    pub kube: Option<KubeState>,
    pub redis: Option<RedisState>,
    pub postgres: Option<PostgresState>,
    pub cloud: Option<CloudState>,
    pub rds: Option<RdsState>,
}

impl PlatformState {
    pub fn apply(&mut self, data: SourceData) {
        match data {
            SourceData::Kube(k) => self.kube = Some(k),
            SourceData::Redis(r) => self.redis = Some(r),
            SourceData::Postgres(p) => self.postgres = Some(p),
            SourceData::CloudWatch(c) => self.cloud = Some(c),
            SourceData::Rds(r) => self.rds = Some(r),
        }
    }
}
