//! Verifications: a condition a step waits for after its effect, probed on the platform clock
//! with a live value ("ready 7/10", "in flight 12") until it holds or the step's timeout.

use super::blind::{Input, and_list, hidden, hidden_short};
use super::quantity::{same_cpu, same_memory};
use crate::model::MetricId;
use crate::model::state::Workload;
use crate::model::units::{duration_short, si};
use crate::platform::{ErrorKind, PResult, Platform};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verify {
    /// At least `replicas` pods ready.
    Ready { workload: Workload, replicas: u32 },
    /// A scale-down has settled: the pods the deployment wants, all ready, none terminating.
    Settled { workload: Workload, replicas: u32 },
    /// Every pod answers `/health` (through the API server's pod proxy).
    PodsHealthy { workload: Workload },
    /// The queue is shorter than when the step began (twice in a row), or empty.
    QueueDraining,
    /// Nothing in flight.
    InFlightZero,
    /// The rollout is complete: every pod updated, ready and available.
    Rollout { workload: Workload },
    /// Every pod runs with these limits.
    PodLimits { workload: Workload, cpu: String, memory: String },
    /// The deployment's annotation is `value` (None: absent).
    Annotation { workload: Workload, key: String, value: Option<String> },
    /// The instance runs `class` (now), or has it pending for the window.
    DbClass { id: String, class: String, apply_now: bool },
    /// `SELECT 1` on the primary.
    DbPing,
    /// The HPA is active again: able to scale, metrics found.
    HpaActive { workload: Workload },
    /// Wait, re-checking load; stop the action if it rises.
    LoadSteady { workload: Workload, wait_secs: f64, cpu_pct: f64, p99_ms: Option<f64> },
    /// The runbook's thresholds are no longer critical, three probes in a row.
    Recovery { queue_max: f64, p99_max_ms: f64, error_max_pct: f64 },
    // Read replicas (issue 9)
    /// RDS lists the replica as available (creating → ... → available).
    ReplicaAvailable { id: String },
    /// The replica's lag is under `max_secs`, three probes in a row.
    ReplicaLagUnder { id: String, max_secs: f64 },
    /// `SELECT 1` on the replica's endpoint.
    ReplicaPing { id: String },
    /// RDS no longer lists the replica.
    ReplicaGone { id: String },
    // Redis cluster (issue 9)
    /// The reshard is over: the group available with `shards` node groups, and the cluster
    /// itself ok with `shards` masters owning every slot evenly, none moving.
    RedisResharded { shards: u32 },
}

/// One probe's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// Not yet; the live value.
    Pending(String),
    Done(Option<String>),
    /// Holds on the inputs it could see, but some were not visible: the step ends as a warning
    /// saying what was judged and what could not be seen (and the setting that would show it).
    Partial(String),
    Fail(String),
    /// End the whole action early, as intended (load rose, the HPA wants more).
    Stop(String),
}

/// What a verification remembers between probes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    pub started: f64,
    pub first: Option<f64>,
    pub streak: u32,
}

impl Verify {
    pub fn describe(&self) -> String {
        match self {
            Verify::Ready { workload, replicas } => format!("{replicas} {} ready", workload.label()),
            Verify::Settled { workload, replicas } => format!("{} settled at {replicas}", workload.label()),
            Verify::PodsHealthy { workload } => format!("every {} pod answers /health", short_label(*workload)),
            Verify::QueueDraining => "the queue starts to drain".into(),
            Verify::InFlightZero => "no task in flight".into(),
            Verify::Rollout { .. } => "the rollout completes".into(),
            Verify::PodLimits { cpu, memory, .. } => format!("every pod runs with cpu {cpu}, memory {memory}"),
            Verify::Annotation { key, value: Some(v), .. } => format!("annotation {key}={v} is set"),
            Verify::Annotation { key, value: None, .. } => format!("annotation {key} is gone"),
            Verify::DbClass { id, class, apply_now: true } => format!("{id} available as {class}"),
            Verify::DbClass { id, class, apply_now: false } => format!("{id} has {class} pending for the window"),
            Verify::DbPing => "SELECT 1 answers".into(),
            Verify::HpaActive { .. } => "the HPA is able to scale and finds its metrics".into(),
            Verify::LoadSteady { wait_secs, .. } => format!("load stays low for {}", duration_short(*wait_secs)),
            Verify::Recovery { .. } => "queue, latency and errors back under the critical thresholds".into(),
            Verify::ReplicaAvailable { id } => format!("{id} is available"),
            Verify::ReplicaLagUnder { id, max_secs } => {
                format!("{id}'s replica lag settles under {}", duration_short(*max_secs))
            }
            Verify::ReplicaPing { id } => format!("SELECT 1 answers on {id}"),
            Verify::ReplicaGone { id } => format!("{id} is deleted"),
            Verify::RedisResharded { shards } => {
                format!("{shards} masters own all 16384 slots evenly, none moving, cluster_state ok, group available")
            }
        }
    }

    /// Probe once. Transient platform errors come back as `Err` (the runner shows them and
    /// probes again until the timeout).
    pub async fn probe(&self, p: &dyn Platform, m: &mut Memory) -> PResult<Probe> {
        match self {
            Verify::RedisResharded { shards } => Self::resharded(p, *shards).await,
            Verify::Ready { workload, replicas } => {
                let d = p.deployment(*workload).await?.state;
                if d.desired < *replicas {
                    return Ok(Probe::Fail(format!(
                        "the deployment now wants {} (someone or an HPA changed it)",
                        d.desired
                    )));
                }
                let live = format!("ready {}/{}", d.ready, replicas);
                Ok(if d.ready >= *replicas { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::Settled { workload, replicas } => {
                let d = p.deployment(*workload).await?.state;
                let pods = p.pods(*workload).await?;
                let live_pods = pods.iter().filter(|x| !x.terminating).count() as u32;
                if d.desired > *replicas {
                    return Ok(Probe::Stop(format!("the HPA scaled back up to {}: load needs more", d.desired)));
                }
                let live =
                    format!("pods {} (ready {}, {} terminating)", live_pods, d.ready, pods.len() as u32 - live_pods);
                let done = live_pods == d.desired && d.ready >= d.desired && pods.iter().all(|x| !x.terminating);
                Ok(if done { Probe::Done(Some(format!("{} pods ready", d.ready))) } else { Probe::Pending(live) })
            }
            Verify::PodsHealthy { workload } => {
                let want = p.deployment(*workload).await?.state.desired;
                let pods = p.pods(*workload).await?;
                let mut healthy = 0u32;
                for pod in pods.iter().filter(|x| !x.terminating) {
                    match p.pod_health(&pod.name).await {
                        Ok(_) => healthy += 1,
                        Err(e) if e.is_transient() || e.kind == ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
                let live = format!("healthy {healthy}/{want}");
                Ok(if healthy >= want { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::QueueDraining => {
                let q = p.queue_depth().await? as f64;
                let first = *m.first.get_or_insert(q);
                m.streak = if q < first { m.streak + 1 } else { 0 };
                let live = format!("queue {} (was {})", si(q), si(first));
                Ok(if q == 0.0 || m.streak >= 2 { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::InFlightZero => {
                let n = p.in_flight().await?;
                let live = format!("in flight {n}");
                Ok(if n == 0 { Probe::Done(None) } else { Probe::Pending(live) })
            }
            Verify::Rollout { workload } => {
                let d = p.deployment(*workload).await?.state;
                let live = format!("updated {}/{} · ready {}/{}", d.updated, d.desired, d.ready, d.desired);
                let done = d.observed_generation >= d.generation
                    && d.updated >= d.desired
                    && d.ready >= d.desired
                    && d.available >= d.desired;
                Ok(if done { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::PodLimits { workload, cpu, memory } => {
                let pods = p.pods(*workload).await?;
                let live: Vec<_> = pods.iter().filter(|x| !x.terminating).collect();
                let good = live
                    .iter()
                    .filter(|x| same_cpu(x.cpu_limit.as_deref(), cpu) && same_memory(x.memory_limit.as_deref(), memory))
                    .count();
                let text = format!("new limits on {good}/{} pods", live.len());
                Ok(if good == live.len() && !live.is_empty() { Probe::Done(Some(text)) } else { Probe::Pending(text) })
            }
            Verify::Annotation { workload, key, value } => {
                let d = p.deployment(*workload).await?.state;
                let now = d.annotations.get(key);
                let live = match now {
                    Some(v) => format!("{key}={v}"),
                    None => format!("{key} absent"),
                };
                Ok(if now == value.as_ref() { Probe::Done(None) } else { Probe::Pending(live) })
            }
            Verify::DbClass { id, class, apply_now } => {
                let (primary, replicas) = p.db_instances().await?;
                let Some(i) = std::iter::once(primary).chain(replicas).find(|i| i.id == *id) else {
                    return Ok(Probe::Fail(format!("no RDS instance {id}")));
                };
                let live = match &i.pending_class {
                    Some(c) => format!("{}: {} ({} → {c})", i.id, i.status, i.class),
                    None => format!("{}: {} ({})", i.id, i.status, i.class),
                };
                let done = if *apply_now {
                    i.class == *class && i.status == "available"
                } else {
                    i.class == *class || i.pending_class.as_deref() == Some(class)
                };
                Ok(if done { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::DbPing => {
                let ms = p.db_ping().await?;
                Ok(Probe::Done(Some(format!("SELECT 1 in {ms:.1} ms"))))
            }
            Verify::HpaActive { workload } => {
                let Some(h) = p.hpa(*workload).await? else {
                    return Ok(Probe::Fail("the HPA is gone".into()));
                };
                let able = h.state.condition("AbleToScale");
                let active = h.state.condition("ScalingActive");
                let word = |c: Option<&crate::model::state::HpaCondition>| match c {
                    Some(c) => format!("{} ({})", if c.status { "True" } else { "False" }, c.reason),
                    None => "not reported yet".into(),
                };
                let live = format!("AbleToScale {} · ScalingActive {}", word(able), word(active));
                let done = able.is_some_and(|c| c.status) && active.is_some_and(|c| c.status);
                Ok(if done { Probe::Done(Some(live)) } else { Probe::Pending(live) })
            }
            Verify::LoadSteady { workload, wait_secs, cpu_pct, p99_ms } => {
                let elapsed = p.now() - m.started;
                let cpu = p.usage(*workload).await?.map(|u| u.cpu_pct);
                let p99 = match p99_ms {
                    Some(_) => Some(Input::read(p.api_latency_p99().await)?),
                    None => None,
                };
                if let Some(c) = cpu.filter(|c| c >= cpu_pct) {
                    return Ok(Probe::Stop(format!("load rose: CPU {c:.0}% ≥ {cpu_pct:.0}%")));
                }
                if let (Some(l), Some(max)) = (p99.as_ref().and_then(Input::value), p99_ms)
                    && l >= *max
                {
                    return Ok(Probe::Stop(format!("load rose: API p99 {l:.0} ms ≥ {max:.0} ms")));
                }
                let Some(c) = cpu else {
                    return Ok(Probe::Stop("CPU use is unknown (no metrics): not safe to go on scaling down".into()));
                };
                let blind = p99.as_ref().and_then(|i| hidden(&[("API p99", i)]));
                let load = match (&p99, &blind) {
                    (Some(Input::Seen(l)), _) => format!("CPU {c:.0}%, p99 {l:.0} ms"),
                    (_, Some((names, reasons))) => format!("CPU {c:.0}%, {}", hidden_short(names, reasons)),
                    _ => format!("CPU {c:.0}%"),
                };
                if elapsed < *wait_secs {
                    return Ok(Probe::Pending(format!(
                        "waiting {} of {} · {load}",
                        duration_short(elapsed),
                        duration_short(*wait_secs)
                    )));
                }
                Ok(match blind {
                    None => Probe::Done(Some(load)),
                    Some((names, reasons)) => Probe::Partial(format!(
                        "load stayed low judged on CPU alone (CPU {c:.0}%): {names} not visible: {reasons}"
                    )),
                })
            }
            Verify::Recovery { queue_max, p99_max_ms, error_max_pct } => {
                let q = Input::read(p.queue_depth().await.map(|q| Some(q as f64)))?;
                let l = Input::read(p.api_latency_p99().await)?;
                let e = Input::read(p.api_error_rate().await)?;
                let inputs =
                    [("the queue", &q, *queue_max), ("p99", &l, *p99_max_ms), ("error rate", &e, *error_max_pct)];
                let named: Vec<(&str, &Input)> = inputs.iter().map(|(n, i, _)| (*n, *i)).collect();
                let blind = hidden(&named);
                let seen: Vec<&str> =
                    inputs.iter().filter(|(_, i, _)| i.value().is_some()).map(|(n, _, _)| *n).collect();
                if seen.is_empty() {
                    let (_, reasons) = blind.unwrap_or_default();
                    return Ok(Probe::Fail(format!(
                        "recovery cannot be judged: queue, p99 and error rate are not visible: {reasons}"
                    )));
                }
                let ok = inputs.iter().all(|(_, i, max)| i.value().is_none_or(|v| v <= *max));
                m.streak = if ok { m.streak + 1 } else { 0 };
                let fmt = |i: &Input, f: fn(f64) -> String| i.value().map(f).unwrap_or_else(|| "—".into());
                let mut live = format!("queue {} · p99 {} · errors {}", fmt(&q, si), fmt(&l, ms), fmt(&e, pct));
                if let Some((names, reasons)) = &blind {
                    live.push_str(&format!(" · {}", hidden_short(names, reasons)));
                }
                if m.streak < 3 {
                    return Ok(Probe::Pending(live));
                }
                Ok(match blind {
                    None => Probe::Done(Some(live)),
                    Some((names, reasons)) => {
                        let on = if seen.len() == 1 { format!("{} alone", seen[0]) } else { and_list(&seen) };
                        let values: Vec<String> =
                            [("queue", &q, si as fn(f64) -> String), ("p99", &l, ms), ("errors", &e, pct)]
                                .iter()
                                .filter_map(|(n, i, f)| i.value().map(|v| format!("{n} {}", f(v))))
                                .collect();
                        Probe::Partial(format!(
                            "recovery judged on {on} ({}): {names} not visible: {reasons}",
                            values.join(", ")
                        ))
                    }
                })
            }
            Verify::ReplicaAvailable { .. }
            | Verify::ReplicaLagUnder { .. }
            | Verify::ReplicaPing { .. }
            | Verify::ReplicaGone { .. } => self.probe_replica(p, m).await,
        }
    }

    /// Probe one of the read replica verifications (issue 9).
    async fn probe_replica(&self, p: &dyn Platform, m: &mut Memory) -> PResult<Probe> {
        let find = |replicas: Vec<crate::model::state::DbInstance>, id: &str| replicas.into_iter().find(|r| r.id == id);
        Ok(match self {
            Verify::ReplicaAvailable { id } => match find(p.db_replica_set().await?.1, id) {
                Some(r) if r.status == "available" => Probe::Done(Some(format!("{id}: available ({})", r.class))),
                Some(r) if matches!(r.status.as_str(), "failed" | "incompatible-parameters" | "deleting") => {
                    Probe::Fail(format!("{id} is {}", r.status))
                }
                Some(r) => Probe::Pending(format!("{id}: {}", r.status)),
                None => Probe::Fail(format!("RDS no longer lists {id} as a read replica of the primary")),
            },
            Verify::ReplicaLagUnder { id, max_secs } => match p.db_replica_lag(id).await? {
                None => {
                    m.streak = 0;
                    Probe::Pending(format!("{id}: no lag measured yet"))
                }
                Some(lag) => {
                    m.streak = if lag < *max_secs { m.streak + 1 } else { 0 };
                    let live = format!("{id}: lag {} (under {} wanted)", secs(lag), duration_short(*max_secs));
                    if m.streak >= 3 { Probe::Done(Some(live)) } else { Probe::Pending(live) }
                }
            },
            Verify::ReplicaPing { id } => {
                let ms = p.db_replica_ping(id).await?;
                Probe::Done(Some(format!("SELECT 1 on {id} in {ms:.1} ms")))
            }
            Verify::ReplicaGone { id } => match find(p.db_replica_set().await?.1, id) {
                None => Probe::Done(Some(format!("{id} deleted"))),
                Some(r) => Probe::Pending(format!("{id}: {}", r.status)),
            },
            _ => Probe::Fail("not a read replica verification".into()),
        })
    }
    /// Redis cluster (issue 9): the group's status and the cluster's own view, as one line.
    async fn resharded(p: &dyn Platform, shards: u32) -> PResult<Probe> {
        let c = p.redis_cluster().await?;
        let g = match p.redis_group().await {
            Ok(g) => g,
            // The API out of reach: the cluster still shows the move; waiting is the answer.
            Err(e) if e.is_transient() => {
                return Ok(Probe::Pending(format!("group status unknown ({}) · {}", e.message, c.summary())));
            }
            Err(e) => return Err(e),
        };
        let live = format!("group {} ({} shards) · {}", g.status, g.shards(), c.summary());
        let done = g.status == "available" && g.shards() == shards && c.even(shards);
        if g.status == "available" && g.shards() != shards {
            return Ok(Probe::Fail(format!("the group is available with {} shards, not {shards}: {live}", g.shards())));
        }
        Ok(if done { Probe::Done(Some(live)) } else { Probe::Pending(live) })
    }

    /// The inputs this verification reads that may not be visible (an optional setting such as
    /// aws.load_balancer gives them): it then judges on the others and ends as a warning.
    pub fn optional_inputs(&self) -> Vec<MetricId> {
        match self {
            Verify::LoadSteady { p99_ms: Some(_), .. } => vec![MetricId::ApiP99],
            Verify::Recovery { .. } => vec![MetricId::QueueDepth, MetricId::ApiP99, MetricId::ApiErrorRate],
            _ => Vec::new(),
        }
    }
}

/// As the dashboard shows it ("30.00s", "450ms"), so the run and the panes read the same.
fn ms(v: f64) -> String {
    crate::model::units::Unit::Millis.format(v)
}

/// Seconds as the Database pane shows replica lag.
fn secs(v: f64) -> String {
    crate::model::units::Unit::Seconds.format(v)
}

fn pct(v: f64) -> String {
    format!("{v:.1}%")
}

fn short_label(w: Workload) -> &'static str {
    match w {
        Workload::Api => "API",
        Workload::Workers => "worker",
    }
}
