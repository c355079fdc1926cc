//! Shared by the tests/actions_*.rs files: the simulator as a platform with a stepped clock,
//! planning by name, running a plan to its end, and `Spy`, a decorator over a real platform
//! that counts calls (and can stop a call dead, to play a process killed mid-write).
#![allow(dead_code)]

use async_trait::async_trait;
use cockpit::actions::procedure::{FormCx, PlanCx};
use cockpit::actions::runner::{AbortHandle, RunOpts, Runner};
use cockpit::actions::{ActionSettings, Plan, RunEvent, Summary, registry};
use cockpit::model::state::{DbInstance, Usage, Workload};
use cockpit::model::{Board, SourceId};
use cockpit::platform::{Deployment, Hpa, LockOutcome, PResult, Platform, Pod, WriteOpts};
use cockpit::sim::{Clock, Scenario, SimPlatform, SimSettings, Simulator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A simulator run for `warmup` simulated seconds, as a platform with a stepped clock, and the
/// board those seconds filled.
pub fn sim(scenario: Scenario, seed: u64, warmup: f64) -> (Arc<SimPlatform>, Board) {
    let mut sim = Simulator::new(scenario, seed, SimSettings::default());
    let mut board = Board::new(cockpit::config::Config::default().board_settings(), &SourceId::ALL);
    cockpit::sim::run_for(&mut sim, &mut board, warmup, 5.0);
    (Arc::new(SimPlatform::new(Arc::new(Mutex::new(sim)), Clock::Stepped)), board)
}

/// Settings with the journal in `dir` and short waits between halvings.
pub fn settings(dir: &Path) -> ActionSettings {
    let mut s = ActionSettings { journal_dir: dir.to_path_buf(), ..ActionSettings::default() };
    s.actions.scale_down_wait_secs = 120;
    s
}

/// Refresh the board from the simulator, as the demo's driver does.
pub fn observe(p: &SimPlatform, board: &mut Board) {
    let sim = p.simulator();
    let s = sim.lock().unwrap_or_else(|e| e.into_inner());
    cockpit::sim::driver::ingest(&s, board);
}

/// The named procedure's plan, its form prefilled from the board with `set` on top.
pub async fn plan(name: &str, p: Arc<dyn Platform>, board: &Board, s: &ActionSettings, set: &[(&str, &str)]) -> Plan {
    let proc = registry::find(name).expect("known action");
    let mut form = proc.form(&FormCx { board, settings: s });
    for (k, v) in set {
        form.set(k, v).expect("form field");
    }
    let cx = PlanCx { platform: p, settings: s.clone(), board: board.clone() };
    proc.plan(&cx, &form).await.expect("plan")
}

/// Run a plan to its end; the summary and every event.
pub async fn run(p: Arc<dyn Platform>, plan: Plan, s: &ActionSettings) -> (Summary, Vec<RunEvent>) {
    let (runner, mut handle) = Runner::new(p, plan, RunOpts::from_settings(s));
    let summary = runner.run().await;
    let mut events = Vec::new();
    while let Ok(e) = handle.events.try_recv() {
        events.push(e);
    }
    (summary, events)
}

/// Every line of every journal file in `dir`.
pub fn journal_lines(dir: &Path) -> Vec<cockpit::actions::journal::Line> {
    let mut paths: Vec<_> =
        std::fs::read_dir(dir).expect("journal dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths.iter().flat_map(|p| cockpit::actions::journal::read(p).expect("journal")).collect()
}

pub fn hpa_of(p: &SimPlatform, w: Workload) -> (Value, BTreeMap<String, String>) {
    let sim = p.simulator();
    let s = sim.lock().unwrap_or_else(|e| e.into_inner());
    let (_, spec, ann, _) = s.hpa_object(w);
    (spec, ann)
}

pub fn replicas(p: &SimPlatform, w: Workload) -> u32 {
    p.simulator().lock().unwrap_or_else(|e| e.into_inner()).replicas(w)
}

/// Counts every call by operation, and can make one operation never return (after applying
/// it or not): a process killed in the middle of a write.
pub struct Spy {
    inner: Arc<dyn Platform>,
    pub calls: Mutex<BTreeMap<&'static str, u32>>,
    hang: Mutex<Option<(&'static str, bool)>>,
    lose: Mutex<Option<&'static str>>,
    abort_on: Mutex<Option<(&'static str, AbortHandle)>>,
    pub hung: AtomicBool,
}

const WRITES: [&str; 9] = [
    "scale",
    "annotate",
    "set_limits",
    "replace_hpa",
    "modify_db_class",
    "notify",
    "acquire_lock",
    "renew_lock",
    "release_lock",
];

impl Spy {
    pub fn new(inner: Arc<dyn Platform>) -> Arc<Spy> {
        Arc::new(Spy {
            inner,
            calls: Mutex::new(BTreeMap::new()),
            hang: Mutex::new(None),
            lose: Mutex::new(None),
            abort_on: Mutex::new(None),
            hung: AtomicBool::new(false),
        })
    }
    /// The next call of `op` is carried out but answers with a timeout (the answer was lost).
    pub fn lose_answer_on(&self, op: &'static str) {
        *self.lose.lock().unwrap_or_else(|e| e.into_inner()) = Some(op);
    }
    fn lost(&self, op: &'static str) -> bool {
        let mut l = self.lose.lock().unwrap_or_else(|e| e.into_inner());
        if *l == Some(op) {
            *l = None;
            return true;
        }
        false
    }
    /// Ask the run to abort the first time `op` is called (an engineer pressing Esc then).
    pub fn abort_on(&self, op: &'static str, abort: AbortHandle) {
        *self.abort_on.lock().unwrap_or_else(|e| e.into_inner()) = Some((op, abort));
    }
    /// The next call of `op` never returns; with `apply`, it is carried out first.
    pub fn hang_on(&self, op: &'static str, apply: bool) {
        *self.hang.lock().unwrap_or_else(|e| e.into_inner()) = Some((op, apply));
    }
    pub fn count(&self, op: &str) -> u32 {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).get(op).copied().unwrap_or(0)
    }
    pub fn total(&self) -> u32 {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).values().sum()
    }
    /// Calls that change something (the lock included).
    pub fn writes(&self) -> u32 {
        WRITES.iter().map(|w| self.count(w)).sum()
    }
    fn hit(&self, op: &'static str) -> Option<bool> {
        *self.calls.lock().unwrap_or_else(|e| e.into_inner()).entry(op).or_default() += 1;
        let mut a = self.abort_on.lock().unwrap_or_else(|e| e.into_inner());
        if a.as_ref().is_some_and(|(o, _)| *o == op)
            && let Some((_, handle)) = a.take()
        {
            handle.abort();
        }
        drop(a);
        let mut h = self.hang.lock().unwrap_or_else(|e| e.into_inner());
        match *h {
            Some((o, apply)) if o == op => {
                *h = None;
                Some(apply)
            }
            _ => None,
        }
    }
    async fn dead(&self) -> ! {
        self.hung.store(true, Ordering::SeqCst);
        std::future::pending::<()>().await;
        unreachable!("a pending future never completes")
    }
}

macro_rules! spied {
    ($self:ident, $op:literal, $call:expr) => {{
        match $self.hit($op) {
            None if $self.lost($op) => {
                let _ = $call.await;
                Err(cockpit::platform::PlatformError::new(cockpit::platform::ErrorKind::Timeout, "the answer was lost"))
            }
            None => $call.await,
            Some(true) => {
                let _ = $call.await;
                $self.dead().await
            }
            Some(false) => $self.dead().await,
        }
    }};
}

#[async_trait]
impl Platform for Spy {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn identity(&self) -> String {
        self.inner.identity()
    }
    fn now(&self) -> f64 {
        self.inner.now()
    }
    async fn sleep(&self, d: Duration) {
        self.inner.sleep(d).await
    }
    async fn deployment(&self, w: Workload) -> PResult<Deployment> {
        spied!(self, "deployment", self.inner.deployment(w))
    }
    async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
        spied!(self, "scale", self.inner.scale(w, replicas, opts))
    }
    async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
        spied!(self, "annotate", self.inner.annotate(w, key, value, opts))
    }
    async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
        spied!(self, "set_limits", self.inner.set_limits(w, cpu, memory, opts))
    }
    async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
        spied!(self, "pods", self.inner.pods(w))
    }
    async fn pod_health(&self, pod: &str) -> PResult<String> {
        spied!(self, "pod_health", self.inner.pod_health(pod))
    }
    async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
        spied!(self, "usage", self.inner.usage(w))
    }
    async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
        spied!(self, "hpa", self.inner.hpa(w))
    }
    async fn replace_hpa(
        &self,
        w: Workload,
        spec: &Value,
        ann: &BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa> {
        spied!(self, "replace_hpa", self.inner.replace_hpa(w, spec, ann, opts))
    }
    async fn queue_depth(&self) -> PResult<u64> {
        spied!(self, "queue_depth", self.inner.queue_depth())
    }
    async fn in_flight(&self) -> PResult<u64> {
        spied!(self, "in_flight", self.inner.in_flight())
    }
    async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        spied!(self, "db_instances", self.inner.db_instances())
    }
    async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        spied!(self, "modify_db_class", self.inner.modify_db_class(id, class, apply_now))
    }
    async fn db_ping(&self) -> PResult<f64> {
        spied!(self, "db_ping", self.inner.db_ping())
    }
    async fn db_max_connections(&self) -> PResult<u32> {
        spied!(self, "db_max_connections", self.inner.db_max_connections())
    }
    async fn api_latency_p99(&self) -> PResult<Option<f64>> {
        spied!(self, "api_latency_p99", self.inner.api_latency_p99())
    }
    async fn api_error_rate(&self) -> PResult<Option<f64>> {
        spied!(self, "api_error_rate", self.inner.api_error_rate())
    }
    async fn notify(&self, message: &str) -> PResult<()> {
        spied!(self, "notify", self.inner.notify(message))
    }
    async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
        spied!(self, "acquire_lock", self.inner.acquire_lock(holder, action, ttl))
    }
    async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
        spied!(self, "renew_lock", self.inner.renew_lock(holder, ttl))
    }
    async fn release_lock(&self, holder: &str) -> PResult<()> {
        spied!(self, "release_lock", self.inner.release_lock(holder))
    }

    // Read replicas (issue 9)
    async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        spied!(self, "db_replica_set", self.inner.db_replica_set())
    }
    async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
        spied!(self, "create_db_replica", self.inner.create_db_replica(id, class))
    }
    async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
        spied!(self, "delete_db_replica", self.inner.delete_db_replica(id))
    }
    async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        spied!(self, "db_replica_lag", self.inner.db_replica_lag(id))
    }
    async fn db_replica_ping(&self, id: &str) -> PResult<f64> {
        spied!(self, "db_replica_ping", self.inner.db_replica_ping(id))
    }
    async fn db_replica_connections(&self, id: &str) -> PResult<u32> {
        spied!(self, "db_replica_connections", self.inner.db_replica_connections(id))
    }
    // Redis cluster (issue 9)
    async fn redis_cluster(&self) -> PResult<cockpit::platform::shards::ClusterView> {
        spied!(self, "redis_cluster", self.inner.redis_cluster())
    }
    async fn redis_group(&self) -> PResult<cockpit::platform::shards::ReplicationGroup> {
        spied!(self, "redis_group", self.inner.redis_group())
    }
    async fn modify_redis_shards(
        &self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> PResult<cockpit::platform::shards::ReplicationGroup> {
        spied!(self, "modify_redis_shards", self.inner.modify_redis_shards(group, shards, remove))
    }
}
