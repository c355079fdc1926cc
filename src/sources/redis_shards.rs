//! Reading a Redis shard's scaling signals (issue 9): CLUSTER NODES (masters, slots, migrating
//! slots), INFO commandstats and latencystats (command latency), INFO replication (each
//! replica's lag). Pure parsing: the source and the live platform both use it.

use super::redis_info::parse_info;
use crate::model::state::{ReplicaLink, ShardReading};
use std::collections::HashMap;

/// Every hash slot of a Redis Cluster.
pub const SLOTS: u32 = 16384;

/// Commands the cockpit itself sends to read a node: left out of its latency.
const OWN: [&str; 7] = ["info", "cluster", "ping", "auth", "hello", "client", "command"];

fn own(cmd: &str) -> bool {
    let base = cmd.split(['|', '_']).next().unwrap_or(cmd);
    OWN.contains(&base)
}

/// One node of CLUSTER NODES.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterNode {
    pub id: String,
    /// host:port (the client port).
    pub addr: String,
    pub master: bool,
    /// The master's id, for a replica.
    pub master_id: Option<String>,
    /// Flagged `fail` or `fail?`, or its link is down.
    pub failing: bool,
    pub slots: u32,
    /// Slots it is migrating to another node.
    pub migrating: Vec<u16>,
    /// Slots it is importing from another node.
    pub importing: Vec<u16>,
}

/// CLUSTER NODES as a list; `fallback` is the host of the node that answered, for nodes that
/// report an empty address.
pub fn parse_cluster_nodes(text: &str, fallback: &str) -> Vec<ClusterNode> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 {
            continue;
        }
        // "127.0.0.1:7000@17000,hostname"
        let addr = f[1].split([',', '@']).next().unwrap_or("");
        let addr = match addr.strip_prefix(':') {
            Some(port) => format!("{fallback}:{port}"),
            None => addr.to_string(),
        };
        let flags: Vec<&str> = f[2].split(',').collect();
        let mut n = ClusterNode {
            id: f[0].to_string(),
            addr,
            master: flags.contains(&"master"),
            master_id: (f[3] != "-").then(|| f[3].to_string()),
            failing: flags.iter().any(|x| *x == "fail" || *x == "fail?") || f[7] == "disconnected",
            ..ClusterNode::default()
        };
        for s in &f[8..] {
            if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
                if let Some((slot, _)) = inner.split_once("->-") {
                    n.migrating.extend(slot.parse::<u16>().ok());
                } else if let Some((slot, _)) = inner.split_once("-<-") {
                    n.importing.extend(slot.parse::<u16>().ok());
                }
            } else if let Some((a, b)) = s.split_once('-') {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    n.slots += b.saturating_sub(a) + 1;
                }
            } else if s.parse::<u32>().is_ok() {
                n.slots += 1;
            }
        }
        out.push(n);
    }
    out.sort_by(|a, b| a.addr.cmp(&b.addr));
    out
}

/// The masters that own slots, or are being given some (a new, empty master is a master too).
pub fn masters(nodes: &[ClusterNode]) -> Vec<&ClusterNode> {
    nodes.iter().filter(|n| n.master && !n.failing).collect()
}

/// (calls, microseconds) per command from INFO commandstats, the cockpit's own commands left
/// out.
pub fn command_totals(text: &str) -> HashMap<String, (u64, u64)> {
    let mut out = HashMap::new();
    for (k, v) in parse_info(text) {
        let Some(cmd) = k.strip_prefix("cmdstat_") else { continue };
        if own(cmd) {
            continue;
        }
        let fields = fields(&v);
        let n = |key: &str| fields.get(key).and_then(|x| x.parse::<u64>().ok());
        if let (Some(calls), Some(usec)) = (n("calls"), n("usec")) {
            out.insert(cmd.to_string(), (calls, usec));
        }
    }
    out
}

/// Mean microseconds per call between two commandstats readings; None when no command ran (or
/// the counters went back: a restart or CONFIG RESETSTAT).
pub fn usec_per_call(before: &HashMap<String, (u64, u64)>, now: &HashMap<String, (u64, u64)>) -> Option<f64> {
    let (mut calls, mut usec) = (0u64, 0u64);
    for (cmd, (c, u)) in now {
        let (c0, u0) = before.get(cmd).copied().unwrap_or((0, 0));
        if *c < c0 || *u < u0 {
            return None;
        }
        calls += c - c0;
        usec += u - u0;
    }
    (calls > 0).then(|| usec as f64 / calls as f64)
}

/// The command with the highest p99 in INFO latencystats (`latency_percentiles_usec_get:
/// p50=1.003,p99=3.007,p99.9=5.001`), the cockpit's own commands left out.
pub fn worst_p99(text: &str) -> Option<(String, f64)> {
    parse_info(text)
        .into_iter()
        .filter_map(|(k, v)| {
            let cmd = k.strip_prefix("latency_percentiles_usec_")?;
            if own(cmd) {
                return None;
            }
            let p99 = fields(&v).get("p99")?.parse::<f64>().ok()?;
            Some((cmd.to_string(), p99))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
}

/// Each replica of a master and how far behind it is, from INFO replication
/// (`slave0:ip=127.0.0.1,port=7003,state=online,offset=1234,lag=0` and `master_repl_offset`).
pub fn replicas(text: &str) -> Vec<ReplicaLink> {
    let info = parse_info(text);
    let master_offset = info.get("master_repl_offset").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let mut keys: Vec<&String> =
        info.keys().filter(|k| k.strip_prefix("slave").is_some_and(|n| n.parse::<u32>().is_ok())).collect();
    keys.sort_by_key(|k| k[5..].parse::<u32>().unwrap_or(0));
    keys.into_iter()
        .map(|k| {
            let f = fields(&info[k]);
            let n = |key: &str| f.get(key).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
            ReplicaLink {
                addr: format!("{}:{}", f.get("ip").map(String::as_str).unwrap_or("?"), n("port")),
                state: f.get("state").cloned().unwrap_or_default(),
                lag_bytes: master_offset.saturating_sub(n("offset")),
                lag_secs: n("lag"),
            }
        })
        .collect()
}

/// `a=1,b=2` as a map.
fn fields(v: &str) -> HashMap<String, String> {
    v.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A shard's reading from its INFO sections (memory, clients, replication, latencystats) and
/// the latency measured since the last poll.
pub fn reading(addr: &str, info: &super::redis_info::NodeInfo, texts: &ShardTexts<'_>) -> ShardReading {
    ShardReading {
        addr: addr.to_string(),
        used_memory: info.used_memory,
        max_memory: info.max_memory,
        clients: info.clients,
        max_clients: info.max_clients,
        slots: None,
        moving_slots: 0,
        usec_per_call: None,
        p99_usec: worst_p99(texts.latencystats),
        replicas: replicas(texts.replication),
    }
}

/// The INFO sections a shard reading is made from.
pub struct ShardTexts<'a> {
    pub replication: &'a str,
    pub latencystats: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922 [5461->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :30001@31001 myself,master - 0 0 1 connected 0-5460 7 [5461-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
aaaa :30009@31009 master,fail - 0 0 9 disconnected
";

    #[test]
    fn cluster_nodes_give_masters_slots_and_moving_slots() {
        let n = parse_cluster_nodes(NODES, "10.0.0.1");
        let m = masters(&n);
        let addrs: Vec<&str> = m.iter().map(|n| n.addr.as_str()).collect();
        assert_eq!(addrs, ["10.0.0.1:30001", "127.0.0.1:30002", "127.0.0.1:30003"]);
        let slots: Vec<u32> = m.iter().map(|n| n.slots).collect();
        assert_eq!(slots, [5462, 5462, 5461]);
        assert_eq!(m[0].importing, [5461]);
        assert_eq!(m[1].migrating, [5461]);
        let replica = n.iter().find(|x| x.addr == "127.0.0.1:30004").unwrap();
        assert_eq!(replica.master_id.as_deref(), Some("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"));
        assert!(n.iter().find(|x| x.id == "aaaa").unwrap().failing);
    }

    #[test]
    fn latency_is_measured_between_polls_without_the_cockpits_own_commands() {
        let a = command_totals(
            "# Commandstats\r\ncmdstat_get:calls=10,usec=100,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n\
             cmdstat_info:calls=5,usec=5000,usec_per_call=1000.00\r\n",
        );
        let b = command_totals(
            "cmdstat_get:calls=20,usec=300,usec_per_call=15.00\r\ncmdstat_set:calls=10,usec=100\r\n\
             cmdstat_info:calls=9,usec=9000\r\n",
        );
        assert!(!a.contains_key("info"));
        // 10 more GETs in 200 µs and 10 SETs in 100 µs: 300 µs over 20 calls.
        assert_eq!(usec_per_call(&a, &b), Some(15.0));
        assert_eq!(usec_per_call(&b, &b), None, "no command ran");
        assert_eq!(usec_per_call(&b, &a), None, "counters went back");
    }

    #[test]
    fn the_worst_p99_is_a_platform_command() {
        let t = "# Latencystats\r\nlatency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=5.001\r\n\
                 latency_percentiles_usec_lpush:p50=2.0,p99=40.5,p99.9=50.0\r\n\
                 latency_percentiles_usec_info:p50=20,p99=900,p99.9=900\r\n\
                 latency_percentiles_usec_cluster|nodes:p50=20,p99=800,p99.9=900\r\n";
        assert_eq!(worst_p99(t), Some(("lpush".into(), 40.5)));
        assert_eq!(worst_p99(""), None, "Redis before 7 has no latencystats");
    }

    #[test]
    fn replica_lag_is_the_offset_behind_the_master() {
        let t = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n\
                 slave0:ip=127.0.0.1,port=7003,state=online,offset=900,lag=1\r\n\
                 slave1:ip=127.0.0.1,port=7004,state=wait_bgsave,offset=0,lag=0\r\n\
                 master_repl_offset:1000\r\n";
        let r = replicas(t);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].addr.as_str(), r[0].state.as_str(), r[0].lag_bytes, r[0].lag_secs),
            ("127.0.0.1:7003", "online", 100, 1)
        );
        assert_eq!((r[1].state.as_str(), r[1].lag_bytes), ("wait_bgsave", 1000));
        assert!(replicas("role:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n").is_empty());
    }
}
