//! Faults during an action (409 conflict, 500, timeout, a change someone else made), read-only
//! mode, two runners contending for the lock, abort, and a process killed mid-action that is
//! resumed without repeating an effect. Each ends in a consistent state that the summary and
//! the journal both report.

mod actions_common;

use actions_common::*;
use cockpit::actions::journal::{self, EffectOutcome, Record};
use cockpit::actions::runner::{RunOpts, Runner};
use cockpit::actions::{Outcome, RunEvent, SAVED_SPEC_KEY, StepState};
use cockpit::model::state::Workload;
use cockpit::platform::{ErrorKind, Platform};
use cockpit::sim::Scenario;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn last_outcome(dir: &std::path::Path) -> Option<Outcome> {
    journal_lines(dir).into_iter().rev().find_map(|l| match l.record {
        Record::End { outcome } => Some(outcome),
        _ => None,
    })
}

#[tokio::test]
async fn a_409_conflict_is_reread_and_retried_when_nothing_changed() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    p.inject_fault("replace_hpa", ErrorKind::Conflict, 1);
    let (summary, events) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert!(events.iter().any(|e| matches!(e, RunEvent::Note { text, .. } if text.contains("conflict"))));
    assert!(
        journal_lines(dir.path())
            .iter()
            .any(|l| matches!(&l.record, Record::Note { text } if text.contains("conflict")))
    );
    assert_eq!(hpa_of(&p, Workload::Api).0["minReplicas"], 8);
    assert_eq!(replicas(&p, Workload::Api), 8);
}

#[tokio::test]
async fn someone_elses_change_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    // After the plan, someone else edits the HPA.
    let (mut spec, ann) = hpa_of(&p, Workload::Api);
    spec["maxReplicas"] = serde_json::json!(40);
    p.replace_hpa(Workload::Api, &spec, &ann, &Default::default()).await.expect("their change");
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert!(
        matches!(&summary.outcome, Outcome::Failed { reason } if reason.contains("changed since the plan")),
        "{:?}",
        summary.outcome
    );
    let (now, ann) = hpa_of(&p, Workload::Api);
    assert_eq!(now, spec, "their spec stands");
    assert!(!ann.contains_key(SAVED_SPEC_KEY));
    assert_eq!(replicas(&p, Workload::Api), 3, "nothing after the failed step ran");
    assert!(matches!(summary.steps[1].state, StepState::Skipped { .. }));
    assert!(matches!(last_outcome(dir.path()), Some(Outcome::Failed { .. })));
    assert!(
        journal_lines(dir.path())
            .iter()
            .any(|l| matches!(&l.record, Record::After { outcome: EffectOutcome::Failed, .. }))
    );
}

#[tokio::test]
async fn a_500_that_persists_fails_the_step_and_reports_what_was_applied() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    p.inject_fault("scale", ErrorKind::Unavailable, 10);
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert!(
        matches!(&summary.outcome, Outcome::Failed { reason } if reason.contains("gave up after 4 tries")),
        "{:?}",
        summary.outcome
    );
    // Consistent: the HPA is pinned with its spec saved (reenable-hpa undoes it); the scale was not made.
    assert_eq!(hpa_of(&p, Workload::Api).0["minReplicas"], 8);
    assert!(hpa_of(&p, Workload::Api).1.contains_key(SAVED_SPEC_KEY));
    assert!(matches!(&summary.steps[1].state, StepState::Failed { reason } if reason.contains("Unavailable")));
    assert!(summary.steps[0].change.is_some(), "the pin is reported as applied");
    assert!(summary.steps[1].change.is_none());
    let lines: Vec<String> = summary.lines().into_iter().map(|(_, l)| l).collect();
    assert!(lines.iter().any(|l| l.contains("to undo")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("restore HPA api-server-hpa exactly as saved")), "{lines:?}");
    assert!(matches!(last_outcome(dir.path()), Some(Outcome::Failed { .. })));
    // The undo puts the HPA back as it was.
    let before = {
        let (spec, _) = hpa_of(&p, Workload::Api);
        let saved: serde_json::Value =
            serde_json::from_str(&hpa_of(&p, Workload::Api).1[SAVED_SPEC_KEY]).expect("saved");
        assert_ne!(spec, saved);
        saved
    };
    let undo = cockpit::actions::rollback::from_summary(&summary).expect("something to undo");
    assert_eq!(undo.steps.len(), 1);
    let (done, _) = run(p.clone(), undo, &s).await;
    assert_eq!(done.outcome, Outcome::Completed, "{:?}", done.lines());
    assert_eq!(hpa_of(&p, Workload::Api), (before, Default::default()));
}

#[tokio::test]
async fn timeouts_are_retried_and_the_write_happens_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    p.inject_fault("scale", ErrorKind::Timeout, 2);
    p.inject_fault("deployment", ErrorKind::Unavailable, 1);
    let spy = Spy::new(p.clone());
    let (summary, _) = run(spy.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert_eq!(spy.count("scale"), 3, "two timeouts, then the write");
    assert_eq!(replicas(&p, Workload::Api), 8);
    let applied = journal_lines(dir.path())
        .iter()
        .filter(|l| matches!(&l.record, Record::After { outcome: EffectOutcome::Applied, target, .. } if target.contains("replicas")))
        .count();
    assert_eq!(applied, 1);
}

#[tokio::test]
async fn a_write_whose_answer_was_lost_is_not_made_twice() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    let spy = Spy::new(p.clone());
    spy.lose_answer_on("replace_hpa");
    let (summary, _) = run(spy.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert_eq!(spy.count("replace_hpa"), 1, "re-read: already applied, not sent again");
    assert!(matches!(&summary.steps[0].state, StepState::Done { note: Some(n) } if n.contains("not repeated")));
    assert!(summary.steps[0].change.is_some(), "still reported as applied");
    let saved: serde_json::Value =
        serde_json::from_str(&hpa_of(&p, Workload::Api).1[SAVED_SPEC_KEY]).expect("saved spec");
    assert_eq!(saved["minReplicas"], 3, "the saved spec is the original, not the pinned one");
}

#[tokio::test]
async fn a_failed_notification_does_not_hold_up_the_emergency() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 120.0);
    let plan = plan("emergency", p.clone(), &board, &s, &[("monitor", "1"), ("api", "10"), ("workers", "10")]).await;
    p.inject_fault("notify", ErrorKind::Unavailable, 10);
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert!(summary.outcome.ok(), "{:?}", summary.outcome);
    assert!(matches!(summary.steps[0].state, StepState::Warning { .. }));
    assert_eq!(replicas(&p, Workload::Api), 10);
}

#[tokio::test]
async fn read_only_mode_sends_nothing_at_all() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = settings(dir.path());
    let (p, board) = sim(Scenario::Incident, 1, 300.0);
    let plan = plan("emergency", p.clone(), &board, &s, &[]).await;
    s.read_only = true;
    let spy = Spy::new(p.clone());
    let (summary, _) = run(spy.clone(), plan, &s).await;
    assert!(
        matches!(&summary.outcome, Outcome::Refused { reason } if reason.contains("read-only")),
        "{:?}",
        summary.outcome
    );
    assert_eq!(spy.total(), 0, "not a single request: {:?}", spy.calls.lock().map(|c| c.clone()));
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none(), "no journal either");
}

#[tokio::test]
async fn two_runners_contend_for_the_lock_and_only_one_proceeds() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let a_plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    let b_plan = plan("scale-workers", p.clone(), &board, &s, &[("replicas", "9")]).await;
    let (a, b) = (Spy::new(p.clone()), Spy::new(p.clone()));
    let (ra, _ha) = Runner::new(a.clone(), a_plan, RunOpts::from_settings(&s));
    let (rb, _hb) = Runner::new(b.clone(), b_plan, RunOpts::from_settings(&s));
    let (sa, sb) = tokio::join!(ra.run(), rb.run());
    assert_eq!(sa.outcome, Outcome::Completed, "{:?}", sa.lines());
    let Outcome::LockHeld { holder } = &sb.outcome else { panic!("{:?}", sb.outcome) };
    assert!(holder.holder.ends_with(sa.action_id.as_deref().expect("id")), "the second sees who holds it: {holder:?}");
    assert_eq!(holder.action, "scale-api");
    assert_eq!(b.writes(), b.count("acquire_lock"), "the second wrote nothing");
    assert_eq!(replicas(&p, Workload::Workers), 5);
    assert_eq!(replicas(&p, Workload::Api), 8);
}

#[tokio::test]
async fn a_lock_held_by_someone_else_names_them_and_since_when() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    p.acquire_lock("bob@laptop · action x", "emergency", Duration::from_secs(60)).await.expect("lock");
    let (summary, _) = run(p.clone(), plan, &s).await;
    let text = summary.outcome.describe();
    assert!(
        text.contains("bob@laptop") && text.contains("emergency") && text.contains("since T+00:05:00 (simulated time)"),
        "{text}"
    );
    assert_eq!(replicas(&p, Workload::Api), 3);
}

#[tokio::test]
async fn abort_during_the_drain_stops_and_still_removes_the_annotation() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-workers", p.clone(), &board, &s, &[("replicas", "20")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    observe(&p, &mut board);
    let drain = plan("drain-workers", p.clone(), &board, &s, &[]).await;
    let spy = Spy::new(p.clone());
    let (runner, handle) = Runner::new(spy.clone(), drain, RunOpts::from_settings(&s));
    spy.abort_on("in_flight", handle.abort.clone());
    let summary = runner.run().await;
    assert_eq!(summary.outcome, Outcome::Aborted, "{:?}", summary.lines());
    assert!(matches!(summary.steps[1].state, StepState::Warning { .. }), "{:?}", summary.steps[1].state);
    assert!(matches!(summary.steps[3].state, StepState::Skipped { .. }), "the scale-down was not run");
    assert!(matches!(summary.steps[4].state, StepState::Done { .. }), "the clean-up ran: {:?}", summary.steps[4].state);
    let d = p.deployment(Workload::Workers).await.expect("deployment");
    assert!(!d.state.annotations.contains_key("drain"));
    assert_eq!(d.state.desired, 20);
}

/// Run `plan` on a task until `spy` has hung (a process killed there), then kill the task.
async fn kill_midway(spy: Arc<Spy>, plan: cockpit::actions::Plan, s: &cockpit::actions::ActionSettings) {
    let (runner, _h) = Runner::new(spy.clone(), plan, RunOpts::from_settings(s));
    let task = tokio::spawn(runner.run());
    while !spy.hung.load(Ordering::SeqCst) {
        tokio::task::yield_now().await;
    }
    task.abort();
    let _ = task.await;
}

#[tokio::test]
async fn killed_after_a_write_resumes_without_repeating_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Incident, 1, 300.0);
    let before = [hpa_of(&p, Workload::Api), hpa_of(&p, Workload::Workers)];
    let plan = plan("emergency", p.clone(), &board, &s, &[("monitor", "1")]).await;
    let first = Spy::new(p.clone());
    first.hang_on("scale", true);
    kill_midway(first.clone(), plan, &s).await;
    assert_eq!(replicas(&p, Workload::Api), 50, "the write went through before the kill");
    let pending = journal::unfinished(dir.path());
    assert_eq!(pending.len(), 1);
    let u = pending.into_iter().next().expect("unfinished");
    assert!(u.describe().contains("was being applied"), "{}", u.describe());
    let second = Spy::new(p.clone());
    let (runner, _h) = Runner::resume(second.clone(), u, RunOpts::from_settings(&s));
    let summary = runner.run().await;
    assert!(summary.outcome.ok(), "{:?}", summary.lines());
    assert_eq!(second.count("notify"), 0, "not sent twice");
    assert_eq!(second.count("replace_hpa"), 0, "the pins are not repeated");
    assert_eq!(second.count("scale"), 1, "only the workers' scale, which had not been made");
    assert_eq!((replicas(&p, Workload::Api), replicas(&p, Workload::Workers)), (50, 100));
    assert!(
        matches!(&summary.steps[3].state, StepState::Done { note: Some(n) } if n.contains("not repeated")),
        "{:?}",
        summary.steps[3]
    );
    assert!(journal::unfinished(dir.path()).is_empty(), "finished now");
    // And the saved specs survived the crash: reenable-hpa still restores them exactly.
    let re = plan_again("reenable-hpa", &p, &board, &s).await;
    assert_eq!(run(p.clone(), re, &s).await.0.outcome, Outcome::Completed);
    assert_eq!([hpa_of(&p, Workload::Api), hpa_of(&p, Workload::Workers)], before);
}

async fn plan_again(
    name: &str,
    p: &Arc<cockpit::sim::SimPlatform>,
    board: &cockpit::model::Board,
    s: &cockpit::actions::ActionSettings,
) -> cockpit::actions::Plan {
    plan(name, p.clone(), board, s, &[]).await
}

#[tokio::test]
async fn killed_before_a_write_resumes_and_makes_it_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    let first = Spy::new(p.clone());
    first.hang_on("scale", false);
    kill_midway(first, plan, &s).await;
    assert_eq!(replicas(&p, Workload::Api), 3, "killed before the write");
    let u = journal::unfinished(dir.path()).into_iter().next().expect("unfinished");
    let second = Spy::new(p.clone());
    let summary = Runner::resume(second.clone(), u, RunOpts::from_settings(&s)).0.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert_eq!((second.count("scale"), second.count("replace_hpa")), (1, 0));
    assert_eq!(replicas(&p, Workload::Api), 8);
}

#[tokio::test]
async fn a_notification_in_doubt_is_not_sent_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 120.0);
    let plan = plan("emergency", p.clone(), &board, &s, &[("monitor", "1"), ("api", "6"), ("workers", "6")]).await;
    let first = Spy::new(p.clone());
    first.hang_on("notify", true);
    kill_midway(first, plan, &s).await;
    let u = journal::unfinished(dir.path()).into_iter().next().expect("unfinished");
    let second = Spy::new(p.clone());
    let summary = Runner::resume(second.clone(), u, RunOpts::from_settings(&s)).0.run().await;
    assert!(summary.outcome.ok(), "{:?}", summary.lines());
    assert_eq!(second.count("notify"), 0);
    assert!(
        matches!(&summary.steps[0].state, StepState::Done { note: Some(n) } if n.contains("not repeated")),
        "{:?}",
        summary.steps[0]
    );
    assert_eq!(replicas(&p, Workload::Api), 6);
}

#[tokio::test]
async fn an_abandoned_action_is_not_offered_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 120.0);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    let first = Spy::new(p.clone());
    first.hang_on("scale", false);
    kill_midway(first, plan, &s).await;
    let u = journal::unfinished(dir.path()).into_iter().next().expect("unfinished");
    journal::abandon(&u, journal::Who::local("test".into()), p.now()).expect("abandon");
    assert!(journal::unfinished(dir.path()).is_empty());
}

#[tokio::test]
async fn the_lock_is_renewed_through_a_long_action_and_a_lost_lock_stops_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = settings(dir.path());
    s.actions.lock_ttl_secs = 6;
    let (p, board) = sim(Scenario::Baseline, 1, 120.0);
    let em = plan("emergency", p.clone(), &board, &s, &[("monitor", "3"), ("api", "8"), ("workers", "8")]).await;
    let spy = Spy::new(p.clone());
    let (summary, _) = run(spy.clone(), em, &s).await;
    assert!(summary.outcome.ok(), "{:?}", summary.lines());
    assert!(spy.count("renew_lock") >= 20, "renewed every third of the TTL: {}", spy.count("renew_lock"));
    // Someone takes the lease over: the action stops at once and writes nothing more.
    let up = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "12")]).await;
    p.inject_fault("renew_lock", ErrorKind::Conflict, 1);
    let spy = Spy::new(p.clone());
    let (summary, _) = run(spy.clone(), up, &s).await;
    assert!(matches!(summary.outcome, Outcome::LockLost { .. }), "{:?}", summary.outcome);
    assert_eq!(spy.count("scale"), 1, "the scale was made before the renewal failed; nothing after it");
    assert!(matches!(summary.steps.last().map(|r| &r.state), Some(StepState::Skipped { .. })));
}
