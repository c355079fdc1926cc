//! add-replica: a PostgreSQL read replica of the RDS primary (runbook "Scalable Components":
//! PostgreSQL read replicas, 1 to 5).

use super::resize_db::CLASSES;
use crate::actions::check::Check;
use crate::actions::effect::Effect;
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::MetricId;
use crate::model::state::{DbInstance, Workload};
use crate::model::units::trim_number;
use async_trait::async_trait;

pub struct AddReplica;

const HELP: &str = "Create a read replica of the RDS primary (CreateDBInstanceReadReplica) in the primary's \
instance class, follow it from creating to available, then follow its replica lag until it stays under the \
Replica lag warning threshold, and verify it answers SELECT 1 on its own endpoint. Preflight: the runbook's \
1 to 5 replicas (a sixth is refused), the class matching the primary's (a smaller replica falls behind under \
the primary's writes: refused; a larger one costs more: a warning), and the connections the application \
will open to it (actions.replica_conns_per_api_pod and actions.replica_conns_per_worker: unset, the plan says \
it cannot tell) against max_connections. The runbook lists 1 to 5 replicas but gives no command to add one. \
The new replica serves no reads until the application is pointed at it, and the Database pane follows it once it is in aws.rds_replicas.";

#[async_trait]
impl Procedure for AddReplica {
    fn name(&self) -> &'static str {
        "add-replica"
    }
    fn summary(&self) -> &'static str {
        "Add a PostgreSQL read replica (RDS, in the primary's class)"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let rds = cx.board.state.rds.as_ref();
        let primary_class = rds.and_then(|r| r.primary.as_ref()).map(|p| p.class.clone());
        let mut known: Vec<String> = cx.settings.db_replicas.clone();
        known.extend(rds.iter().flat_map(|r| r.replicas.iter().map(|i| i.id.clone())));
        let id = next_id(&cx.settings.db_primary, &known);
        let names: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
        let class = primary_class.as_deref().filter(|c| names.contains(c)).unwrap_or(CLASSES[1].0);
        let count = rds.map(|r| r.replicas.len().to_string()).unwrap_or_else(|| "unknown".into());
        Form::new(vec![
            Field::text("id", "Replica id", &id, "the RDS identifier of the new replica"),
            Field::choice("class", "Instance class", &names, class, "prefilled: the primary's class"),
        ])
        .note(format!(
            "primary {} ({}), read replicas known: {count}",
            cx.settings.db_primary,
            primary_class.unwrap_or_else(|| "class unknown".into())
        ))
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let id = form.text("id").ok_or_else(|| ActionError::Invalid("id missing".into()))?.trim().to_string();
        let class = form.choice("class").ok_or_else(|| ActionError::Invalid("class missing".into()))?.to_string();
        let (primary, replicas) = cx.platform.db_replica_set().await?;
        let range = cx.settings.limits.db_replicas;
        let mut plan = Plan::new(self.name(), format!("Add read replica {id} of {} ({class})", primary.id));
        plan.params = form.values();
        let live = replica_ids(&replicas);
        let n = live.len() as u32;
        plan.findings.push(Finding::info(format!(
            "{} has {n} read replica{} ({}); the runbook allows {}..{}",
            primary.id,
            if n == 1 { "" } else { "s" },
            if live.is_empty() { "none".to_string() } else { live.join(", ") },
            range.min,
            range.max
        )));
        if n >= range.max {
            plan.findings.push(Finding::block(format!(
                "{n} read replicas already: the runbook's maximum is {}; resize-db (a larger class) instead",
                range.max
            )));
        }
        if let Err(why) = valid_identifier(&id) {
            plan.findings.push(Finding::block(format!("{id:?} is not a valid RDS identifier: {why}")));
        }
        if id == primary.id || replicas.iter().any(|r| r.id == id) {
            plan.findings.push(Finding::block(format!("an RDS instance named {id} exists already")));
        }
        match (class_rank(&class), class_rank(&primary.class)) {
            (Some(a), Some(b)) if a < b => plan.findings.push(Finding::block(format!(
                "{class} is smaller than the primary's {}: a smaller replica falls behind under the primary's \
                 writes (replica lag); choose {}",
                primary.class, primary.class
            ))),
            (Some(a), Some(b)) if a > b => plan.findings.push(Finding::warn(format!(
                "{class} is larger than the primary's {}: it costs more and reads no faster than the primary",
                primary.class
            ))),
            (_, None) => plan.findings.push(Finding::warn(format!(
                "the primary's class {:?} is not in the runbook's table: {class} may not match it",
                primary.class
            ))),
            _ => plan.findings.push(Finding::info(format!("{class}, the primary's class"))),
        }
        if primary.status != "available" {
            plan.findings.push(Finding::warn(format!(
                "the primary is {}: RDS creates a replica only from an available instance (the step checks it)",
                primary.status
            )));
        }
        plan.findings.push(connections_finding(cx).await);
        let lag = cx.settings.warn_value(MetricId::ReplicaLag).unwrap_or(5.0);
        let timeout = cx.settings.actions.rds_timeout_secs as f64;
        plan.push(
            Step::new(format!("Create read replica {id} ({class})"))
                .why("RDS snapshots the primary and restores it as a replica: usually 10 to 30 minutes")
                .check(Check::ReplicaCount { at_least: 0, at_most: range.max.saturating_sub(1) })
                .check(Check::DbAvailable { id: primary.id.clone() })
                .effect(Effect::CreateReplica { id: id.clone(), class: class.clone() })
                .verify(Verify::ReplicaAvailable { id: id.clone() }, timeout),
        );
        plan.push(
            Step::new(format!("Wait for {id} to catch up"))
                .why("a new replica starts behind the primary; it serves current data once its lag settles")
                .verify(Verify::ReplicaLagUnder { id: id.clone(), max_secs: lag }, timeout),
        );
        plan.push(
            Step::new(format!("Verify {id} answers SELECT 1")).verify(Verify::ReplicaPing { id: id.clone() }, 300.0),
        );
        if !cx.settings.db_replicas.contains(&id) {
            plan.follow_up.push(format!("add {id:?} to aws.rds_replicas so the Database pane follows it"));
        }
        plan.follow_up.push(format!("point the application's read pool at {id} (it serves no reads until then)"));
        Ok(plan)
    }
}

/// The replicas that are not being deleted.
pub(super) fn replica_ids(replicas: &[DbInstance]) -> Vec<String> {
    replicas.iter().filter(|r| r.status != "deleting").map(|r| r.id.clone()).collect()
}

/// The position of a class in the runbook's table (bigger is larger).
pub(super) fn class_rank(class: &str) -> Option<usize> {
    CLASSES.iter().position(|(c, _, _)| *c == class)
}

/// RDS's rule for a DB instance identifier: 1 to 63 letters, digits or hyphens; a letter
/// first; no hyphen last, no two in a row.
pub(super) fn valid_identifier(id: &str) -> Result<(), &'static str> {
    if id.is_empty() || id.len() > 63 {
        return Err("1 to 63 characters");
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("letters, digits and hyphens only");
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("it must start with a letter");
    }
    if id.ends_with('-') || id.contains("--") {
        return Err("no hyphen at the end, no two hyphens in a row");
    }
    Ok(())
}

/// The connections the application will open to one replica (its read pools at today's pod
/// counts, with the runbook's buffer) against max_connections; unknown settings named.
pub(super) async fn connections_finding(cx: &PlanCx) -> Finding {
    let a = &cx.settings.actions;
    let (Some(per_api), Some(per_worker)) = (a.replica_conns_per_api_pod, a.replica_conns_per_worker) else {
        return Finding::warn(
            "the connections the application will open to the replica are unknown: set \
             actions.replica_conns_per_api_pod and actions.replica_conns_per_worker (its read pool per pod)",
        );
    };
    let pods = |w| async move { cx.platform.deployment(w).await.map(|d| d.state.desired) };
    let (api, workers) = match (pods(Workload::Api).await, pods(Workload::Workers).await) {
        (Ok(a), Ok(w)) => (a, w),
        (Err(e), _) | (_, Err(e)) => {
            return Finding::warn(format!("the connections to the replica are not checked: pod counts unknown ({e})"));
        }
    };
    let buffer = 1.0 + cx.settings.capacity.connection_buffer;
    let need = (api as f64 * per_api + workers as f64 * per_worker) * buffer;
    let text = format!(
        "connections to the replica: (({api} × {}) + ({workers} × {})) × {} = {}",
        trim_number(per_api),
        trim_number(per_worker),
        trim_number(buffer),
        trim_number(need.round())
    );
    match cx.platform.db_max_connections().await {
        Ok(max) if need > max as f64 => Finding::warn(format!(
            "{text}, over max_connections {max} (the replica has the primary's): the application's read pools \
             will be refused connections"
        )),
        Ok(max) => Finding::info(format!("{text} of max_connections {max}")),
        Err(e) => Finding::warn(format!("{text}; max_connections not read ({e})")),
    }
}

/// The next free "<base>-replica-N" after the primary's name ("agentos-primary" gives
/// "agentos-replica-N", the runbook's names).
pub fn next_id(primary: &str, known: &[String]) -> String {
    let base = primary.strip_suffix("-primary").unwrap_or(primary);
    let prefix = format!("{base}-replica-");
    let n = known.iter().filter_map(|k| k.strip_prefix(&prefix)?.parse::<u32>().ok()).max().unwrap_or(0);
    format!("{prefix}{}", n + 1)
}

#[cfg(test)]
mod tests {
    use super::next_id;

    #[test]
    fn the_next_id_follows_the_runbooks_names() {
        let known = vec!["agentos-replica-1".to_string(), "agentos-replica-2".to_string()];
        assert_eq!(next_id("agentos-primary", &known), "agentos-replica-3");
        assert_eq!(next_id("agentos-primary", &[]), "agentos-replica-1");
        assert_eq!(next_id("db", &[]), "db-replica-1");
    }
}
