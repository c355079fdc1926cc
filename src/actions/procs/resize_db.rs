//! resize-db: the runbook's "Scaling Database (RDS)".

use super::common::connection_finding;
use crate::actions::check::Check;
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::MetricId;
use crate::model::state::{DbInstance, Workload};
use async_trait::async_trait;

pub struct ResizeDb;

/// The runbook's RDS instance classes: (class, vCPU, memory GiB).
pub const CLASSES: [(&str, u32, u32); 4] =
    [("db.r6g.large", 2, 16), ("db.r6g.xlarge", 4, 32), ("db.r6g.2xlarge", 8, 64), ("db.r6g.4xlarge", 16, 128)];

fn rank(class: &str) -> Option<usize> {
    CLASSES.iter().position(|(c, _, _)| *c == class)
}

const HELP: &str = "Change the RDS instance class (the runbook's class table), now or at the \
maintenance window, follow each instance's status until it is available in the new class, and verify \
the primary with SELECT 1. Differs from the runbook: it resizes the primary first and the replicas \
after; a replica smaller than its primary falls behind (replica lag), so when scaling up the replicas go \
first and the primary last (scaling down: the primary first). Each instance must be available before it \
is modified.";

#[async_trait]
impl Procedure for ResizeDb {
    fn name(&self) -> &'static str {
        "resize-db"
    }
    fn summary(&self) -> &'static str {
        "Resize the RDS instance class (replicas before the primary)"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let current = cx.board.state.rds.as_ref().and_then(|r| r.primary.as_ref()).map(|p| p.class.clone());
        let next = current
            .as_deref()
            .and_then(rank)
            .map(|i| CLASSES[(i + 1).min(CLASSES.len() - 1)].0)
            .unwrap_or(CLASSES[2].0);
        let hot = cx
            .board
            .reading(MetricId::DbCpu)
            .value
            .zip(cx.settings.crit_value(MetricId::DbCpu))
            .is_some_and(|(v, c)| v > c);
        let names: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
        Form::new(vec![
            Field::choice("class", "Instance class", &names, next, "prefilled: the next class up"),
            Field::choice(
                "apply",
                "Apply",
                &["window", "now"],
                if hot { "now" } else { "window" },
                "now restarts each instance",
            ),
        ])
        .note(format!("primary now: {}", current.unwrap_or_else(|| "unknown".into())))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let class = form.choice("class").ok_or_else(|| ActionError::Invalid("class missing".into()))?.to_string();
        let now = form.choice("apply") == Some("now");
        let (primary, replicas) = cx.platform.db_instances().await?;
        let up = rank(&class) >= rank(&primary.class);
        let mut plan = Plan::new(
            self.name(),
            format!("Resize RDS {} → {class} {}", primary.class, if now { "now" } else { "at the maintenance window" }),
        );
        plan.params = form.values();
        if let Some((_, cpu, mem)) = CLASSES.iter().find(|c| c.0 == class) {
            plan.findings.push(Finding::info(format!("{class}: {cpu} vCPU, {mem} GiB")));
        }
        let mut order: Vec<&DbInstance> = if up {
            replicas.iter().chain(std::iter::once(&primary)).collect()
        } else {
            std::iter::once(&primary).chain(replicas.iter()).collect()
        };
        order.retain(|i| i.class != class);
        if order.is_empty() {
            plan.findings.push(Finding::block(format!("every instance already runs {class}")));
        }
        plan.findings.push(Finding::info(if up {
            "replicas first, the primary last: a replica smaller than its primary falls behind"
        } else {
            "the primary first, then the replicas: no replica is ever smaller than the primary"
        }));
        if !up {
            plan.findings.push(Finding::warn(
                "a smaller class has less memory and CPU: check the load and max_connections first",
            ));
        }
        if now && order.iter().any(|i| !i.is_replica) {
            plan.findings.push(Finding::warn(
                "applying now restarts the primary: connections drop for a few minutes (a failover on Multi-AZ)",
            ));
        }
        if !now {
            plan.findings.push(Finding::info(
                "at the window RDS applies every pending change together: the order above only holds for 'now'",
            ));
        }
        for i in order.iter().filter(|i| i.status != "available") {
            plan.findings.push(Finding::warn(format!(
                "{} is {}: its step waits for nothing and fails its check",
                i.id, i.status
            )));
        }
        let api = cx.platform.deployment(Workload::Api).await.map(|d| d.state.desired).unwrap_or(0);
        let workers = cx.platform.deployment(Workload::Workers).await.map(|d| d.state.desired).unwrap_or(0);
        plan.findings.push(connection_finding(cx, api, workers).await);
        let timeout = cx.settings.actions.rds_timeout_secs as f64;
        for i in order {
            let role = if i.is_replica { "replica" } else { "primary" };
            plan.push(
                Step::new(format!("Resize {role} {} {} → {class}", i.id, i.class))
                    .check(Check::DbAvailable { id: i.id.clone() })
                    .effect(Effect::ModifyDb {
                        id: i.id.clone(),
                        class: class.clone(),
                        apply_now: now,
                        expect_class: Some(i.class.clone()),
                    })
                    .verify(Verify::DbClass { id: i.id.clone(), class: class.clone(), apply_now: now }, timeout),
            );
            if !i.is_replica && now {
                plan.push(Step::new("Verify the primary answers SELECT 1").verify(Verify::DbPing, 120.0));
            }
        }
        Ok(plan)
    }
}
