//! Planning pieces the procedures share: reading a workload, keeping its HPA from undoing a
//! manual scale, the database connection preflight, scale-down in halves.

use crate::actions::blind::and_list;
use crate::actions::effect::{Effect, spec_u32};
use crate::actions::error::ActionError;
use crate::actions::procedure::PlanCx;
use crate::actions::step::{Finding, OnFail, Step};
use crate::actions::verify::Verify;
use crate::actions::{SAVED_SPEC_KEY, check::Check};
use crate::model::MetricId;
use crate::model::capacity;
use crate::model::state::Workload;
use crate::platform::{Deployment, Hpa};

pub async fn read_workload(cx: &PlanCx, w: Workload) -> Result<(Deployment, Option<Hpa>), ActionError> {
    let d = cx.platform.deployment(w).await?;
    let h = cx.platform.hpa(w).await?;
    Ok((d, h))
}

pub fn hpa_bounds(h: &Hpa) -> (u32, Option<u32>) {
    (spec_u32(&h.spec, "minReplicas").unwrap_or(1), spec_u32(&h.spec, "maxReplicas"))
}

pub fn pinned(h: &Hpa) -> bool {
    h.annotations.contains_key(SAVED_SPEC_KEY)
}

/// A step that sets the HPA's minReplicas to `target` when the HPA would otherwise undo a
/// scale to `target` (its minimum is below it when scaling up, above it when scaling down).
pub fn hpa_guard(
    cx: &PlanCx,
    w: Workload,
    hpa: Option<&Hpa>,
    target: u32,
    findings: &mut Vec<Finding>,
) -> Option<Step> {
    let h = hpa?;
    let name = cx.settings.hpa(w).to_string();
    let (min, max) = hpa_bounds(h);
    let max_text = max.map(|m| m.to_string()).unwrap_or_else(|| "?".into());
    if min == target {
        return None;
    }
    let up = target > min;
    if up {
        findings.push(Finding::warn(format!(
            "HPA {name} (min {min}, max {max_text}) would undo a manual scale to {target}: `kubectl scale` alone is \
             reverted at its next sync. Its minReplicas is raised to {target}; its exact spec is saved first so \
             reenable-hpa puts it back."
        )));
        if max.is_some_and(|m| m < target) {
            findings.push(Finding::warn(format!(
                "HPA {name}: maxReplicas {max_text} is below {target}; it is raised too (restored by reenable-hpa)"
            )));
        }
    } else if !pinned(h) {
        findings.push(Finding::info(format!("HPA {name}: minReplicas {min} is above {target}; it is lowered to {target} (its spec saved for reenable-hpa)")));
    } else {
        findings.push(Finding::info(format!(
            "HPA {name} is pinned at minReplicas {min} (spec saved); it is lowered to {target}"
        )));
    }
    let verb = if up { "Raise" } else { "Lower" };
    Some(
        Step::new(format!("{verb} HPA {name} minReplicas {min} → {target}"))
            .why("an HPA reverts manual scaling to what its bounds allow; pinning its minimum keeps the new count")
            .effect(Effect::PinHpa { workload: w, name, min: target, expect_spec: Some(h.spec.clone()) }),
    )
}

/// The runbook's connection formula at the new pod counts, against max_connections.
pub async fn connection_finding(cx: &PlanCx, api: u32, workers: u32) -> Finding {
    let max = match cx.platform.db_max_connections().await {
        Ok(m) => m,
        Err(e) => return Finding::warn(format!("database connections not checked: cannot read max_connections ({e})")),
    };
    let c = capacity::connections(api, workers, max, &cx.settings.capacity);
    let text = format!(
        "database connections at {api} API pods and {workers} workers: {} needed, max_connections {max}",
        c.plugged
    );
    if c.exceeds_max {
        Finding::warn(format!(
            "{text}: new pods will fail to connect once the database is full (raise max_connections or resize-db first)"
        ))
    } else {
        Finding::info(text)
    }
}

/// The halving steps of a scale-down from `current` to `floor`: each halves (never below the
/// floor), waits for the pods to settle, then (except after the last) waits and re-checks
/// load, stopping the action if it rises.
pub fn halving_steps(
    cx: &PlanCx,
    w: Workload,
    hpa: Option<&Hpa>,
    current: u32,
    floor: u32,
    findings: &mut Vec<Finding>,
) -> Vec<Step> {
    let name = cx.settings.deployment(w).to_string();
    let wait = cx.settings.actions.scale_down_wait_secs as f64;
    let cpu = cx.settings.warn_value(cpu_metric(w)).unwrap_or(70.0);
    let p99 = (w == Workload::Api).then(|| cx.settings.warn_value(MetricId::ApiP99).unwrap_or(500.0));
    let ready_timeout = cx.settings.actions.ready_timeout_secs as f64;
    if p99.is_some()
        && current > floor
        && let Some(f) =
            blind_finding(cx, &[(MetricId::ApiP99, "API p99")], &["CPU"], "the load checks of the scale-down")
    {
        findings.push(f);
    }
    let mut out = Vec::new();
    let mut cur = current;
    let mut hpa_min = hpa.map(|h| hpa_bounds(h).0);
    let mut first = true;
    while cur > floor {
        let next = (cur / 2).max(floor);
        if let (Some(h), Some(min)) = (hpa, hpa_min)
            && min > next
        {
            let step = if first {
                hpa_guard(cx, w, Some(h), next, findings)
            } else {
                // Later in the same plan the spec is the one this plan pinned: not known yet.
                let hpa_name = cx.settings.hpa(w).to_string();
                Some(
                    Step::new(format!("Lower HPA {hpa_name} minReplicas {min} → {next}"))
                        .why("the pinned HPA would scale back up to its minimum")
                        .effect(Effect::PinHpa { workload: w, name: hpa_name, min: next, expect_spec: None }),
                )
            };
            out.extend(step);
            hpa_min = Some(next);
        }
        let mut step = Step::new(format!("Scale {name} {cur} → {next}"))
            .effect(Effect::Scale { workload: w, name: name.clone(), replicas: next })
            .verify(Verify::Settled { workload: w, replicas: next }, ready_timeout)
            .on_fail(OnFail::Finish);
        step = step.check(Check::LoadBelow { workload: w, cpu_pct: cpu, p99_ms: p99 });
        out.push(step);
        cur = next;
        first = false;
        if cur > floor {
            out.push(
                Step::new(format!("Wait {} and re-check load", crate::model::units::duration_short(wait)))
                    .why("the runbook waits 5 minutes between halvings; the action stops if load rises")
                    .verify(
                        Verify::LoadSteady { workload: w, wait_secs: wait, cpu_pct: cpu, p99_ms: p99 },
                        wait + 120.0,
                    )
                    .on_fail(OnFail::Finish),
            );
        }
    }
    out
}

/// A WARN finding when inputs a verification reads are blind spots on the board (not set, not
/// found, no data): which cannot be seen, the setting that would show them, and what `what`
/// will be judged on instead (`always`: the inputs it always has). The plan says it before the
/// run; confirming the plan (or `cockpit run --if-blind judge-visible`) accepts it.
pub fn blind_finding(cx: &PlanCx, inputs: &[(MetricId, &str)], always: &[&str], what: &str) -> Option<Finding> {
    let blind: Vec<(&str, &crate::model::Gap)> = inputs
        .iter()
        .filter_map(|(id, name)| cx.board.gap(*id).filter(|g| g.kind.is_blind()).map(|g| (*name, g)))
        .collect();
    if blind.is_empty() {
        return None;
    }
    let names: Vec<&str> = blind.iter().map(|(n, _)| *n).collect();
    let visible: Vec<&str> =
        always.iter().copied().chain(inputs.iter().map(|(_, n)| *n).filter(|n| !names.contains(n))).collect();
    let (mut settings, mut reasons): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (_, g) in &blind {
        let s = g.setting.as_ref().map(|s| format!("set {s}")).unwrap_or_else(|| g.kind.short().to_string());
        if !settings.contains(&s) {
            settings.push(s);
        }
        let r = format!("{}: {}", g.kind.short(), g.reason);
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    let consequence = match visible.as_slice() {
        [] => format!("{what} cannot be judged: the step ends at once with a warning"),
        [one] => format!("{what} will be judged on {one} alone"),
        many => format!("{what} will be judged on {}", and_list(many)),
    };
    let verb = if names.len() == 1 { "is" } else { "are" };
    Some(Finding::warn(format!(
        "{} {verb} not visible ({}): {consequence} ({})",
        and_list(&names),
        settings.join("; "),
        reasons.join("; ")
    )))
}

pub fn cpu_metric(w: Workload) -> MetricId {
    match w {
        Workload::Api => MetricId::ApiCpu,
        Workload::Workers => MetricId::WorkerCpu,
    }
}

/// The runbook's component limits, as a finding.
pub fn limits_finding(cx: &PlanCx, w: Workload, target: u32) -> Finding {
    let r = cx.settings.range(w);
    Finding::info(format!("{}: {target} is within the runbook's limits {}..{}", w.label(), r.min, r.max))
}
