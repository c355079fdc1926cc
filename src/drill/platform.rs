//! The drill's platform: the simulator's, unchanged for the guided actions, with three things
//! around it: every write is logged for the score (with what the platform looked like just
//! before it), a wait passes on the drill's own clock (simulated time, advanced by the drill's
//! loop, so a replay is the same to the byte), and the fault of a peer that dies mid-action.

use crate::model::state::{DbInstance, Usage, Workload};
use crate::platform::{Deployment, ErrorKind, Hpa, LockOutcome, PResult, Platform, PlatformError, Pod, WriteOpts};

/// How long the peer of `peer-dies` stays dead (simulated seconds).
pub const OUTAGE_SECS: f64 = 90.0;
use crate::sim::SimPlatform;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Who made a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// A guided action.
    Action,
    /// A raw command typed at the drill's kubectl prompt.
    Prompt,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpKind {
    Scale { w: Workload, from: u32, to: u32, hpa_min: Option<u32>, pinned: bool },
    ReplaceHpa { w: Workload, min: Option<u32>, pinned: bool },
    Notify,
    ModifyDb { class: String },
    Annotate { w: Workload, key: String, set: bool },
}

/// One write, as the drill saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub t: f64,
    pub by: By,
    pub kind: OpKind,
    pub ok: bool,
    pub dry_run: bool,
    /// Tasks waiting in the queue just before.
    pub queue: u64,
    /// Replicas of each workload just after (API, workers), and the database's limit.
    pub api: u32,
    pub workers: u32,
    pub max_connections: u32,
}

/// How a wait passes.
pub enum Wait {
    /// Headless: the drill's loop advances the simulator and says the new time on this channel.
    Stepped(watch::Receiver<f64>),
    /// On a terminal: a driver advances the simulator; poll its time.
    Driven,
}

pub struct DrillPlatform {
    pub sim: Arc<SimPlatform>,
    wait: Wait,
    log: Arc<Mutex<Vec<Op>>>,
    /// Arm the fault: from the first write of an action, the API server is down for a while.
    fault_armed: Mutex<bool>,
    /// Writes fail until this simulated second (the peer is dead).
    down_until: Mutex<f64>,
    by: Mutex<By>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl DrillPlatform {
    pub fn new(sim: Arc<SimPlatform>, wait: Wait, log: Arc<Mutex<Vec<Op>>>, peer_dies: bool) -> Self {
        DrillPlatform {
            sim,
            wait,
            log,
            fault_armed: Mutex::new(peer_dies),
            down_until: Mutex::new(f64::NEG_INFINITY),
            by: Mutex::new(By::Action),
        }
    }

    /// The next writes come from the prompt (until `as_action`).
    pub fn set_by(&self, by: By) {
        *lock(&self.by) = by;
    }

    /// Before a write: the first of an action kills the peer for `OUTAGE_SECS`; while it is
    /// dead every write fails as unavailable (more than the runner's retries cover).
    fn arm(&self, op: &str) -> PResult<()> {
        let by = *lock(&self.by);
        let now = self.sim.now();
        {
            let mut armed = lock(&self.fault_armed);
            if *armed && by == By::Action {
                *armed = false;
                *lock(&self.down_until) = now + OUTAGE_SECS;
            }
        }
        if now < *lock(&self.down_until) {
            return Err(PlatformError::new(
                ErrorKind::Unavailable,
                format!("{op}: the Kubernetes API server is not answering (connection refused)"),
            ));
        }
        Ok(())
    }

    async fn replicas(&self, w: Workload) -> u32 {
        self.sim.deployment(w).await.map(|d| d.state.desired).unwrap_or(0)
    }

    async fn record(&self, kind: OpKind, ok: bool, dry_run: bool, queue: u64) {
        let by = *lock(&self.by);
        let op = Op {
            t: self.sim.now(),
            by,
            kind,
            ok,
            dry_run,
            queue,
            api: self.replicas(Workload::Api).await,
            workers: self.replicas(Workload::Workers).await,
            max_connections: self.sim.db_max_connections().await.unwrap_or(0),
        };
        lock(&self.log).push(op);
    }

    async fn queue(&self) -> u64 {
        self.sim.queue_depth().await.unwrap_or(0)
    }
}

/// An HPA's minReplicas and whether the cockpit pinned it (its spec saved).
pub fn hpa_pin(h: &Hpa) -> (Option<u32>, bool) {
    (Some(h.state.min), h.annotations.contains_key(crate::actions::SAVED_SPEC_KEY))
}

#[async_trait::async_trait]
impl Platform for DrillPlatform {
    fn describe(&self) -> String {
        "simulator (drill)".into()
    }
    fn identity(&self) -> String {
        self.sim.identity()
    }
    fn now(&self) -> f64 {
        self.sim.now()
    }
    async fn sleep(&self, d: Duration) {
        let target = self.now() + d.as_secs_f64();
        match &self.wait {
            Wait::Stepped(rx) => {
                let mut rx = rx.clone();
                while self.now() < target {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            }
            Wait::Driven => {
                while self.now() < target {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    async fn deployment(&self, w: Workload) -> PResult<Deployment> {
        self.sim.deployment(w).await
    }
    async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
        self.arm("scale")?;
        let queue = self.queue().await;
        let from = self.replicas(w).await;
        let (hpa_min, pinned) = match self.sim.hpa(w).await {
            Ok(Some(h)) => hpa_pin(&h),
            _ => (None, false),
        };
        let r = self.sim.scale(w, replicas, opts).await;
        let kind = OpKind::Scale { w, from, to: replicas, hpa_min, pinned };
        self.record(kind, r.is_ok(), opts.dry_run, queue).await;
        r
    }
    async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
        self.arm("annotate")?;
        let queue = self.queue().await;
        let r = self.sim.annotate(w, key, value, opts).await;
        let kind = OpKind::Annotate { w, key: key.to_string(), set: value.is_some() };
        self.record(kind, r.is_ok(), opts.dry_run, queue).await;
        r
    }
    async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
        self.arm("set_limits")?;
        self.sim.set_limits(w, cpu, memory, opts).await
    }
    async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
        self.sim.pods(w).await
    }
    async fn pod_health(&self, pod: &str) -> PResult<String> {
        self.sim.pod_health(pod).await
    }
    async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
        self.sim.usage(w).await
    }
    async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
        self.sim.hpa(w).await
    }
    async fn replace_hpa(
        &self,
        w: Workload,
        spec: &Value,
        ann: &BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa> {
        self.arm("replace_hpa")?;
        let queue = self.queue().await;
        let r = self.sim.replace_hpa(w, spec, ann, opts).await;
        let (min, pinned) = match &r {
            Ok(h) => hpa_pin(h),
            Err(_) => (None, false),
        };
        self.record(OpKind::ReplaceHpa { w, min, pinned }, r.is_ok(), opts.dry_run, queue).await;
        r
    }
    async fn queue_depth(&self) -> PResult<u64> {
        self.sim.queue_depth().await
    }
    async fn in_flight(&self) -> PResult<u64> {
        self.sim.in_flight().await
    }
    async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.sim.db_instances().await
    }
    async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        self.arm("modify_db_class")?;
        let queue = self.queue().await;
        let r = self.sim.modify_db_class(id, class, apply_now).await;
        self.record(OpKind::ModifyDb { class: class.to_string() }, r.is_ok(), false, queue).await;
        r
    }
    async fn db_ping(&self) -> PResult<f64> {
        self.sim.db_ping().await
    }
    async fn db_max_connections(&self) -> PResult<u32> {
        self.sim.db_max_connections().await
    }
    async fn api_latency_p99(&self) -> PResult<Option<f64>> {
        self.sim.api_latency_p99().await
    }
    async fn api_error_rate(&self) -> PResult<Option<f64>> {
        self.sim.api_error_rate().await
    }
    async fn notify(&self, message: &str) -> PResult<()> {
        let queue = self.queue().await;
        let r = self.sim.notify(message).await;
        self.record(OpKind::Notify, r.is_ok(), false, queue).await;
        r
    }
    async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
        self.sim.acquire_lock(holder, action, ttl).await
    }
    async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
        self.sim.renew_lock(holder, ttl).await
    }
    async fn release_lock(&self, holder: &str) -> PResult<()> {
        self.sim.release_lock(holder).await
    }

    // Read replicas (issue 9)
    async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        self.sim.db_replica_set().await
    }
    async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
        self.sim.create_db_replica(id, class).await
    }
    async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
        self.sim.delete_db_replica(id).await
    }
    async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        self.sim.db_replica_lag(id).await
    }
    async fn db_replica_ping(&self, id: &str) -> PResult<f64> {
        self.sim.db_replica_ping(id).await
    }
    async fn db_replica_connections(&self, id: &str) -> PResult<u32> {
        self.sim.db_replica_connections(id).await
    }
    // Redis cluster (issue 9)
    async fn redis_cluster(&self) -> PResult<crate::platform::shards::ClusterView> {
        self.sim.redis_cluster().await
    }
    async fn redis_group(&self) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.sim.redis_group().await
    }
    async fn modify_redis_shards(
        &self,
        group: &str,
        shards: u32,
        remove: &[String],
    ) -> PResult<crate::platform::shards::ReplicationGroup> {
        self.sim.modify_redis_shards(group, shards, remove).await
    }
}
