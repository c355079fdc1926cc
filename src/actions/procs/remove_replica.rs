//! remove-replica: delete one PostgreSQL read replica (runbook "Scalable Components": at least
//! one read replica stays).

use super::add_replica::replica_ids;
use crate::actions::check::Check;
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use async_trait::async_trait;

pub struct RemoveReplica;

const HELP: &str = "Delete one read replica of the RDS primary (DeleteDBInstance, no final snapshot: RDS \
takes none of a replica) and follow it until RDS no longer lists it. Refused: the last replica (the runbook \
keeps 1 to 5), an instance that is not a replica of the primary. A replica that still has client \
connections (the application reads from it) needs its name typed to confirm: those reads fail when it goes, \
so point the application elsewhere first. Without connections at the plan, the step checks again right \
before the delete and stops if some appeared. Undo creates a new replica of that name and class (a fresh \
copy of the primary: the old one is gone).";

#[async_trait]
impl Procedure for RemoveReplica {
    fn name(&self) -> &'static str {
        "remove-replica"
    }
    fn summary(&self) -> &'static str {
        "Remove a PostgreSQL read replica (never the last one)"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let rds = cx.board.state.rds.as_ref();
        let known: Vec<String> = rds.map(|r| r.replicas.iter().map(|i| i.id.clone()).collect()).unwrap_or_default();
        // The newest known replica (the last one listed): the one most often removed again.
        let id = known.last().cloned().or_else(|| cx.settings.db_replicas.last().cloned()).unwrap_or_default();
        Form::new(vec![Field::text("id", "Replica id", &id, "the RDS identifier of the replica to delete")]).note(
            format!(
                "read replicas known: {}",
                if known.is_empty() { "none (aws.rds_replicas)".to_string() } else { known.join(", ") }
            ),
        )
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let id = form.text("id").ok_or_else(|| ActionError::Invalid("id missing".into()))?.trim().to_string();
        let (primary, replicas) = cx.platform.db_replica_set().await?;
        let range = cx.settings.limits.db_replicas;
        let mut plan = Plan::new(self.name(), format!("Remove read replica {id} of {}", primary.id));
        plan.params = form.values();
        let live = replica_ids(&replicas);
        let n = live.len() as u32;
        plan.findings.push(Finding::info(format!(
            "{} has {n} read replica{} ({}); the runbook keeps {}..{}",
            primary.id,
            if n == 1 { "" } else { "s" },
            if live.is_empty() { "none".to_string() } else { live.join(", ") },
            range.min,
            range.max
        )));
        let target = replicas.iter().find(|r| r.id == id);
        if id == primary.id {
            plan.findings.push(Finding::block(format!("{id} is the primary: only a read replica is removed")));
        } else if target.is_none() {
            plan.findings.push(Finding::block(format!("{id} is not a read replica of {}", primary.id)));
        } else if target.is_some_and(|r| r.status == "deleting") {
            plan.findings.push(Finding::block(format!("{id} is being deleted already")));
        }
        if n <= range.min && target.is_some() {
            plan.findings.push(Finding::block(format!(
                "{id} is the last read replica{}: the runbook keeps at least {}",
                if range.min > 1 { "s" } else { "" },
                range.min
            )));
        }
        let mut step = Step::new(format!("Delete read replica {id}"))
            .check(Check::ReplicaCount { at_least: range.min + 1, at_most: u32::MAX });
        if target.is_some() {
            match cx.platform.db_replica_connections(&id).await {
                Ok(0) => {
                    plan.findings.push(Finding::info(format!("no client is connected to {id}")));
                    step = step.check(Check::ReplicaIdle { id: id.clone() });
                }
                Ok(c) => {
                    plan.findings.push(Finding::warn(format!(
                        "{c} client connection(s) are open on {id}: the application reads from it and those reads \
                         fail when it goes. Type {id} to remove it anyway"
                    )));
                    plan.confirm_word = Some(id.clone());
                }
                Err(e) => {
                    plan.findings.push(Finding::warn(format!(
                        "the connections on {id} are unknown ({e}). Type {id} to remove it without knowing"
                    )));
                    plan.confirm_word = Some(id.clone());
                }
            }
        }
        let timeout = cx.settings.actions.rds_timeout_secs as f64;
        plan.push(
            step.effect(Effect::DeleteReplica { id: id.clone() }).verify(Verify::ReplicaGone { id: id.clone() }, timeout),
        );
        if cx.settings.db_replicas.contains(&id) {
            plan.follow_up.push(format!("remove {id:?} from aws.rds_replicas (the Database pane will call it not found)"));
        }
        Ok(plan)
    }
}
