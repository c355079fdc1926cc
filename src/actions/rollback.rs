//! Undo: a plan that puts back what an action applied, newest change first, from its summary
//! or its journal. Offered after an action failed or was aborted; shown and confirmed like any
//! other plan, never run on its own.

use super::effect::Effect;
use super::error::ActionError;
use super::journal::{self, EffectOutcome, Record};
use super::step::{Finding, Plan, Step, Summary};
use std::path::Path;

/// The action name rollback plans carry.
pub const ACTION: &str = "undo";

fn plan_of(action: &str, undos: Vec<Effect>) -> Option<Plan> {
    if undos.is_empty() {
        return None;
    }
    let mut plan = Plan::new(ACTION, format!("Undo what {action} applied ({} changes, newest first)", undos.len()));
    plan.params.insert("of".into(), action.to_string());
    if undos.iter().any(|u| matches!(u, Effect::Scale { .. })) {
        plan.findings.push(Finding::warn(
            "undoing a scale puts the old replica count back at once; scale-api down (halves, re-checking load) and drain-workers reduce gradually",
        ));
    }
    plan.findings.push(Finding::info("each change is re-read first: one already undone is not written again"));
    for u in undos {
        plan.push(Step::new(format!("Undo: {}", u.describe())).effect(u));
    }
    Some(plan)
}

/// The rollback of a finished run, if it applied anything that can be undone.
pub fn from_summary(s: &Summary) -> Option<Plan> {
    let undos = s.steps.iter().rev().filter_map(|r| r.change.as_ref()?.undo.clone()).collect();
    plan_of(&s.action, undos)
}

/// The rollback of the latest journaled run of `action` in `dir`.
pub fn from_journal(dir: &Path, action: &str) -> Result<Option<Plan>, ActionError> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(None) };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths.iter().rev() {
        let lines = journal::read(p)?;
        let ours = lines
            .first()
            .is_some_and(|l| matches!(&l.record, Record::Start { action: a, dry_run: false, .. } if a == action));
        if !ours {
            continue;
        }
        let undos = lines
            .iter()
            .rev()
            .filter_map(|l| match &l.record {
                Record::After { outcome: EffectOutcome::Applied, undo: Some(u), .. } => Some(u.clone()),
                _ => None,
            })
            .collect();
        return Ok(plan_of(action, undos));
    }
    Ok(None)
}
