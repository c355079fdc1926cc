//! resize-workers: the runbook's "Scaling Worker Memory/CPU".

use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::quantity::{cpu_cores, format_cpu, format_memory, memory_bytes, same_cpu, same_memory};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::state::Workload;
use async_trait::async_trait;

pub struct ResizeWorkers;

/// The runbook's worker node (m6i.xlarge): a pod above it never schedules.
const NODE_CPU: f64 = 4.0;
const NODE_MEMORY_GIB: f64 = 16.0;
const GIB: f64 = 1073741824.0;

const HELP: &str = "Set the worker container's CPU and memory limits, follow the rollout until every \
pod is updated and ready, then verify each pod runs with the new limits. The runbook's JSON patch \
`replace` fails when a limit is not set yet; the cockpit sets both either way, refusing a value a worker \
node (the runbook's m6i.xlarge: 4 vCPU, 16 GiB) cannot hold, and refusing to overwrite limits someone \
changed after the plan was made.";

#[async_trait]
impl Procedure for ResizeWorkers {
    fn name(&self) -> &'static str {
        "resize-workers"
    }
    fn summary(&self) -> &'static str {
        "Resize worker CPU / memory limits; follow the rollout"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let d = cx.board.state.kube.as_ref().and_then(|k| k.workers.deployment.clone()).unwrap_or_default();
        let cpu = d.cpu_limit.as_deref().and_then(cpu_cores).map(|c| format_cpu((c * 2.0).min(NODE_CPU)));
        let mem = d
            .memory_limit
            .as_deref()
            .and_then(memory_bytes)
            .map(|m| format_memory((m * 2.0).min(NODE_MEMORY_GIB * GIB)));
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unset".into());
        Form::new(vec![
            Field::text(
                "cpu",
                "CPU limit",
                cpu.as_deref().unwrap_or("2"),
                "e.g. 2 or 1500m (prefilled: twice the current)",
            ),
            Field::text(
                "memory",
                "Memory limit",
                mem.as_deref().unwrap_or("4Gi"),
                "e.g. 4Gi (prefilled: twice the current)",
            ),
        ])
        .note(format!("worker limits now: cpu {}, memory {}", show(&d.cpu_limit), show(&d.memory_limit)))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let cpu = form.text("cpu").unwrap_or_default().to_string();
        let memory = form.text("memory").unwrap_or_default().to_string();
        let d = cx.platform.deployment(Workload::Workers).await?;
        let name = cx.settings.deployment(Workload::Workers).to_string();
        let (cur_cpu, cur_mem) = (d.state.cpu_limit.clone(), d.state.memory_limit.clone());
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unset".into());
        let mut plan = Plan::new(
            self.name(),
            format!("Resize {name}: cpu {} → {cpu}, memory {} → {memory}", show(&cur_cpu), show(&cur_mem)),
        );
        plan.params = form.values();
        match cpu_cores(&cpu) {
            None => plan.findings.push(Finding::block(format!("CPU {cpu:?} is not a quantity (e.g. 2, 1500m)"))),
            Some(c) if c > NODE_CPU => plan.findings.push(Finding::block(format!(
                "CPU {cpu} exceeds a worker node ({NODE_CPU} vCPU): the pods would never schedule"
            ))),
            Some(_) => {}
        }
        match memory_bytes(&memory) {
            None => plan.findings.push(Finding::block(format!("memory {memory:?} is not a quantity (e.g. 4Gi)"))),
            Some(m) if m > NODE_MEMORY_GIB * GIB => plan.findings.push(Finding::block(format!(
                "memory {memory} exceeds a worker node ({NODE_MEMORY_GIB} GiB): the pods would never schedule"
            ))),
            Some(_) => {}
        }
        if same_cpu(cur_cpu.as_deref(), &cpu) && same_memory(cur_mem.as_deref(), &memory) {
            plan.findings.push(Finding::block("the limits are already these"));
        }
        plan.findings.push(Finding::warn(format!(
            "the rollout replaces every one of the {} workers (25% at a time): capacity dips while it runs",
            d.state.desired
        )));
        plan.findings
            .push(Finding::info("only limits change, as in the runbook: requests (what the scheduler reserves) stay"));
        let timeout = cx.settings.actions.ready_timeout_secs as f64;
        plan.push(
            Step::new(format!("Set {name} limits: cpu {cpu}, memory {memory}"))
                .effect(Effect::SetLimits {
                    workload: Workload::Workers,
                    name: name.clone(),
                    cpu: cpu.clone(),
                    memory: memory.clone(),
                    expect: Some((cur_cpu, cur_mem)),
                })
                .verify(Verify::Rollout { workload: Workload::Workers }, timeout),
        );
        plan.push(
            Step::new("Verify every worker runs with the new limits")
                .verify(Verify::PodLimits { workload: Workload::Workers, cpu, memory }, timeout),
        );
        Ok(plan)
    }
}
