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
    own: OwnReads,
}

impl RedisSource {
    pub fn new(target: RedisTarget, cfg: RedisConfig) -> RedisSource {
        RedisSource { target, cfg, con: None, masters: Vec::new(), own: OwnReads::default() }
    }
}

/// The keyspace hits and misses of the platform, without the cockpit's own reads: each LLEN,
/// SCARD or GET it sends counts as a hit (the key exists) or a miss (it does not: Redis deletes
/// an empty list or set), so an idle cache would otherwise read as a 0% hit rate made of the
/// cockpit's own misses. INFO is always read after the keys, so a poll's INFO includes its reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnReads {
    /// INFO's counters at the last poll.
    raw: Option<(u64, u64)>,
    /// The counters without our reads, as reported.
    adjusted: (u64, u64),
}

impl OwnReads {
    /// INFO's cumulative (hits, misses) and this poll's own (hits, misses): the cumulative
    /// counters without any of the cockpit's reads since it started watching.
    pub fn adjust(&mut self, raw: (u64, u64), own: (u64, u64)) -> (u64, u64) {
        match self.raw {
            Some(prev) if raw.0 >= prev.0 && raw.1 >= prev.1 => {
                let dh = (raw.0 - prev.0).saturating_sub(own.0);
                let dm = (raw.1 - prev.1).saturating_sub(own.1);
                self.adjusted = (self.adjusted.0 + dh, self.adjusted.1 + dm);
            }
            // The first poll, or counters that went back (a restarted server or CONFIG RESETSTAT).
            _ => self.adjusted = (raw.0.saturating_sub(own.0), raw.1.saturating_sub(own.1)),
        }
        self.raw = Some(raw);
        self.adjusted
    }
}

/// A read of a key as Redis counts it: a hit when the key exists.
fn counts_as_hit(v: &Value) -> bool {
    !matches!(v, Value::Nil | Value::Int(0))
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
        let (mut state, own) = match con {
            RedisConn::Single(c) => single(c, &self.cfg).await?,
            RedisConn::Cluster(c) => {
                if self.masters.is_empty() {
                    self.masters = masters(c.clone(), &self.target).await?;
                }
                cluster(c, &self.cfg, &self.masters).await?
            }
        };
        (state.hits, state.misses) = self.own.adjust((state.hits, state.misses), own);
        Ok(SourceData::Redis(state))
    }
}

fn protocol(what: &str) -> SourceFailure {
    SourceFailure::new(FailureKind::Protocol, format!("redis: unexpected answer to {what}"))
}

/// Everything in one pipeline: LLEN of each queue, SCARD, the counter, then four INFO sections
/// (after the reads, so that INFO counts them). Also this poll's own (hits, misses).
async fn single(mut con: MultiplexedConnection, cfg: &RedisConfig) -> Result<(RedisState, (u64, u64)), SourceFailure> {
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
    let reads = cfg.queues.len() + 1 + usize::from(cfg.completed_counter.is_some());
    let hits = values.iter().take(reads).filter(|v| counts_as_hit(v)).count() as u64;
    let own = (hits, reads.min(values.len()) as u64 - hits);
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
    let state = RedisState {
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
    };
    Ok((state, own))
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

/// One key read through the cluster client: its value, and whether Redis counted it as a hit.
async fn key_int(mut con: ClusterConnection, cmd: &str, key: &str) -> Result<(u64, bool), SourceFailure> {
    let v: Value = redis::cmd(cmd)
        .arg(key)
        .query_async(&mut con)
        .await
        .map_err(|e| classify::redis(&format!("redis {cmd}"), &e))?;
    Ok((int(&v).ok_or_else(|| protocol(cmd))?, counts_as_hit(&v)))
}

/// Keys through the cluster client (each to its slot's node, concurrently); then, once they
/// have all answered (so that INFO counts them), INFO and CLUSTER INFO as one pipeline per
/// master, concurrently. Also this poll's own (hits, misses).
async fn cluster(
    con: ClusterConnection,
    cfg: &RedisConfig,
    masters: &[(String, u16)],
) -> Result<(RedisState, (u64, u64)), SourceFailure> {
    let start = Instant::now();
    let lens = futures::future::try_join_all(cfg.queues.iter().map(|q| key_int(con.clone(), "LLEN", q)));
    let in_flight = key_int(con.clone(), "SCARD", &cfg.processing_set);
    let completed = async {
        match &cfg.completed_counter {
            Some(c) => key_int(con.clone(), "GET", c).await.map(Some),
            None => Ok(None),
        }
    };
    let (lens, in_flight, completed) = tokio::try_join!(lens, in_flight, completed)?;
    let nodes = futures::future::try_join_all(masters.iter().map(|(h, p)| node(con.clone(), h.clone(), *p))).await?;
    let rtt = start.elapsed().as_secs_f64() * 1000.0;
    let reads: Vec<bool> = lens.iter().chain([&in_flight]).chain(completed.iter()).map(|(_, hit)| *hit).collect();
    let own_hits = reads.iter().filter(|h| **h).count() as u64;
    let own = (own_hits, reads.len() as u64 - own_hits);
    let mut state = RedisState {
        queues: cfg.queues.iter().cloned().zip(lens.into_iter().map(|(n, _)| n)).collect(),
        in_flight: in_flight.0,
        completed_total: completed.map(|(n, _)| n),
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
    Ok((state, own))
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
    fn the_cockpits_own_reads_are_taken_out_of_the_keyspace_counters() {
        let mut own = OwnReads::default();
        // First poll: INFO counts 2 misses of ours (two empty queues) on top of 10/5 from before.
        assert_eq!(own.adjust((10, 7), (0, 2)), (10, 5));
        // An idle cache: INFO grows only by our 2 misses a poll.
        assert_eq!(own.adjust((10, 9), (0, 2)), (10, 5));
        assert_eq!(own.adjust((10, 11), (0, 2)), (10, 5));
        // The platform reads: 3 hits and 1 miss, plus our 1 hit and 1 miss.
        assert_eq!(own.adjust((14, 13), (1, 1)), (13, 6));
        // A restarted server: its counters start again.
        assert_eq!(own.adjust((1, 2), (0, 2)), (1, 0));
        assert_eq!(own.adjust((1, 4), (0, 2)), (1, 0));
    }

    #[test]
    fn a_read_of_a_missing_key_is_a_miss() {
        assert!(!counts_as_hit(&Value::Int(0)), "LLEN of a missing list");
        assert!(!counts_as_hit(&Value::Nil), "GET of a missing counter");
        assert!(counts_as_hit(&Value::Int(3)));
        assert!(counts_as_hit(&Value::BulkString(b"0".to_vec())), "a counter at 0 exists");
    }
}
