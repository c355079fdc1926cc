//! Preconditions: what must hold, read from the platform right before a step, for it to run.

use crate::model::state::Workload;
use crate::model::units::si;
use crate::platform::{ErrorKind, PResult, Platform};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// The queue holds at most `max` tasks.
    QueueAtMost { max: u64 },
    /// Low enough load to remove pods: CPU under `cpu_pct` (and API p99 under `p99_ms`).
    LoadBelow { workload: Workload, cpu_pct: f64, p99_ms: Option<f64> },
    /// The RDS instance is available (not being modified).
    DbAvailable { id: String },
    // Read replicas (issue 9)
    /// The primary has between `at_least` and `at_most` read replicas (not counting one being
    /// deleted).
    ReplicaCount { at_least: u32, at_most: u32 },
    /// No client connection is open on the replica.
    ReplicaIdle { id: String },
    // Redis cluster (issue 9)
    /// The cluster is whole and still (state ok, every slot covered, none on the move) and its
    /// replication group available: no reshard is running.
    RedisSteady,
}

impl Check {
    pub fn describe(&self) -> String {
        match self {
            Check::QueueAtMost { max: 0 } => "the queue is empty".into(),
            Check::QueueAtMost { max } => format!("the queue holds at most {max} tasks"),
            Check::LoadBelow { workload, cpu_pct, p99_ms } => {
                let mut s = format!("{} CPU below {cpu_pct:.0}%", workload.label());
                if let Some(p) = p99_ms {
                    s.push_str(&format!(" and API p99 below {p:.0} ms"));
                }
                s
            }
            Check::DbAvailable { id } => format!("RDS instance {id} is available"),
            Check::ReplicaCount { at_least, at_most: u32::MAX } => {
                format!("the primary has at least {at_least} read replicas")
            }
            Check::ReplicaCount { at_least: 0, at_most } => format!("the primary has at most {at_most} read replicas"),
            Check::ReplicaCount { at_least, at_most } => {
                format!("the primary has {at_least} to {at_most} read replicas")
            }
            Check::ReplicaIdle { id } => format!("no client is connected to {id}"),
            Check::RedisSteady => {
                "the Redis cluster is ok, every slot covered, none moving, the group available".into()
            }
        }
    }

    /// The inputs this check reads that may not be visible (see `Verify::optional_inputs`).
    pub fn optional_inputs(&self) -> Vec<crate::model::MetricId> {
        match self {
            Check::LoadBelow { p99_ms: Some(_), .. } => vec![crate::model::MetricId::ApiP99],
            _ => Vec::new(),
        }
    }

    /// Ok(Ok(what was seen)) when it holds, Ok(Err(why not)) when it does not.
    pub async fn run(&self, p: &dyn Platform) -> PResult<Result<String, String>> {
        Ok(match self {
            Check::QueueAtMost { max } => {
                let q = p.queue_depth().await?;
                if q <= *max {
                    Ok(format!("queue {}", si(q as f64)))
                } else {
                    Err(format!("the queue holds {} tasks (at most {max} allowed)", si(q as f64)))
                }
            }
            Check::LoadBelow { workload, cpu_pct, p99_ms } => {
                let cpu = p.usage(*workload).await?.map(|u| u.cpu_pct);
                // API p99 is optional: not visible (no load balancer known), the check holds on
                // CPU and says what it could not see (the plan warned of it).
                let (p99, hidden) = match p99_ms {
                    Some(_) => match p.api_latency_p99().await {
                        Ok(l) => (l, None),
                        Err(e) if e.kind == ErrorKind::Blind => (None, Some(e.message)),
                        Err(e) => return Err(e),
                    },
                    None => (None, None),
                };
                match (cpu, p99, p99_ms) {
                    (Some(c), _, _) if c >= *cpu_pct => Err(format!("CPU {c:.0}% is not below {cpu_pct:.0}%")),
                    (_, Some(l), Some(max)) if l >= *max => Err(format!("API p99 {l:.0} ms is not below {max:.0} ms")),
                    (None, _, _) => Err("CPU use is unknown (no metrics): not safe to remove pods".into()),
                    (Some(c), l, _) => Ok(match (l, hidden) {
                        (Some(l), _) => format!("CPU {c:.0}%, p99 {l:.0} ms"),
                        (None, Some(why)) => format!("CPU {c:.0}%; API p99 not visible: {why}"),
                        (None, None) => format!("CPU {c:.0}%"),
                    }),
                }
            }
            Check::DbAvailable { id } => {
                let (primary, replicas) = p.db_instances().await?;
                match std::iter::once(&primary).chain(replicas.iter()).find(|i| i.id == *id) {
                    Some(i) if i.status == "available" => Ok(format!("{id} available ({})", i.class)),
                    Some(i) => Err(format!("{id} is {}, not available", i.status)),
                    None => Err(format!("no RDS instance {id}")),
                }
            }
            Check::ReplicaCount { at_least, at_most } => {
                let (_, replicas) = p.db_replica_set().await?;
                let live: Vec<&str> =
                    replicas.iter().filter(|r| r.status != "deleting").map(|r| r.id.as_str()).collect();
                let n = live.len() as u32;
                let text = format!("{n} read replica{} ({})", if n == 1 { "" } else { "s" }, live.join(", "));
                if (*at_least..=*at_most).contains(&n) {
                    Ok(text)
                } else {
                    Err(format!("{text}: {} needed for this step", count_range(*at_least, *at_most)))
                }
            }
            Check::ReplicaIdle { id } => {
                let n = p.db_replica_connections(id).await?;
                if n == 0 {
                    Ok(format!("no client on {id}"))
                } else {
                    Err(format!("{n} client connection(s) open on {id}: the application still reads from it"))
                }
            }
            Check::RedisSteady => {
                let c = p.redis_cluster().await?;
                let g = p.redis_group().await?;
                match crate::actions::procs::unsteady(&c, &g) {
                    Some(why) => Err(why),
                    None => Ok(format!("{} · group {}", c.summary(), g.status)),
                }
            }
        })
    }
}

/// "at least 2", "at most 4", "1 to 5".
fn count_range(at_least: u32, at_most: u32) -> String {
    match (at_least, at_most) {
        (n, u32::MAX) => format!("at least {n}"),
        (0, m) => format!("at most {m}"),
        (n, m) => format!("{n} to {m}"),
    }
}
