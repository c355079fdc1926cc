//! drain-workers: the runbook's "Scaling Worker Pods — Scale Down".

use super::common::{hpa_guard, read_workload};
use crate::actions::DRAIN_KEY;
use crate::actions::check::Check;
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, OnFail, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::state::Workload;
use crate::model::units::duration_short;
use async_trait::async_trait;

pub struct DrainWorkers;

const HELP: &str = "Scale the workers down without killing tasks: check the queue, annotate the \
deployment drain=true (workers finish what they hold and take nothing new), wait until the in-flight \
set is empty (live count, with a timeout), scale to the minimum, remove the annotation, verify. \
Differs from the runbook: the annotation is removed even when the action fails or is aborted (a drained \
deployment takes no work at all); the wait has a timeout instead of looping forever; a live queue is \
rarely exactly empty, so the queue check allows what the remaining workers clear within the target queue \
time; an HPA pinned above the minimum (after an emergency) is lowered first, or it would scale back up.";

/// Tasks `workers` clear within the target queue time.
fn allowance(cx: &PlanCx, workers: u32) -> u64 {
    let c = &cx.settings.capacity;
    (f64::from(workers) * c.tasks_per_worker * c.target_queue_secs / c.avg_processing_secs.max(1.0)).floor() as u64
}

#[async_trait]
impl Procedure for DrainWorkers {
    fn name(&self) -> &'static str {
        "drain-workers"
    }
    fn summary(&self) -> &'static str {
        "Drain workers (wait for tasks in flight) and scale them to the minimum"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let r = cx.settings.limits.worker_pods;
        let mins = (cx.settings.actions.drain_timeout_secs / 60).max(1) as u32;
        let current = cx.board.current_replicas(Workload::Workers).unwrap_or(r.min);
        Form::new(vec![
            Field::number("replicas", "Scale to", r.min, r.min, r.max, format!("the runbook's minimum is {}", r.min)),
            Field::number("timeout", "Drain timeout (min)", mins, 1, 240, "how long to wait for tasks in flight"),
        ])
        .note(format!("workers now: {current}"))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let target = form.number("replicas").ok_or_else(|| ActionError::Invalid("replicas missing".into()))?;
        let timeout = f64::from(form.number("timeout").unwrap_or(30)) * 60.0;
        let (d, hpa) = read_workload(cx, Workload::Workers).await?;
        let current = d.state.desired;
        let name = cx.settings.deployment(Workload::Workers).to_string();
        let mut plan = Plan::new(self.name(), format!("Drain {name} and scale {current} → {target}"));
        plan.params = form.values();
        let allow = allowance(cx, target);
        if target >= current {
            plan.findings.push(Finding::block(format!("{name} runs {current}, not above {target}: nothing to drain")));
        }
        match cx.platform.queue_depth().await {
            Ok(q) if q > allow => plan.findings.push(Finding::block(format!(
                "the queue holds {q} tasks; {target} workers clear at most {allow} within the target queue time: scale down later"
            ))),
            Ok(q) => plan.findings.push(Finding::info(format!("queue {q} (at most {allow} allowed for {target} workers)"))),
            Err(e) => plan.findings.push(Finding::warn(format!("cannot read the queue now ({e}); it is checked again before the drain"))),
        }
        let wp = cx.board.worker_plan();
        if cx.board.rates.arrival_rate.is_some() && wp.needed > target {
            plan.findings.push(Finding::warn(format!(
                "at the current arrival rate the formula needs {} workers, more than {target}",
                wp.needed
            )));
        }
        match cx.platform.in_flight().await {
            Ok(n) => plan.findings.push(Finding::info(format!(
                "{n} tasks in flight: the drain waits for them for up to {}",
                duration_short(timeout)
            ))),
            Err(e) => plan.findings.push(Finding::warn(format!("cannot read the in-flight set ({e})"))),
        }
        if d.state.draining() {
            plan.findings.push(Finding::warn(format!("{name} is already annotated {DRAIN_KEY}=true")));
        }
        plan.push(
            Step::new(format!("Annotate {name} {DRAIN_KEY}=true"))
                .why("workers finish what they hold and take nothing new")
                .check(Check::QueueAtMost { max: allow })
                .effect(Effect::Annotate {
                    workload: Workload::Workers,
                    name: name.clone(),
                    key: DRAIN_KEY.into(),
                    value: Some("true".into()),
                    expect: None,
                }),
        );
        plan.push(Step::new("Wait for the tasks in flight to finish").verify(Verify::InFlightZero, timeout));
        let mut hpa_findings = Vec::new();
        if let Some(s) = hpa
            .as_ref()
            .filter(|h| super::common::hpa_bounds(h).0 > target)
            .and_then(|h| hpa_guard(cx, Workload::Workers, Some(h), target, &mut hpa_findings))
        {
            plan.push(s);
        }
        plan.findings.extend(hpa_findings);
        plan.push(
            Step::new(format!("Scale {name} to {target}"))
                .effect(Effect::Scale { workload: Workload::Workers, name: name.clone(), replicas: target })
                .verify(
                    Verify::Settled { workload: Workload::Workers, replicas: target },
                    cx.settings.actions.ready_timeout_secs as f64,
                ),
        );
        plan.push(
            Step::new(format!("Remove the {DRAIN_KEY} annotation"))
                .why("runs even if the action stops early: a drained deployment takes no work")
                .effect(Effect::Annotate {
                    workload: Workload::Workers,
                    name: name.clone(),
                    key: DRAIN_KEY.into(),
                    value: None,
                    expect: None,
                })
                .verify(Verify::Annotation { workload: Workload::Workers, key: DRAIN_KEY.into(), value: None }, 60.0)
                .always(),
        );
        plan.push(
            Step::new("Check every worker's /health")
                .why("the runbook's component-health.sh")
                .verify(
                    Verify::PodsHealthy { workload: Workload::Workers },
                    cx.settings.actions.ready_timeout_secs as f64,
                )
                .on_fail(OnFail::Continue),
        );
        if hpa.as_ref().is_some_and(super::common::pinned) {
            plan.follow_up.push("reenable-hpa restores the worker HPA's saved spec".into());
        }
        Ok(plan)
    }
}
