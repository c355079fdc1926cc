//! Monitoring degrades, it does not spin: a verification whose inputs are partly not visible
//! (API p99 and error rate without a load balancer) judges on what it can see, says what it
//! cannot see and which setting would show it, and ends as a warning; the plan says so first.
//! Against the simulator with a stepped clock; the platform answers `Blind` for what the live
//! platform cannot see (tests/actions_live.rs and tests/live_discovery.rs do it live).

mod actions_common;

use actions_common::*;
use cockpit::actions::blind::hidden_inputs;
use cockpit::actions::step::Severity;
use cockpit::actions::{Outcome, RunEvent, StepState};
use cockpit::model::state::{SourceData, Workload};
use cockpit::model::{Board, Gap, GapKind, MetricId, SourceId, SourceUpdate};
use cockpit::platform::{ErrorKind, Platform};
use cockpit::sim::{Scenario, SimPlatform};

/// The board as the live cockpit shows it when no load balancer is set or discovered.
fn without_load_balancer(board: &mut Board) {
    let gap = Gap::new(GapKind::NotFound, "no Ingress or LoadBalancer Service for api-server in production")
        .setting("aws.load_balancer");
    let mut cloud = board.state.cloud.clone().unwrap_or_default();
    (cloud.api_p99_ms, cloud.api_5xx_pct, cloud.api_rps) = (None, None, None);
    cloud.gaps = [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps].map(|id| (id, gap.clone())).into();
    let at = board.now;
    board.ingest(SourceUpdate { source: SourceId::CloudWatch, at, result: Ok(SourceData::CloudWatch(cloud)) });
}

/// The platform cannot see the load balancer's metrics (as the live one answers).
fn blind_load_balancer(p: &SimPlatform) {
    p.inject_fault("api_latency_p99", ErrorKind::Blind, u32::MAX);
    p.inject_fault("api_error_rate", ErrorKind::Blind, u32::MAX);
}

fn step<'a>(summary: &'a cockpit::actions::Summary, title: &str) -> &'a StepState {
    &summary.steps.iter().find(|s| s.title == title).unwrap_or_else(|| panic!("no step {title}")).state
}

#[tokio::test]
async fn emergency_judges_recovery_on_the_queue_when_p99_and_errors_are_not_visible() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 300.0);
    without_load_balancer(&mut board);
    let em = plan("emergency", p.clone(), &board, &s, &[("monitor", "15")]).await;
    let warn = em
        .findings
        .iter()
        .find(|f| f.text.contains("not visible"))
        .unwrap_or_else(|| panic!("the plan says what cannot be seen: {:#?}", em.findings));
    assert_eq!(warn.severity, Severity::Warn);
    assert!(
        warn.text.starts_with(
            "p99 and error rate are not visible (set aws.load_balancer): recovery will be judged on the queue alone"
        ),
        "{}",
        warn.text
    );
    let hidden: Vec<MetricId> = hidden_inputs(&em, &board).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(hidden, vec![MetricId::ApiP99, MetricId::ApiErrorRate]);

    blind_load_balancer(&p);
    let started = p.now();
    let (summary, events) = run(p.clone(), em, &s).await;
    assert_eq!(summary.outcome, Outcome::CompletedWithWarnings, "{:#?}", summary.lines());
    let StepState::Warning { reason } = step(&summary, "Monitor recovery") else {
        panic!("a warning, not done: {:#?}", summary.lines())
    };
    assert!(reason.starts_with("recovery judged on the queue alone (queue "), "{reason}");
    assert!(reason.contains("p99 and error rate not visible"), "{reason}");
    assert!(!reason.contains("timed out"), "{reason}");
    // Three probes in a row, not the 15-minute timeout (platform clock).
    assert!(p.now() - started < 15.0 * 60.0, "{} s", p.now() - started);
    let live: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } if l.starts_with("queue ") => {
                Some(l)
            }
            _ => None,
        })
        .collect();
    assert!(!live.is_empty() && live.iter().all(|l| l.contains("p99 and error rate not visible")), "{live:?}");
    assert!(summary.lines().iter().any(|(_, l)| l.contains("Monitor recovery: warning: recovery judged on the queue")));
}

#[tokio::test]
async fn recovery_with_nothing_visible_ends_at_once_with_a_warning() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let mut em = plan("emergency", p.clone(), &board, &s, &[("monitor", "15")]).await;
    em.steps.retain(|st| st.title == "Monitor recovery");
    blind_load_balancer(&p);
    p.inject_fault("queue_depth", ErrorKind::Blind, u32::MAX);
    let started = p.now();
    let (summary, _) = run(p.clone(), em, &s).await;
    let StepState::Warning { reason } = step(&summary, "Monitor recovery") else { panic!("{:#?}", summary.lines()) };
    assert!(reason.contains("recovery cannot be judged"), "{reason}");
    assert!(p.now() - started < 60.0, "no wait for what cannot be seen: {} s", p.now() - started);
}

#[tokio::test]
async fn scale_api_down_rechecks_load_on_cpu_when_p99_is_not_visible() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, mut board) = sim(Scenario::Baseline, 1, 600.0);
    let up = plan("scale-api", p.clone(), &board, &s, &[("direction", "up"), ("replicas", "12")]).await;
    assert_eq!(run(p.clone(), up, &s).await.0.outcome, Outcome::Completed);
    observe(&p, &mut board);
    without_load_balancer(&mut board);
    let down = plan("scale-api", p.clone(), &board, &s, &[("direction", "down"), ("replicas", "3")]).await;
    assert!(!down.blocked(), "{:?}", down.findings);
    assert!(
        down.findings.iter().any(|f| f.severity == Severity::Warn
            && f.text.starts_with(
                "API p99 is not visible (set aws.load_balancer): the load checks of the scale-down will be judged on CPU alone"
            )),
        "{:#?}",
        down.findings
    );
    blind_load_balancer(&p);
    let (summary, _) = run(p.clone(), down, &s).await;
    assert_eq!(summary.outcome, Outcome::CompletedWithWarnings, "{:#?}", summary.lines());
    assert_eq!(replicas(&p, Workload::Api), 3, "scaled down in halves on CPU alone");
    let waits: Vec<&StepState> =
        summary.steps.iter().filter(|st| st.title.starts_with("Wait ")).map(|st| &st.state).collect();
    assert!(!waits.is_empty());
    for w in waits {
        assert!(
            matches!(w, StepState::Warning { reason } if reason.contains("judged on CPU alone") && reason.contains("API p99 not visible")),
            "{w:?}"
        );
    }
}

#[tokio::test]
async fn a_plan_that_sees_everything_has_no_hidden_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 300.0);
    let em = plan("emergency", p.clone(), &board, &s, &[("monitor", "15")]).await;
    assert!(hidden_inputs(&em, &board).is_empty());
    assert!(!em.findings.iter().any(|f| f.text.contains("not visible")), "{:#?}", em.findings);
    let mut em = em;
    em.steps.retain(|st| st.title == "Monitor recovery");
    let (summary, _) = run(p.clone(), em, &s).await;
    // Judged on all three inputs: done, or (if errors stay high) timed out, never "not visible".
    let state = step(&summary, "Monitor recovery").describe();
    assert!(!state.contains("not visible") && !state.contains("judged on"), "{state}");
}
