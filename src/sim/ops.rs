//! The operations a person or the cockpit performs on the simulated platform, and the getters
//! tests use. Each write that changes an object bumps its resourceVersion, as the API server does.

use super::engine::{Counters, Simulator};
use super::hpa::Hpa;
use super::pods::Deploy;
use super::quantity;
use super::scenario::Scenario;
use super::settings::SimSettings;
use crate::model::state::{DbInstance, DeploymentState, HpaState, KubeEvent, Usage, Workload};
use crate::platform::{ErrorKind, PResult, PlatformError, Pod};
use serde_json::Value;
use std::collections::BTreeMap;

/// The simulator refuses to run more pods than this per deployment.
pub const MAX_SIM_REPLICAS: u32 = 1000;

fn invalid(msg: impl Into<String>) -> PlatformError {
    PlatformError::new(ErrorKind::Invalid, msg)
}

fn valid_annotation_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
    });
    name_ok && prefix_ok
}

impl Simulator {
    pub(super) fn deploy(&self, w: Workload) -> &Deploy {
        match w {
            Workload::Api => &self.api,
            Workload::Workers => &self.workers,
        }
    }

    pub(super) fn hpa_ref(&self, w: Workload) -> &Hpa {
        match w {
            Workload::Api => &self.api_hpa,
            Workload::Workers => &self.worker_hpa,
        }
    }

    /// `kubectl scale deployment ... --replicas=N`.
    pub fn scale(&mut self, w: Workload, replicas: u32) -> PResult<DeploymentState> {
        if replicas > MAX_SIM_REPLICAS {
            return Err(invalid(format!(
                "replicas {replicas}: the simulator runs at most {MAX_SIM_REPLICAS} pods per deployment"
            )));
        }
        let now = self.tick;
        if self.deploy(w).replicas == replicas {
            return Ok(self.deploy(w).state(now));
        }
        let rv = self.next_rv();
        let at = self.op_time();
        let d = match w {
            Workload::Api => &mut self.api,
            Workload::Workers => &mut self.workers,
        };
        d.set_replicas(at, replicas, &mut self.events);
        d.resource_version = rv;
        Ok(d.state(now))
    }

    /// `kubectl annotate deployment ... key=value` (Some) or `key-` (None).
    pub fn annotate(&mut self, w: Workload, key: &str, value: Option<&str>) -> PResult<DeploymentState> {
        if !valid_annotation_key(key) {
            return Err(invalid(format!("metadata.annotations: invalid key {key:?}")));
        }
        let now = self.tick;
        let current = self.deploy(w).annotations.get(key).cloned();
        if current.as_deref() == value {
            return Ok(self.deploy(w).state(now));
        }
        let rv = self.next_rv();
        let at = self.op_time();
        let d = match w {
            Workload::Api => &mut self.api,
            Workload::Workers => &mut self.workers,
        };
        let message = match value {
            Some(v) => {
                d.annotations.insert(key.to_string(), v.to_string());
                format!("annotation {key}={v} set")
            }
            None => {
                d.annotations.remove(key);
                format!("annotation {key} removed")
            }
        };
        d.resource_version = rv;
        let object = d.object();
        self.events.normal(at, object, "AnnotationChanged", message);
        Ok(self.deploy(w).state(now))
    }

    /// Patch container 0's CPU and memory limits: starts a rolling update.
    pub fn set_limits(&mut self, w: Workload, cpu: &str, memory: &str) -> PResult<DeploymentState> {
        if quantity::cpu_cores(cpu).is_none() {
            return Err(invalid(format!(
                "spec.template.spec.containers[0].resources.limits.cpu: invalid quantity {cpu:?}"
            )));
        }
        if quantity::memory_mib(memory).is_none() {
            return Err(invalid(format!(
                "spec.template.spec.containers[0].resources.limits.memory: invalid quantity {memory:?}"
            )));
        }
        let now = self.tick;
        let d = self.deploy(w);
        if d.cpu_limit == cpu && d.memory_limit == memory {
            return Ok(d.state(now));
        }
        let rv = self.next_rv();
        let at = self.op_time();
        let d = match w {
            Workload::Api => &mut self.api,
            Workload::Workers => &mut self.workers,
        };
        d.set_limits(at, cpu, memory, &mut self.rng_pods, &mut self.events);
        d.resource_version = rv;
        Ok(d.state(now))
    }

    pub fn deployment_version(&self, w: Workload) -> String {
        self.deploy(w).resource_version.to_string()
    }

    pub fn deployment_state(&self, w: Workload) -> DeploymentState {
        self.deploy(w).state(self.tick)
    }

    /// The HPA as `kubectl get hpa -o json` has it: status, spec, annotations, resourceVersion.
    pub fn hpa_object(&self, w: Workload) -> (HpaState, Value, BTreeMap<String, String>, String) {
        let h = self.hpa_ref(w);
        (h.state(), h.spec_json.clone(), h.annotations.clone(), h.resource_version.to_string())
    }

    pub fn hpa_state(&self, w: Workload) -> HpaState {
        self.hpa_ref(w).state()
    }

    pub fn hpa_version(&self, w: Workload) -> String {
        self.hpa_ref(w).resource_version.to_string()
    }

    /// `kubectl replace` of the HPA's spec and annotations (validated and defaulted).
    pub fn replace_hpa(
        &mut self,
        w: Workload,
        spec: &Value,
        annotations: &BTreeMap<String, String>,
    ) -> PResult<HpaState> {
        if let Some(k) = annotations.keys().find(|k| !valid_annotation_key(k)) {
            return Err(invalid(format!("metadata.annotations: invalid key {k:?}")));
        }
        let before = {
            let h = self.hpa_ref(w);
            (h.spec_json.clone(), h.annotations.clone())
        };
        let h = match w {
            Workload::Api => &mut self.api_hpa,
            Workload::Workers => &mut self.worker_hpa,
        };
        h.replace(spec, annotations)
            .map_err(|e| invalid(format!("HorizontalPodAutoscaler {:?} is invalid: spec.{e}", h.name)))?;
        if (h.spec_json.clone(), h.annotations.clone()) != before {
            let rv = self.next_rv();
            let h = match w {
                Workload::Api => &mut self.api_hpa,
                Workload::Workers => &mut self.worker_hpa,
            };
            h.resource_version = rv;
        }
        Ok(self.hpa_ref(w).state())
    }

    /// ModifyDBInstance --db-instance-class, with or without --apply-immediately.
    pub fn modify_db_class(&mut self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        let now = self.tick;
        self.rds.modify(now, id, class, apply_now, &mut self.rng_pods)
    }

    pub fn db_instances(&self) -> (DbInstance, Vec<DbInstance>) {
        let s = self.rds.state();
        (s.primary.unwrap_or_default(), s.replicas)
    }

    /// Record a notification as an event.
    pub fn notify(&mut self, message: &str) {
        let at = self.op_time();
        self.events.normal(at, "cockpit".into(), "Notify", message.to_string());
    }

    /// The pods of a workload, oldest first.
    pub fn pods(&self, w: Workload) -> Vec<Pod> {
        let now = self.tick;
        self.deploy(w)
            .pods
            .iter()
            .map(|p| Pod {
                name: p.name.clone(),
                ready: p.ready(now),
                phase: p.phase(now).to_string(),
                terminating: p.terminating(),
                cpu_limit: Some(p.cpu_limit.clone()),
                memory_limit: Some(p.memory_limit.clone()),
            })
            .collect()
    }

    /// `/health` of a pod: Ok when it is ready.
    pub fn pod_health(&self, name: &str) -> PResult<String> {
        let now = self.tick;
        let pod = [&self.api, &self.workers].into_iter().flat_map(|d| d.pods.iter()).find(|p| p.name == name);
        match pod {
            None => Err(PlatformError::new(ErrorKind::NotFound, format!("pods \"{name}\" not found"))),
            Some(p) if p.ready(now) => Ok(r#"{"status":"ok"}"#.to_string()),
            Some(p) => Err(PlatformError::new(
                ErrorKind::Unavailable,
                format!("pod {name} is not ready ({})", p.waiting_reason(now).unwrap_or("readiness probe failing")),
            )),
        }
    }

    pub fn usage(&self, w: Workload) -> Option<Usage> {
        super::observe::usage(self.deploy(w), self.tick)
    }

    // Getters.

    pub fn scenario(&self) -> Scenario {
        self.scenario
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn settings(&self) -> &SimSettings {
        &self.settings
    }
    /// Simulated users now.
    pub fn users(&self) -> f64 {
        self.users
    }
    pub fn queue_len(&self) -> u64 {
        self.queue.len()
    }
    /// Arrival buckets held by the queue (its memory use).
    pub fn queue_buckets(&self) -> usize {
        self.queue.buckets()
    }
    /// Seconds the oldest queued task has waited.
    pub fn oldest_wait_secs(&self) -> f64 {
        self.queue.oldest().map(|t| self.tick.saturating_sub(t) as f64).unwrap_or(0.0)
    }
    pub fn counters(&self) -> Counters {
        self.counters
    }
    /// spec.replicas of the deployment.
    pub fn replicas(&self, w: Workload) -> u32 {
        self.deploy(w).replicas
    }
    /// (pods not terminating, of which ready).
    pub fn pod_counts(&self, w: Workload) -> (u32, u32) {
        self.deploy(w).live_ready(self.tick)
    }
    pub fn api_p99_ms(&self) -> f64 {
        self.cloud.api_p99_ms
    }
    pub fn api_error_pct(&self) -> f64 {
        self.cloud.api_5xx_pct
    }
    pub fn api_rps(&self) -> f64 {
        self.cloud.api_rps
    }
    pub fn db_cpu_pct(&self) -> f64 {
        self.cloud.db_cpu_pct
    }
    pub fn db_round_trip_ms(&self) -> f64 {
        self.pg.round_trip_ms
    }
    pub fn max_connections(&self) -> u32 {
        self.pg.max_connections
    }
    /// Connections refused by max_connections this second.
    pub fn refused_connections(&self) -> u32 {
        self.pg.refused_now()
    }
    /// All events still kept, oldest first.
    pub fn events(&self) -> Vec<KubeEvent> {
        self.events.iter().cloned().collect()
    }
}
