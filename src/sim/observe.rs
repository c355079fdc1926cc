//! What each live source would report, built from the simulator's state.

use super::engine::Simulator;
use super::pods::Deploy;
use super::settings::{EVENTS_OBSERVED, REDIS_MAX_CLIENTS};
use crate::model::state::{
    CloudState, KubeState, PodProblem, PodsSummary, PostgresState, RdsState, RedisState, SourceData, Usage, Workload,
    WorkloadState,
};

/// Problems listed per workload.
const PROBLEMS_SHOWN: usize = 5;

pub(super) fn pods_summary(d: &Deploy, now: u64) -> PodsSummary {
    let mut s = PodsSummary::default();
    let mut problems: Vec<(u8, u64, PodProblem)> = Vec::new();
    for p in &d.pods {
        s.total += 1;
        let ready = p.ready(now);
        if ready {
            s.ready += 1;
        }
        if p.terminating() {
            s.terminating += 1;
        } else if p.phase(now) == "Pending" {
            s.pending += 1;
        }
        s.restarts += p.restarts;
        if p.last_reason == Some("OOMKilled") {
            s.oom_killed += 1;
        }
        let rank = if p.terminating() {
            Some(2)
        } else if !ready && p.restarts > 0 {
            Some(0)
        } else if !ready {
            Some(1)
        } else if p.restarts > 0 {
            Some(3)
        } else {
            None
        };
        if let Some(rank) = rank {
            let reason = p.waiting_reason(now).or(p.last_reason).map(str::to_string);
            let problem = PodProblem {
                name: p.name.clone(),
                phase: p.phase(now).to_string(),
                ready,
                restarts: p.restarts,
                reason,
            };
            problems.push((rank, p.created, problem));
        }
    }
    problems.sort_by_key(|(rank, created, _)| (*rank, *created));
    s.problems = problems.into_iter().take(PROBLEMS_SHOWN).map(|(_, _, p)| p).collect();
    s
}

pub(super) fn usage(d: &Deploy, now: u64) -> Option<Usage> {
    let (mut n, mut cpu, mut mem) = (0u32, 0.0, 0.0);
    for p in d.pods.iter().filter(|p| p.ready(now)) {
        n += 1;
        cpu += p.cpu_pct;
        mem += p.memory_pct;
    }
    (n > 0).then(|| Usage { cpu_pct: cpu / n as f64, memory_pct: mem / n as f64 })
}

impl Simulator {
    /// One refresh of every source, as the live sources would report it.
    pub fn observe(&self) -> Vec<SourceData> {
        vec![
            SourceData::Kube(self.kube_state()),
            SourceData::Redis(self.redis_state()),
            SourceData::Postgres(self.postgres_state()),
            SourceData::CloudWatch(self.cloud_state()),
            SourceData::Rds(self.rds_state()),
        ]
    }

    pub fn workload_state(&self, w: Workload) -> WorkloadState {
        let now = self.tick;
        let (d, h) = match w {
            Workload::Api => (&self.api, &self.api_hpa),
            Workload::Workers => (&self.workers, &self.worker_hpa),
        };
        WorkloadState {
            deployment: Some(d.state(now)),
            hpa: Some(h.state()),
            pods: pods_summary(d, now),
            usage: usage(d, now),
        }
    }

    pub fn kube_state(&self) -> KubeState {
        KubeState {
            api: self.workload_state(Workload::Api),
            workers: self.workload_state(Workload::Workers),
            events: self.events.recent(EVENTS_OBSERVED),
            lease: match self.lock_holder() {
                Some(h) => crate::model::lease::LeaseView::Held(h.into()),
                None => crate::model::lease::LeaseView::Free,
            },
        }
    }

    pub fn redis_state(&self) -> RedisState {
        let c = &self.cache;
        RedisState {
            queues: vec![(self.settings.queue_key.clone(), self.queue.len())],
            in_flight: self.in_flight(),
            completed_total: Some(self.counters.completed),
            used_memory: c.used_memory,
            max_memory: c.max_memory(),
            clients: c.clients,
            max_clients: REDIS_MAX_CLIENTS,
            hits: c.hits,
            misses: c.misses,
            ops_per_sec: c.ops_per_sec,
            shards: c.cluster.count(),
            cluster_state: Some("ok".into()),
            shard_memory: c.shard_memory(),
            round_trip_ms: c.round_trip_ms,
            shard_readings: c.shard_readings(),
        }
    }

    pub fn postgres_state(&self) -> PostgresState {
        let pg = &self.pg;
        PostgresState {
            by_state: pg.by_state(),
            total: pg.total,
            max_connections: pg.max_connections,
            longest: pg.longest(),
            replica_lag: self.rds.replicas.iter().map(|r| r.id.clone()).zip(pg.lag.iter().copied()).collect(),
            top_statements: Some(pg.top_statements()),
            round_trip_ms: pg.round_trip_ms,
        }
    }

    pub fn cloud_state(&self) -> CloudState {
        self.cloud.state()
    }

    pub fn rds_state(&self) -> RdsState {
        self.rds.state()
    }
}
