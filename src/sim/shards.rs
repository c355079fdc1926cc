//! The simulator's Redis Cluster (issue 9): masters with their hash slots, and a reshard that
//! moves slots a few hundred a second, as ElastiCache's online resharding does: a new master
//! joins empty and takes slots from the others; a master leaving gives its slots away first.
//! The replication group reads `modifying` until the slots are spread evenly again.

use super::settings::{REDIS_MAX_MEMORY, REDIS_SHARDS};

pub const SLOTS: u32 = 16384;
/// Slots moved per simulated second (ElastiCache moves a few hundred a second on an idle
/// cluster; a busy one, fewer).
const SLOTS_PER_SEC: u32 = 160;
/// maxmemory of one node (the simulated cluster has 3 of 4 GiB: REDIS_MAX_MEMORY in all).
pub const NODE_MAX_MEMORY: u64 = REDIS_MAX_MEMORY / REDIS_SHARDS as u64;

#[derive(Debug, Clone, PartialEq)]
pub struct SimMaster {
    /// The node's number: its address is 10.0.N.21:6379.
    pub n: u32,
    pub slots: u32,
    /// Slots on the move to or from it right now.
    pub moving: u32,
    /// Of those, the ones it gives away.
    pub migrating: u32,
}

impl SimMaster {
    pub fn addr(&self) -> String {
        format!("10.0.{}.21:6379", self.n)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimCluster {
    pub masters: Vec<SimMaster>,
    /// The shard count asked for; equal to the masters' count when no reshard runs.
    pub target: u32,
    next_n: u32,
}

impl SimCluster {
    pub fn new(shards: u32) -> Self {
        let masters =
            (0..shards).map(|i| SimMaster { n: i + 1, slots: even(shards, i), moving: 0, migrating: 0 }).collect();
        SimCluster { masters, target: shards, next_n: shards + 1 }
    }

    pub fn count(&self) -> u32 {
        self.masters.len() as u32
    }

    /// "modifying" while a reshard runs, else "available".
    pub fn status(&self) -> &'static str {
        if self.resharding() { "modifying" } else { "available" }
    }

    pub fn resharding(&self) -> bool {
        self.target != self.count()
            || self.masters.iter().enumerate().any(|(i, m)| m.slots != even(self.target, i as u32))
    }

    /// Ask for `n` shards: a new master joins at once (empty); slots move with `step`.
    pub fn modify(&mut self, n: u32) {
        self.target = n;
        while self.count() < n {
            self.masters.push(SimMaster { n: self.next_n, slots: 0, moving: 0, migrating: 0 });
            self.next_n += 1;
        }
    }

    /// One simulated second of resharding.
    pub fn step(&mut self) {
        for m in &mut self.masters {
            m.moving = 0;
            m.migrating = 0;
        }
        if !self.resharding() {
            return;
        }
        let mut budget = SLOTS_PER_SEC;
        // The masters past the target count give all their slots away; the others move to
        // an even share.
        let want: Vec<u32> =
            (0..self.count()).map(|i| if i < self.target { even(self.target, i) } else { 0 }).collect();
        while budget > 0 {
            let from = (0..self.masters.len()).find(|&i| self.masters[i].slots > want[i]);
            let to = (0..self.masters.len()).find(|&i| self.masters[i].slots < want[i]);
            let (Some(from), Some(to)) = (from, to) else { break };
            let n = budget.min(self.masters[from].slots - want[from]).min(want[to] - self.masters[to].slots);
            self.masters[from].slots -= n;
            self.masters[to].slots += n;
            self.masters[from].moving += n.min(20);
            self.masters[from].migrating += n.min(20);
            self.masters[to].moving += n.min(20);
            budget -= n;
        }
        // A master with no slot left and past the target leaves the cluster.
        while self.count() > self.target && self.masters.last().is_some_and(|m| m.slots == 0) {
            self.masters.pop();
        }
    }
}

/// Master `i`'s even share of the slots among `n` (the first ones take the remainder, as
/// `redis-cli --cluster create` does).
pub fn even(n: u32, i: u32) -> u32 {
    SLOTS / n + u32::from(i < SLOTS % n)
}

/// The simulator's replication group id (the runbook's).
pub const GROUP: &str = "agentos-redis";

impl super::engine::Simulator {
    /// The cluster as its nodes would report it.
    pub fn redis_cluster_view(&self) -> crate::platform::shards::ClusterView {
        let c = &self.cache;
        let masters = c
            .shard_memory()
            .into_iter()
            .zip(&c.cluster.masters)
            .map(|((addr, used), m)| crate::platform::shards::MasterView {
                id: format!("{:040x}", m.n),
                addr,
                slots: m.slots,
                moving: m.moving,
                migrating: m.migrating,
                used_memory: used,
                max_memory: NODE_MAX_MEMORY,
            })
            .collect();
        crate::platform::shards::ClusterView { state: "ok".into(), slots_assigned: SLOTS, masters }
    }

    /// The replication group as ElastiCache would describe it.
    pub fn redis_group(&self) -> crate::platform::shards::ReplicationGroup {
        let c = &self.cache.cluster;
        crate::platform::shards::ReplicationGroup {
            id: GROUP.into(),
            status: c.status().into(),
            node_groups: c
                .masters
                .iter()
                .map(|m| crate::platform::shards::NodeGroup { id: format!("{:04}", m.n), primary: Some(m.addr()) })
                .collect(),
        }
    }

    /// ModifyReplicationGroupShardConfiguration, with ElastiCache's refusals.
    pub fn modify_redis_shards(
        &mut self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> crate::platform::PResult<crate::platform::shards::ReplicationGroup> {
        use crate::platform::{ErrorKind, PlatformError};
        if group != GROUP {
            return Err(PlatformError::new(ErrorKind::NotFound, format!("ReplicationGroup {group} not found")));
        }
        let c = &mut self.cache.cluster;
        if c.resharding() {
            return Err(PlatformError::new(
                ErrorKind::Conflict,
                format!("InvalidReplicationGroupState: replication group {group} is not available (modifying)"),
            ));
        }
        if !(1..=90).contains(&shards) {
            return Err(PlatformError::new(ErrorKind::Invalid, format!("NodeGroupCount {shards} is out of range")));
        }
        if shards < c.count() {
            let ids: Vec<String> = c.masters.iter().map(|m| format!("{:04}", m.n)).collect();
            if remove.len() as u32 != c.count() - shards || remove.iter().any(|r| !ids.contains(r)) {
                return Err(PlatformError::new(
                    ErrorKind::Invalid,
                    format!("NodeGroupsToRemove must name {} of {}", c.count() - shards, ids.join(", ")),
                ));
            }
            // The leaving masters last: `step` empties the masters past the target.
            c.masters.sort_by_key(|m| remove.contains(&format!("{:04}", m.n)));
        }
        c.modify(shards);
        Ok(self.redis_group())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reshard_to_four_moves_slots_until_even_and_back_to_three_removes_a_master() {
        let mut c = SimCluster::new(3);
        assert_eq!(c.status(), "available");
        assert_eq!(c.masters.iter().map(|m| m.slots).sum::<u32>(), SLOTS);
        c.modify(4);
        assert_eq!((c.count(), c.status()), (4, "modifying"));
        let mut secs = 0;
        while c.resharding() {
            c.step();
            secs += 1;
            assert_eq!(c.masters.iter().map(|m| m.slots).sum::<u32>(), SLOTS, "no slot lost on the way");
            assert!(secs < 100);
        }
        assert!(c.masters.iter().all(|m| m.slots == 4096));
        assert!(secs > 5, "a reshard takes time: {secs}s");
        c.modify(3);
        while c.resharding() {
            c.step();
        }
        assert_eq!(c.count(), 3);
        assert_eq!(c.masters.iter().map(|m| m.slots).collect::<Vec<_>>(), [5462, 5461, 5461]);
    }
}
