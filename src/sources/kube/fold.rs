//! Kubernetes objects folded into the cockpit's state: deployments, HPAs, events.

use crate::live::Clock;
use crate::model::state::{DeploymentState, HpaCondition, HpaState, HpaTarget, KubeEvent};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricTarget, MetricValueStatus};
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A label selector as the API's `labelSelector` parameter ("app=x,tier in (a,b)").
pub fn selector_string(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => format!("{} {other} ({values})", e.key),
        });
    }
    parts.join(",")
}

/// The deployment's state and its pods' selector.
pub fn deployment(d: &Deployment) -> (DeploymentState, String) {
    let status = d.status.clone().unwrap_or_default();
    let limits = d
        .spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.resources.as_ref())
        .and_then(|r| r.limits.as_ref());
    let n = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
    let state = DeploymentState {
        name: d.metadata.name.clone().unwrap_or_default(),
        desired: n(d.spec.replicas.or(Some(1))),
        ready: n(status.ready_replicas),
        updated: n(status.updated_replicas),
        available: n(status.available_replicas),
        generation: d.metadata.generation.unwrap_or(0),
        observed_generation: status.observed_generation.unwrap_or(0),
        annotations: d.metadata.annotations.clone().unwrap_or_default(),
        cpu_limit: limits.and_then(|l| l.get("cpu")).map(|q| q.0.clone()),
        memory_limit: limits.and_then(|l| l.get("memory")).map(|q| q.0.clone()),
    };
    (state, selector_string(&d.spec.selector))
}

fn target_value(t: &MetricTarget) -> (String, f64) {
    let q = |v: &Option<k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        v.as_ref().and_then(|q| crate::sim::quantity::quantity(&q.0)).unwrap_or(0.0)
    };
    match (t.average_utilization, t.type_.as_str()) {
        (Some(u), _) => ("Utilization".into(), f64::from(u)),
        (None, "Value") => ("Value".into(), q(&t.value)),
        _ => (t.type_.clone(), q(&t.average_value)),
    }
}

fn current_value(c: &MetricValueStatus) -> Option<f64> {
    if let Some(u) = c.average_utilization {
        return Some(f64::from(u));
    }
    c.average_value.as_ref().or(c.value.as_ref()).and_then(|q| crate::sim::quantity::quantity(&q.0))
}

/// The HPA's state: bounds, replicas, each metric's target and current value, conditions,
/// and the time of the last scale on the app clock.
pub fn hpa(h: &HorizontalPodAutoscaler, clock: &Clock) -> HpaState {
    let status = h.status.clone().unwrap_or_default();
    let current: Vec<(String, String, Option<f64>)> = status
        .current_metrics
        .iter()
        .flatten()
        .filter_map(|m| {
            let (name, value) = match m.type_.as_str() {
                "Resource" => m.resource.as_ref().map(|r| (r.name.clone(), current_value(&r.current)))?,
                "External" => m.external.as_ref().map(|e| (e.metric.name.clone(), current_value(&e.current)))?,
                "Pods" => m.pods.as_ref().map(|p| (p.metric.name.clone(), current_value(&p.current)))?,
                "ContainerResource" => {
                    m.container_resource.as_ref().map(|r| (r.name.clone(), current_value(&r.current)))?
                }
                _ => return None,
            };
            Some((m.type_.clone(), name, value))
        })
        .collect();
    let targets = h
        .spec
        .metrics
        .iter()
        .flatten()
        .filter_map(|m| {
            let (name, target) = match m.type_.as_str() {
                "Resource" => m.resource.as_ref().map(|r| (r.name.clone(), &r.target))?,
                "External" => m.external.as_ref().map(|e| (e.metric.name.clone(), &e.target))?,
                "Pods" => m.pods.as_ref().map(|p| (p.metric.name.clone(), &p.target))?,
                "Object" => m.object.as_ref().map(|o| (o.metric.name.clone(), &o.target))?,
                "ContainerResource" => m.container_resource.as_ref().map(|r| (r.name.clone(), &r.target))?,
                _ => return None,
            };
            let (kind, value) = target_value(target);
            let now = current.iter().find(|(t, n, _)| *t == m.type_ && *n == name).and_then(|(_, _, v)| *v);
            Some(HpaTarget { name, kind, target: value, current: now })
        })
        .collect();
    let conditions = status
        .conditions
        .iter()
        .flatten()
        .map(|c| HpaCondition {
            kind: c.type_.clone(),
            status: c.status == "True",
            reason: c.reason.clone().unwrap_or_default(),
            message: c.message.clone().unwrap_or_default(),
        })
        .collect();
    let annotations = h.metadata.annotations.clone().unwrap_or_default();
    let n = |v: i32| u32::try_from(v).unwrap_or(0);
    HpaState {
        name: h.metadata.name.clone().unwrap_or_default(),
        min: n(h.spec.min_replicas.unwrap_or(1)),
        max: n(h.spec.max_replicas),
        current: n(status.current_replicas.unwrap_or(0)),
        desired: n(status.desired_replicas),
        targets,
        conditions,
        last_scale_at: status.last_scale_time.as_ref().map(|t| clock.from_timestamp(&t.0)),
        pinned: annotations.keys().any(|k| k.ends_with("saved-spec")),
    }
}

/// Whether an event concerns one of the watched objects: the deployments, their replica
/// sets and pods (named after them), the HPAs.
pub fn relevant(e: &Event, deployments: &[&str], hpas: &[&str]) -> bool {
    let name = e.involved_object.name.as_deref().unwrap_or("");
    match e.involved_object.kind.as_deref() {
        Some("HorizontalPodAutoscaler") => hpas.contains(&name),
        Some("Deployment") => deployments.contains(&name),
        Some("ReplicaSet") | Some("Pod") => {
            deployments.iter().any(|d| name.strip_prefix(d).is_some_and(|r| r.starts_with('-')))
        }
        _ => false,
    }
}

/// The event on the app clock (its last time, else its event time, else its first).
pub fn event(e: &Event, clock: &Clock) -> KubeEvent {
    let at = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
        .map(|t| clock.from_timestamp(&t))
        .unwrap_or_else(|| clock.now());
    let kind = e.involved_object.kind.as_deref().unwrap_or("");
    let object = match kind {
        "HorizontalPodAutoscaler" => format!("hpa/{}", e.involved_object.name.as_deref().unwrap_or("")),
        k => format!("{}/{}", k.to_ascii_lowercase(), e.involved_object.name.as_deref().unwrap_or("")),
    };
    KubeEvent {
        at,
        object,
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        warning: e.type_.as_deref() == Some("Warning"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_hpa_folds_targets_conditions_and_last_scale() {
        let h: HorizontalPodAutoscaler = serde_json::from_value(json!({
            "metadata": {"name": "worker-hpa", "annotations": {"cockpit.agentos.io/saved-spec": "{}"}},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "agent-worker", "apiVersion": "apps/v1"},
                     "minReplicas": 5, "maxReplicas": 100, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
                {"type": "External", "external": {"metric": {"name": "redis_queue_depth"}, "target": {"type": "AverageValue", "averageValue": "100"}}}]},
            "status": {"currentReplicas": 7, "desiredReplicas": 9, "lastScaleTime": "2025-01-01T00:00:00Z",
                       "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 82}}}],
                       "conditions": [{"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "message": "max"}]}
        })).expect("an hpa");
        let s = hpa(&h, &Clock::start());
        assert_eq!((s.min, s.max, s.current, s.desired, s.pinned), (5, 100, 7, 9, true));
        assert_eq!(
            s.targets[0],
            HpaTarget { name: "cpu".into(), kind: "Utilization".into(), target: 70.0, current: Some(82.0) }
        );
        assert_eq!(
            (s.targets[1].kind.as_str(), s.targets[1].target, s.targets[1].current),
            ("AverageValue", 100.0, None)
        );
        assert!(s.condition("ScalingLimited").is_some_and(|c| c.status && c.reason == "TooManyReplicas"));
        assert!(s.last_scale_at.is_some_and(|t| t < 0.0), "before the cockpit started");
    }

    #[test]
    fn selectors_and_relevance() {
        let s: LabelSelector = serde_json::from_value(json!({"matchLabels": {"app": "w"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}))
        .expect("selector");
        assert_eq!(selector_string(&s), "app=w,tier in (a,b)");
        let ev = |kind: &str, name: &str| -> Event {
            serde_json::from_value(json!({"metadata": {"name": "e"}, "involvedObject": {"kind": kind, "name": name}}))
                .expect("event")
        };
        let deps = ["agent-worker"];
        assert!(relevant(&ev("Pod", "agent-worker-5d8f-abc"), &deps, &["worker-hpa"]));
        assert!(!relevant(&ev("Pod", "agent-workerx-1"), &deps, &["worker-hpa"]));
        assert!(relevant(&ev("HorizontalPodAutoscaler", "worker-hpa"), &deps, &["worker-hpa"]));
    }
}
