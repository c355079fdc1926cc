//! Every procedure end to end against the simulator with a stepped clock: planned from the
//! board, run by the runner, the platform's resulting state checked.

mod actions_common;

use actions_common::*;
use cockpit::actions::journal::Record;
use cockpit::actions::{Outcome, StepState};
use cockpit::model::state::Workload;
use cockpit::platform::Platform;
use cockpit::sim::Scenario;
use std::sync::Arc;
use std::time::Duration;

fn done(s: &StepState) -> bool {
    matches!(s, StepState::Done { .. })
}

#[tokio::test]
async fn a_manual_scale_under_an_hpa_is_undone_which_is_why_scale_api_pins_it() {
    let (p, _) = sim(Scenario::Baseline, 1, 600.0);
    p.scale(Workload::Api, 10, &Default::default()).await.expect("scale");
    p.sleep(Duration::from_secs(900)).await;
    assert!(replicas(&p, Workload::Api) < 10, "the HPA put the manual scale back");
}

#[tokio::test]
async fn scale_api_up_pins_the_hpa_verifies_health_and_holds() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let before = hpa_of(&p, Workload::Api);
    let plan = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "10")]).await;
    assert!(!plan.blocked(), "{:?}", plan.findings);
    let (summary, events) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert!(summary.steps.iter().all(|r| done(&r.state)));
    assert!(events.iter().any(|e| matches!(e, cockpit::actions::RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } if l.starts_with("ready "))));
    let (spec, ann) = hpa_of(&p, Workload::Api);
    assert_eq!(spec["minReplicas"], 10);
    let saved: serde_json::Value = serde_json::from_str(&ann[cockpit::actions::SAVED_SPEC_KEY]).expect("saved spec");
    assert_eq!(saved, before.0, "the exact spec is saved before the pin");
    p.sleep(Duration::from_secs(900)).await;
    assert!(replicas(&p, Workload::Api) >= 10, "the pinned HPA keeps the scale");
}

#[tokio::test]
async fn scale_api_down_halves_to_the_floor() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "12")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    observe(&p, &mut board);
    let down = plan("scale-api", p.clone(), &board, &s, &[("direction", "down"), ("replicas", "3")]).await;
    assert!(!down.blocked(), "{:?}", down.findings);
    let (summary, _) = run(p.clone(), down, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert_eq!(replicas(&p, Workload::Api), 3);
    let scales: Vec<serde_json::Value> = journal_lines(dir.path())
        .into_iter()
        .filter_map(|l| match l.record {
            Record::After { target, after, .. } if target.starts_with("deployment/api-server replicas") => {
                Some(after["replicas"].clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(scales, vec![12, 6, 3], "up to 12, then halves: never below the minimum");
}

#[tokio::test]
async fn scale_api_down_stops_when_load_rises() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "12")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    p.sleep(Duration::from_secs(120)).await;
    observe(&p, &mut board);
    let cpu = p.usage(Workload::Api).await.expect("usage").expect("cpu").cpu_pct;
    // Half the pods carry twice the load each: a threshold 1.5 × today's CPU is crossed then.
    let warn = cockpit::model::Bound::above(cpu * 1.5);
    s.thresholds.insert(cockpit::model::MetricId::ApiCpu, cockpit::model::Threshold { warn: Some(warn), crit: None });
    let down = plan("scale-api", p.clone(), &board, &s, &[("direction", "down"), ("replicas", "3")]).await;
    let (summary, _) = run(p.clone(), down, &s).await;
    assert!(
        matches!(&summary.outcome, Outcome::Stopped { reason } if reason.contains("load rose")),
        "{:?}",
        summary.outcome
    );
    assert_eq!(replicas(&p, Workload::Api), 6, "stopped after the first halving");
    let last = summary.steps.last().expect("steps");
    assert!(matches!(last.state, StepState::Skipped { .. }), "{:?}", last.state);
}

#[tokio::test]
async fn scale_workers_to_the_formula_and_the_queue_drains() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    // A backlog: the workers take nothing for ten minutes.
    p.annotate(Workload::Workers, "drain", Some("true"), &Default::default()).await.expect("annotate");
    p.sleep(Duration::from_secs(600)).await;
    p.annotate(Workload::Workers, "drain", None, &Default::default()).await.expect("annotate");
    observe(&p, &mut board);
    let plan = plan("scale-workers", p.clone(), &board, &s, &[]).await;
    let target = plan.params["replicas"].parse::<u32>().expect("replicas");
    assert_eq!(target, board.worker_plan().recommended, "prefilled from the capacity formula");
    assert!(target > replicas(&p, Workload::Workers), "the backlog needs more workers");
    assert!(!plan.blocked(), "{:?}", plan.findings);
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert!(replicas(&p, Workload::Workers) >= target);
}

#[tokio::test]
async fn scale_workers_warns_when_the_queue_keeps_growing() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    // The incident's arrivals outgrow even the maximum of 100 workers.
    let (p, board) = sim(Scenario::Incident, 1, 240.0);
    let plan = plan("scale-workers", p.clone(), &board, &s, &[]).await;
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::CompletedWithWarnings, "{:?}", summary.lines());
    let last = summary.steps.last().expect("steps");
    assert!(matches!(&last.state, StepState::Warning { reason } if reason.contains("timed out")), "{:?}", last.state);
    assert_eq!(replicas(&p, Workload::Workers), 100, "the scale stands");
}

#[tokio::test]
async fn drain_workers_waits_for_tasks_in_flight_and_scales_to_the_minimum() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-workers", p.clone(), &board, &s, &[("replicas", "20")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    observe(&p, &mut board);
    let in_flight = p.in_flight().await.expect("in flight");
    assert!(in_flight > 0, "tasks are running when the drain starts");
    let drain = plan("drain-workers", p.clone(), &board, &s, &[]).await;
    assert!(!drain.blocked(), "{:?}", drain.findings);
    let (summary, events) = run(p.clone(), drain, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert!(events.iter().any(|e| matches!(e, cockpit::actions::RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } if l.starts_with("in flight ") && l != "in flight 0")));
    assert_eq!(replicas(&p, Workload::Workers), 5);
    let d = p.deployment(Workload::Workers).await.expect("deployment");
    assert!(!d.state.annotations.contains_key("drain"), "the drain annotation is gone");
    assert_eq!(
        hpa_of(&p, Workload::Workers).0["minReplicas"],
        5,
        "the pin is lowered so the HPA does not scale back up"
    );
}

#[tokio::test]
async fn resize_workers_follows_the_rollout_and_verifies_every_pod() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let plan = plan("resize-workers", p.clone(), &board, &s, &[]).await;
    assert_eq!((plan.params["cpu"].as_str(), plan.params["memory"].as_str()), ("2", "4Gi"), "twice the current limits");
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    let pods = p.pods(Workload::Workers).await.expect("pods");
    assert!(
        pods.iter()
            .filter(|x| !x.terminating)
            .all(|x| x.cpu_limit.as_deref() == Some("2") && x.memory_limit.as_deref() == Some("4Gi"))
    );
}

#[tokio::test]
async fn resize_workers_refuses_more_than_a_node() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 60.0);
    let plan = plan("resize-workers", p.clone(), &board, &s, &[("memory", "64Gi")]).await;
    assert!(plan.blocked());
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert!(matches!(summary.outcome, Outcome::Refused { .. }));
}

#[tokio::test]
async fn resize_db_now_resizes_the_replicas_before_the_primary() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 60.0);
    let plan = plan("resize-db", p.clone(), &board, &s, &[("class", "db.r6g.2xlarge"), ("apply", "now")]).await;
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    let order: Vec<String> = journal_lines(dir.path())
        .into_iter()
        .filter_map(|l| match l.record {
            Record::Before { target, .. } if target.starts_with("rds/") => Some(target),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["rds/agentos-replica-1 class", "rds/agentos-replica-2 class", "rds/agentos-primary class"]);
    let (primary, replicas) = p.db_instances().await.expect("rds");
    assert!(std::iter::once(&primary).chain(&replicas).all(|i| i.class == "db.r6g.2xlarge" && i.status == "available"));
    assert!(
        summary
            .steps
            .iter()
            .any(|r| matches!(&r.state, StepState::Done { note: Some(n) } if n.starts_with("SELECT 1")))
    );
}

#[tokio::test]
async fn resize_db_at_the_window_leaves_the_change_pending() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 60.0);
    let plan = plan("resize-db", p.clone(), &board, &s, &[("class", "db.r6g.2xlarge"), ("apply", "window")]).await;
    let (summary, _) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    let (primary, _) = p.db_instances().await.expect("rds");
    assert_eq!((primary.class.as_str(), primary.pending_class.as_deref()), ("db.r6g.xlarge", Some("db.r6g.2xlarge")));
}

#[tokio::test]
async fn emergency_then_reenable_hpa_leaves_every_hpa_identical() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Incident, 1, 300.0);
    let before = [hpa_of(&p, Workload::Api), hpa_of(&p, Workload::Workers)];
    let em = plan("emergency", p.clone(), &board, &s, &[("monitor", "2")]).await;
    assert_eq!(em.confirm_word.as_deref(), Some("EMERGENCY"));
    let (summary, _) = run(p.clone(), em, &s).await;
    assert!(summary.outcome.ok(), "{:?}", summary.lines());
    assert_eq!((replicas(&p, Workload::Api), replicas(&p, Workload::Workers)), (50, 100));
    assert_eq!(hpa_of(&p, Workload::Api).0["minReplicas"], 50);
    assert_eq!(hpa_of(&p, Workload::Workers).0["minReplicas"], 100);
    p.sleep(Duration::from_secs(600)).await;
    assert_eq!(replicas(&p, Workload::Api), 50, "the HPA does not undo the emergency scale");
    let reenable = plan("reenable-hpa", p.clone(), &board, &s, &[]).await;
    assert!(!reenable.blocked(), "{:?}", reenable.findings);
    let (summary, _) = run(p.clone(), reenable, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    let after = [hpa_of(&p, Workload::Api), hpa_of(&p, Workload::Workers)];
    assert_eq!(after, before, "spec and annotations as before the emergency");
    let text = |v: &serde_json::Value| serde_json::to_string(v).expect("json");
    assert_eq!(text(&after[0].0), text(&before[0].0), "byte for byte");
}

#[tokio::test]
async fn reenable_hpa_restores_from_the_journal_when_the_annotation_is_lost() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 120.0);
    let before = hpa_of(&p, Workload::Api);
    let up = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    // Someone strips the annotation by hand; the spec stays pinned.
    let (spec, mut ann) = hpa_of(&p, Workload::Api);
    ann.remove(cockpit::actions::SAVED_SPEC_KEY);
    p.replace_hpa(Workload::Api, &spec, &ann, &Default::default()).await.expect("replace");
    let saved = plan("reenable-hpa", p.clone(), &board, &s, &[]).await;
    assert!(saved.blocked(), "no annotation: nothing to restore from it");
    let journal = plan("reenable-hpa", p.clone(), &board, &s, &[("source", "journal")]).await;
    assert_eq!(journal.steps.len(), 1, "{:?}", journal.findings);
    assert_eq!(run(p.clone(), journal, &s).await.0.outcome, Outcome::Completed);
    assert_eq!(hpa_of(&p, Workload::Api), before);
    let _: Arc<dyn Platform> = p;
}

#[tokio::test]
async fn reenable_hpa_applies_the_runbooks_yaml_manifests() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = settings(dir.path());
    let manifests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hpa");
    s.actions.hpa_manifests_dir = Some(manifests.clone());
    let (p, board) = sim(Scenario::Incident, 1, 300.0);
    let em = plan("emergency", p.clone(), &board, &s, &[("monitor", "2")]).await;
    assert!(run(p.clone(), em, &s).await.0.outcome.ok());
    let reenable = plan("reenable-hpa", p.clone(), &board, &s, &[("source", "manifests")]).await;
    assert!(!reenable.blocked(), "{:?}", reenable.findings);
    let (summary, _) = run(p.clone(), reenable, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    // Each HPA now has its manifest's spec: the worker HPA's maxReplicas 80 came from the file.
    for (w, file) in [(Workload::Api, "api-server-hpa.yaml"), (Workload::Workers, "worker-hpa.yaml")] {
        let text = std::fs::read_to_string(manifests.join(file)).expect("manifest");
        let mut want: serde_json::Value = serde_saphyr::from_str(&text).expect("yaml");
        // The API server defaults each behaviour's selectPolicy to Max, as the simulator does.
        for dir in ["scaleUp", "scaleDown"] {
            if let Some(b) = want.pointer_mut(&format!("/spec/behavior/{dir}")).and_then(|b| b.as_object_mut()) {
                b.entry("selectPolicy").or_insert("Max".into());
            }
        }
        let (spec, ann) = hpa_of(&p, w);
        assert_eq!(spec, want["spec"], "{file}");
        assert!(!ann.contains_key(cockpit::actions::SAVED_SPEC_KEY), "the pin's saved spec is gone");
    }
    assert_eq!(hpa_of(&p, Workload::Workers).0["maxReplicas"], 80);
    // A manifest that names another HPA is refused, not applied.
    let wrong = tempfile::tempdir().expect("tmp");
    std::fs::copy(manifests.join("worker-hpa.yaml"), wrong.path().join("api-server-hpa.yaml")).expect("copy");
    std::fs::copy(manifests.join("worker-hpa.yaml"), wrong.path().join("worker-hpa.yaml")).expect("copy");
    s.actions.hpa_manifests_dir = Some(wrong.path().to_path_buf());
    let refused = plan("reenable-hpa", p.clone(), &board, &s, &[("source", "manifests")]).await;
    assert!(refused.blocked(), "{:?}", refused.findings);
    assert!(refused.findings.iter().any(|f| f.text.contains("names HPA \"worker-hpa\"")), "{:?}", refused.findings);
}

#[tokio::test]
async fn forms_propose_no_change_the_current_values_do_not_call_for() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    // A calm baseline: an empty queue, API CPU well under its warning threshold.
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    assert_eq!(board.reading(cockpit::model::MetricId::QueueDepth).value, Some(0.0));
    let workers = replicas(&p, Workload::Workers);
    let cx = cockpit::actions::FormCx { board: &board, settings: &s };
    let form = cockpit::actions::registry::find("scale-workers").expect("proc").form(&cx);
    assert_eq!(form.number("replicas"), Some(workers), "an empty queue calls for no more workers");
    assert!(form.notes.iter().any(|n| n.contains("are enough")), "{:?}", form.notes);
    let api = replicas(&p, Workload::Api);
    let form = cockpit::actions::registry::find("scale-api").expect("proc").form(&cx);
    assert_eq!(form.number("replicas"), Some(api), "calm load calls for no change: {:?}", form.notes);
    // Planned as they are, both say there is nothing to do, and nothing is pinned.
    let before = hpa_of(&p, Workload::Workers);
    let plan = plan("scale-workers", p.clone(), &board, &s, &[]).await;
    assert!(plan.blocked(), "{:?}", plan.findings);
    assert_eq!(hpa_of(&p, Workload::Workers), before);
}

#[tokio::test]
async fn a_target_below_the_current_count_is_a_scale_down() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-api", p.clone(), &board, &s, &[("replicas", "12")]).await;
    assert!(up.title.contains("up 3 → 12"), "{}", up.title);
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    observe(&p, &mut board);
    // The direction field left at "up" (as `plan scale-api --replicas 3` leaves it).
    let down = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "3")]).await;
    assert!(down.title.contains("down 12 → 3 in halves"), "{}", down.title);
    assert!(down.findings.iter().any(|f| f.text.contains("this is a scale-down")), "{:?}", down.findings);
    assert_eq!(down.params.get("direction").map(String::as_str), Some("down"));
    assert!(!down.steps.is_empty());
}

#[tokio::test]
async fn emergency_never_scales_down_a_count_typed_below_what_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    // 30 minutes into the incident the HPAs have already taken the workers to 100.
    let (p, board) = sim(Scenario::Incident, 1, 1800.0);
    assert_eq!(replicas(&p, Workload::Workers), 100);
    let em = plan("emergency", p.clone(), &board, &s, &[("workers", "42")]).await;
    assert!(em.blocked(), "{:?}", em.findings);
    assert!(
        em.findings
            .iter()
            .any(|f| f.text.contains("agent-worker runs 100: emergency scaling never scales down (asked 42)")),
        "{:?}",
        em.findings
    );
    let (summary, _) = run(p.clone(), em, &s).await;
    assert!(!summary.outcome.ok());
    assert_eq!(replicas(&p, Workload::Workers), 100, "nothing was scaled down");
}
