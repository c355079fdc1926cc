//! The Redis source: queue lengths, the in-flight set and INFO. On a single node everything
//! is one pipeline (one round trip); on a cluster, where a pipeline across slots fails with
//! CROSSSLOT, the keys are read through the cluster client and INFO + CLUSTER INFO go as one
//! pipeline to each master.

use super::poll::Poller;
use super::redis_info::{NodeInfo, int, slot_masters, text};
use crate::config::sources::RedisConfig;
use crate::live::classify;
use crate::live::redis::{RedisConn, RedisTarget};
use crate::model::state::RedisState;
use crate::model::{FailureKind, SourceData, SourceFailure, SourceId};
use redis::Value;
use redis::aio::MultiplexedConnection;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use std::time::Instant;

const SECTIONS: [&str; 4] = ["memory", "clients", "stats", "replication"];

pub struct RedisSource {
    target: RedisTarget,
    cfg: RedisConfig,
    con: Option<RedisConn>,
    /// The cluster's masters, found with CLUSTER SLOTS and kept until a read fails.
    masters: Vec<(String, u16)>,
    /// Keyspace hits and misses without the cockpit's own reads.
    keyspace: OwnReads,
}

impl RedisSource {
    pub fn new(target: RedisTarget, cfg: RedisConfig) -> RedisSource {
        RedisSource { target, cfg, con: None, masters: Vec::new(), keyspace: OwnReads::default() }
    }
}

/// The cockpit's own reads count in Redis's keyspace statistics: LLEN, SCARD and GET of a key
/// that does not exist are misses (Redis deletes an empty list or set, so a length of 0 means
/// no key), of one that exists hits. On an idle platform they alone would make the hit rate 0%.
/// This keeps the counters as the platform's traffic made them: each poll's increase, less the
/// poll's own reads, added up (a counter that went back, after a restart or CONFIG RESETSTAT,
/// counts from zero again).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct OwnReads {
    last_raw: Option<(u64, u64)>,
    hits: u64,
    misses: u64,
}

impl OwnReads {
    /// The hits and misses of this poll's own reads of the queue keys.
    pub fn of(state: &RedisState, counter_configured: bool) -> (u64, u64) {
        let mut hits = 0;
        let mut misses = 0;
        let lengths = state.queues.iter().map(|(_, n)| *n).chain([state.in_flight]);
        for n in lengths {
            if n == 0 { misses += 1 } else { hits += 1 }
        }
        if counter_configured {
            if state.completed_total.is_some() { hits += 1 } else { misses += 1 }
        }
        (hits, misses)
    }

    /// Take the raw counters of one poll and its own reads; the platform's counters.
    pub fn observe(&mut self, raw: (u64, u64), own: (u64, u64)) -> (u64, u64) {
        let delta = |now: u64, before: Option<u64>| match before {
            Some(b) if now >= b => now - b,
            _ => now,
        };
        let dh = delta(raw.0, self.last_raw.map(|r| r.0));
        let dm = delta(raw.1, self.last_raw.map(|r| r.1));
        self.hits += dh.saturating_sub(own.0);
        self.misses += dm.saturating_sub(own.1);
        self.last_raw = Some(raw);
        (self.hits, self.misses)
    }
}

impl Poller for RedisSource {
    fn id(&self) -> SourceId {
        SourceId::Redis
    }

    fn reset(&mut self) {
        self.con = None;
        self.masters.clear();
    }

    async fn refresh(&mut self) -> Result<SourceData, SourceFailure> {
        let con = match &self.con {
            Some(c) => c.clone(),
            None => {
                let c = self.target.connect().await?;
                self.con = Some(c.clone());
                c
            }
        };
        let mut state = match con {
            RedisConn::Single(c) => single(c, &self.cfg).await?,
            RedisConn::Cluster(c) => {
                if self.masters.is_empty() {
                    self.masters = masters(c.clone(), &self.target).await?;
                }
                cluster(c, &self.cfg, &self.masters).await?
            }
        };
        let own = OwnReads::of(&state, self.cfg.completed_counter.is_some());
        (state.hits, state.misses) = self.keyspace.observe((state.hits, state.misses), own);
        Ok(SourceData::Redis(state))
    }
}

fn protocol(what: &str) -> SourceFailure {
    SourceFailure::new(FailureKind::Protocol, format!("redis: unexpected answer to {what}"))
}

/// Everything in one pipeline: LLEN of each queue, SCARD, the counter, four INFO sections.
async fn single(mut con: MultiplexedConnection, cfg: &RedisConfig) -> Result<RedisState, SourceFailure> {
    let mut pipe = redis::pipe();
    for q in &cfg.queues {
        pipe.cmd("LLEN").arg(q);
    }
    pipe.cmd("SCARD").arg(&cfg.processing_set);
    if let Some(c) = &cfg.completed_counter {
        pipe.cmd("GET").arg(c);
    }
    for s in SECTIONS {
        pipe.cmd("INFO").arg(s);
    }
    let start = Instant::now();
    let values: Vec<Value> = pipe.query_async(&mut con).await.map_err(|e| classify::redis("redis pipeline", &e))?;
    let rtt = start.elapsed().as_secs_f64() * 1000.0;
    let mut it = values.iter();
    let mut queues = Vec::new();
    for q in &cfg.queues {
        let n = it.next().and_then(int).ok_or_else(|| protocol("LLEN"))?;
        queues.push((q.clone(), n));
    }
    let in_flight = it.next().and_then(int).ok_or_else(|| protocol("SCARD"))?;
    let completed_total = match &cfg.completed_counter {
        Some(_) => it.next().and_then(int),
        None => None,
    };
    let sections: Vec<String> = it.filter_map(text).collect();
    if sections.len() != SECTIONS.len() {
        return Err(protocol("INFO"));
    }
    let info = NodeInfo::from_sections(sections.iter().map(String::as_str));
    Ok(RedisState {
        queues,
        in_flight,
        completed_total,
        used_memory: info.used_memory,
        max_memory: info.max_memory,
        clients: info.clients,
        max_clients: info.max_clients,
        hits: info.hits,
        misses: info.misses,
        ops_per_sec: info.ops_per_sec,
        shards: 1,
        cluster_state: None,
        shard_memory: Vec::new(),
        round_trip_ms: rtt,
    })
}

async fn masters(mut con: ClusterConnection, target: &RedisTarget) -> Result<Vec<(String, u16)>, SourceFailure> {
    let reply = con
        .route_command(
            redis::cmd("CLUSTER").arg("SLOTS").clone(),
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
        )
        .await
        .map_err(|e| classify::redis("redis CLUSTER SLOTS", &e))?;
    let fallback = match target.nodes[0].addr() {
        redis::ConnectionAddr::Tcp(h, _) | redis::ConnectionAddr::TcpTls { host: h, .. } => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let found = slot_masters(&reply, &fallback);
    if found.is_empty() {
        return Err(SourceFailure::new(FailureKind::Protocol, "redis cluster: CLUSTER SLOTS names no master"));
    }
    Ok(found)
}

async fn key_int(mut con: ClusterConnection, cmd: &str, key: &str) -> Result<u64, SourceFailure> {
    let v: Value = redis::cmd(cmd)
        .arg(key)
        .query_async(&mut con)
        .await
        .map_err(|e| classify::redis(&format!("redis {cmd}"), &e))?;
    int(&v).ok_or_else(|| protocol(cmd))
}

/// Keys through the cluster client (each to its slot's node, concurrently); INFO and
/// CLUSTER INFO as one pipeline per master, concurrently.
async fn cluster(
    con: ClusterConnection,
    cfg: &RedisConfig,
    masters: &[(String, u16)],
) -> Result<RedisState, SourceFailure> {
    let start = Instant::now();
    let lens = futures::future::try_join_all(cfg.queues.iter().map(|q| key_int(con.clone(), "LLEN", q)));
    let in_flight = key_int(con.clone(), "SCARD", &cfg.processing_set);
    let completed = async {
        match &cfg.completed_counter {
            Some(c) => key_int(con.clone(), "GET", c).await.map(Some),
            None => Ok(None),
        }
    };
    let nodes = futures::future::try_join_all(masters.iter().map(|(h, p)| node(con.clone(), h.clone(), *p)));
    let (lens, in_flight, completed, nodes) = tokio::try_join!(lens, in_flight, completed, nodes)?;
    let rtt = start.elapsed().as_secs_f64() * 1000.0;
    let mut state = RedisState {
        queues: cfg.queues.iter().cloned().zip(lens).collect(),
        in_flight,
        completed_total: completed,
        shards: nodes.len() as u32,
        cluster_state: Some("ok".into()),
        round_trip_ms: rtt,
        ..RedisState::default()
    };
    for (addr, info, cluster_state) in nodes {
        state.used_memory += info.used_memory;
        state.max_memory += info.max_memory;
        state.clients += info.clients;
        state.max_clients += info.max_clients;
        state.hits += info.hits;
        state.misses += info.misses;
        state.ops_per_sec += info.ops_per_sec;
        if cluster_state != "ok" {
            state.cluster_state = Some(cluster_state);
        }
        state.shard_memory.push((addr, info.used_memory));
    }
    Ok(state)
}

async fn node(
    mut con: ClusterConnection,
    host: String,
    port: u16,
) -> Result<(String, NodeInfo, String), SourceFailure> {
    let mut pipe = redis::pipe();
    for s in SECTIONS {
        pipe.cmd("INFO").arg(s);
    }
    pipe.cmd("CLUSTER").arg("INFO");
    let addr = format!("{host}:{port}");
    let values = con
        .route_pipeline(pipe, 0, SECTIONS.len() + 1, SingleNodeRoutingInfo::ByAddress { host, port })
        .await
        .map_err(|e| classify::redis(&format!("redis node {addr}"), &e))?;
    let texts: Vec<String> = values.iter().filter_map(text).collect();
    let Some((cluster_info, sections)) = texts.split_last() else { return Err(protocol("INFO")) };
    if sections.len() != SECTIONS.len() {
        return Err(protocol("INFO"));
    }
    let info = NodeInfo::from_sections(sections.iter().map(String::as_str));
    let state =
        super::redis_info::parse_info(cluster_info).get("cluster_state").cloned().unwrap_or_else(|| "unknown".into());
    Ok((addr, info, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cockpits_own_reads_are_not_the_platforms_traffic() {
        let idle = RedisState { queues: vec![("q".into(), 0)], in_flight: 0, ..Default::default() };
        let own = OwnReads::of(&idle, true);
        assert_eq!(own, (0, 3), "LLEN, SCARD and GET of missing keys are three misses");
        let mut k = OwnReads::default();
        // An idle server: only the cockpit's reads move the counters.
        assert_eq!(k.observe((10, 3), own), (10, 0));
        assert_eq!(k.observe((10, 6), own), (10, 0));
        assert_eq!(k.observe((10, 9), own), (10, 0));
        // The platform reads: its hits and misses come through.
        assert_eq!(k.observe((60, 14), own), (60, 2));
        // A busy queue: its length read is a hit of the cockpit's, not the platform's.
        let busy = RedisState { queues: vec![("q".into(), 40)], in_flight: 5, ..Default::default() };
        assert_eq!(OwnReads::of(&busy, false), (2, 0));
        // The server restarted: counters start again from what it says.
        assert_eq!(k.observe((4, 3), own), (64, 2));
    }
}
