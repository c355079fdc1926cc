//! scale-api: the runbook's "Scaling API Pods", up or down in halves.

use super::common::{connection_finding, halving_steps, hpa_guard, limits_finding, read_workload};
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::state::Workload;
use crate::model::{Board, MetricId};
use async_trait::async_trait;

pub struct ScaleApi;

const HELP: &str = "Scale the API deployment. Up: set the replicas, wait until every pod is ready and \
answers /health through the API server's pod proxy. Down: halve at a time (never below the runbook's \
minimum), wait between halvings (scale_down_wait_secs, the runbook's 5 minutes) and re-check CPU and p99, \
stopping if load rises. Differs from the runbook: a `kubectl scale` under an HPA is reverted by the HPA at \
its next sync, so when an HPA is present its minReplicas is moved to the target too (its exact spec saved \
first, for reenable-hpa); the scale-down needs 15 minutes of low CPU on the board, not a single look.";

/// Minutes of low load the runbook asks for before a scale-down.
const SUSTAINED_SECS: f64 = 15.0 * 60.0;

#[async_trait]
impl Procedure for ScaleApi {
    fn name(&self) -> &'static str {
        "scale-api"
    }
    fn summary(&self) -> &'static str {
        "Scale API pods up, or down in halves re-checking load"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let r = cx.settings.limits.api_pods;
        let current = cx.board.current_replicas(Workload::Api).unwrap_or(r.min);
        let cpu = cx.board.reading(MetricId::ApiCpu).value;
        let p99 = cx.board.reading(MetricId::ApiP99).value;
        let warn_cpu = cx.settings.warn_value(MetricId::ApiCpu).unwrap_or(70.0);
        let hot = cpu.is_some_and(|c| c >= warn_cpu)
            || p99.zip(cx.settings.warn_value(MetricId::ApiP99)).is_some_and(|(l, w)| l >= w);
        let idle = cpu.is_some_and(|c| c < warn_cpu / 2.0) && current > r.min;
        // Propose only what the load calls for: up when hot, down when idle, else no change.
        let (direction, replicas, verdict) = if hot {
            // As the HPA computes it: enough pods to bring CPU back to the 70% target.
            let want = cpu.map(|c| (f64::from(current) * c / warn_cpu).ceil() as u32).unwrap_or(current + 1);
            ("up", want.max(current + 1), "load is past the warning threshold: up")
        } else if idle {
            ("down", r.min, "CPU is under half the warning threshold: down, in halves")
        } else if cpu.is_none() {
            ("up", current, "API CPU is unknown (no pod metrics): no change is proposed")
        } else {
            ("up", current, "load is within the thresholds: no change is called for")
        };
        let cpu_text = cpu.map(|c| format!("{c:.0}%")).unwrap_or_else(|| "unknown".into());
        Form::new(vec![
            Field::choice(
                "direction",
                "Direction",
                &["up", "down"],
                direction,
                "up: to the count below; down: halve at a time to it",
            ),
            Field::number(
                "replicas",
                "Replicas",
                replicas,
                r.min,
                r.max,
                format!("runbook limits {}..{}; up: ceil({current} × CPU {cpu_text} / {warn_cpu:.0}%)", r.min, r.max),
            ),
        ])
        .note(format!("API pods now: {current} · CPU {cpu_text}; {verdict}"))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let target = form.number("replicas").ok_or_else(|| ActionError::Invalid("replicas missing".into()))?;
        let asked_up = form.choice("direction") != Some("down");
        let (d, hpa) = read_workload(cx, Workload::Api).await?;
        let current = d.state.desired;
        let name = cx.settings.deployment(Workload::Api).to_string();
        // The target says which way: a count below the one running is a scale-down whatever the
        // direction field was left at (and above it, a scale-up).
        let up = match target.cmp(&current) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => asked_up,
        };
        let mut plan = if up {
            Plan::new(self.name(), format!("Scale {name} up {current} → {target}"))
        } else {
            Plan::new(self.name(), format!("Scale {name} down {current} → {target} in halves"))
        };
        plan.params = form.values();
        plan.params.insert("direction".into(), if up { "up" } else { "down" }.into());
        if up != asked_up {
            plan.findings.push(Finding::info(format!(
                "{target} is {} the {current} running: this is a scale-{}",
                if up { "above" } else { "below" },
                if up { "up" } else { "down, in halves, re-checking load" }
            )));
        }
        plan.findings.push(limits_finding(cx, Workload::Api, target));
        if up {
            if target <= current {
                plan.findings.push(Finding::block(format!(
                    "{name} already runs {current}: nothing to change (choose another count)"
                )));
            }
            let workers = cx.platform.deployment(Workload::Workers).await.map(|d| d.state.desired).unwrap_or(0);
            plan.findings.push(connection_finding(cx, target, workers).await);
            if let Some(s) = hpa_guard(cx, Workload::Api, hpa.as_ref(), target, &mut plan.findings) {
                plan.push(s);
            }
            let timeout = cx.settings.actions.ready_timeout_secs as f64;
            plan.push(
                Step::new(format!("Scale {name} to {target}"))
                    .effect(crate::actions::effect::Effect::Scale {
                        workload: Workload::Api,
                        name: name.clone(),
                        replicas: target,
                    })
                    .verify(Verify::Ready { workload: Workload::Api, replicas: target }, timeout),
            );
            plan.push(
                Step::new("Check every API pod's /health")
                    .why("the runbook's step 5, through the API server's pod proxy")
                    .verify(Verify::PodsHealthy { workload: Workload::Api }, timeout),
            );
            plan.follow_up.push("when load falls: scale-api down (halves, re-checking load)".into());
            if hpa.is_some() {
                plan.follow_up.push("reenable-hpa hands control back to the HPA exactly as it was".into());
            }
        } else {
            if target >= current {
                plan.findings
                    .push(Finding::block(format!("{name} runs {current}, not above {target}: nothing to scale down")));
            }
            load_findings(cx, &cx.board, &mut plan.findings).await;
            plan.findings.push(Finding::info(
                "the runbook's connection-stats.sh check is not automated: Kubernetes ends removed pods gracefully",
            ));
            plan.steps.extend(halving_steps(cx, Workload::Api, hpa.as_ref(), current, target, &mut plan.findings));
            if hpa.as_ref().is_some_and(super::common::pinned) {
                plan.follow_up.push("reenable-hpa restores the HPA's saved spec".into());
            }
        }
        Ok(plan)
    }
}

/// Low load now (blocks otherwise) and over the last 15 minutes of the board (warns otherwise).
async fn load_findings(cx: &PlanCx, board: &Board, out: &mut Vec<Finding>) {
    let warn = cx.settings.warn_value(MetricId::ApiCpu).unwrap_or(70.0);
    match cx.platform.usage(Workload::Api).await {
        Ok(Some(u)) if u.cpu_pct >= warn => out.push(Finding::block(format!(
            "API CPU {:.0}% is not below {warn:.0}%: not a time to remove pods",
            u.cpu_pct
        ))),
        Ok(Some(u)) => out.push(Finding::info(format!("API CPU now {:.0}% (below {warn:.0}%)", u.cpu_pct))),
        Ok(None) => out.push(Finding::block("API CPU is unknown (no metrics): not safe to remove pods")),
        Err(e) => out.push(Finding::block(format!("cannot read API CPU: {e}"))),
    }
    let hist = board.history(MetricId::ApiCpu);
    let since = board.now - SUSTAINED_SECS;
    let window: Vec<f64> = hist.iter().filter(|p| p.at >= since).map(|p| p.value).collect();
    let covered = hist.iter().next().map(|p| board.now - p.at).unwrap_or(0.0);
    let peak = window.iter().copied().fold(f64::NAN, f64::max);
    if covered < SUSTAINED_SECS {
        out.push(Finding::warn(format!(
            "the board has {} of API CPU history: the runbook wants 15+ minutes of low utilization before a scale-down",
            crate::model::units::duration_short(covered.max(0.0))
        )));
    } else if peak >= warn {
        out.push(Finding::block(format!(
            "API CPU reached {peak:.0}% in the last 15 minutes: the low load is not sustained"
        )));
    } else {
        out.push(Finding::info(format!("API CPU peaked at {peak:.0}% over the last 15 minutes")));
    }
}
