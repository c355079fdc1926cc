//! emergency: the runbook's "Emergency Scaling".

use super::common::{blind_finding, connection_finding, hpa_guard, read_workload};
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, OnFail, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::MetricId;
use crate::model::state::Workload;
use async_trait::async_trait;

pub struct Emergency;

/// What the engineer types to confirm.
pub const CONFIRM_WORD: &str = "EMERGENCY";

const HELP: &str = "Declare the emergency (the configured notify command or webhook), keep both HPAs \
from undoing the emergency scale, scale the API and the workers to their maximum, wait for the pods, \
then monitor recovery against the runbook's critical thresholds (queue, API p99, error rate) and offer \
the gradual reduction. Differs from the runbook: its step 2 removes spec.minReplicas to 'disable' the \
HPAs, which does not disable them: minReplicas defaults to 1, so the HPAs may scale down to one pod. \
Instead each HPA's exact spec is saved (an annotation on the HPA and the journal) and its minReplicas is \
pinned to the emergency count; reenable-hpa restores the saved spec byte for byte. Asks for a typed \
confirmation word.";

#[async_trait]
impl Procedure for Emergency {
    fn name(&self) -> &'static str {
        "emergency"
    }
    fn summary(&self) -> &'static str {
        "Emergency scaling: pin the HPAs, scale both to maximum (typed confirmation)"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let l = cx.settings.limits;
        let reasons = cx.board.emergency_reasons();
        let mut form = Form::new(vec![
            Field::number(
                "api",
                "API pods",
                l.api_pods.max,
                l.api_pods.min,
                l.api_pods.max,
                "the runbook scales to the maximum",
            ),
            Field::number(
                "workers",
                "Workers",
                l.worker_pods.max,
                l.worker_pods.min,
                l.worker_pods.max,
                "the runbook scales to the maximum",
            ),
            Field::text(
                "message",
                "Notify",
                "EMERGENCY SCALE: Starting emergency scaling procedure",
                "sent first (notify command or webhook)",
            ),
            Field::number("monitor", "Monitor (min)", 15, 1, 240, "how long to watch for recovery"),
        ]);
        if reasons.is_empty() {
            form.notes.push("none of the runbook's emergency conditions holds now".into());
        } else {
            form.notes.push(format!("emergency conditions: {}", reasons.join("; ")));
        }
        form
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let api = form.number("api").ok_or_else(|| ActionError::Invalid("api missing".into()))?;
        let workers = form.number("workers").ok_or_else(|| ActionError::Invalid("workers missing".into()))?;
        let message = form.text("message").unwrap_or("EMERGENCY SCALE").to_string();
        let monitor = f64::from(form.number("monitor").unwrap_or(15)) * 60.0;
        let s = &cx.settings;
        let (api_d, api_hpa) = read_workload(cx, Workload::Api).await?;
        let (wk_d, wk_hpa) = read_workload(cx, Workload::Workers).await?;
        let mut plan = Plan::new(
            self.name(),
            format!("Emergency: API {} → {api}, workers {} → {workers}", api_d.state.desired, wk_d.state.desired),
        );
        plan.params = form.values();
        plan.confirm_word = Some(CONFIRM_WORD.into());
        let reasons = cx.board.emergency_reasons();
        if reasons.is_empty() {
            plan.findings.push(Finding::warn("none of the runbook's emergency conditions holds now (queue > 10,000 and growing, p99 > 5 s, errors > 10%)"));
        } else {
            plan.findings.push(Finding::info(format!("emergency conditions: {}", reasons.join("; "))));
        }
        if !s.notify_configured {
            plan.findings.push(Finding::warn(
                "no [notify] command or webhook is configured: the notification reaches the platform's event log only",
            ));
        }
        plan.findings.push(Finding::info(
            "the runbook 'disables' the HPAs by removing minReplicas, which lets them scale down to 1; they are pinned instead",
        ));
        // An emergency only ever adds capacity: a count typed below what runs would scale down
        // in the middle of the incident.
        for (name, current, target) in [
            (s.deployment(Workload::Api), api_d.state.desired, api),
            (s.deployment(Workload::Workers), wk_d.state.desired, workers),
        ] {
            if target < current {
                plan.findings.push(Finding::block(format!(
                    "{name} runs {current}: emergency scaling never scales down (asked {target}); keep at least \
                     {current}, and lower it after recovery with scale-api or drain-workers"
                )));
            }
        }
        plan.findings.push(connection_finding(cx, api, workers).await);
        let recovery_inputs = [(MetricId::QueueDepth, "the queue"), (MetricId::ApiP99, "p99"), (MetricId::ApiErrorRate, "error rate")];
        if let Some(f) = blind_finding(cx, &recovery_inputs, &[], "recovery") {
            plan.findings.push(f);
        }
        plan.push(
            Step::new("Declare the emergency")
                .effect(Effect::Notify { message })
                .why("the runbook's step 1; a failed notification does not hold up the scaling")
                .on_fail(OnFail::Continue),
        );
        for (w, hpa, target) in [(Workload::Api, &api_hpa, api), (Workload::Workers, &wk_hpa, workers)] {
            if let Some(step) = hpa_guard(cx, w, hpa.as_ref(), target, &mut plan.findings) {
                plan.push(step);
            }
        }
        plan.push(Step::new(format!("Scale {} to {api}", s.deployment(Workload::Api))).effect(Effect::Scale {
            workload: Workload::Api,
            name: s.deployment(Workload::Api).to_string(),
            replicas: api,
        }));
        plan.push(Step::new(format!("Scale {} to {workers}", s.deployment(Workload::Workers))).effect(Effect::Scale {
            workload: Workload::Workers,
            name: s.deployment(Workload::Workers).to_string(),
            replicas: workers,
        }));
        let ready = s.actions.ready_timeout_secs as f64;
        plan.push(
            Step::new("Wait for the API pods")
                .verify(Verify::Ready { workload: Workload::Api, replicas: api }, ready)
                .on_fail(OnFail::Continue),
        );
        plan.push(
            Step::new("Wait for the workers")
                .verify(Verify::Ready { workload: Workload::Workers, replicas: workers }, ready)
                .on_fail(OnFail::Continue),
        );
        plan.push(
            Step::new("Monitor recovery")
                .why(
                    "queue, API p99 and error rate back under the runbook's critical thresholds; what cannot be seen \
                     is named, and recovery is judged on the rest (a warning)",
                )
                .verify(
                    Verify::Recovery {
                        queue_max: s.crit_value(MetricId::QueueDepth).unwrap_or(5000.0),
                        p99_max_ms: s.crit_value(MetricId::ApiP99).unwrap_or(2000.0),
                        error_max_pct: s.crit_value(MetricId::ApiErrorRate).unwrap_or(10.0),
                    },
                    monitor,
                )
                .on_fail(OnFail::Continue),
        );
        plan.follow_up.push(
            "once stable, reduce gradually: scale-api down (halves, re-checking load), then drain-workers".into(),
        );
        plan.follow_up.push("then reenable-hpa restores both HPAs exactly as they were".into());
        Ok(plan)
    }
}
