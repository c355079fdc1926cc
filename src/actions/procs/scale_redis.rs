//! scale-redis: the runbook's "Scaling Redis Cluster" (issue 9): the ElastiCache replication
//! group's shard count, followed through the group's status and the cluster itself.

use crate::actions::check::Check;
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::MetricId;
use crate::model::units::bytes;
use crate::platform::shards::{ClusterView, ReplicationGroup, SLOTS};
use crate::platform::{PResult, Platform};
use async_trait::async_trait;

pub struct ScaleRedis;

const HELP: &str = "Change the Redis cluster's shard count through ElastiCache's online resharding \
(ModifyReplicationGroupShardConfiguration, applied now), then follow the move from the replication \
group's status and from the cluster itself (masters, slots per master, slots on the move) until \
cluster_state is ok and the new number of masters own all 16384 slots evenly (each within 2% of its \
share). Preflight: the runbook's 3..10 shards, cluster_state ok, every slot covered, no slot on the move \
and the group available (no reshard already running), and memory headroom: the data must fit the new \
count under the 75% threshold of each node's maxmemory (a scale-in is refused otherwise). Differs from \
the runbook: its `aws elasticache modify-replication-group --node-group-count 4` is not a valid call \
(modify-replication-group has no shard count; the shard count is \
modify-replication-group-shard-configuration --node-group-count N --apply-immediately, and a scale-in \
must name the node groups to remove: the ones holding the least data are chosen); its `INFO memory` on \
$REDIS_HOST reads one node of the cluster, so a hot shard goes unseen: each master is read; and its \
status poll alone can read `available` while slots are still open, so the cluster's own view is \
verified too. Aborting stops the following, not the reshard: ElastiCache carries it to its end (resume \
follows it again; the undo is a reshard back).";

/// The shard count the runbook allows (the `limits.redis_shards` setting).
fn range(cx_limits: &crate::model::capacity::Limits) -> (u32, u32) {
    (cx_limits.redis_shards.min, cx_limits.redis_shards.max)
}

/// Why the cluster or its group is not ready for a reshard; None when it is.
pub fn unsteady(c: &ClusterView, g: &ReplicationGroup) -> Option<String> {
    let mut why = Vec::new();
    if c.state != "ok" {
        why.push(format!("cluster_state is {}", c.state));
    }
    if c.slots_assigned < SLOTS {
        why.push(format!("only {} of {SLOTS} slots are covered", c.slots_assigned));
    }
    if c.moving() > 0 {
        why.push(format!("{} slots are on the move (a reshard is running or was cut short)", c.moving()));
    }
    if g.status != "available" {
        why.push(format!("replication group {} is {}, not available", g.id, g.status));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The node groups to remove for a scale-in to `shards`: those whose primaries hold the least
/// data (the least to move), else the last ones by id.
pub async fn lightest_node_groups(p: &dyn Platform, shards: u32) -> PResult<Vec<String>> {
    let g = p.redis_group().await?;
    let c = p.redis_cluster().await?;
    let extra = g.shards().saturating_sub(shards) as usize;
    let mut groups: Vec<(u64, String)> = g
        .node_groups
        .iter()
        .map(|n| {
            let used = n
                .primary
                .as_ref()
                .and_then(|a| c.masters.iter().find(|m| m.addr == *a))
                .map(|m| m.used_memory)
                .unwrap_or(u64::MAX);
            (used, n.id.clone())
        })
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
    Ok(groups.into_iter().take(extra).map(|(_, id)| id).collect())
}

#[async_trait]
impl Procedure for ScaleRedis {
    fn name(&self) -> &'static str {
        "scale-redis"
    }
    fn summary(&self) -> &'static str {
        "Reshard the Redis cluster (ElastiCache); follow the slots until even"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let (min, max) = range(&cx.settings.limits);
        let r = cx.board.state.redis.as_ref();
        let current = r.map(|r| r.shards).filter(|n| *n > 0);
        let next = current.map(|n| (n + 1).min(max)).unwrap_or(min);
        let note = match r {
            Some(r) if r.used_memory > 0 => {
                let per = r.used_memory as f64 / f64::from(next);
                let node_max = r.shard_readings.iter().map(|s| s.max_memory).min().filter(|m| *m > 0);
                match node_max {
                    Some(m) => format!(
                        "now {} shards; {} shards: {} per shard of {} ({:.0}%)",
                        current.unwrap_or(1),
                        next,
                        bytes(per),
                        bytes(m as f64),
                        per * 100.0 / m as f64
                    ),
                    None => format!("now {} shards; {} shards: {} per shard", current.unwrap_or(1), next, bytes(per)),
                }
            }
            _ => "the cluster's memory is not known yet: the plan reads it".into(),
        };
        Form::new(vec![Field::number(
            "shards",
            "Shards",
            next,
            1,
            90,
            format!("prefilled: one more shard; the runbook allows {min}..{max}"),
        )])
        .note(note)
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let n = form.number("shards").ok_or_else(|| ActionError::Invalid("shards missing".into()))?;
        let (min, max) = range(&cx.settings.limits);
        let c = cx.platform.redis_cluster().await?;
        let g = cx.platform.redis_group().await?;
        let cur = g.shards();
        let mut plan = Plan::new(self.name(), format!("Reshard Redis {} {cur} → {n} shards", g.id));
        plan.params = form.values();
        plan.findings.push(Finding::info(format!("cluster now: {} · group {}", c.summary(), g.status)));
        if !(min..=max).contains(&n) {
            plan.findings.push(Finding::block(format!(
                "{n} shards is outside the runbook's {min}..{max} (limits.redis_shards)"
            )));
        }
        if n == cur {
            plan.findings.push(Finding::block(format!("{} already has {n} shards", g.id)));
        }
        if let Some(why) = unsteady(&c, &g) {
            plan.findings.push(Finding::block(format!("not now: {why}")));
        }
        if c.masters.len() as u32 != cur {
            plan.findings.push(Finding::warn(format!(
                "the group lists {cur} node groups but the cluster shows {} masters",
                c.masters.len()
            )));
        }
        // Headroom: the data spread over n shards, against each node's maxmemory.
        let used = c.used_memory() as f64;
        let per = used / f64::from(n.max(1));
        let warn_pct = cx.settings.warn_value(MetricId::RedisMemory).unwrap_or(75.0);
        match c.node_max_memory() {
            Some(m) => {
                let pct = per * 100.0 / m as f64;
                let text = format!(
                    "{} in all: {} per shard over {n} shards, {pct:.0}% of a node's {}",
                    bytes(used),
                    bytes(per),
                    bytes(m as f64)
                );
                if n < cur && pct > warn_pct {
                    plan.findings.push(Finding::block(format!(
                        "the data does not fit {n} shards with headroom: {text} (over {warn_pct:.0}%)"
                    )));
                } else if pct > warn_pct {
                    plan.findings.push(Finding::warn(format!("{text}: still over {warn_pct:.0}% after the move")));
                } else {
                    plan.findings.push(Finding::info(text));
                }
            }
            None if n < cur => plan.findings.push(Finding::block(format!(
                "a node has maxmemory 0 (no limit): whether {} fits {n} shards cannot be judged; set maxmemory",
                bytes(used)
            ))),
            None => plan
                .findings
                .push(Finding::info(format!("{} in all, {} per shard over {n} (no maxmemory set)", bytes(used), bytes(per)))),
        }
        if let Some(f) = hot_shard(&c) {
            plan.findings.push(f);
        }
        let remove = if n < cur { lightest_node_groups(cx.platform.as_ref(), n).await? } else { Vec::new() };
        if !remove.is_empty() {
            plan.findings.push(Finding::info(format!(
                "node group {} leaves (the least data to move); its slots go to the others first",
                remove.join(", ")
            )));
        }
        plan.findings.push(Finding::info(
            "online resharding: the cluster keeps serving; keys of a slot in flight answer with ASK redirects",
        ));
        let timeout = cx.settings.actions.reshard_timeout_secs as f64;
        plan.push(
            Step::new(format!("Reshard {} from {cur} to {n} shards", g.id))
                .why("ModifyReplicationGroupShardConfiguration, then the slots move until even")
                .check(Check::RedisSteady)
                .effect(Effect::ReshardRedis { group: g.id.clone(), shards: n, remove, expect_shards: Some(cur) })
                .verify(Verify::RedisResharded { shards: n }, timeout),
        );
        plan.follow_up.push(format!(
            "watch the Cache pane: each of the {n} shards' memory and latency should settle within minutes"
        ));
        Ok(plan)
    }
}

/// A master holding well over its slots' share: a big key (the queue's list is one key in one
/// slot) that no reshard moves. Said before the plan runs, since more shards will not cool it.
fn hot_shard(c: &crate::platform::shards::ClusterView) -> Option<Finding> {
    let per_slot: Vec<(&str, f64, f64)> = c
        .masters
        .iter()
        .filter(|m| m.slots > 0)
        .map(|m| (m.addr.as_str(), m.used_memory as f64, m.used_memory as f64 / f64::from(m.slots)))
        .collect();
    if per_slot.len() < 2 {
        return None;
    }
    let (hot, used, rate) = per_slot.iter().copied().max_by(|a, b| a.2.total_cmp(&b.2))?;
    let others: Vec<f64> = per_slot.iter().filter(|m| m.0 != hot).map(|m| m.2).collect();
    let usual = others.iter().sum::<f64>() / others.len() as f64;
    let slots = used / rate;
    let excess = used - usual * slots;
    let node = c.node_max_memory().unwrap_or(0) as f64;
    // Over half again its share, and a tenth of a node or more: not noise.
    if rate <= usual * 1.5 || (node > 0.0 && excess < node * 0.1) {
        return None;
    }
    Some(Finding::warn(format!(
        "{hot} holds {} more than its slots' share: a big key (the queue's list is one key in one slot) does not \
         move with the slots, so more shards will not cool that shard; if it is the queue, drain it (scale-workers); \
         `redis-cli --bigkeys` names it",
        bytes(excess)
    )))
}


#[cfg(test)]
mod tests {
    use super::hot_shard;
    use crate::platform::shards::{ClusterView, MasterView};

    fn cluster(used: [u64; 3]) -> ClusterView {
        let masters = used
            .iter()
            .enumerate()
            .map(|(i, u)| MasterView {
                id: format!("m{i}"),
                addr: format!("10.0.{}.21:6379", i + 1),
                slots: if i == 0 { 5462 } else { 5461 },
                used_memory: *u,
                max_memory: 4 << 30,
                ..MasterView::default()
            })
            .collect();
        ClusterView { state: "ok".into(), slots_assigned: 16384, masters }
    }

    #[test]
    fn a_shard_over_its_slots_share_is_named_and_an_even_cluster_is_not() {
        let gib = 1u64 << 30;
        let f = hot_shard(&cluster([3 * gib, gib / 10, gib / 10])).expect("a hot shard");
        assert!(f.text.starts_with("10.0.1.21:6379 holds 2.") && f.text.contains("more shards will not cool"), "{}", f.text);
        assert!(hot_shard(&cluster([gib, gib, gib])).is_none());
        // A little more than its share is noise, not a hot key.
        assert!(hot_shard(&cluster([gib + gib / 20, gib, gib])).is_none());
    }
}
