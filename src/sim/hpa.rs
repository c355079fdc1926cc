//! The horizontal pod autoscaler controller, as kube-controller-manager runs it: a sync every
//! 15 s; per metric desired = ceil(ratio × pods) outside a 10% tolerance (unready pods counted
//! as in the real controller); the largest proposal wins; stabilization windows (scale-up: the
//! lowest recommendation in the window, scale-down: the highest); rate policies over their
//! periods; min/max; the AbleToScale / ScalingActive / ScalingLimited conditions.

use super::hpa_spec::{self, HpaSpec, MetricSource, PolicyKind, Rules, Select, TargetKind};
use super::settings::HPA_TOLERANCE;
use crate::model::state::{HpaCondition, HpaState, HpaTarget, Workload};
use serde_json::Value;
use std::collections::BTreeMap;

/// What the metrics pipeline tells the controller at a sync.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MetricInputs {
    /// Pods of the target (not terminating): the scale subresource's status.replicas.
    pub status_replicas: u32,
    /// CPU: ready pods, and the sum of their utilization (% of request).
    pub ready: u32,
    pub cpu_sum: f64,
    /// Memory: running pods (pending ones count as unready), and their utilization sum.
    pub running: u32,
    pub mem_sum: f64,
    /// Container requests, to turn utilization into AverageValue targets (cores, bytes).
    pub cpu_request: f64,
    pub mem_request_bytes: f64,
    /// The external metric redis_queue_depth.
    pub queue_depth: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hpa {
    pub workload: Workload,
    pub name: String,
    pub deployment: String,
    /// The stored spec (defaulted), exactly as read back.
    pub spec_json: Value,
    pub annotations: BTreeMap<String, String>,
    pub resource_version: u64,
    pub spec: HpaSpec,
    /// Second (mod 15) of this HPA's syncs.
    pub offset: u64,
    recommendations: Vec<(u64, u32)>,
    up_events: Vec<(u64, u32)>,
    down_events: Vec<(u64, u32)>,
    pub current: u32,
    pub desired: u32,
    pub current_metrics: Vec<Option<f64>>,
    pub conditions: Vec<HpaCondition>,
    pub last_scale: Option<u64>,
}

/// The status fields whose change bumps the resourceVersion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusPrint(u32, u32, Vec<i64>, Vec<(bool, String)>, Option<u64>);

fn cond(kind: &str, status: bool, reason: &str, message: impl Into<String>) -> HpaCondition {
    HpaCondition { kind: kind.into(), status, reason: reason.into(), message: message.into() }
}

fn within(t: u64, now: u64, window: u32) -> bool {
    t + window as u64 > now
}

impl Hpa {
    pub fn new(
        workload: Workload,
        name: &str,
        deployment: &str,
        mut spec_json: Value,
        offset: u64,
    ) -> Result<Self, String> {
        hpa_spec::apply_defaults(&mut spec_json);
        let spec = hpa_spec::parse(&spec_json)?;
        let n = spec.metrics.len();
        Ok(Hpa {
            workload,
            name: name.into(),
            deployment: deployment.into(),
            spec_json,
            annotations: BTreeMap::new(),
            resource_version: 0,
            spec,
            offset,
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
            current: 0,
            desired: 0,
            current_metrics: vec![None; n],
            conditions: vec![
                cond("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size"),
                cond(
                    "ScalingActive",
                    true,
                    "ValidMetricFound",
                    "the HPA was able to successfully calculate a replica count",
                ),
                cond("ScalingLimited", false, "DesiredWithinRange", "the desired count is within the acceptable range"),
            ],
            last_scale: None,
        })
    }

    /// Replace spec and annotations (validated and defaulted like the API server does).
    pub fn replace(&mut self, spec_json: &Value, annotations: &BTreeMap<String, String>) -> Result<(), String> {
        let mut s = spec_json.clone();
        hpa_spec::apply_defaults(&mut s);
        let spec = hpa_spec::parse(&s)?;
        if spec.metrics.len() != self.current_metrics.len() {
            self.current_metrics = vec![None; spec.metrics.len()];
        }
        self.spec = spec;
        self.spec_json = s;
        self.annotations = annotations.clone();
        Ok(())
    }

    fn set(&mut self, c: HpaCondition) {
        match self.conditions.iter_mut().find(|x| x.kind == c.kind) {
            Some(x) => *x = c,
            None => self.conditions.push(c),
        }
    }

    /// One metric's proposal (None: no data) and its current value for the status.
    fn proposal(&self, i: usize, spec_replicas: u32, m: &MetricInputs) -> (Option<u32>, Option<f64>) {
        let metric = &self.spec.metrics[i];
        let tol = HPA_TOLERANCE;
        match &metric.source {
            MetricSource::Resource(res) => {
                let cpu = res == "cpu";
                let (n_ready, sum_pct) = if cpu { (m.ready, m.cpu_sum) } else { (m.running, m.mem_sum) };
                if n_ready == 0 {
                    return (None, None);
                }
                let unready = m.status_replicas.saturating_sub(n_ready);
                // Everything in the target's unit: percent of request, or cores / bytes.
                let scale = match metric.kind {
                    TargetKind::Utilization => 1.0,
                    _ if cpu => m.cpu_request / 100.0,
                    _ => m.mem_request_bytes / 100.0,
                };
                let sum = sum_pct * scale;
                let avg = sum / n_ready as f64;
                let current = if metric.kind == TargetKind::Utilization { avg.floor() } else { avg };
                if metric.kind == TargetKind::Value {
                    return (None, Some(sum));
                }
                let ratio = avg / metric.target;
                if unready == 0 || ratio <= 1.0 {
                    if (1.0 - ratio).abs() <= tol {
                        return (Some(spec_replicas), Some(current));
                    }
                    return (Some((ratio * n_ready as f64).ceil() as u32), Some(current));
                }
                // Scaling up with unready pods: count them as using nothing.
                let all = (n_ready + unready) as f64;
                let new_ratio = sum / (all * metric.target);
                if (1.0 - new_ratio).abs() <= tol || new_ratio < 1.0 {
                    return (Some(spec_replicas), Some(current));
                }
                let n = (new_ratio * all).ceil() as u32;
                (Some(n.max(spec_replicas)), Some(current))
            }
            MetricSource::External { name, .. } if name == "redis_queue_depth" => {
                let usage = m.queue_depth.max(0.0);
                match metric.kind {
                    TargetKind::AverageValue => {
                        let status = m.status_replicas;
                        let per_pod = if status > 0 { (usage / status as f64).ceil() } else { usage };
                        let ratio = if status > 0 { usage / (metric.target * status as f64) } else { f64::INFINITY };
                        let n = if (1.0 - ratio).abs() > tol { (usage / metric.target).ceil() as u32 } else { status };
                        (Some(n), Some(per_pod))
                    }
                    TargetKind::Value => {
                        let ratio = usage / metric.target;
                        let n = if (1.0 - ratio).abs() > tol {
                            (ratio * spec_replicas as f64).ceil() as u32
                        } else {
                            spec_replicas
                        };
                        (Some(n), Some(usage))
                    }
                    TargetKind::Utilization => (None, None),
                }
            }
            _ => (None, None),
        }
    }

    /// Fill the status (current replicas and metric values) without deciding anything.
    pub fn refresh(&mut self, spec_replicas: u32, m: &MetricInputs) {
        self.current = m.status_replicas;
        self.desired = spec_replicas;
        for i in 0..self.spec.metrics.len() {
            self.current_metrics[i] = self.proposal(i, spec_replicas, m).1;
        }
    }

    /// One sync at second `now`. Returns the new replica count and the reason when it rescales.
    pub fn sync(&mut self, now: u64, spec_replicas: u32, m: &MetricInputs) -> Option<(u32, String)> {
        self.current = m.status_replicas;
        let mut best: Option<(u32, usize)> = None;
        let mut any_metric = false;
        for i in 0..self.spec.metrics.len() {
            let (p, cur) = self.proposal(i, spec_replicas, m);
            self.current_metrics[i] = cur;
            if let Some(p) = p {
                any_metric = true;
                if best.is_none_or(|(b, _)| p > b) {
                    best = Some((p, i));
                }
            }
        }
        if self.spec.target_kind != "Deployment" || self.spec.target_name != self.deployment {
            let msg = format!(
                "the HPA controller was unable to get the target's current scale: deployments \"{}\" not found",
                self.spec.target_name
            );
            self.set(cond("AbleToScale", false, "FailedGetScale", msg));
            return None;
        }
        let (min, max) = (self.spec.min, self.spec.max);
        let cur = spec_replicas;
        let (desired, reason) = if cur == 0 {
            self.set(cond(
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            ));
            self.desired = 0;
            return None;
        } else if cur > max {
            self.set(cond(
                "ScalingLimited",
                true,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            ));
            (max, "Current number of replicas above Spec.MaxReplicas".to_string())
        } else if cur < min {
            self.set(cond(
                "ScalingLimited",
                true,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            ));
            (min, "Current number of replicas below Spec.MinReplicas".to_string())
        } else {
            let Some((metric_desired, i)) = best.filter(|_| any_metric) else {
                let external = self.spec.metrics.iter().any(|x| matches!(x.source, MetricSource::External { .. }));
                let reason = if external { "FailedGetExternalMetric" } else { "FailedGetResourceMetric" };
                self.set(cond(
                    "ScalingActive",
                    false,
                    reason,
                    "the HPA was unable to compute the replica count: no metrics returned",
                ));
                return None;
            };
            let name = self.spec.metrics[i].long_name();
            self.set(cond(
                "ScalingActive",
                true,
                "ValidMetricFound",
                format!("the HPA was able to successfully calculate a replica count from {name}"),
            ));
            let reason = if metric_desired > cur {
                format!("{name} above target")
            } else {
                "All metrics below target".to_string()
            };
            (self.normalize(now, cur, metric_desired), reason)
        };
        self.desired = desired;
        if desired == cur {
            return None;
        }
        let events = if desired > cur { &mut self.up_events } else { &mut self.down_events };
        events.push((now, desired.abs_diff(cur)));
        let keep = self.spec.up.longest_period().max(self.spec.down.longest_period());
        self.up_events.retain(|(t, _)| within(*t, now, keep));
        self.down_events.retain(|(t, _)| within(*t, now, keep));
        self.last_scale = Some(now);
        self.set(cond(
            "AbleToScale",
            true,
            "SucceededRescale",
            format!("the HPA controller was able to update the target scale to {desired}"),
        ));
        Some((desired, reason))
    }

    /// Stabilization, then the rate policies, then min/max (normalizeDesiredReplicasWithBehaviors).
    fn normalize(&mut self, now: u64, cur: u32, prenormalized: u32) -> u32 {
        let (up_w, down_w) = (self.spec.up.window, self.spec.down.window);
        if self.recommendations.is_empty() && down_w > 0 {
            self.recommendations.push((now, cur));
        }
        let mut up_rec = prenormalized;
        let mut down_rec = prenormalized;
        for &(t, r) in &self.recommendations {
            if within(t, now, up_w) {
                up_rec = up_rec.min(r);
            }
            if within(t, now, down_w) {
                down_rec = down_rec.max(r);
            }
        }
        let stabilized = cur.max(up_rec).min(down_rec);
        self.recommendations.retain(|(t, _)| within(*t, now, up_w.max(down_w)));
        self.recommendations.push((now, prenormalized));
        if stabilized != prenormalized {
            let (reason, msg) = if prenormalized >= cur {
                (
                    "ScaleUpStabilized",
                    "recent recommendations were lower than current one, applying the lowest recent recommendation",
                )
            } else {
                (
                    "ScaleDownStabilized",
                    "recent recommendations were higher than current one, applying the highest recent recommendation",
                )
            };
            self.set(cond("AbleToScale", true, reason, msg));
        } else {
            self.set(cond("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size"));
        }
        let (desired, reason, msg) = self.rate_limit(now, cur, stabilized);
        self.set(cond("ScalingLimited", desired != stabilized, reason, msg));
        desired
    }

    fn changed_in(events: &[(u64, u32)], now: u64, period: u32) -> i64 {
        events.iter().filter(|(t, _)| within(*t, now, period)).map(|(_, n)| *n as i64).sum()
    }

    fn limit(&self, now: u64, cur: u32, rules: &Rules, up: bool) -> i64 {
        let cur = cur as i64;
        let (mut result, pick): (i64, fn(i64, i64) -> i64) = match (rules.select, up) {
            (Select::Disabled, _) => return cur,
            (Select::Min, true) => (i64::MAX, i64::min),
            (Select::Min, false) => (i64::MIN, i64::max),
            (Select::Max, true) => (i64::MIN, i64::max),
            (Select::Max, false) => (i64::MAX, i64::min),
        };
        for p in &rules.policies {
            let added = Self::changed_in(&self.up_events, now, p.period);
            let deleted = Self::changed_in(&self.down_events, now, p.period);
            let start = cur - added + deleted;
            let proposed = match (p.kind, up) {
                (PolicyKind::Pods, true) => start + p.value as i64,
                (PolicyKind::Pods, false) => start - p.value as i64,
                (PolicyKind::Percent, true) => (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i64,
                (PolicyKind::Percent, false) => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i64,
            };
            result = pick(result, proposed);
        }
        result
    }

    fn rate_limit(&self, now: u64, cur: u32, desired: u32) -> (u32, &'static str, &'static str) {
        let (min, max) = (self.spec.min as i64, self.spec.max as i64);
        let d = desired as i64;
        if desired > cur {
            let up = self.limit(now, cur, &self.spec.up, true).max(cur as i64);
            let (allowed, reason, msg) = if max > up {
                (up, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
            } else {
                (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
            };
            if d > allowed {
                return (allowed as u32, reason, msg);
            }
        } else if desired < cur {
            let down = self.limit(now, cur, &self.spec.down, false).min(cur as i64);
            let (allowed, reason, msg) = if min < down {
                (down, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
            } else {
                (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
            };
            if d < allowed {
                return (allowed as u32, reason, msg);
            }
        }
        (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
    }

    /// The status as `kubectl get hpa` / the cockpit's Kubernetes source sees it.
    pub fn state(&self) -> HpaState {
        let targets = self
            .spec
            .metrics
            .iter()
            .zip(&self.current_metrics)
            .map(|(m, cur)| HpaTarget {
                name: m.name().to_string(),
                kind: m.kind.as_str().to_string(),
                target: m.target,
                current: *cur,
            })
            .collect();
        HpaState {
            name: self.name.clone(),
            min: self.spec.min,
            max: self.spec.max,
            current: self.current,
            desired: self.desired,
            targets,
            conditions: self.conditions.clone(),
            last_scale_at: self.last_scale.map(|t| t as f64),
            pinned: self.annotations.keys().any(|k| k.ends_with("saved-spec")),
        }
    }

    /// The status fields whose change bumps the resourceVersion.
    pub(crate) fn status_print(&self) -> StatusPrint {
        StatusPrint(
            self.current,
            self.desired,
            self.current_metrics.iter().map(|m| m.map(|v| (v * 100.0).round() as i64).unwrap_or(-1)).collect(),
            self.conditions.iter().map(|c| (c.status, c.reason.clone())).collect(),
            self.last_scale,
        )
    }
}

#[cfg(test)]
#[path = "hpa_tests.rs"]
mod tests;
