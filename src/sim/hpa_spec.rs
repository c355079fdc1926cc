//! The autoscaling/v2 HPA spec: the runbook's two specs as JSON, the API server's defaulting,
//! and validation into the typed form the controller runs on.

use super::quantity;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetKind {
    Utilization,
    AverageValue,
    Value,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Utilization => "Utilization",
            TargetKind::AverageValue => "AverageValue",
            TargetKind::Value => "Value",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum MetricSource {
    /// "cpu" or "memory".
    Resource(String),
    External {
        name: String,
        selector: BTreeMap<String, String>,
    },
    /// A type the simulator has no data for (Pods, Object, ContainerResource).
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricSpec {
    pub source: MetricSource,
    pub kind: TargetKind,
    pub target: f64,
}

impl MetricSpec {
    pub fn name(&self) -> &str {
        match &self.source {
            MetricSource::Resource(n) | MetricSource::Unsupported(n) => n,
            MetricSource::External { name, .. } => name,
        }
    }

    /// The metric as the controller names it in events and conditions.
    pub fn long_name(&self) -> String {
        match &self.source {
            MetricSource::Resource(n) => match self.kind {
                TargetKind::Utilization => format!("{n} resource utilization (percentage of request)"),
                _ => format!("{n} resource"),
            },
            MetricSource::External { name, selector } => {
                let labels: String = selector.iter().map(|(k, v)| format!("{k}: {v},")).collect();
                format!(
                    "external metric {name}(&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{}},}})"
                )
            }
            MetricSource::Unsupported(n) => format!("{n} metric"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    Max,
    Min,
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Pods,
    Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub value: u32,
    pub period: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub window: u32,
    pub select: Select,
    pub policies: Vec<Policy>,
}

impl Rules {
    pub fn longest_period(&self) -> u32 {
        self.policies.iter().map(|p| p.period).max().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HpaSpec {
    pub target_kind: String,
    pub target_name: String,
    pub min: u32,
    pub max: u32,
    pub metrics: Vec<MetricSpec>,
    pub up: Rules,
    pub down: Rules,
}

/// The runbook's api-server-hpa.
pub fn runbook_api_spec(deployment: &str, min: u32, max: u32) -> Value {
    json!({
        "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": deployment },
        "minReplicas": min,
        "maxReplicas": max,
        "metrics": [
            { "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 70 } } },
            { "type": "Resource", "resource": { "name": "memory", "target": { "type": "Utilization", "averageUtilization": 80 } } }
        ],
        "behavior": {
            "scaleUp": { "stabilizationWindowSeconds": 60, "policies": [ { "type": "Percent", "value": 100, "periodSeconds": 60 } ] },
            "scaleDown": { "stabilizationWindowSeconds": 300, "policies": [ { "type": "Percent", "value": 50, "periodSeconds": 120 } ] }
        }
    })
}

/// The runbook's worker-hpa.
pub fn runbook_worker_spec(deployment: &str, min: u32, max: u32) -> Value {
    json!({
        "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": deployment },
        "minReplicas": min,
        "maxReplicas": max,
        "metrics": [
            { "type": "External", "external": {
                "metric": { "name": "redis_queue_depth", "selector": { "matchLabels": { "queue": "agent-default" } } },
                "target": { "type": "AverageValue", "averageValue": "100" } } },
            { "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 70 } } }
        ],
        "behavior": {
            "scaleUp": { "stabilizationWindowSeconds": 30, "policies": [ { "type": "Pods", "value": 10, "periodSeconds": 60 } ] },
            "scaleDown": { "stabilizationWindowSeconds": 600, "policies": [ { "type": "Percent", "value": 25, "periodSeconds": 120 } ] }
        }
    })
}

fn default_rules(up: bool) -> Value {
    if up {
        json!({ "stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            { "type": "Pods", "value": 4, "periodSeconds": 15 },
            { "type": "Percent", "value": 100, "periodSeconds": 15 } ] })
    } else {
        json!({ "stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [
            { "type": "Percent", "value": 100, "periodSeconds": 15 } ] })
    }
}

/// What the API server fills in on write: minReplicas 1, a cpu 80% metric when none, and the
/// missing parts of a given behavior. (Removing minReplicas therefore sets it to 1.)
pub fn apply_defaults(spec: &mut Value) {
    let Some(obj) = spec.as_object_mut() else { return };
    obj.entry("minReplicas").or_insert(json!(1));
    let no_metrics = obj.get("metrics").and_then(Value::as_array).is_none_or(|m| m.is_empty());
    if no_metrics {
        obj.insert(
            "metrics".into(),
            json!([{ "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 80 } } }]),
        );
    }
    if let Some(b) = obj.get_mut("behavior").and_then(Value::as_object_mut) {
        for (key, up) in [("scaleUp", true), ("scaleDown", false)] {
            let defaults = default_rules(up);
            match b.get_mut(key).and_then(Value::as_object_mut) {
                Some(rules) => {
                    if let Some(d) = defaults.as_object() {
                        for (k, v) in d {
                            rules.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
                None => {
                    b.insert(key.into(), defaults);
                }
            }
        }
    }
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn count(v: Option<&Value>, what: &str) -> Result<u32, String> {
    v.and_then(Value::as_u64)
        .filter(|n| *n <= i32::MAX as u64)
        .map(|n| n as u32)
        .ok_or_else(|| format!("{what}: expected a non-negative integer"))
}

fn number(v: Option<&Value>, what: &str) -> Result<f64, String> {
    match v {
        Some(Value::Number(n)) => n.as_f64().filter(|x| *x > 0.0).ok_or_else(|| format!("{what}: must be positive")),
        Some(Value::String(s)) => quantity::quantity(s)
            .filter(|x| *x > 0.0)
            .ok_or_else(|| format!("{what}: {s:?} is not a positive quantity")),
        _ => Err(format!("{what}: required")),
    }
}

fn parse_metric(i: usize, m: &Value) -> Result<MetricSpec, String> {
    let at = |s: &str| format!("metrics[{i}].{s}");
    let ty = m.get("type").and_then(Value::as_str).ok_or_else(|| at("type: required"))?;
    let (source, target) = match ty {
        "Resource" => {
            let name =
                field(m, &["resource", "name"]).and_then(Value::as_str).ok_or_else(|| at("resource.name: required"))?;
            if name != "cpu" && name != "memory" {
                return Err(at(&format!("resource.name: {name:?} is not cpu or memory")));
            }
            (MetricSource::Resource(name.to_string()), field(m, &["resource", "target"]))
        }
        "External" => {
            let name = field(m, &["external", "metric", "name"])
                .and_then(Value::as_str)
                .ok_or_else(|| at("external.metric.name: required"))?;
            let selector = field(m, &["external", "metric", "selector", "matchLabels"])
                .and_then(Value::as_object)
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                .unwrap_or_default();
            (MetricSource::External { name: name.to_string(), selector }, field(m, &["external", "target"]))
        }
        "Pods" | "Object" | "ContainerResource" => {
            let key = match ty {
                "Pods" => "pods",
                "Object" => "object",
                _ => "containerResource",
            };
            let name = field(m, &[key, "metric", "name"])
                .or_else(|| field(m, &[key, "name"]))
                .and_then(Value::as_str)
                .unwrap_or(ty);
            (MetricSource::Unsupported(name.to_string()), field(m, &[key, "target"]))
        }
        other => return Err(at(&format!("type: unknown metric source type {other:?}"))),
    };
    let target = target.ok_or_else(|| at("target: required"))?;
    let kind = match target.get("type").and_then(Value::as_str) {
        Some("Utilization") => TargetKind::Utilization,
        Some("AverageValue") => TargetKind::AverageValue,
        Some("Value") => TargetKind::Value,
        _ => return Err(at("target.type: must be Utilization, AverageValue or Value")),
    };
    let value = match kind {
        TargetKind::Utilization => {
            if !matches!(source, MetricSource::Resource(_) | MetricSource::Unsupported(_)) {
                return Err(at("target.type: Utilization is only valid for resource metrics"));
            }
            count(target.get("averageUtilization"), &at("target.averageUtilization"))? as f64
        }
        TargetKind::AverageValue => number(target.get("averageValue"), &at("target.averageValue"))?,
        TargetKind::Value => number(target.get("value"), &at("target.value"))?,
    };
    if value <= 0.0 {
        return Err(at("target: must be positive"));
    }
    Ok(MetricSpec { source, kind, target: value })
}

fn parse_rules(v: Option<&Value>, up: bool) -> Result<Rules, String> {
    let defaults = default_rules(up);
    let v = v.unwrap_or(&defaults);
    let side = if up { "behavior.scaleUp" } else { "behavior.scaleDown" };
    let window = match v.get("stabilizationWindowSeconds") {
        None => defaults.get("stabilizationWindowSeconds").and_then(Value::as_u64).unwrap_or(0) as u32,
        w => count(w, &format!("{side}.stabilizationWindowSeconds"))?,
    };
    if window > 3600 {
        return Err(format!("{side}.stabilizationWindowSeconds: must be at most 3600"));
    }
    let select = match v.get("selectPolicy").and_then(Value::as_str) {
        None | Some("Max") => Select::Max,
        Some("Min") => Select::Min,
        Some("Disabled") => Select::Disabled,
        Some(o) => return Err(format!("{side}.selectPolicy: {o:?} is not Max, Min or Disabled")),
    };
    let policies = v.get("policies").or_else(|| defaults.get("policies")).and_then(Value::as_array);
    let mut out = Vec::new();
    for (i, p) in policies.into_iter().flatten().enumerate() {
        let kind = match p.get("type").and_then(Value::as_str) {
            Some("Pods") => PolicyKind::Pods,
            Some("Percent") => PolicyKind::Percent,
            _ => return Err(format!("{side}.policies[{i}].type: must be Pods or Percent")),
        };
        let value = count(p.get("value"), &format!("{side}.policies[{i}].value"))?;
        let period = count(p.get("periodSeconds"), &format!("{side}.policies[{i}].periodSeconds"))?;
        if value == 0 || period == 0 || period > 1800 {
            return Err(format!("{side}.policies[{i}]: value must be > 0 and periodSeconds in 1..=1800"));
        }
        out.push(Policy { kind, value, period });
    }
    if out.is_empty() && select != Select::Disabled {
        return Err(format!("{side}.policies: at least one policy is required"));
    }
    Ok(Rules { window, select, policies: out })
}

/// Validate a (defaulted) spec as the API server would.
pub fn parse(spec: &Value) -> Result<HpaSpec, String> {
    let obj: &Map<String, Value> = spec.as_object().ok_or("spec: expected an object")?;
    let target_kind =
        field(spec, &["scaleTargetRef", "kind"]).and_then(Value::as_str).ok_or("scaleTargetRef.kind: required")?;
    let target_name =
        field(spec, &["scaleTargetRef", "name"]).and_then(Value::as_str).ok_or("scaleTargetRef.name: required")?;
    let min = match obj.get("minReplicas") {
        None => 1,
        m => count(m, "minReplicas")?,
    };
    let max = count(obj.get("maxReplicas"), "maxReplicas")?;
    if min < 1 {
        return Err("minReplicas: must be greater than or equal to 1".into());
    }
    if max < min {
        return Err(format!("maxReplicas: must be greater than or equal to minReplicas ({max} < {min})"));
    }
    let metrics = obj
        .get("metrics")
        .and_then(Value::as_array)
        .map(|ms| ms.iter().enumerate().map(|(i, m)| parse_metric(i, m)).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    if metrics.is_empty() {
        return Err("metrics: at least one metric is required".into());
    }
    let behavior = obj.get("behavior");
    let up = parse_rules(behavior.and_then(|b| b.get("scaleUp")), true)?;
    let down = parse_rules(behavior.and_then(|b| b.get("scaleDown")), false)?;
    Ok(HpaSpec { target_kind: target_kind.into(), target_name: target_name.into(), min, max, metrics, up, down })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runbook_specs_parse() {
        let mut api = runbook_api_spec("api-server", 3, 50);
        apply_defaults(&mut api);
        let s = parse(&api).expect("valid");
        assert_eq!((s.min, s.max), (3, 50));
        assert_eq!(s.up.window, 60);
        assert_eq!(s.down.policies, vec![Policy { kind: PolicyKind::Percent, value: 50, period: 120 }]);
        let mut w = runbook_worker_spec("agent-worker", 5, 100);
        apply_defaults(&mut w);
        let s = parse(&w).expect("valid");
        assert_eq!(s.metrics[0].target, 100.0);
        assert_eq!(s.metrics[0].kind, TargetKind::AverageValue);
        assert!(s.metrics[0].long_name().contains("queue: agent-default,"));
    }

    #[test]
    fn removing_min_replicas_defaults_to_one() {
        let mut api = runbook_api_spec("api-server", 3, 50);
        if let Some(o) = api.as_object_mut() {
            o.remove("minReplicas");
        }
        apply_defaults(&mut api);
        assert_eq!(api["minReplicas"], json!(1));
    }

    #[test]
    fn rejects_bad_specs() {
        let mut s = runbook_api_spec("api-server", 3, 50);
        s["maxReplicas"] = json!(2);
        assert!(parse(&s).is_err());
        let mut s = runbook_api_spec("api-server", 3, 50);
        s["behavior"]["scaleUp"]["policies"][0]["periodSeconds"] = json!(0);
        assert!(parse(&s).is_err());
    }
}
