//! The Redis source: queue lengths, the in-flight set and INFO. On a single node everything
//! is one pipeline (one round trip); on a cluster, where a pipeline across slots fails with
//! CROSSSLOT, the keys are read through the cluster client and INFO + CLUSTER INFO go as one
//! pipeline to each master.

use super::poll::Poller;
use super::redis_info::{NodeInfo, int, text};
use super::redis_shards::{self, ClusterNode, ShardTexts};
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
/// Every INFO section a poll reads, in the order of the pipeline: SECTIONS, then (issue 9) the
/// command latency of each shard.
const ALL: [&str; 6] = ["memory", "clients", "stats", "replication", "commandstats", "latencystats"];

/// Commandstats totals per command, of one node.
type Totals = std::collections::HashMap<String, (u64, u64)>;

pub struct RedisSource {
    target: RedisTarget,
    cfg: RedisConfig,
    con: Option<RedisConn>,
    own: OwnReads,
    /// Each node's commandstats at the last poll, for the latency since then.
    totals: std::collections::HashMap<String, Totals>,
}

impl RedisSource {
    pub fn new(target: RedisTarget, cfg: RedisConfig) -> RedisSource {
        RedisSource { target, cfg, con: None, own: OwnReads::default(), totals: Default::default() }
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
        let (mut state, own, totals) = match con {
            RedisConn::Single(c) => single(c, &self.cfg, &self.target).await?,
            RedisConn::Cluster(c) => {
                // Found again each poll: a reshard adds or removes masters and moves slots.
                let nodes = cluster_nodes(c.clone(), &self.target).await?;
                cluster(c, &self.cfg, &nodes).await?
            }
        };
        (state.hits, state.misses) = self.own.adjust((state.hits, state.misses), own);
        for (shard, now) in state.shard_readings.iter_mut().zip(&totals) {
            if let Some(before) = self.totals.get(&shard.addr) {
                shard.usec_per_call = redis_shards::usec_per_call(before, now);
            }
        }
        self.totals = state.shard_readings.iter().map(|s| s.addr.clone()).zip(totals).collect();
        Ok(SourceData::Redis(state))
    }
}

fn protocol(what: &str) -> SourceFailure {
    SourceFailure::new(FailureKind::Protocol, format!("redis: unexpected answer to {what}"))
}

/// Everything in one pipeline: LLEN of each queue, SCARD, the counter, then four INFO sections
/// (after the reads, so that INFO counts them). Also this poll's own (hits, misses).
/// A poll's state, its own (hits, misses), and each shard's commandstats totals.
type Polled = (RedisState, (u64, u64), Vec<Totals>);

fn host_of(target: &RedisTarget) -> String {
    match target.nodes[0].addr() {
        redis::ConnectionAddr::Tcp(h, _) | redis::ConnectionAddr::TcpTls { host: h, .. } => h.clone(),
        _ => "127.0.0.1".into(),
    }
}

fn addr_of(target: &RedisTarget) -> String {
    match target.nodes[0].addr() {
        redis::ConnectionAddr::Tcp(h, p) | redis::ConnectionAddr::TcpTls { host: h, port: p, .. } => format!("{h}:{p}"),
        other => other.to_string(),
    }
}

async fn single(
    mut con: MultiplexedConnection,
    cfg: &RedisConfig,
    target: &RedisTarget,
) -> Result<Polled, SourceFailure> {
    let mut pipe = redis::pipe();
    for q in &cfg.queues {
        pipe.cmd("LLEN").arg(q);
    }
    pipe.cmd("SCARD").arg(&cfg.processing_set);
    if let Some(c) = &cfg.completed_counter {
        pipe.cmd("GET").arg(c);
    }
    for s in ALL {
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
    if sections.len() != ALL.len() {
        return Err(protocol("INFO"));
    }
    let info = NodeInfo::from_sections(sections[..SECTIONS.len()].iter().map(String::as_str));
    let shard = redis_shards::reading(
        &addr_of(target),
        &info,
        &ShardTexts { replication: &sections[3], latencystats: &sections[5] },
    );
    let totals = redis_shards::command_totals(&sections[4]);
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
        shard_readings: vec![shard],
    };
    Ok((state, own, vec![totals]))
}

/// The cluster's nodes from CLUSTER NODES (asked of any node): masters, their slots and the
/// slots on the move.
async fn cluster_nodes(mut con: ClusterConnection, target: &RedisTarget) -> Result<Vec<ClusterNode>, SourceFailure> {
    let reply = con
        .route_command(
            redis::cmd("CLUSTER").arg("NODES").clone(),
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
        )
        .await
        .map_err(|e| classify::redis("redis CLUSTER NODES", &e))?;
    let nodes = text(&reply).map(|t| redis_shards::parse_cluster_nodes(&t, &host_of(target))).unwrap_or_default();
    if redis_shards::masters(&nodes).is_empty() {
        return Err(SourceFailure::new(FailureKind::Protocol, "redis cluster: CLUSTER NODES names no master"));
    }
    Ok(nodes)
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
async fn cluster(con: ClusterConnection, cfg: &RedisConfig, nodes: &[ClusterNode]) -> Result<Polled, SourceFailure> {
    let masters = redis_shards::masters(nodes);
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
    let polled = futures::future::try_join_all(masters.iter().map(|m| node(con.clone(), m))).await?;
    let rtt = start.elapsed().as_secs_f64() * 1000.0;
    let reads: Vec<bool> = lens.iter().chain([&in_flight]).chain(completed.iter()).map(|(_, hit)| *hit).collect();
    let own_hits = reads.iter().filter(|h| **h).count() as u64;
    let own = (own_hits, reads.len() as u64 - own_hits);
    let mut state = RedisState {
        queues: cfg.queues.iter().cloned().zip(lens.into_iter().map(|(n, _)| n)).collect(),
        in_flight: in_flight.0,
        completed_total: completed.map(|(n, _)| n),
        shards: polled.len() as u32,
        cluster_state: Some("ok".into()),
        round_trip_ms: rtt,
        ..RedisState::default()
    };
    let mut all_totals = Vec::new();
    for (addr, info, cluster_state, shard, totals) in polled {
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
        state.shard_readings.push(shard);
        all_totals.push(totals);
    }
    Ok((state, own, all_totals))
}

/// One master's INFO sections and CLUSTER INFO, in one pipeline routed to it.
async fn node(
    mut con: ClusterConnection,
    m: &ClusterNode,
) -> Result<(String, NodeInfo, String, crate::model::state::ShardReading, Totals), SourceFailure> {
    let mut pipe = redis::pipe();
    for s in ALL {
        pipe.cmd("INFO").arg(s);
    }
    pipe.cmd("CLUSTER").arg("INFO");
    let (host, port) = m.addr.rsplit_once(':').unwrap_or((&m.addr, ""));
    let port: u16 = port.parse().map_err(|_| protocol("CLUSTER NODES (address)"))?;
    let addr = m.addr.clone();
    let route = SingleNodeRoutingInfo::ByAddress { host: host.to_string(), port };
    let values = con
        .route_pipeline(pipe, 0, ALL.len() + 1, route)
        .await
        .map_err(|e| classify::redis(&format!("redis node {addr}"), &e))?;
    let texts: Vec<String> = values.iter().filter_map(text).collect();
    let Some((cluster_info, sections)) = texts.split_last() else { return Err(protocol("INFO")) };
    if sections.len() != ALL.len() {
        return Err(protocol("INFO"));
    }
    let info = NodeInfo::from_sections(sections[..SECTIONS.len()].iter().map(String::as_str));
    let mut shard =
        redis_shards::reading(&addr, &info, &ShardTexts { replication: &sections[3], latencystats: &sections[5] });
    shard.slots = Some(m.slots);
    shard.moving_slots = (m.migrating.len() + m.importing.len()) as u32;
    let totals = redis_shards::command_totals(&sections[4]);
    let state =
        super::redis_info::parse_info(cluster_info).get("cluster_state").cloned().unwrap_or_else(|| "unknown".into());
    Ok((addr, info, state, shard, totals))
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
