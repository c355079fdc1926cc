//! Deployments and their pods: creation with a readiness delay, termination, rolling updates
//! (maxSurge 25%, maxUnavailable 25%, as Kubernetes defaults), and ReplicaSet-style victim
//! choice on scale-down (unready first, then the most recently ready).

use super::events::EventLog;
use super::quantity;
use super::rng::Rng;
use crate::model::state::{DeploymentState, Workload};
use std::collections::BTreeMap;

/// A task held by a worker: when it entered the queue and when it will be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub arrived: u64,
    pub done_at: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pod {
    pub name: String,
    /// The template generation it was created from.
    pub template: u32,
    pub created: u64,
    /// Pending (scheduling, image pull) until this second, then Running.
    pub running_at: u64,
    /// Ready from this second on.
    pub ready_at: u64,
    /// Deleted: gone at this second.
    pub terminating_until: Option<u64>,
    pub restarts: u32,
    /// Reason of the last termination ("OOMKilled").
    pub last_reason: Option<&'static str>,
    /// Second the current container started (the leak grows from here).
    pub started: u64,
    pub cpu_limit: String,
    pub memory_limit: String,
    pub cpu_limit_cores: f64,
    pub memory_limit_mib: f64,
    /// Use, as a percentage of the container requests.
    pub cpu_pct: f64,
    pub memory_pct: f64,
    /// Worker only: tasks being processed.
    pub tasks: Vec<Task>,
    /// How fast this pod leaks memory, relative to the scenario's rate.
    pub leak_factor: f64,
    pub(crate) was_ready: bool,
}

impl Pod {
    pub fn terminating(&self) -> bool {
        self.terminating_until.is_some()
    }
    pub fn ready(&self, now: u64) -> bool {
        self.terminating_until.is_none() && now >= self.ready_at
    }
    /// Pending until the first container runs; a restarting container stays Running.
    pub fn phase(&self, now: u64) -> &'static str {
        if now < self.running_at && self.restarts == 0 { "Pending" } else { "Running" }
    }
    /// The container's waiting reason, if it is waiting.
    pub fn waiting_reason(&self, now: u64) -> Option<&'static str> {
        if now >= self.running_at || self.terminating() {
            None
        } else if self.restarts > 0 {
            Some("CrashLoopBackOff")
        } else {
            Some("ContainerCreating")
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub workload: Workload,
    pub name: String,
    /// spec.replicas
    pub replicas: u32,
    pub generation: i64,
    pub observed_generation: i64,
    pub annotations: BTreeMap<String, String>,
    pub cpu_limit: String,
    pub memory_limit: String,
    pub template: u32,
    pub template_hash: String,
    pub pods: Vec<Pod>,
    pub resource_version: u64,
    /// A rollout was started and its completion not yet announced.
    pub rolling: bool,
    pub(crate) status_print: [i64; 5],
}

/// Seconds a new pod takes: (pending, ready after creation), drawn per pod.
fn startup(w: Workload, rng: &mut Rng) -> (u64, u64) {
    let pending = rng.between(2, 5);
    let ready = match w {
        Workload::Api => rng.between(20, 40),
        Workload::Workers => rng.between(30, 60),
    };
    (pending, ready.max(pending + 1))
}

impl Deploy {
    pub fn new(workload: Workload, name: &str, replicas: u32, limits: (&str, &str), rng: &mut Rng) -> Self {
        let mut d = Deploy {
            workload,
            name: name.to_string(),
            replicas,
            generation: 1,
            observed_generation: 1,
            annotations: BTreeMap::new(),
            cpu_limit: limits.0.to_string(),
            memory_limit: limits.1.to_string(),
            template: 1,
            template_hash: rng.suffix(10),
            pods: Vec::with_capacity(128),
            resource_version: 0,
            rolling: false,
            status_print: [0; 5],
        };
        // The platform has been running a while: the initial pods are up and ready.
        for _ in 0..replicas {
            d.create_pod(0, rng);
            if let Some(p) = d.pods.last_mut() {
                p.running_at = 0;
                p.ready_at = 0;
                p.was_ready = true;
            }
        }
        d
    }

    pub fn object(&self) -> String {
        format!("deployment/{}", self.name)
    }

    pub fn draining(&self) -> bool {
        self.annotations.get("drain").is_some_and(|v| v == "true")
    }

    fn create_pod(&mut self, now: u64, rng: &mut Rng) {
        let (pending, ready) = startup(self.workload, rng);
        let name = format!("{}-{}-{}", self.name, self.template_hash, rng.suffix(5));
        let cpu = quantity::cpu_cores(&self.cpu_limit).unwrap_or(1.0);
        let mem = quantity::memory_mib(&self.memory_limit).unwrap_or(1024.0);
        let tasks = match self.workload {
            Workload::Workers => Vec::with_capacity(8),
            Workload::Api => Vec::new(),
        };
        self.pods.push(Pod {
            name,
            template: self.template,
            created: now,
            running_at: now + pending,
            ready_at: now + ready,
            terminating_until: None,
            restarts: 0,
            last_reason: None,
            started: now + pending,
            cpu_limit: self.cpu_limit.clone(),
            memory_limit: self.memory_limit.clone(),
            cpu_limit_cores: cpu,
            memory_limit_mib: mem,
            cpu_pct: 0.0,
            memory_pct: 0.0,
            tasks,
            leak_factor: rng.range(0.7, 1.3),
            was_ready: false,
        });
    }

    /// Delete pod `i`: it terminates for a few seconds; a worker's tasks go back to the queue.
    fn delete_pod(&mut self, i: usize, now: u64, rng: &mut Rng, requeue: &mut Vec<u64>) {
        let grace = match self.workload {
            Workload::Api => rng.between(3, 5),
            Workload::Workers => rng.between(4, 8),
        };
        let p = &mut self.pods[i];
        p.terminating_until = Some(now + grace);
        requeue.extend(p.tasks.drain(..).map(|t| t.arrived));
    }

    /// The pod a ReplicaSet would delete first among those matching `old_only`.
    fn victim(&self, now: u64, old_only: bool, ready: Option<bool>) -> Option<usize> {
        self.pods
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.terminating())
            .filter(|(_, p)| !old_only || p.template != self.template)
            .filter(|(_, p)| ready.is_none_or(|r| p.ready(now) == r))
            .max_by_key(|(i, p)| (!p.ready(now), p.ready_at, *i))
            .map(|(i, _)| i)
    }

    /// Set spec.replicas (a manual scale or the HPA), with the controller's event.
    pub fn set_replicas(&mut self, at: f64, n: u32, log: &mut EventLog) {
        if n == self.replicas {
            return;
        }
        let dir = if n > self.replicas { "up" } else { "down" };
        self.replicas = n;
        self.generation += 1;
        log.normal(
            at,
            self.object(),
            "ScalingReplicaSet",
            format!("Scaled {dir} replica set {}-{} to {n}", self.name, self.template_hash),
        );
    }

    /// Change container 0's limits: a new template, rolled out over the next steps.
    pub fn set_limits(&mut self, at: f64, cpu: &str, memory: &str, rng: &mut Rng, log: &mut EventLog) {
        self.cpu_limit = cpu.to_string();
        self.memory_limit = memory.to_string();
        self.template += 1;
        self.template_hash = rng.suffix(10);
        self.generation += 1;
        self.rolling = true;
        log.normal(
            at,
            self.object(),
            "ScalingReplicaSet",
            format!(
                "Scaled up replica set {}-{} to 1 (rolling update: limits cpu={cpu} memory={memory})",
                self.name, self.template_hash
            ),
        );
    }

    /// Pod lifecycle for one second: finished terminations go, newly ready pods are announced.
    pub fn lifecycle(&mut self, now: u64, log: &mut EventLog) {
        self.pods.retain(|p| p.terminating_until.is_none_or(|t| t > now));
        let mut became_ready = 0;
        for p in &mut self.pods {
            let r = p.ready(now);
            if r && !p.was_ready {
                became_ready += 1;
            }
            p.was_ready = r;
        }
        if became_ready > 0 {
            let (live, ready) = self.live_ready(now);
            let s = if became_ready == 1 { "" } else { "s" };
            log.normal(
                now as f64,
                self.object(),
                "PodReady",
                format!("{became_ready} pod{s} became ready ({ready}/{live} ready)"),
            );
        }
    }

    /// The deployment controller for one second. Tasks of deleted workers go to `requeue`.
    pub fn reconcile(&mut self, now: u64, rng: &mut Rng, log: &mut EventLog, requeue: &mut Vec<u64>) {
        self.observed_generation = self.generation;
        let desired = self.replicas as usize;
        let live = |d: &Deploy| d.pods.iter().filter(|p| !p.terminating()).count();
        let new = |d: &Deploy| d.pods.iter().filter(|p| !p.terminating() && p.template == d.template).count();
        let old = live(self) - new(self);
        if old == 0 {
            while live(self) < desired {
                self.create_pod(now, rng);
            }
            while live(self) > desired {
                let Some(i) = self.victim(now, false, None) else { break };
                self.delete_pod(i, now, rng, requeue);
            }
            if self.rolling && self.pods.iter().all(|p| p.terminating() || p.ready(now)) {
                self.rolling = false;
                log.normal(
                    now as f64,
                    self.object(),
                    "RolloutComplete",
                    format!("deployment \"{}\" successfully rolled out (generation {})", self.name, self.generation),
                );
            }
            return;
        }
        let surge = ((desired as f64 * 0.25).ceil() as usize).max(1);
        let max_unavailable = (desired as f64 * 0.25).floor() as usize;
        let min_available = desired.saturating_sub(max_unavailable);
        // Too many pods after a scale-down during the rollout: old ones go first.
        while live(self) > desired + surge {
            let Some(i) = self.victim(now, true, None).or_else(|| self.victim(now, false, None)) else { break };
            self.delete_pod(i, now, rng, requeue);
        }
        // Scale the new ReplicaSet up within the surge.
        while live(self) < desired + surge && new(self) < desired {
            self.create_pod(now, rng);
        }
        // Clean up unready old pods, then scale old ready ones down while enough stay available.
        let new_unready =
            self.pods.iter().filter(|p| !p.terminating() && p.template == self.template && !p.ready(now)).count();
        let mut may_remove = live(self) as i64 - min_available as i64 - new_unready as i64;
        while may_remove > 0 {
            let Some(i) = self.victim(now, true, Some(false)) else { break };
            self.delete_pod(i, now, rng, requeue);
            may_remove -= 1;
        }
        let mut available = self.live_ready(now).1 as usize;
        while available > min_available {
            let Some(i) = self.victim(now, true, Some(true)) else { break };
            self.delete_pod(i, now, rng, requeue);
            available -= 1;
        }
    }

    /// (pods not terminating, of which ready).
    pub fn live_ready(&self, now: u64) -> (u32, u32) {
        let mut live = 0;
        let mut ready = 0;
        for p in self.pods.iter().filter(|p| !p.terminating()) {
            live += 1;
            if p.ready(now) {
                ready += 1;
            }
        }
        (live, ready)
    }

    pub fn updated(&self) -> u32 {
        self.pods.iter().filter(|p| !p.terminating() && p.template == self.template).count() as u32
    }

    pub fn state(&self, now: u64) -> DeploymentState {
        let (_, ready) = self.live_ready(now);
        DeploymentState {
            name: self.name.clone(),
            desired: self.replicas,
            ready,
            updated: self.updated(),
            available: ready,
            generation: self.generation,
            observed_generation: self.observed_generation,
            annotations: self.annotations.clone(),
            cpu_limit: Some(self.cpu_limit.clone()),
            memory_limit: Some(self.memory_limit.clone()),
        }
    }

    /// The status fields whose change makes the API server bump the resourceVersion.
    pub(crate) fn status_print(&self, now: u64) -> [i64; 5] {
        let (live, ready) = self.live_ready(now);
        [live as i64, ready as i64, self.updated() as i64, self.observed_generation, self.replicas as i64]
    }
}
