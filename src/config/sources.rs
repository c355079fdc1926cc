//! Configuration of the live sources and of the actions. Every field has a default from the
//! runbook, so a config file only names what differs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KubeConfig {
    /// The kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: its current context).
    pub context: Option<String>,
    /// The namespace of the platform's deployments.
    #[schemars(pattern(r"\S"))]
    pub namespace: String,
    /// The API server's Deployment.
    #[schemars(pattern(r"\S"))]
    pub api_deployment: String,
    /// The agent workers' Deployment.
    #[schemars(pattern(r"\S"))]
    pub worker_deployment: String,
    /// The API server's HorizontalPodAutoscaler.
    #[schemars(pattern(r"\S"))]
    pub api_hpa: String,
    /// The workers' HorizontalPodAutoscaler.
    #[schemars(pattern(r"\S"))]
    pub worker_hpa: String,
    /// Port of the pods' health endpoint, read through the API server's pod proxy.
    #[schemars(range(min = 1))]
    pub health_port: u16,
    /// Path of the pods' health endpoint (starts with /).
    #[schemars(pattern(r"^/"))]
    pub health_path: String,
    /// The Lease that serialises guided actions (one action at a time, across every cockpit).
    #[schemars(pattern(r"\S"))]
    pub lease_name: String,
    /// Seconds between reads of pod metrics (metrics.k8s.io cannot be watched). Never more
    /// often than the refresh; metrics-server's own resolution is 15 s by default, so reading
    /// more often returns the same numbers and costs a LIST of every pod's metrics. 1 to 3600.
    #[schemars(range(min = 1, max = 3600))]
    pub metrics_refresh_secs: f64,
}

impl KubeConfig {
    /// The deployment of a workload.
    pub fn deployment(&self, w: crate::model::state::Workload) -> &str {
        match w {
            crate::model::state::Workload::Api => &self.api_deployment,
            crate::model::state::Workload::Workers => &self.worker_deployment,
        }
    }

    /// The HPA of a workload.
    pub fn hpa(&self, w: crate::model::state::Workload) -> &str {
        match w {
            crate::model::state::Workload::Api => &self.api_hpa,
            crate::model::state::Workload::Workers => &self.worker_hpa,
        }
    }
}

impl Default for KubeConfig {
    fn default() -> Self {
        KubeConfig {
            kubeconfig: None,
            context: None,
            namespace: "production".into(),
            api_deployment: "api-server".into(),
            worker_deployment: "agent-worker".into(),
            api_hpa: "api-server-hpa".into(),
            worker_hpa: "worker-hpa".into(),
            health_port: 8080,
            health_path: "/health".into(),
            lease_name: "cockpit-actions".into(),
            metrics_refresh_secs: 15.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    /// redis:// or rediss:// (TLS). `REDIS_URL` is used when this is absent.
    pub url: Option<String>,
    /// Environment variable holding the password, when it is not in the URL.
    pub password_env: Option<String>,
    /// A file holding the password, when it is not in the URL.
    pub password_file: Option<PathBuf>,
    /// Talk to a Redis Cluster (per-node INFO, CLUSTER INFO).
    pub cluster: bool,
    /// The task queues' keys (lists): their lengths add up to the queue depth. At least one.
    #[schemars(length(min = 1), inner(pattern(r"\S")))]
    pub queues: Vec<String>,
    /// The key of the set of tasks being processed (the tasks in flight).
    #[schemars(pattern(r"\S"))]
    pub processing_set: String,
    /// A counter of completed tasks, when the platform keeps one: gives exact throughput.
    pub completed_counter: Option<String>,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: None,
            password_env: None,
            password_file: None,
            cluster: false,
            queues: vec!["agent:queue:default".into()],
            processing_set: "agent:processing".into(),
            completed_counter: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PostgresConfig {
    /// libpq-style connection string or URL. `DATABASE_URL`, then the PG* variables, otherwise.
    pub url: Option<String>,
    /// A file holding the password, when it is not in the URL (PGPASSFILE and ~/.pgpass are
    /// read too).
    pub password_file: Option<PathBuf>,
    // Read replicas (issue 9)
    /// Where to reach a read replica, by its RDS identifier, as "HOST:PORT" (an SSH tunnel or a
    /// bastion's forward), when its RDS endpoint cannot be reached from here. The primary's user,
    /// password, database and TLS settings are used. Unset: the replica's RDS endpoint.
    #[schemars(inner(pattern(r"^\S+:[0-9]+$")))]
    pub replica_hosts: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AwsConfig {
    /// Read CloudWatch and RDS at all (on by default when credentials are found).
    pub enabled: Option<bool>,
    /// The AWS profile (default: AWS_PROFILE, then the default profile).
    pub profile: Option<String>,
    /// The AWS region (default: AWS_REGION, then the profile's).
    pub region: Option<String>,
    /// Another endpoint for every AWS API (a test peer, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// The ALB's CloudWatch dimension, e.g. "app/agentos-alb/50dc6c495c0c9188". Unset: discovered
    /// from the Ingress (or LoadBalancer Service) of the API deployment's Service.
    pub load_balancer: Option<String>,
    /// The RDS primary's identifier. Unset: the instance whose endpoint is the database host
    /// (postgres.url, DATABASE_URL or PGHOST), else the runbook's name, "agentos-primary".
    pub rds_primary: Option<String>,
    /// The RDS read replicas' identifiers.
    pub rds_replicas: Vec<String>,
    /// The ElastiCache replication group of the Redis (scale-redis changes its shard count).
    /// When no group has this name, the one whose endpoints include the Redis address is used.
    pub elasticache_group: String,
    /// ElastiCache node ids (the CloudWatch dimension CacheClusterId, e.g.
    /// "agentos-redis-0001-001") whose memory and engine CPU are read; none: not read.
    pub elasticache_nodes: Vec<String>,
    // Capacity review (issue 9)
    /// The CloudWatch namespace the platform publishes its own metrics in (AgentExecutions, Sum;
    /// ConcurrentAgents, Maximum; QueueDepth, Average), for `cockpit capacity`. Unset: those come
    /// from the cockpit's recordings only.
    pub platform_namespace: Option<String>,
    /// CloudWatch statistic of the API latency: a percentile such as "p99" (above 0, at most
    /// 100), or one of Average, Maximum, Minimum, Sum, SampleCount (moto, the test peer, serves
    /// no percentiles: its tests use "Maximum").
    #[schemars(schema_with = "super::schema::values::latency_statistic")]
    pub latency_statistic: String,
    /// Seconds between CloudWatch reads: its metrics have a one-minute granularity. 1 to 3600.
    #[schemars(range(min = 1, max = 3600))]
    pub cloudwatch_refresh_secs: f64,
    /// Seconds between RDS DescribeDBInstances calls, 1 to 3600.
    #[schemars(range(min = 1, max = 3600))]
    pub rds_refresh_secs: f64,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            enabled: None,
            profile: None,
            region: None,
            endpoint_url: None,
            load_balancer: None,
            rds_primary: None,
            rds_replicas: vec!["agentos-replica-1".into(), "agentos-replica-2".into()],
            elasticache_group: "agentos-redis".into(),
            elasticache_nodes: Vec::new(),
            platform_namespace: None,
            latency_statistic: "p99".into(),
            cloudwatch_refresh_secs: 60.0,
            rds_refresh_secs: 30.0,
        }
    }
}

/// The runbook's name of the RDS primary: used when `aws.rds_primary` is unset and discovery
/// finds nothing.
pub const RUNBOOK_RDS_PRIMARY: &str = "agentos-primary";

impl AwsConfig {
    /// The RDS primary set in the config, else the runbook's name (the live sources prefer a
    /// discovered instance to the runbook's name: see `live::discover`).
    pub fn rds_primary_or_runbook(&self) -> &str {
        self.rds_primary.as_deref().unwrap_or(RUNBOOK_RDS_PRIMARY)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// A shell command; the message is in `$COCKPIT_MESSAGE` and on its stdin.
    pub command: Option<String>,
    /// A URL that receives `{"text": message}` as JSON (http:// or https://).
    #[schemars(pattern(r"^https?://"))]
    pub webhook: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActionsConfig {
    /// Manifests to restore HPAs from, instead of the saved specs.
    pub hpa_manifests_dir: Option<PathBuf>,
    /// Seconds the action lock (a Lease) lives unless renewed, 15 to 3600: it is renewed every
    /// third of it.
    #[schemars(range(min = 15, max = 3600))]
    pub lock_ttl_secs: u64,
    /// Seconds to wait for scaled pods to be ready, 10 to 86400.
    #[schemars(range(min = 10, max = 86_400))]
    pub ready_timeout_secs: u64,
    /// Seconds to wait for workers to drain the queue, 60 to 14400 (the drain form asks for 1 to
    /// 240 minutes).
    #[schemars(range(min = 60, max = 14_400))]
    pub drain_timeout_secs: u64,
    /// Wait between halving steps of a scale-down (the runbook's 5 minutes), 0 to 86400 seconds.
    #[schemars(range(min = 0, max = 86_400))]
    pub scale_down_wait_secs: u64,
    /// Seconds to wait for an RDS change (a resize, a replica), 60 to 86400.
    #[schemars(range(min = 60, max = 86_400))]
    pub rds_timeout_secs: u64,
    // Read replicas (issue 9)
    /// Connections each API pod opens to each read replica (the application's read pool).
    /// Unset: add-replica says the connections it will get are unknown and names this setting.
    #[schemars(range(min = 0, max = 10_000))]
    pub replica_conns_per_api_pod: Option<f64>,
    /// Connections each worker opens to each read replica (its read pool). Unset: unknown.
    #[schemars(range(min = 0, max = 10_000))]
    pub replica_conns_per_worker: Option<f64>,
    // Redis cluster (issue 9)
    /// Seconds to wait for a Redis reshard (scale-redis) to spread the slots evenly, 10 to
    /// 86400 (ElastiCache moves a few hundred slots a second; more data, longer).
    #[schemars(range(min = 10, max = 86_400))]
    pub reshard_timeout_secs: u64,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig {
            hpa_manifests_dir: None,
            lock_ttl_secs: 60,
            ready_timeout_secs: 600,
            drain_timeout_secs: 1800,
            scale_down_wait_secs: 300,
            rds_timeout_secs: 3600,
            replica_conns_per_api_pod: None,
            replica_conns_per_worker: None,
            reshard_timeout_secs: 7200,
        }
    }
}

/// Settings that apply to one Kubernetes context only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ContextConfig {
    /// Refuse every mutating action in this context.
    pub read_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rds_primary_tells_set_from_default_and_old_files_stay_valid() {
        let unset: AwsConfig = toml::from_str("region = \"us-east-1\"").expect("valid");
        assert_eq!((unset.rds_primary.as_deref(), unset.rds_primary_or_runbook()), (None, RUNBOOK_RDS_PRIMARY));
        // A file written for the older `rds_primary: String` reads the same, now as set.
        let set: AwsConfig = toml::from_str("rds_primary = \"agentos-primary\"").expect("valid");
        assert_eq!(set.rds_primary.as_deref(), Some("agentos-primary"));
        let other: AwsConfig = toml::from_str("rds_primary = \"orders-db\"").expect("valid");
        assert_eq!(other.rds_primary_or_runbook(), "orders-db");
    }
}
