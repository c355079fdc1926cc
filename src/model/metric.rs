//! The catalogue of metrics the cockpit shows, with their units and the runbook's thresholds.

use super::level::{Bound, Threshold};
use super::source::SourceId;
use super::units::Unit;
use serde::{Deserialize, Serialize};

macro_rules! metrics {
    ($( $id:ident = $key:literal, $label:literal, $unit:ident, $src:ident, $thr:expr ;)*) => {
        /// Every metric the cockpit knows. The key is the name used in config and snapshots.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum MetricId { $( $id ),* }

        impl MetricId {
            pub const ALL: &'static [MetricId] = &[ $( MetricId::$id ),* ];

            pub fn key(self) -> &'static str {
                match self { $( MetricId::$id => $key ),* }
            }
            pub fn label(self) -> &'static str {
                match self { $( MetricId::$id => $label ),* }
            }
            pub fn unit(self) -> Unit {
                match self { $( MetricId::$id => Unit::$unit ),* }
            }
            /// The source whose data this metric is computed from.
            pub fn source(self) -> SourceId {
                match self { $( MetricId::$id => SourceId::$src ),* }
            }
            /// The default thresholds, from the runbook where it gives them.
            pub fn default_threshold(self) -> Threshold {
                match self { $( MetricId::$id => $thr ),* }
            }
        }
    };
}

const fn t(w: f64, c: f64) -> Threshold {
    Threshold::new(Bound::above(w), Bound::above(c))
}

metrics! {
    // The runbook's "Key Scaling Metrics" table, with its comparisons as worded there.
    WorkerCpu = "cpu_utilization", "CPU utilization (workers)", Percent, Kube, t(70.0, 85.0);
    WorkerMemory = "memory_utilization", "Memory utilization (workers)", Percent, Kube, t(75.0, 90.0);
    QueueDepth = "queue_depth", "Queue depth", Tasks, Redis, t(1000.0, 5000.0);
    ApiP99 = "api_latency_p99", "API latency p99", Millis, CloudWatch, t(500.0, 2000.0);
    AgentWait = "agent_wait_time", "Agent wait time", Seconds, Redis, t(30.0, 60.0);
    // API pods: "CPU utilization > 70%" is the runbook's trigger; 85% mirrors the key table.
    ApiCpu = "api_cpu", "API CPU", Percent, Kube, t(70.0, 85.0);
    ApiMemory = "api_memory", "API memory", Percent, Kube, t(75.0, 90.0);
    // The load-test threshold is rate < 1%; emergency scaling starts at 10%.
    ApiErrorRate = "api_error_rate", "API error rate (5xx)", Percent, CloudWatch, t(1.0, 10.0);
    ApiRps = "api_requests", "API requests", ReqPerSec, CloudWatch, Threshold::NONE;
    InFlight = "in_flight", "Tasks in flight", Tasks, Redis, Threshold::NONE;
    Throughput = "throughput", "Worker throughput", TasksPerMin, Redis, Threshold::NONE;
    // Not in the runbook: its target queue time is 60 s, so a backlog that needs over 10 minutes
    // to clear keeps tasks waiting ten times that; a queue that never drains is past any bound.
    DrainTime = "drain_time", "Time to drain queue", Seconds, Redis, t(600.0, 1800.0);
    // Redis: "Memory utilization > 75%"; hit rate target "> 80%".
    RedisMemory = "redis_memory", "Redis memory", Percent, Redis, t(75.0, 90.0);
    RedisClients = "redis_clients", "Redis clients (of max)", Percent, Redis, t(80.0, 95.0);
    RedisHitRate = "redis_hit_rate", "Cache hit rate", Percent, Redis,
        Threshold::new(Bound::at_most(80.0), Bound::below(50.0));
    RedisOps = "redis_ops", "Redis operations", OpsPerSec, Redis, Threshold::NONE;
    // Database: "Connection count near max", "CPU consistently > 80%".
    DbConnections = "db_connections", "DB connections (of max)", Percent, Postgres, t(80.0, 95.0);
    DbCpu = "db_cpu", "DB CPU", Percent, CloudWatch, t(80.0, 90.0);
    ReplicaLag = "replica_lag", "Replica lag (max)", Seconds, Postgres, t(5.0, 30.0);
    DbRoundTrip = "db_round_trip", "DB round trip", Millis, Postgres, t(20.0, 100.0);
}

impl MetricId {
    /// The five metrics of the runbook's key table, in its order.
    pub const KEY: [MetricId; 5] =
        [MetricId::WorkerCpu, MetricId::WorkerMemory, MetricId::QueueDepth, MetricId::ApiP99, MetricId::AgentWait];

    /// Inputs of the runbook's emergency conditions (queue > 10,000, p99 > 5 s, errors > 10%).
    pub fn feeds_emergency(self) -> bool {
        matches!(self, MetricId::QueueDepth | MetricId::ApiP99 | MetricId::ApiErrorRate)
    }

    pub fn from_key(key: &str) -> Option<MetricId> {
        MetricId::ALL.iter().copied().find(|m| m.key() == key)
    }

    /// The runbook's "Scale Action" for a metric in alarm, where it names one.
    pub fn scale_action(self) -> Option<&'static str> {
        match self {
            MetricId::WorkerCpu | MetricId::WorkerMemory | MetricId::QueueDepth | MetricId::AgentWait => {
                Some("scale workers")
            }
            MetricId::ApiP99 | MetricId::ApiCpu | MetricId::ApiMemory => Some("scale API pods"),
            MetricId::RedisMemory | MetricId::RedisClients => Some("add a Redis shard"),
            MetricId::DbConnections | MetricId::DbCpu => Some("scale the database"),
            _ => None,
        }
    }
}
