//! The HPA controller's algorithm against the runbook's behaviour settings.

use super::*;

fn api_hpa() -> Hpa {
    Hpa::new(Workload::Api, "api-server-hpa", "api-server", hpa_spec::runbook_api_spec("api-server", 3, 50), 0)
        .expect("valid")
}

fn busy(pods: u32, cpu: f64) -> MetricInputs {
    with_memory(pods, cpu, 30.0)
}

fn with_memory(pods: u32, cpu: f64, mem: f64) -> MetricInputs {
    MetricInputs {
        status_replicas: pods,
        ready: pods,
        cpu_sum: cpu * pods as f64,
        running: pods,
        mem_sum: mem * pods as f64,
        cpu_request: 1.0,
        mem_request_bytes: 1024.0 * 1024.0 * 1024.0,
        queue_depth: 0.0,
    }
}

#[test]
fn scale_up_waits_for_the_window_then_doubles_per_minute() {
    let mut h = api_hpa();
    let mut replicas = 3;
    let mut scaled = Vec::new();
    for t in (15..=330).step_by(15) {
        if let Some((n, reason)) = h.sync(t, replicas, &busy(replicas, 140.0)) {
            assert!(reason.starts_with("cpu resource utilization"), "{reason}");
            replicas = n;
            scaled.push((t, n));
        }
    }
    assert_eq!(scaled, vec![(75, 6), (135, 12), (195, 24), (255, 48), (315, 50)]);
    let limited = h.state().conditions.into_iter().find(|c| c.kind == "ScalingLimited").expect("condition");
    assert!(limited.status);
    assert_eq!(limited.reason, "TooManyReplicas");
}

#[test]
fn scale_down_waits_five_minutes_then_halves_every_two() {
    let mut h = api_hpa();
    let mut replicas = 20;
    // Steady at 20 first, so the window holds 20.
    for t in (15..=300).step_by(15) {
        assert_eq!(h.sync(t, replicas, &busy(replicas, 70.0)), None);
    }
    let mut scaled = Vec::new();
    for t in (315..=1200).step_by(15) {
        if let Some((n, reason)) = h.sync(t, replicas, &with_memory(replicas, 10.0, 5.0)) {
            assert_eq!(reason, "All metrics below target");
            replicas = n;
            scaled.push((t, n));
        }
    }
    // The 300 s window forgets the last recommendation of 20 at 600; then 50% per 120 s.
    assert_eq!(scaled, vec![(600, 10), (720, 5), (840, 3)]);
    // Within tolerance: no change.
    assert_eq!(h.sync(1215, 3, &busy(3, 75.0)), None);
}

#[test]
fn unready_pods_damp_a_scale_up() {
    let h = api_hpa();
    // 4 ready at 100%, 6 starting: counted as 0% the ratio is 40/70 < 1, so no change.
    let m = MetricInputs { status_replicas: 10, ..busy(4, 100.0) };
    assert_eq!(h.proposal(0, 10, &m).0, Some(10));
}
