//! scale-workers: the runbook's "Scaling Worker Pods — Scale Up", to the capacity formula.

use super::common::{connection_finding, hpa_guard, limits_finding, read_workload};
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, OnFail, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::MetricId;
use crate::model::capacity::{self, WorkerPlan};
use crate::model::state::Workload;
use async_trait::async_trait;

pub struct ScaleWorkers;

const HELP: &str = "Scale the workers up to the count the runbook's capacity formula gives, \
(Queue × Processing time) / (Target queue time × Tasks per worker), plus the workers the arrival rate \
needs, held to the runbook's limits; then verify every new worker is ready and the queue starts to drain. \
Differs from the runbook: its shell recipe `QUEUE_DEPTH / TASKS_PER_WORKER / 60 * PROCESS_TIME + CURRENT` \
divides integers left to right (any queue under 300 recommends no change) and ignores tasks still \
arriving; a manual scale under the worker HPA is reverted by it, so its minReplicas is raised too (spec \
saved for reenable-hpa). Scaling workers down is drain-workers' job: it waits for tasks in flight.";

/// The formula on the board's queue and arrival rate, or on the platform's queue alone.
fn worker_plan(cx: &PlanCx, queue: Option<u64>) -> WorkerPlan {
    match (cx.board.reading(MetricId::QueueDepth).value, queue) {
        (Some(_), _) => cx.board.worker_plan(),
        (None, Some(q)) => capacity::workers(q as f64, 0.0, &cx.settings.capacity, &cx.settings.limits),
        (None, None) => cx.board.worker_plan(),
    }
}

#[async_trait]
impl Procedure for ScaleWorkers {
    fn name(&self) -> &'static str {
        "scale-workers"
    }
    fn summary(&self) -> &'static str {
        "Scale workers up to the capacity formula; verify the queue drains"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let r = cx.settings.limits.worker_pods;
        let wp = cx.board.worker_plan();
        let current = cx.board.current_replicas(Workload::Workers).unwrap_or(r.min);
        // Propose only what the formula calls for: never a change the current values do not need.
        let (proposed, verdict) = if wp.recommended > current {
            (wp.recommended, format!("the formula calls for {} workers: up from {current}", wp.recommended))
        } else {
            (current, format!("the formula calls for {}: the {current} workers running are enough", wp.recommended))
        };
        Form::new(vec![Field::number(
            "replicas",
            "Workers",
            proposed,
            r.min,
            r.max,
            format!("formula: {} needed, held to the runbook's limits {}..{}", wp.needed, r.min, r.max),
        )])
        .note(wp.formula.clone())
        .note(format!("{} {}", wp.plugged, wp.arrivals))
        .note(format!("workers now: {current}; {verdict}"))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let target = form.number("replicas").ok_or_else(|| ActionError::Invalid("replicas missing".into()))?;
        let (d, hpa) = read_workload(cx, Workload::Workers).await?;
        let current = d.state.desired;
        let name = cx.settings.deployment(Workload::Workers).to_string();
        let mut plan = Plan::new(self.name(), format!("Scale {name} up {current} → {target}"));
        plan.params = form.values();
        let queue = cx.platform.queue_depth().await.ok();
        let wp = worker_plan(cx, queue);
        plan.findings.push(Finding::info(format!("{}: {} {}", wp.formula, wp.plugged, wp.arrivals)));
        if let Some(q) = queue {
            let shell = capacity::runbook_shell_recipe(q, current, &cx.settings.capacity);
            plan.findings.push(Finding::info(format!(
                "the runbook's shell recipe would say {shell} (integer division); the formula says {} (held to {})",
                wp.needed, wp.recommended
            )));
        }
        if wp.exceeds_max {
            plan.findings.push(Finding::warn(format!(
                "the formula asks for {} workers, above the runbook's maximum {}: the queue will drain slower than the target",
                wp.needed, cx.settings.limits.worker_pods.max
            )));
        }
        plan.findings.push(limits_finding(cx, Workload::Workers, target));
        if target <= current {
            plan.findings.push(Finding::block(format!(
                "{name} already runs {current} ≥ {target}: scale-workers only scales up; drain-workers scales down safely"
            )));
        }
        let api = cx.platform.deployment(Workload::Api).await.map(|d| d.state.desired).unwrap_or(0);
        plan.findings.push(connection_finding(cx, api, target).await);
        if let Some(s) = hpa_guard(cx, Workload::Workers, hpa.as_ref(), target, &mut plan.findings) {
            plan.push(s);
        }
        let timeout = cx.settings.actions.ready_timeout_secs as f64;
        plan.push(
            Step::new(format!("Scale {name} to {target}"))
                .effect(Effect::Scale { workload: Workload::Workers, name: name.clone(), replicas: target })
                .verify(Verify::Ready { workload: Workload::Workers, replicas: target }, timeout),
        );
        plan.push(
            Step::new("Watch the queue start to drain")
                .why("the runbook's step 5: more workers must shorten the queue")
                .verify(Verify::QueueDraining, timeout)
                .on_fail(OnFail::Continue),
        );
        plan.follow_up.push("when the queue is empty: drain-workers brings the workers back to the minimum".into());
        Ok(plan)
    }
}
