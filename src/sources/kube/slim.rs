//! Pods as the cockpit keeps them: a compact record per pod (ready, phase, restarts, the last
//! termination or waiting reason, the container requests), decoded straight from the API's
//! JSON. Full Pod objects are never built nor kept: at 10,000 pods they would cost hundreds
//! of MiB.

use crate::model::state::{PodProblem, PodsSummary};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use std::collections::HashMap;

/// How many problem pods the summary lists.
const PROBLEMS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl Phase {
    fn parse(s: Option<&str>) -> Phase {
        match s {
            Some("Running") => Phase::Running,
            Some("Succeeded") => Phase::Succeeded,
            Some("Failed") => Phase::Failed,
            Some("Pending") | None => Phase::Pending,
            Some(_) => Phase::Unknown,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
            Phase::Unknown => "Unknown",
        }
    }
}

/// What the cockpit keeps of one pod.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodRecord {
    pub ready: bool,
    pub phase: Phase,
    pub terminating: bool,
    pub restarts: u32,
    /// A waiting reason (CrashLoopBackOff) if any, else the last termination's (OOMKilled).
    pub reason: Option<Box<str>>,
    pub oom_killed: bool,
    /// Sum of the containers' requests: millicores and bytes.
    pub cpu_request_m: u32,
    pub memory_request: u64,
}

/// A pod decoded into its record, with the little metadata the watcher needs.
#[derive(Debug, Clone)]
pub struct SlimPod {
    pub metadata: ObjectMeta,
    pub record: PodRecord,
}

impl k8s_openapi::Resource for SlimPod {
    const API_VERSION: &'static str = "v1";
    const GROUP: &'static str = "";
    const KIND: &'static str = "Pod";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "pods";
    type Scope = k8s_openapi::NamespaceResourceScope;
}

impl k8s_openapi::Metadata for SlimPod {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl<'de> Deserialize<'de> for SlimPod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawPod::deserialize(d).map(SlimPod::from)
    }
}

#[derive(Deserialize)]
struct RawPod {
    #[serde(default)]
    metadata: RawMeta,
    #[serde(default)]
    spec: Option<RawSpec>,
    #[serde(default)]
    status: Option<RawStatus>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    deletion_timestamp: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct RawSpec {
    #[serde(default)]
    containers: Vec<RawContainer>,
}

#[derive(Deserialize)]
struct RawContainer {
    #[serde(default)]
    resources: Option<RawResources>,
}

#[derive(Deserialize)]
struct RawResources {
    #[serde(default)]
    requests: Option<HashMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatus {
    phase: Option<String>,
    #[serde(default)]
    conditions: Vec<RawCondition>,
    #[serde(default)]
    container_statuses: Vec<RawContainerStatus>,
}

#[derive(Deserialize)]
struct RawCondition {
    #[serde(rename = "type")]
    type_: String,
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainerStatus {
    #[serde(default)]
    restart_count: i64,
    #[serde(default)]
    state: Option<RawState>,
    #[serde(default)]
    last_state: Option<RawState>,
}

#[derive(Deserialize)]
struct RawState {
    waiting: Option<RawReason>,
    terminated: Option<RawReason>,
}

#[derive(Deserialize)]
struct RawReason {
    reason: Option<String>,
}

fn quantity(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::String(s) => crate::sim::quantity::quantity(s),
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

impl From<RawPod> for SlimPod {
    fn from(raw: RawPod) -> SlimPod {
        let mut r = PodRecord { terminating: raw.metadata.deletion_timestamp.is_some(), ..PodRecord::default() };
        for c in raw.spec.iter().flat_map(|s| &s.containers) {
            let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
            if let Some(cpu) = requests.and_then(|q| q.get("cpu")).and_then(quantity) {
                r.cpu_request_m = r.cpu_request_m.saturating_add((cpu * 1000.0).round() as u32);
            }
            if let Some(mem) = requests.and_then(|q| q.get("memory")).and_then(quantity) {
                r.memory_request = r.memory_request.saturating_add(mem.round() as u64);
            }
        }
        if let Some(status) = &raw.status {
            r.phase = Phase::parse(status.phase.as_deref());
            r.ready = status.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            let mut waiting = None;
            let mut terminated = None;
            for cs in &status.container_statuses {
                r.restarts = r.restarts.saturating_add(u32::try_from(cs.restart_count).unwrap_or(0));
                let reason = |s: &Option<RawState>, pick: fn(&RawState) -> &Option<RawReason>| {
                    s.as_ref().and_then(|s| pick(s).as_ref()).and_then(|w| w.reason.clone())
                };
                waiting = waiting.or_else(|| reason(&cs.state, |s| &s.waiting));
                let term = reason(&cs.state, |s| &s.terminated).or_else(|| reason(&cs.last_state, |s| &s.terminated));
                r.oom_killed |= term.as_deref() == Some("OOMKilled");
                terminated = terminated.or(term);
            }
            r.reason = waiting.or(terminated).map(String::into_boxed_str);
        }
        let metadata = ObjectMeta {
            name: raw.metadata.name,
            namespace: raw.metadata.namespace,
            resource_version: raw.metadata.resource_version,
            ..ObjectMeta::default()
        };
        SlimPod { metadata, record: r }
    }
}

/// The summary the panes show, from the records of one workload's pods.
pub fn summarize(pods: &HashMap<Box<str>, PodRecord>) -> PodsSummary {
    let mut s = PodsSummary::default();
    let mut problems: Vec<(&str, &PodRecord)> = Vec::new();
    for (name, p) in pods {
        s.total += 1;
        s.ready += u32::from(p.ready);
        s.pending += u32::from(p.phase == Phase::Pending);
        s.terminating += u32::from(p.terminating);
        s.restarts = s.restarts.saturating_add(p.restarts);
        s.oom_killed += u32::from(p.oom_killed);
        if !p.ready || p.restarts > 0 || p.reason.is_some() {
            problems.push((name, p));
        }
    }
    // Not ready first, then the most restarts, then by name for a stable order.
    problems.sort_by(|a, b| a.1.ready.cmp(&b.1.ready).then(b.1.restarts.cmp(&a.1.restarts)).then(a.0.cmp(b.0)));
    s.problems = problems
        .into_iter()
        .take(PROBLEMS)
        .map(|(name, p)| PodProblem {
            name: name.to_string(),
            phase: if p.terminating { "Terminating".into() } else { p.phase.name().into() },
            ready: p.ready,
            restarts: p.restarts,
            reason: p.reason.as_deref().map(str::to_string),
        })
        .collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_becomes_a_compact_record() {
        let pod: SlimPod = serde_json::from_value(json!({
            "metadata": {"name": "w-1", "namespace": "p", "resourceVersion": "7",
                         "managedFields": [{"manager": "x", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"containers": [
                {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                {"name": "b", "resources": {"requests": {"cpu": "1"}}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                       "containerStatuses": [
                {"name": "a", "restartCount": 3, "ready": false, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}},
                {"name": "b", "restartCount": 1, "ready": true, "state": {"running": {}}}]}
        }))
        .expect("a pod");
        assert_eq!(pod.metadata.resource_version.as_deref(), Some("7"));
        let r = pod.record;
        assert_eq!((r.ready, r.phase, r.restarts, r.oom_killed), (false, Phase::Running, 4, true));
        assert_eq!(r.reason.as_deref(), Some("CrashLoopBackOff"));
        assert_eq!((r.cpu_request_m, r.memory_request), (1250, 64 * 1024 * 1024));
    }

    #[test]
    fn the_summary_counts_and_lists_the_worst_first() {
        let mut pods = HashMap::new();
        let ok = PodRecord { ready: true, phase: Phase::Running, ..PodRecord::default() };
        pods.insert("a".into(), ok.clone());
        pods.insert("b".into(), PodRecord { restarts: 2, ..ok.clone() });
        pods.insert("c".into(), PodRecord { ready: false, phase: Phase::Pending, ..PodRecord::default() });
        pods.insert("d".into(), PodRecord { terminating: true, ..ok });
        let s = summarize(&pods);
        assert_eq!((s.total, s.ready, s.pending, s.terminating, s.restarts), (4, 3, 1, 1, 2));
        let names: Vec<&str> = s.problems.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["c", "b"]);
    }
}
