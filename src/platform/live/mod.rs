//! The live platform: the `Platform` operations against Kubernetes, Redis, PostgreSQL, RDS,
//! CloudWatch and the notify channel. What is not configured answers `Blind` with what to
//! configure.

mod data_ops;
mod errors;
mod kube_ops;
pub(crate) mod lease;
mod notify;
mod rds_replica;
// Redis cluster (issue 9)
mod elasticache;
mod redis_cluster_ops;

pub use kube_ops::KubeOps;
pub use lease::ACTION_KEY;

use crate::config::Config;
use crate::config::sources::NotifyConfig;
use crate::live::{Clock, Targets};
use crate::model::SourceId;
use crate::model::state::{DbInstance, Usage, Workload};
use crate::platform::{Deployment, Hpa, LockOutcome, PResult, Platform, Pod, WriteOpts};
use async_trait::async_trait;
use data_ops::{AwsOps, PgOps, RedisOps};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::Mutex;

pub struct LivePlatform {
    kube: Option<KubeOps>,
    redis: Option<RedisOps>,
    pg: Option<PgOps>,
    aws: Option<AwsOps>,
    notify: NotifyConfig,
    clock: Clock,
    // Redis cluster (issue 9)
    elasticache: Option<elasticache::ElastiCacheOps>,
    identity: String,
    describe: String,
    /// postgres.replica_hosts (read replicas, issue 9).
    replica_hosts: BTreeMap<String, String>,
}

impl LivePlatform {
    /// The platform over the resolved targets; asks the API server who we are (a
    /// SelfSubjectReview) once.
    pub async fn connect(config: &Config, targets: &Targets, clock: Clock) -> LivePlatform {
        let kube = match &targets.kube {
            Some(Ok(k)) => Some(KubeOps {
                client: k.client.clone(),
                namespace: k.namespace.clone(),
                cfg: config.kubernetes.clone(),
                clock,
            }),
            _ => None,
        };
        let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into());
        let who = match &kube {
            Some(k) => crate::live::kube::identity(&k.client).await,
            None => None,
        };
        let identity = match who {
            Some(w) => format!("{user} (kubernetes: {w})"),
            None => user,
        };
        LivePlatform {
            kube,
            redis: match &targets.redis {
                Some(Ok(t)) => Some(RedisOps { target: t.clone(), cfg: config.redis.clone(), con: Mutex::new(None) }),
                _ => None,
            },
            pg: match &targets.postgres {
                Some(Ok(t)) => Some(PgOps { target: t.clone(), client: Mutex::new(None) }),
                _ => None,
            },
            aws: match &targets.aws {
                Some(Ok(t)) => Some(AwsOps {
                    rds: aws_sdk_rds::Client::new(&t.sdk),
                    cw: aws_sdk_cloudwatch::Client::new(&t.sdk),
                    cfg: config.aws.clone(),
                    discovery: t.discovery.clone(),
                    region: t.region.clone(),
                }),
                _ => None,
            },
            notify: config.notify.clone(),
            clock,
            elasticache: match (&targets.aws, &targets.redis) {
                (Some(Ok(a)), redis) => Some(elasticache::ElastiCacheOps {
                    client: aws_sdk_elasticache::Client::new(&a.sdk),
                    group: config.aws.elasticache_group.clone(),
                    redis_addrs: match redis {
                        Some(Ok(r)) => r.nodes.iter().map(|n| n.addr().to_string()).collect(),
                        _ => Vec::new(),
                    },
                }),
                _ => None,
            },
            identity,
            describe: targets.describe(),
            replica_hosts: config.postgres.replica_hosts.clone(),
        }
    }

    fn k(&self) -> PResult<&KubeOps> {
        self.kube.as_ref().ok_or_else(|| errors::not_configured(SourceId::Kube))
    }
    fn r(&self) -> PResult<&RedisOps> {
        self.redis.as_ref().ok_or_else(|| errors::not_configured(SourceId::Redis))
    }
    fn p(&self) -> PResult<&PgOps> {
        self.pg.as_ref().ok_or_else(|| errors::not_configured(SourceId::Postgres))
    }
    fn a(&self) -> PResult<&AwsOps> {
        self.aws.as_ref().ok_or_else(|| errors::not_configured(SourceId::CloudWatch))
    }
    fn e(&self) -> PResult<&elasticache::ElastiCacheOps> {
        self.elasticache.as_ref().ok_or_else(|| errors::not_configured(SourceId::CloudWatch))
    }
}

#[async_trait]
impl Platform for LivePlatform {
    fn describe(&self) -> String {
        self.describe.clone()
    }
    fn identity(&self) -> String {
        self.identity.clone()
    }
    fn now(&self) -> f64 {
        self.clock.now()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await
    }

    async fn deployment(&self, w: Workload) -> PResult<Deployment> {
        self.k()?.deployment(w).await
    }
    async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
        self.k()?.scale(w, replicas, opts).await
    }
    async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
        self.k()?.annotate(w, key, value, opts).await
    }
    async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
        self.k()?.set_limits(w, cpu, memory, opts).await
    }
    async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
        self.k()?.pods(w).await
    }
    async fn pod_health(&self, pod: &str) -> PResult<String> {
        self.k()?.pod_health(pod).await
    }
    async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
        self.k()?.usage(w).await
    }

    async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
        self.k()?.hpa(w).await
    }
    async fn replace_hpa(
        &self,
        w: Workload,
        spec: &serde_json::Value,
        annotations: &BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa> {
        self.k()?.replace_hpa(w, spec, annotations, opts).await
    }

    async fn queue_depth(&self) -> PResult<u64> {
        self.r()?.queue_depth().await
    }
    async fn in_flight(&self) -> PResult<u64> {
        self.r()?.in_flight().await
    }

    async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.a()?.db_instances().await
    }
    async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        self.a()?.modify_db_class(id, class, apply_now).await
    }
    async fn db_ping(&self) -> PResult<f64> {
        self.p()?.ping().await
    }
    async fn db_max_connections(&self) -> PResult<u32> {
        self.p()?.max_connections().await
    }

    async fn api_latency_p99(&self) -> PResult<Option<f64>> {
        self.a()?.api_latency_p99().await
    }
    async fn api_error_rate(&self) -> PResult<Option<f64>> {
        self.a()?.api_error_rate().await
    }

    async fn notify(&self, message: &str) -> PResult<()> {
        notify::notify(&self.notify, message).await
    }

    async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
        self.k()?.acquire_lock(holder, action, ttl).await
    }
    async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
        self.k()?.renew_lock(holder, ttl).await
    }
    async fn release_lock(&self, holder: &str) -> PResult<()> {
        self.k()?.release_lock(holder).await
    }

    // Read replicas (issue 9)
    async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.a()?.db_replica_set().await
    }
    async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
        self.a()?.create_db_replica(id, class).await
    }
    async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
        self.a()?.delete_db_replica(id).await
    }
    async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        self.a()?.db_replica_lag(id).await
    }
    async fn db_replica_ping(&self, id: &str) -> PResult<f64> {
        self.a()?.db_replica_ping(id, self.pg.as_ref().map(|p| &p.target), &self.replica_hosts).await
    }
    async fn db_replica_connections(&self, id: &str) -> PResult<u32> {
        self.a()?.db_replica_connections(id, self.pg.as_ref().map(|p| &p.target), &self.replica_hosts).await
    }
    // Redis cluster (issue 9)
    async fn redis_cluster(&self) -> PResult<crate::platform::shards::ClusterView> {
        redis_cluster_ops::cluster_view(&self.r()?.target).await
    }
    async fn redis_group(&self) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.e()?.group().await
    }
    async fn modify_redis_shards(
        &self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.e()?.modify_shards(group, shards, remove).await
    }
}
