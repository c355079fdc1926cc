//! Each metric's current value read from the platform's state, or the gap that says why it has
//! none; the level of a queue that never drains.

use super::Board;
use crate::model::gap::{Gap, GapKind};
use crate::model::level::{Level, Threshold};
use crate::model::metric::MetricId;
use crate::model::source::{SourceId, SourceStatus};

impl Board {
    /// The current value of a metric, or why it has none.
    pub(super) fn value_of(&self, id: MetricId) -> Result<f64, Gap> {
        let s = &self.state;
        use MetricId as M;
        let src = |source: SourceId| self.source_gap(source);
        match id {
            M::WorkerCpu | M::WorkerMemory | M::ApiCpu | M::ApiMemory => {
                let k = s.kube.as_ref().ok_or_else(|| src(SourceId::Kube))?;
                let w = if matches!(id, M::WorkerCpu | M::WorkerMemory) {
                    crate::model::state::Workload::Workers
                } else {
                    crate::model::state::Workload::Api
                };
                let ws = k.workload(w);
                let u = ws.usage.ok_or_else(|| {
                    let name = ws.deployment.as_ref().map(|d| d.name.as_str()).unwrap_or(w.label());
                    Gap::new(
                        GapKind::NoData,
                        format!("metrics.k8s.io served no pod metrics for {name} (is metrics-server installed?)"),
                    )
                })?;
                Ok(if matches!(id, M::WorkerCpu | M::ApiCpu) { u.cpu_pct } else { u.memory_pct })
            }
            M::QueueDepth => s.redis.as_ref().map(|r| r.depth() as f64).ok_or_else(|| src(SourceId::Redis)),
            M::InFlight => s.redis.as_ref().map(|r| r.in_flight as f64).ok_or_else(|| src(SourceId::Redis)),
            M::AgentWait | M::Throughput | M::DrainTime => {
                s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                let v = match id {
                    M::AgentWait => self.rates.wait_secs,
                    M::Throughput => self.rates.throughput.map(|t| t * 60.0),
                    _ => self.rates.drain_secs,
                };
                v.ok_or_else(|| Gap::new(GapKind::Waiting, "a rate needs two samples of the queue"))
            }
            M::RedisMemory => {
                let r = s.redis.as_ref();
                if let Some(r) = r.filter(|r| r.max_memory > 0) {
                    return Ok(r.used_memory as f64 * 100.0 / r.max_memory as f64);
                }
                if let Some(v) = s.cloud.as_ref().and_then(|c| c.cache_memory_pct) {
                    return Ok(v);
                }
                let r = r.ok_or_else(|| src(SourceId::Redis))?;
                Err(Gap::new(
                    GapKind::NoLimit,
                    format!(
                        "maxmemory is 0 (no limit): {} used, and a share of no limit means nothing",
                        crate::model::units::bytes(r.used_memory as f64)
                    ),
                )
                .setting("maxmemory on the Redis server, or aws.elasticache_nodes for ElastiCache's own percentage"))
            }
            M::RedisClients => {
                let r = s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                if r.max_clients == 0 {
                    return Err(Gap::new(GapKind::NoLimit, format!("maxclients is 0: {} clients", r.clients)));
                }
                Ok(r.clients as f64 * 100.0 / r.max_clients as f64)
            }
            M::RedisHitRate => {
                s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                self.rates.hit_rate.ok_or_else(|| {
                    Gap::new(GapKind::NoTraffic, "no keyspace hits or misses in the last minute: nothing to rate")
                })
            }
            M::RedisOps => s.redis.as_ref().map(|r| r.ops_per_sec).ok_or_else(|| src(SourceId::Redis)),
            M::ApiP99 | M::ApiErrorRate | M::ApiRps | M::DbCpu => {
                let c = s.cloud.as_ref().ok_or_else(|| src(SourceId::CloudWatch))?;
                let v = match id {
                    M::ApiP99 => c.api_p99_ms,
                    M::ApiErrorRate => c.api_5xx_pct,
                    M::ApiRps => c.api_rps,
                    _ => c.db_cpu_pct,
                };
                v.ok_or_else(|| {
                    c.gaps.get(&id).cloned().unwrap_or_else(|| {
                        Gap::new(GapKind::NoData, "CloudWatch returned no datapoint in the last 10 minutes")
                    })
                })
            }
            M::DbConnections => {
                let p = s.postgres.as_ref().ok_or_else(|| src(SourceId::Postgres))?;
                if p.max_connections == 0 {
                    return Err(Gap::new(GapKind::NoData, "the server did not tell its max_connections"));
                }
                Ok(p.total as f64 * 100.0 / p.max_connections as f64)
            }
            M::ReplicaLag => {
                let p = s.postgres.as_ref().ok_or_else(|| src(SourceId::Postgres))?;
                p.replica_lag.iter().map(|(_, l)| *l).reduce(f64::max).ok_or_else(|| {
                    Gap::new(GapKind::NoReplicas, "no replica reports lag (pg_stat_replication is empty here)")
                })
            }
            M::DbRoundTrip => s.postgres.as_ref().map(|p| p.round_trip_ms).ok_or_else(|| src(SourceId::Postgres)),
        }
    }

    /// A queue that does not drain is never OK. While it holds no more than the ready workers
    /// clear in the target queue time it is flow more than backlog (a warning: it grows); past
    /// that, it is a backlog that will not clear (the threshold's critical level).
    pub(super) fn never_draining_level(&self, th: Threshold) -> Level {
        let depth = self.state.redis.as_ref().map(|r| r.depth() as f64).unwrap_or(0.0);
        let flow = self.rates.throughput.unwrap_or(0.0) * self.settings.capacity.target_queue_secs;
        let backlog = th.level(f64::INFINITY).max(Level::Warn);
        if depth <= flow { Level::Warn } else { backlog }
    }

    /// Why a source has given no data: not configured, not answered yet, or failing.
    fn source_gap(&self, source: SourceId) -> Gap {
        match self.status.get(&source) {
            Some(SourceStatus::NotConfigured) | None => {
                Gap::new(GapKind::NotConfigured, format!("{source} is not configured")).setting(source.setting())
            }
            Some(SourceStatus::Connecting) | Some(SourceStatus::Live { .. }) => {
                Gap::new(GapKind::Waiting, format!("no answer from {source} yet"))
            }
            Some(SourceStatus::Stale { failure, .. }) => {
                Gap::new(GapKind::NoData, format!("{source} has not answered since the start: {failure}"))
            }
        }
    }
}
