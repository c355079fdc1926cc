//! Redis (three shards): memory from the queue, the in-flight set and the response cache;
//! clients from the pools; a ~90% hit rate that falls while the cache warms up and when memory
//! nears maxmemory (evictions); operations per second from requests and task traffic.

use super::rng::Rng;
use super::settings::{REDIS_MAX_CLIENTS, REDIS_POOL_API, REDIS_POOL_WORKER, REDIS_SHARDS};
// Redis cluster (issue 9)
use super::shards::{NODE_MAX_MEMORY, SLOTS, SimCluster};
use crate::model::state::{ReplicaLink, ShardReading};

/// The load on Redis this second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CacheLoad {
    pub api_rps: f64,
    pub queue_len: u64,
    pub in_flight: u64,
    pub arrivals: u64,
    pub completions: u64,
    pub api_pods: u32,
    pub worker_pods: u32,
}

const BASE_BYTES: f64 = 256.0 * 1024.0 * 1024.0;
const QUEUED_BYTES: f64 = 2048.0;
const IN_FLIGHT_BYTES: f64 = 4096.0;
const KEY_BYTES: f64 = 6144.0;
/// Response cache TTL (runbook: 5 minutes) and the share of requests with a new key.
const TTL_SECS: f64 = 300.0;
const UNIQUE_SHARE: f64 = 0.25;
/// Time constant of the cache warming up to (or shrinking to) the traffic.
const WARM_SECS: f64 = 60.0;
/// Operations per second one shard serves at 100% CPU.
const OPS_PER_SHARD: f64 = 80_000.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    pub keys: f64,
    pub used_memory: u64,
    pub clients: u64,
    pub hits: u64,
    pub misses: u64,
    hit_carry: f64,
    miss_carry: f64,
    pub ops_per_sec: f64,
    pub cpu_pct: f64,
    pub round_trip_ms: f64,
    /// Bytes of the queue list (it lives on one shard: one key, one hash slot).
    pub queue_bytes: f64,
    /// Bytes a queued task takes in the queue's list (a drill's tasks may carry more).
    pub queued_task_bytes: f64,
    // Redis cluster (issue 9): the masters and their slots.
    pub cluster: SimCluster,
}

impl Cache {
    pub fn new() -> Self {
        Cache {
            keys: 0.0,
            used_memory: BASE_BYTES as u64,
            clients: 0,
            hits: 0,
            misses: 0,
            hit_carry: 0.0,
            miss_carry: 0.0,
            ops_per_sec: 0.0,
            cpu_pct: 0.0,
            round_trip_ms: 0.3,
            queue_bytes: 0.0,
            queued_task_bytes: QUEUED_BYTES,
            cluster: SimCluster::new(REDIS_SHARDS),
        }
    }

    /// A cache warmed by `api_rps` for a long while.
    pub fn prime(&mut self, api_rps: f64) {
        self.keys = api_rps * TTL_SECS * UNIQUE_SHARE;
    }

    /// maxmemory of the whole cluster: one node's for each master.
    pub fn max_memory(&self) -> u64 {
        NODE_MAX_MEMORY * u64::from(self.cluster.count())
    }

    pub fn memory_share(&self) -> f64 {
        self.used_memory as f64 / self.max_memory() as f64
    }

    pub fn step(&mut self, l: &CacheLoad, noise: &mut Rng) {
        self.cluster.step();
        let wanted_keys = l.api_rps * TTL_SECS * UNIQUE_SHARE;
        // Popular keys are cached within a minute of traffic; the rest expire with the TTL.
        self.keys += (wanted_keys - self.keys) / WARM_SECS;
        self.queue_bytes = l.queue_len as f64 * self.queued_task_bytes;
        let used = BASE_BYTES + self.queue_bytes + l.in_flight as f64 * IN_FLIGHT_BYTES + self.keys * KEY_BYTES;
        let used = used.min(self.max_memory() as f64);
        self.used_memory = used as u64;

        let warm = if wanted_keys > 1.0 { (self.keys / wanted_keys).min(1.0) } else { 1.0 };
        let pressure = (self.memory_share() - 0.75).max(0.0) * 2.0;
        let hit_rate = (0.92 - 0.25 * (1.0 - warm) - pressure + 0.01 * noise.noise()).clamp(0.0, 1.0);
        let lookups = l.api_rps * 1.5;
        self.hit_carry += lookups * hit_rate;
        self.miss_carry += lookups * (1.0 - hit_rate);
        let (h, m) = (self.hit_carry.floor(), self.miss_carry.floor());
        self.hits += h as u64;
        self.misses += m as u64;
        self.hit_carry -= h;
        self.miss_carry -= m;

        self.clients =
            (l.api_pods as u64 * REDIS_POOL_API + l.worker_pods as u64 * REDIS_POOL_WORKER + 8).min(REDIS_MAX_CLIENTS);
        let ops = lookups * 1.3
            + (l.arrivals * 2 + l.completions * 3) as f64
            + l.worker_pods as f64
            + l.in_flight as f64 / 10.0;
        self.ops_per_sec = ops * noise.jitter(0.02);
        let per_shard = self.ops_per_sec / f64::from(self.cluster.count());
        self.cpu_pct = (3.0 + per_shard / OPS_PER_SHARD * 100.0).min(100.0);
        self.round_trip_ms = (0.25 + 0.5 * self.cpu_pct / 100.0) * noise.jitter(0.05);
    }

    /// Used memory per shard: the queue's list on the first, the rest spread by slots.
    pub fn shard_memory(&self) -> Vec<(String, u64)> {
        let rest = (self.used_memory as f64 - self.queue_bytes).max(0.0);
        self.cluster
            .masters
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let bytes = rest * f64::from(m.slots) / f64::from(SLOTS) + if i == 0 { self.queue_bytes } else { 0.0 };
                (m.addr(), bytes as u64)
            })
            .collect()
    }

    /// Redis cluster (issue 9): each master's signals. Clients connect to every master (a
    /// cluster client keeps a connection per node); latency grows with the shard's CPU; each
    /// master has one replica a few hundred bytes behind under load. No noise is drawn: the
    /// scenarios' other numbers stay as they were.
    pub fn shard_readings(&self) -> Vec<ShardReading> {
        let n = self.cluster.count();
        let per_shard_ops = self.ops_per_sec / f64::from(n);
        self.shard_memory()
            .into_iter()
            .zip(&self.cluster.masters)
            .map(|((addr, used), m)| {
                let cpu = (3.0 + per_shard_ops / OPS_PER_SHARD * 100.0).min(100.0);
                let usec = 2.0 + 60.0 * (cpu / 100.0).powi(2);
                ShardReading {
                    addr,
                    used_memory: used,
                    max_memory: NODE_MAX_MEMORY,
                    clients: self.clients / u64::from(n),
                    max_clients: REDIS_MAX_CLIENTS / u64::from(n),
                    slots: Some(m.slots),
                    moving_slots: m.moving,
                    usec_per_call: (self.ops_per_sec > 0.0).then_some((usec * 10.0).round() / 10.0),
                    p99_usec: (self.ops_per_sec > 0.0).then(|| ("lpush".to_string(), (usec * 40.0).round() / 10.0)),
                    replicas: vec![ReplicaLink {
                        addr: format!("10.0.{}.22:6379", m.n),
                        state: "online".into(),
                        lag_bytes: (per_shard_ops * 0.4) as u64 + u64::from(m.moving) * 64,
                        lag_secs: u64::from(cpu > 90.0),
                    }],
                }
            })
            .collect()
    }
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new()
    }
}
