//! Redis cluster (issue 9): what `scale-redis` reads of the cluster (its nodes' own view) and
//! of the ElastiCache replication group (the API's view).

use serde::{Deserialize, Serialize};

/// Every hash slot of a Redis Cluster.
pub const SLOTS: u32 = 16384;

/// A master of the cluster, as CLUSTER NODES and its INFO memory show it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MasterView {
    pub id: String,
    /// host:port
    pub addr: String,
    pub slots: u32,
    /// Slots it is migrating away or importing.
    pub moving: u32,
    /// Slots it is migrating away (each slot in flight is migrating on one node only).
    #[serde(default)]
    pub migrating: u32,
    pub used_memory: u64,
    /// 0: no limit.
    pub max_memory: u64,
}

/// The cluster as its nodes see it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClusterView {
    /// CLUSTER INFO's cluster_state: "ok" or "fail".
    pub state: String,
    /// CLUSTER INFO's cluster_slots_assigned.
    pub slots_assigned: u32,
    pub masters: Vec<MasterView>,
}

impl ClusterView {
    /// Slots in flight: those migrating away from a master; where only an importing end is
    /// left (a move cut short), those.
    pub fn moving(&self) -> u32 {
        let migrating: u32 = self.masters.iter().map(|m| m.migrating).sum();
        if migrating > 0 { migrating } else { self.masters.iter().map(|m| m.moving).sum() }
    }

    pub fn used_memory(&self) -> u64 {
        self.masters.iter().map(|m| m.used_memory).sum()
    }

    /// One node's maxmemory (the smallest, where they differ); None when any has no limit.
    pub fn node_max_memory(&self) -> Option<u64> {
        let m = self.masters.iter().map(|m| m.max_memory).min()?;
        (m > 0).then_some(m)
    }

    /// `n` masters own every slot, none on the move, the state is ok, and each master holds
    /// its even share within 2% (redis-cli's `rebalance` threshold; ElastiCache spreads slots
    /// evenly too).
    pub fn even(&self, n: u32) -> bool {
        let share = f64::from(SLOTS) / f64::from(n.max(1));
        self.state == "ok"
            && self.masters.len() as u32 == n
            && self.slots_assigned == SLOTS
            && self.moving() == 0
            && self.masters.iter().all(|m| (f64::from(m.slots) - share).abs() <= share * 0.02)
    }

    /// "4 masters, slots 4096/4096/4096/4096, 12 moving, state ok".
    pub fn summary(&self) -> String {
        let slots: Vec<String> = self.masters.iter().map(|m| m.slots.to_string()).collect();
        let mut s = format!("{} masters, slots {}", self.masters.len(), slots.join("/"));
        if self.moving() > 0 {
            s.push_str(&format!(", {} moving", self.moving()));
        }
        if self.slots_assigned < SLOTS {
            s.push_str(&format!(", {} of {SLOTS} slots assigned", self.slots_assigned));
        }
        s.push_str(&format!(", state {}", self.state));
        s
    }
}

/// A node group (a shard) of the replication group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeGroup {
    pub id: String,
    /// host:port of its primary, where the API says it.
    pub primary: Option<String>,
}

/// The ElastiCache replication group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReplicationGroup {
    pub id: String,
    /// "available", "modifying", "snapshotting", ...
    pub status: String,
    pub node_groups: Vec<NodeGroup>,
}

impl ReplicationGroup {
    pub fn shards(&self) -> u32 {
        self.node_groups.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(slots: &[(u32, u32, u32)]) -> ClusterView {
        ClusterView {
            state: "ok".into(),
            slots_assigned: SLOTS,
            masters: slots
                .iter()
                .enumerate()
                .map(|(i, (s, moving, migrating))| MasterView {
                    id: format!("n{i}"),
                    addr: format!("127.0.0.1:{}", 7000 + i),
                    slots: *s,
                    moving: *moving,
                    migrating: *migrating,
                    used_memory: 0,
                    max_memory: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn a_slot_in_flight_is_counted_once_and_an_open_importing_end_still_counts() {
        // 20 slots leaving the first master for the fourth: both ends flag them.
        let v = view(&[(5142, 20, 20), (5461, 0, 0), (5461, 0, 0), (320, 20, 0)]);
        assert_eq!(v.moving(), 20);
        assert!(v.summary().contains("20 moving"), "{}", v.summary());
        // A move cut short between the two SETSLOTs: only the importing end is left.
        assert_eq!(view(&[(5462, 0, 0), (5461, 1, 0), (5461, 0, 0)]).moving(), 1);
    }

    #[test]
    fn even_means_every_slot_covered_nothing_moving_and_each_share_within_two_percent() {
        assert!(view(&[(4096, 0, 0); 4]).even(4));
        assert!(view(&[(4100, 0, 0), (4092, 0, 0), (4096, 0, 0), (4096, 0, 0)]).even(4), "within 2%");
        assert!(!view(&[(5462, 0, 0), (5461, 0, 0), (5461, 0, 0), (0, 0, 0)]).even(4), "a new master still empty");
        assert!(!view(&[(4096, 0, 0); 4]).even(3), "the wrong count");
        let mut v = view(&[(4096, 0, 0); 4]);
        v.slots_assigned = SLOTS - 1;
        assert!(!v.even(4), "a slot uncovered");
        let mut v = view(&[(4096, 0, 0); 4]);
        v.state = "fail".into();
        assert!(!v.even(4));
        assert!(!view(&[(4096, 1, 1); 4]).even(4), "slots on the move");
    }
}
