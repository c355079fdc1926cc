//! Reading Redis replies: INFO text, CLUSTER SLOTS, integers.

use redis::Value;
use std::collections::HashMap;

/// `key:value` lines of an INFO (or CLUSTER INFO) reply.
pub fn parse_info(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".into()),
        _ => None,
    }
}

pub fn int(v: &Value) -> Option<u64> {
    match v {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::Nil => Some(0),
        other => text(other).and_then(|t| t.trim().parse().ok()),
    }
}

/// The fields of INFO memory, clients, stats and replication of one node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeInfo {
    pub used_memory: u64,
    pub max_memory: u64,
    pub clients: u64,
    pub max_clients: u64,
    pub hits: u64,
    pub misses: u64,
    pub ops_per_sec: f64,
    pub role: String,
    pub replicas: u64,
}

impl NodeInfo {
    /// From the texts of the INFO sections, in any order.
    pub fn from_sections<'a>(sections: impl IntoIterator<Item = &'a str>) -> NodeInfo {
        let mut m = HashMap::new();
        for s in sections {
            m.extend(parse_info(s));
        }
        let n = |k: &str| m.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        NodeInfo {
            used_memory: n("used_memory"),
            max_memory: n("maxmemory"),
            clients: n("connected_clients"),
            max_clients: n("maxclients"),
            hits: n("keyspace_hits"),
            misses: n("keyspace_misses"),
            ops_per_sec: m.get("instantaneous_ops_per_sec").and_then(|v| v.parse().ok()).unwrap_or(0.0),
            role: m.get("role").cloned().unwrap_or_default(),
            replicas: n("connected_slaves"),
        }
    }
}

/// The masters' (host, port) from a CLUSTER SLOTS reply; an empty host means the node that
/// answered (`fallback`).
pub fn slot_masters(v: &Value, fallback: &str) -> Vec<(String, u16)> {
    let mut out: Vec<(String, u16)> = Vec::new();
    let Value::Array(ranges) = v else { return out };
    for range in ranges {
        let Value::Array(parts) = range else { continue };
        let Some(Value::Array(master)) = parts.get(2) else { continue };
        let host =
            master.first().and_then(text).filter(|h| !h.is_empty() && h != "?").unwrap_or_else(|| fallback.to_string());
        let Some(port) = master.get(1).and_then(int).and_then(|p| u16::try_from(p).ok()) else { continue };
        if !out.iter().any(|(h, p)| *h == host && *p == port) {
            out.push((host, port));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_sections_merge() {
        let n = NodeInfo::from_sections([
            "# Memory\r\nused_memory:1024\r\nmaxmemory:4096\r\n",
            "# Clients\r\nconnected_clients:7\r\nmaxclients:10000\r\n",
            "keyspace_hits:5\nkeyspace_misses:2\ninstantaneous_ops_per_sec:12.5\n",
            "role:master\nconnected_slaves:1\n",
        ]);
        assert_eq!((n.used_memory, n.max_memory, n.clients, n.max_clients), (1024, 4096, 7, 10000));
        assert_eq!((n.hits, n.misses, n.ops_per_sec, n.role.as_str(), n.replicas), (5, 2, 12.5, "master", 1));
    }

    #[test]
    fn cluster_slots_give_each_master_once() {
        let node = |h: &str, p: i64| {
            Value::Array(vec![
                Value::BulkString(h.as_bytes().to_vec()),
                Value::Int(p),
                Value::BulkString(b"id".to_vec()),
            ])
        };
        let v = Value::Array(vec![
            Value::Array(vec![Value::Int(0), Value::Int(5460), node("127.0.0.1", 7000)]),
            Value::Array(vec![Value::Int(5461), Value::Int(10922), node("", 7001)]),
            Value::Array(vec![Value::Int(10923), Value::Int(16383), node("127.0.0.1", 7000)]),
        ]);
        assert_eq!(slot_masters(&v, "seed"), vec![("127.0.0.1".to_string(), 7000), ("seed".to_string(), 7001)]);
    }
}
