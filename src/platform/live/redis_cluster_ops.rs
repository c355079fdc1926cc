//! Redis cluster (issue 9): the cluster as its own nodes see it, for `scale-redis`: CLUSTER
//! NODES and CLUSTER INFO from a seed, then each master's own view (its slots, the slots it is
//! migrating or importing: CLUSTER NODES shows those only on the node itself), CLUSTER INFO and
//! INFO memory. One connection per node and call: a reshard adds and removes masters, so no
//! topology is kept between calls.

use super::errors;
use crate::live::classify;
use crate::live::redis::RedisTarget;
use crate::platform::shards::{ClusterView, MasterView};
use crate::platform::{ErrorKind, PResult, PlatformError};
use crate::sources::redis_info::{NodeInfo, parse_info, text};
use crate::sources::redis_shards::{ClusterNode, masters, parse_cluster_nodes};
use redis::Value;

/// CLUSTER NODES, CLUSTER INFO and INFO memory of one node, in one pipeline.
async fn node_texts(info: &redis::ConnectionInfo, what: &str) -> PResult<(String, String, String)> {
    let mut con = RedisTarget::connect_node(info).await.map_err(errors::from_failure)?;
    let mut pipe = redis::pipe();
    pipe.cmd("CLUSTER").arg("NODES").cmd("CLUSTER").arg("INFO").cmd("INFO").arg("memory");
    let values: Vec<Value> = pipe.query_async(&mut con).await.map_err(|e| {
        if e.to_string().contains("cluster support disabled") {
            return PlatformError::new(
                ErrorKind::Invalid,
                format!("{what} is a single Redis node, not a cluster: scale-redis reshards a Redis Cluster"),
            );
        }
        errors::from_failure(classify::redis(&format!("redis CLUSTER NODES on {what}"), &e))
    })?;
    let t: Vec<String> = values.iter().filter_map(text).collect();
    match t.as_slice() {
        [nodes, cluster, memory] => Ok((nodes.clone(), cluster.clone(), memory.clone())),
        _ => Err(PlatformError::new(ErrorKind::Other, format!("redis {what}: unexpected answer to CLUSTER NODES"))),
    }
}

fn host_port(addr: &str) -> Option<(&str, u16)> {
    let (h, p) = addr.rsplit_once(':')?;
    Some((h, p.parse().ok()?))
}

/// The cluster's masters with their own view of their slots and memory.
pub async fn cluster_view(target: &RedisTarget) -> PResult<ClusterView> {
    let mut last = None;
    let mut seed = None;
    for info in &target.nodes {
        let what = crate::live::redis::shown(info);
        match node_texts(info, &what).await {
            Ok(t) => {
                let host = match info.addr() {
                    redis::ConnectionAddr::Tcp(h, _) | redis::ConnectionAddr::TcpTls { host: h, .. } => h.clone(),
                    _ => "127.0.0.1".into(),
                };
                seed = Some((t, host));
                break;
            }
            Err(e) if e.kind == ErrorKind::Invalid => return Err(e),
            Err(e) => last = Some(e),
        }
    }
    let Some(((nodes_text, _, _), host)) = seed else {
        return Err(last.unwrap_or_else(|| PlatformError::new(ErrorKind::Unavailable, "redis: no seed node")));
    };
    let nodes = parse_cluster_nodes(&nodes_text, &host);
    let found: Vec<ClusterNode> = masters(&nodes).into_iter().cloned().collect();
    let views = futures::future::join_all(found.iter().map(|m| master_view(target, m))).await;
    let mut view =
        ClusterView { state: "ok".into(), slots_assigned: crate::platform::shards::SLOTS, masters: Vec::new() };
    for v in views {
        let (m, state, assigned) = v?;
        if state != "ok" {
            view.state = state;
        }
        view.slots_assigned = view.slots_assigned.min(assigned);
        view.masters.push(m);
    }
    Ok(view)
}

async fn master_view(target: &RedisTarget, m: &ClusterNode) -> PResult<(MasterView, String, u32)> {
    let (host, port) = host_port(&m.addr)
        .ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("redis: a node without an address: {}", m.id)))?;
    let (nodes, cluster, memory) = node_texts(&target.node_info(host, port), &m.addr).await?;
    let own = parse_cluster_nodes(&nodes, host).into_iter().find(|n| n.id == m.id).unwrap_or_else(|| m.clone());
    let info = NodeInfo::from_sections([memory.as_str()]);
    let c = parse_info(&cluster);
    let state = c.get("cluster_state").cloned().unwrap_or_else(|| "unknown".into());
    let assigned = c.get("cluster_slots_assigned").and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok((
        MasterView {
            id: m.id.clone(),
            addr: m.addr.clone(),
            slots: own.slots,
            moving: (own.migrating.len() + own.importing.len()) as u32,
            migrating: own.migrating.len() as u32,
            used_memory: info.used_memory,
            max_memory: info.max_memory,
        },
        state,
        assigned,
    ))
}
