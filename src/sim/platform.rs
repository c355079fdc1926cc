//! `SimPlatform`: the actions' `Platform` over the simulator, with optimistic concurrency on
//! resourceVersions, server-side dry run, the simulator's lease (on the simulated clock), and
//! fault injection for tests.

use super::engine::Simulator;
use crate::model::state::{DbInstance, Usage, Workload};
use crate::platform::{Deployment, ErrorKind, Hpa, LockOutcome, PResult, Platform, PlatformError, Pod, WriteOpts};
use async_trait::async_trait;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How simulated time passes for `sleep`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// A driver (`spawn_driver`) advances the simulator; `sleep(d)` waits d / speed of real time.
    Driven { speed: f64 },
    /// Nothing else advances it: `sleep(d)` advances the simulator by d, at once.
    Stepped,
}

pub struct SimPlatform {
    sim: Arc<Mutex<Simulator>>,
    clock: Clock,
    faults: Mutex<BTreeMap<String, (ErrorKind, u32)>>,
}

/// A poisoned lock only means another thread panicked mid-step; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn conflict(what: &str, expected: &str, actual: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Conflict,
        format!(
            "Operation cannot be fulfilled on {what}: the object has been modified; please apply your changes to the latest version and try again (resourceVersion {expected}, now {actual})"
        ),
    )
}

impl SimPlatform {
    pub fn new(sim: Arc<Mutex<Simulator>>, clock: Clock) -> Self {
        SimPlatform { sim, clock, faults: Mutex::new(BTreeMap::new()) }
    }

    pub fn simulator(&self) -> Arc<Mutex<Simulator>> {
        Arc::clone(&self.sim)
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Make the next `times` calls of operation `op` (the trait method's name, e.g. "scale")
    /// fail with `kind`.
    pub fn inject_fault(&self, op: &str, kind: ErrorKind, times: u32) {
        let mut f = lock(&self.faults);
        if times == 0 {
            f.remove(op);
        } else {
            f.insert(op.to_string(), (kind, times));
        }
    }

    fn fault(&self, op: &str) -> PResult<()> {
        // A peer the drill's facilitator killed.
        lock(&self.sim).check_peer(op)?;
        let mut f = lock(&self.faults);
        let Some((kind, left)) = f.get_mut(op) else { return Ok(()) };
        let kind = *kind;
        *left -= 1;
        if *left == 0 {
            f.remove(op);
        }
        Err(PlatformError::new(kind, format!("injected fault: {op} failed ({kind:?})")))
    }

    fn read<T>(&self, op: &str, f: impl FnOnce(&Simulator) -> T) -> PResult<T> {
        self.fault(op)?;
        Ok(f(&lock(&self.sim)))
    }

    /// A write: fault injection, the resourceVersion precondition, then the change itself, on
    /// a copy when it is a dry run.
    fn write<T>(
        &self,
        op: &str,
        what: &str,
        version: impl FnOnce(&Simulator) -> String,
        opts: &WriteOpts,
        f: impl FnOnce(&mut Simulator) -> PResult<T>,
    ) -> PResult<T> {
        self.fault(op)?;
        let mut sim = lock(&self.sim);
        if let Some(expected) = &opts.expect_version {
            let actual = version(&sim);
            if *expected != actual {
                return Err(conflict(what, expected, &actual));
            }
        }
        if opts.dry_run {
            let mut copy = sim.clone();
            f(&mut copy)
        } else {
            f(&mut sim)
        }
    }

    fn deployment_of(sim: &Simulator, w: Workload) -> Deployment {
        Deployment { state: sim.deployment_state(w), resource_version: Some(sim.deployment_version(w)) }
    }

    fn hpa_of(sim: &Simulator, w: Workload) -> Hpa {
        let (state, spec, annotations, rv) = sim.hpa_object(w);
        Hpa { state, spec, annotations, resource_version: Some(rv) }
    }

    fn deployment_name(&self, w: Workload) -> String {
        let s = lock(&self.sim);
        format!("deployments.apps \"{}\"", s.settings().kube.deployment(w))
    }

    fn hpa_name(&self, w: Workload) -> String {
        let s = lock(&self.sim);
        format!("horizontalpodautoscalers.autoscaling \"{}\"", s.settings().kube.hpa(w))
    }
}

#[async_trait]
impl Platform for SimPlatform {
    fn describe(&self) -> String {
        let s = lock(&self.sim);
        format!("simulator (scenario {}, seed {}, namespace {})", s.scenario(), s.seed(), s.settings().kube.namespace)
    }

    fn identity(&self) -> String {
        let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into());
        format!("{user} (simulator)")
    }

    fn now(&self) -> f64 {
        lock(&self.sim).time()
    }

    async fn sleep(&self, d: Duration) {
        match self.clock {
            Clock::Stepped => {
                lock(&self.sim).advance(d.as_secs_f64());
                tokio::task::yield_now().await;
            }
            Clock::Driven { speed } => {
                let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
                tokio::time::sleep(d.div_f64(speed)).await;
            }
        }
    }

    async fn deployment(&self, w: Workload) -> PResult<Deployment> {
        self.read("deployment", |s| Self::deployment_of(s, w))
    }

    async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
        let what = self.deployment_name(w);
        self.write(
            "scale",
            &what,
            |s| s.deployment_version(w),
            opts,
            |s| {
                s.scale(w, replicas)?;
                Ok(Self::deployment_of(s, w))
            },
        )
    }

    async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
        let what = self.deployment_name(w);
        self.write(
            "annotate",
            &what,
            |s| s.deployment_version(w),
            opts,
            |s| {
                s.annotate(w, key, value)?;
                Ok(Self::deployment_of(s, w))
            },
        )
    }

    async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
        let what = self.deployment_name(w);
        self.write(
            "set_limits",
            &what,
            |s| s.deployment_version(w),
            opts,
            |s| {
                s.set_limits(w, cpu, memory)?;
                Ok(Self::deployment_of(s, w))
            },
        )
    }

    async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
        self.read("pods", |s| s.pods(w))
    }

    async fn pod_health(&self, pod: &str) -> PResult<String> {
        self.read("pod_health", |s| s.pod_health(pod))?
    }

    async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
        self.read("usage", |s| s.usage(w))
    }

    async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
        self.read("hpa", |s| Some(Self::hpa_of(s, w)))
    }

    async fn replace_hpa(
        &self,
        w: Workload,
        spec: &Value,
        annotations: &BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa> {
        let what = self.hpa_name(w);
        self.write(
            "replace_hpa",
            &what,
            |s| s.hpa_version(w),
            opts,
            |s| {
                s.replace_hpa(w, spec, annotations)?;
                Ok(Self::hpa_of(s, w))
            },
        )
    }

    async fn queue_depth(&self) -> PResult<u64> {
        self.read("queue_depth", |s| s.queue_len())
    }

    async fn in_flight(&self) -> PResult<u64> {
        self.read("in_flight", |s| s.in_flight())
    }

    async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.read("db_instances", |s| s.db_instances())
    }

    async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        self.fault("modify_db_class")?;
        lock(&self.sim).modify_db_class(id, class, apply_now)
    }

    async fn db_ping(&self) -> PResult<f64> {
        self.read("db_ping", |s| s.db_round_trip_ms())
    }

    async fn db_max_connections(&self) -> PResult<u32> {
        self.read("db_max_connections", |s| s.max_connections())
    }

    async fn api_latency_p99(&self) -> PResult<Option<f64>> {
        self.read("api_latency_p99", |s| Some(s.api_p99_ms()))
    }

    async fn api_error_rate(&self) -> PResult<Option<f64>> {
        self.read("api_error_rate", |s| Some(s.api_error_pct()))
    }

    async fn notify(&self, message: &str) -> PResult<()> {
        self.fault("notify")?;
        lock(&self.sim).notify(message);
        Ok(())
    }

    async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
        self.fault("acquire_lock")?;
        Ok(lock(&self.sim).acquire_lock(holder, action, ttl.as_secs_f64()))
    }

    async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
        self.fault("renew_lock")?;
        lock(&self.sim).renew_lock(holder, ttl.as_secs_f64())
    }

    async fn release_lock(&self, holder: &str) -> PResult<()> {
        self.fault("release_lock")?;
        lock(&self.sim).release_lock(holder)
    }

    // Read replicas (issue 9)
    async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.read("db_replica_set", |s| s.db_instances())
    }

    async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
        self.fault("create_db_replica")?;
        lock(&self.sim).create_db_replica(id, class)
    }

    async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
        self.fault("delete_db_replica")?;
        lock(&self.sim).delete_db_replica(id)
    }

    async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        self.fault("db_replica_lag")?;
        lock(&self.sim).db_replica_lag(id)
    }

    async fn db_replica_ping(&self, id: &str) -> PResult<f64> {
        self.fault("db_replica_ping")?;
        lock(&self.sim).db_replica_ping(id)
    }

    async fn db_replica_connections(&self, id: &str) -> PResult<u32> {
        self.fault("db_replica_connections")?;
        lock(&self.sim).db_replica_connections(id)
    }
    // Redis cluster (issue 9)
    async fn redis_cluster(&self) -> PResult<crate::platform::shards::ClusterView> {
        self.read("redis_cluster", Simulator::redis_cluster_view)
    }
    async fn redis_group(&self) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.read("redis_group", Simulator::redis_group)
    }
    async fn modify_redis_shards(
        &self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.fault("modify_redis_shards")?;
        lock(&self.sim).modify_redis_shards(group, shards, remove)
    }
}
