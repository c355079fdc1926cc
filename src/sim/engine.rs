//! The simulator: one fixed 1-second step drives load, pods, workers, API, database, cache and
//! the HPAs, in that order. Everything random comes from seeded streams, so a seed, a scenario
//! and a sequence of operations fix every observation.

use super::api::{ApiModel, DbEffect};
use super::cache::{Cache, CacheLoad};
use super::cloud::Cloud;
use super::db::{DbLoad, Postgres};
use super::events::EventLog;
use super::hpa::{Hpa, MetricInputs};
use super::hpa_spec;
use super::pods::Deploy;
use super::queue::TaskQueue;
use super::rds::Rds;
use super::rng::Rng;
use super::scenario::Scenario;
use super::settings::*;
use super::workers::{self, WorkerParams};
use crate::model::state::Workload;

/// Running totals of the task flow. Conservation: arrived = queued + in flight + completed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counters {
    pub arrived: u64,
    pub started: u64,
    pub completed: u64,
    /// Tasks put back on the queue by a worker that went away (scale-down, OOMKilled).
    pub interrupted: u64,
    pub oom_kills: u64,
    /// Sum of queue waits of started tasks, seconds.
    pub wait_sum: f64,
}

#[derive(Debug, Clone)]
pub struct Simulator {
    pub(super) scenario: Scenario,
    pub(super) seed: u64,
    pub(super) settings: SimSettings,
    pub(super) tick: u64,
    carry: f64,
    rng_load: Rng,
    rng_tasks: Rng,
    pub(super) rng_pods: Rng,
    rng_noise: Rng,
    pub(super) api: Deploy,
    pub(super) workers: Deploy,
    pub(super) api_hpa: Hpa,
    pub(super) worker_hpa: Hpa,
    pub(super) queue: TaskQueue,
    pub(super) counters: Counters,
    pub(super) users: f64,
    pub(super) api_model: ApiModel,
    pub(super) pg: Postgres,
    pub(super) rds: Rds,
    pub(super) cache: Cache,
    pub(super) cloud: Cloud,
    pub(super) events: EventLog,
    rv: u64,
    requeue: Vec<u64>,
    /// Events caused by operations this second (they are stamped just after it).
    op_events: u32,
    pub(super) lease: Option<super::lease::Lease>,
    /// The drills' extra load (empty for every scenario of the demo).
    pub(super) overlay: super::overlay::Overlay,
    /// The drills' dead peers: which, and until when (simulated seconds).
    pub(super) outages: Vec<(super::outage::Peer, f64)>,
    /// CPU per agent task, percent of a worker's request (lower for a drill's I/O-bound tasks).
    task_cpu_pct: f64,
}

/// WORKER_CONCURRENCY from the capacity parameters, held to 1..=64.
fn worker_concurrency(cap: &crate::model::capacity::CapacityParams) -> usize {
    let c = cap.tasks_per_worker.round();
    if c.is_finite() { c.clamp(1.0, 64.0) as usize } else { 1 }
}

fn sane(r: crate::model::capacity::Range) -> (u32, u32) {
    let min = r.min.max(1);
    (min, r.max.max(min))
}

impl Simulator {
    pub fn new(scenario: Scenario, seed: u64, settings: SimSettings) -> Self {
        let mut rng_pods = Rng::stream(seed, 3);
        let prof = scenario.profile();
        let cap = settings.capacity;
        let (api_min, api_max) = sane(settings.limits.api_pods);
        let (w_min, w_max) = sane(settings.limits.worker_pods);
        // The platform has been running: start sized for the load at t = 0 (70% busy).
        let users0 = scenario.users(0.0);
        let api0 = (users0 * prof.rps_per_user / (API_RPS_PER_CORE * 0.6)).ceil() as u32;
        let slots = users0 * prof.tasks_per_user * cap.avg_processing_secs / cap.tasks_per_worker.max(1.0);
        let w0 = (slots / 0.7).ceil() as u32;
        let api = Deploy::new(
            Workload::Api,
            &settings.kube.api_deployment,
            api0.clamp(api_min, api_max),
            API_LIMITS,
            &mut rng_pods,
        );
        let workers = Deploy::new(
            Workload::Workers,
            &settings.kube.worker_deployment,
            w0.clamp(w_min, w_max),
            WORKER_LIMITS,
            &mut rng_pods,
        );
        let api_spec = hpa_spec::runbook_api_spec(&settings.kube.api_deployment, api_min, api_max);
        let w_spec = hpa_spec::runbook_worker_spec(&settings.kube.worker_deployment, w_min, w_max);
        let api_hpa = Hpa::new(Workload::Api, &settings.kube.api_hpa, &settings.kube.api_deployment, api_spec, 0)
            .expect("the runbook's api-server-hpa spec with sane bounds is valid");
        let worker_hpa =
            Hpa::new(Workload::Workers, &settings.kube.worker_hpa, &settings.kube.worker_deployment, w_spec, 8)
                .expect("the runbook's worker-hpa spec with sane bounds is valid");
        let rds = Rds::new(&settings.db_primary, &settings.db_replicas, &settings.db_class);
        let pg = Postgres::new(settings.max_connections, settings.db_replicas.len());
        let mut sim = Simulator {
            scenario,
            seed,
            tick: 0,
            carry: 0.0,
            rng_load: Rng::stream(seed, 1),
            rng_tasks: Rng::stream(seed, 2),
            rng_pods,
            rng_noise: Rng::stream(seed, 4),
            api,
            workers,
            api_hpa,
            worker_hpa,
            queue: TaskQueue::default(),
            counters: Counters::default(),
            users: users0,
            api_model: ApiModel::default(),
            pg,
            rds,
            cache: Cache::new(),
            cloud: Cloud::default(),
            events: EventLog::new(EVENTS_KEPT),
            rv: 1000,
            requeue: Vec::with_capacity(64),
            op_events: 0,
            lease: None,
            overlay: super::overlay::Overlay::default(),
            outages: Vec::new(),
            task_cpu_pct: super::workers::TASK_CPU_PCT,
            settings,
        };
        sim.api.resource_version = sim.next_rv();
        sim.workers.resource_version = sim.next_rv();
        sim.api_hpa.resource_version = sim.next_rv();
        sim.worker_hpa.resource_version = sim.next_rv();
        sim.prime();
        sim
    }

    /// Start in steady state for the load at t = 0: workers hold the tasks that would be in
    /// flight, the cache is warm, and every model has produced its first figures.
    fn prime(&mut self) {
        let prof = *self.scenario.profile();
        let cap = self.settings.capacity;
        let concurrency = worker_concurrency(&cap);
        let mut left = (self.users * prof.tasks_per_user * cap.avg_processing_secs).round() as u64;
        let longest = (cap.avg_processing_secs * 1.5).round().max(1.0) as u64;
        while left > 0 {
            let mut placed = false;
            for p in self.workers.pods.iter_mut().filter(|p| p.tasks.len() < concurrency) {
                if left == 0 {
                    break;
                }
                let done_at = self.rng_tasks.between(1, longest);
                p.tasks.push(super::pods::Task { arrived: 0, done_at });
                left -= 1;
                placed = true;
                self.counters.arrived += 1;
                self.counters.started += 1;
            }
            if !placed {
                break;
            }
        }
        let offered = self.users * prof.rps_per_user;
        self.cache.prime(offered);
        self.run_models(0, offered, 0);
        for (hpa, d, req) in
            [(&mut self.api_hpa, &self.api, API_REQUESTS), (&mut self.worker_hpa, &self.workers, WORKER_REQUESTS)]
        {
            hpa.refresh(d.replicas, &metric_inputs(d, 0, 0.0, req));
        }
    }

    /// The time stamp of an event caused by an operation between two steps: half a second
    /// after the step, a millisecond apart, so that each is newer than any observation of
    /// the step before it.
    pub(super) fn op_time(&mut self) -> f64 {
        self.op_events = (self.op_events + 1).min(499);
        self.tick as f64 + 0.5 + self.op_events as f64 * 0.001
    }

    pub(super) fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// CPU per agent task, percent of a worker's request (the drills' I/O-bound tasks: their
    /// CPU under-reads how busy the workers are, so a CPU-driven HPA scales them down).
    pub fn set_task_cpu(&mut self, pct: f64) {
        self.task_cpu_pct = pct.clamp(0.0, 100.0);
    }

    /// Bytes each queued task takes in the queue's list (a drill's big tasks).
    pub fn set_queued_task_bytes(&mut self, bytes: f64) {
        self.cache.queued_task_bytes = bytes.max(0.0);
    }

    /// Lay extra load over the scenario's (the drills).
    pub fn set_overlay(&mut self, overlay: super::overlay::Overlay) {
        self.overlay = overlay;
    }

    /// Simulated seconds since the start.
    pub fn time(&self) -> f64 {
        self.tick as f64
    }

    /// Advance by `secs` of simulated time in whole 1-second steps; fractions carry over.
    pub fn advance(&mut self, secs: f64) {
        if !secs.is_finite() || secs <= 0.0 {
            return;
        }
        self.carry += secs;
        let n = self.carry.floor();
        self.carry -= n;
        for _ in 0..n as u64 {
            self.step();
        }
    }

    /// One simulated second.
    pub fn step(&mut self) {
        self.tick += 1;
        self.op_events = 0;
        let now = self.tick;
        let prof = *self.scenario.profile();
        self.users = self.scenario.users(now as f64);
        let mut offered = self.users * prof.rps_per_user * self.rng_load.jitter(0.03);
        let mut arrivals = self.rng_load.poisson(self.users * prof.tasks_per_user);
        // The drills' overlay: drawn only when it adds something, so the demo's runs are unchanged.
        let (extra_rps, extra_tasks) = (self.overlay.requests_at(now as f64), self.overlay.tasks_at(now as f64));
        if extra_rps > 0.0 {
            offered += extra_rps * self.rng_load.jitter(0.03);
        }
        if extra_tasks > 0.0 {
            arrivals += self.rng_load.poisson(extra_tasks);
        }
        self.queue.push(now, arrivals);
        self.counters.arrived += arrivals;
        self.run_models(now, offered, arrivals);
    }

    /// Everything after the load of second `now`: pods, workers, API, database, cache, HPAs.
    fn run_models(&mut self, now: u64, offered: f64, arrivals: u64) {
        let prof = *self.scenario.profile();
        let cap = self.settings.capacity;

        self.api.lifecycle(now, &mut self.events);
        self.workers.lifecycle(now, &mut self.events);
        self.api.reconcile(now, &mut self.rng_pods, &mut self.events, &mut self.requeue);
        self.workers.reconcile(now, &mut self.rng_pods, &mut self.events, &mut self.requeue);
        if !self.requeue.is_empty() {
            let n = self.requeue.len();
            for t in self.requeue.drain(..) {
                self.queue.requeue(t);
            }
            self.counters.interrupted += n as u64;
            let s = if n == 1 { "" } else { "s" };
            self.events.warning(
                now as f64,
                self.workers.object(),
                "TasksRequeued",
                format!("{n} in-flight task{s} put back on the queue by terminated workers"),
            );
        }

        let slowdown = (0.8 + 0.2 * self.pg.slowdown) / (1.0 - 0.5 * self.pg.refused_share()).max(0.2);
        let params = WorkerParams {
            concurrency: worker_concurrency(&cap),
            avg_task_secs: cap.avg_processing_secs.max(1.0),
            slowdown,
            leak_mib_per_sec: prof.worker_leak_mib_per_hour / 3600.0,
            task_cpu_pct: self.task_cpu_pct,
        };
        let w = workers::step(
            now,
            &mut self.workers,
            &mut self.queue,
            &params,
            &mut self.rng_tasks,
            &mut self.rng_noise,
            &mut self.events,
        );
        self.counters.started += w.started;
        self.counters.completed += w.completed;
        self.counters.interrupted += w.requeued;
        self.counters.oom_kills += w.oom_killed;
        self.counters.wait_sum += w.wait_sum;

        let effect = DbEffect { slowdown: self.pg.slowdown, refused_share: self.pg.refused_share() };
        self.api_model.step(now, &mut self.api, offered, effect, &mut self.rng_noise);

        let holding = |d: &Deploy| d.pods.iter().filter(|p| p.terminating() || now >= p.running_at).count() as u32;
        let in_flight = self.in_flight();
        let (vcpu, mem) = self.rds.primary.size();
        let mut replica_vcpu = [0.0f64; 8];
        for (slot, r) in replica_vcpu.iter_mut().zip(&self.rds.replicas) {
            *slot = r.size().0;
        }
        let n_replicas = self.rds.replicas.len().min(8);
        let load = DbLoad {
            api_pods: holding(&self.api),
            worker_pods: holding(&self.workers),
            conns_per_api: cap.conns_per_api_pod,
            conns_per_worker: cap.conns_per_worker,
            api_rps: self.api_model.served,
            busy_slots: in_flight,
            arrivals,
            completions: w.completed,
            primary_vcpu: vcpu,
            primary_mem_gib: mem,
        };
        self.pg.step(&load, &replica_vcpu[..n_replicas], &mut self.rng_noise);
        self.step_rds(now);
        let cl = CacheLoad {
            api_rps: self.api_model.served,
            queue_len: self.queue.len(),
            in_flight,
            arrivals,
            completions: w.completed,
            api_pods: holding(&self.api),
            worker_pods: holding(&self.workers),
        };
        self.cache.step(&cl, &mut self.rng_noise);

        if now > 0 {
            let q = self.queue.len() as f64;
            sync_hpa(&mut self.api_hpa, &mut self.api, now, q, API_REQUESTS, &mut self.events, &mut self.rv);
            sync_hpa(&mut self.worker_hpa, &mut self.workers, now, q, WORKER_REQUESTS, &mut self.events, &mut self.rv);
        }

        self.cloud.update([
            self.api_model.p99_ms,
            self.api_model.error_pct,
            self.api_model.offered,
            self.pg.cpu_pct,
            self.pg.free_memory,
            self.pg.total as f64,
            self.cache.memory_share() * 100.0,
            self.cache.cpu_pct,
        ]);

        for d in [&mut self.api, &mut self.workers] {
            let print = d.status_print(now);
            if print != d.status_print {
                d.status_print = print;
                self.rv += 1;
                d.resource_version = self.rv;
            }
        }
    }

    /// Tasks held by workers (the `agent:processing` set).
    pub fn in_flight(&self) -> u64 {
        self.workers.pods.iter().map(|p| p.tasks.len() as u64).sum()
    }
}

fn sync_hpa(
    hpa: &mut Hpa,
    d: &mut Deploy,
    now: u64,
    queue: f64,
    requests: (f64, f64),
    events: &mut EventLog,
    rv: &mut u64,
) {
    if !(now + hpa.offset).is_multiple_of(HPA_SYNC_SECS) {
        return;
    }
    let m = metric_inputs(d, now, queue, requests);
    let before = hpa.status_print();
    if let Some((n, reason)) = hpa.sync(now, d.replicas, &m) {
        events.normal(
            now as f64,
            format!("hpa/{}", hpa.name),
            "SuccessfulRescale",
            format!("New size: {n}; reason: {reason}"),
        );
        d.set_replicas(now as f64, n, events);
        *rv += 1;
        d.resource_version = *rv;
    }
    if hpa.status_print() != before {
        *rv += 1;
        hpa.resource_version = *rv;
    }
}

/// What the metrics pipeline reports for a deployment's pods.
fn metric_inputs(d: &Deploy, now: u64, queue: f64, requests: (f64, f64)) -> MetricInputs {
    let mut m = MetricInputs {
        cpu_request: requests.0,
        mem_request_bytes: requests.1 * 1024.0 * 1024.0,
        queue_depth: queue,
        ..MetricInputs::default()
    };
    for p in d.pods.iter().filter(|p| !p.terminating()) {
        m.status_replicas += 1;
        if p.ready(now) {
            m.ready += 1;
            m.cpu_sum += p.cpu_pct;
        }
        if now >= p.running_at {
            m.running += 1;
            m.mem_sum += p.memory_pct;
        }
    }
    m
}
