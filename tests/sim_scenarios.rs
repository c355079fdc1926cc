//! The scenarios look the way the runbook's load tests and emergency section describe, on the
//! cockpit's own board.

use cockpit::model::state::Workload;
use cockpit::model::{Board, BoardSettings, Level, MetricId, SourceId};
use cockpit::sim::{Scenario, SimSettings, Simulator, run_for};

fn board() -> Board {
    Board::new(BoardSettings::default(), &SourceId::ALL)
}

fn sim(sc: Scenario, seed: u64) -> Simulator {
    Simulator::new(sc, seed, SimSettings::default())
}

#[test]
fn baseline_stays_healthy_after_warm_up() {
    for seed in [1, 2, 3] {
        let mut s = sim(Scenario::Baseline, seed);
        let mut b = board();
        run_for(&mut s, &mut b, 300.0, 5.0);
        let watched = [
            MetricId::WorkerCpu,
            MetricId::WorkerMemory,
            MetricId::QueueDepth,
            MetricId::ApiP99,
            MetricId::AgentWait,
            MetricId::ApiCpu,
            MetricId::ApiMemory,
            MetricId::ApiErrorRate,
            MetricId::RedisMemory,
            MetricId::RedisClients,
            MetricId::RedisHitRate,
            MetricId::DbConnections,
            MetricId::DbCpu,
            MetricId::ReplicaLag,
            MetricId::DbRoundTrip,
        ];
        for _ in 0..(55 * 60 / 5) {
            run_for(&mut s, &mut b, 5.0, 5.0);
            for m in watched {
                let r = b.reading(m);
                assert_eq!(
                    r.level,
                    Level::Ok,
                    "seed {seed}: {} is {} at t={} ({:?})",
                    m.label(),
                    r.level,
                    s.time(),
                    r.value
                );
            }
            assert!(b.emergency_reasons().is_empty());
        }
        assert_eq!(s.replicas(Workload::Api), 3);
        assert_eq!(s.replicas(Workload::Workers), 5);
        assert_eq!(s.counters().interrupted, 0);
    }
}

#[test]
fn incident_reaches_the_runbook_emergency_within_30_minutes() {
    let mut s = sim(Scenario::Incident, 42);
    let mut reached = None;
    for _ in 0..(30 * 60 / 5) {
        s.advance(5.0);
        let at_max = Workload::BOTH.iter().all(|w| s.replicas(*w) == s.hpa_state(*w).max);
        if s.queue_len() > 10_000 && s.api_p99_ms() > 5000.0 && s.api_error_pct() > 10.0 && at_max {
            reached.get_or_insert(s.time());
        }
    }
    let at = reached.expect("queue > 10,000, p99 > 5 s, errors > 10% and both HPAs at max within 30 min");
    assert!(at >= 8.0 * 60.0, "the incident builds up over minutes, not at once ({at} s)");
    for w in Workload::BOTH {
        let h = s.hpa_state(w);
        assert_eq!(h.desired, h.max);
        let limited = h.condition("ScalingLimited").expect("ScalingLimited");
        assert!(limited.status, "{w:?}: ScalingLimited should be true at max: {limited:?}");
        assert_eq!(limited.reason, "TooManyReplicas");
    }
    assert!(s.refused_connections() > 0, "1,000 pooled connections against max_connections 500");
}

#[test]
fn incident_on_the_board_after_30_minutes() {
    let mut s = sim(Scenario::Incident, 42);
    let mut b = board();
    run_for(&mut s, &mut b, 1800.0, 5.0);
    assert_eq!(b.reading(MetricId::QueueDepth).level, Level::Crit);
    assert_eq!(b.reading(MetricId::ApiP99).level, Level::Crit);
    assert_eq!(b.reading(MetricId::ApiErrorRate).level, Level::Crit);
    assert_eq!(b.reading(MetricId::AgentWait).level, Level::Crit);
    assert_eq!(b.reading(MetricId::DbConnections).level, Level::Crit);
    let reasons = b.emergency_reasons();
    assert_eq!(reasons.len(), 3, "queue growing, latency and errors: {reasons:?}");
    assert!(b.rates.depth_slope.is_some_and(|s| s > 0.0));
    assert!(b.timeline.iter().any(|e| e.text.contains("SuccessfulRescale")));
    let plan = b.worker_plan();
    assert!(plan.exceeds_max, "the formula asks for more than 100 workers: {plan:?}");
}

#[test]
fn soak_memory_creeps_up_then_workers_are_oomkilled() {
    let mut s = sim(Scenario::Soak, 9);
    s.advance(20.0 * 60.0);
    let early = s.usage(Workload::Workers).expect("usage").memory_pct;
    s.advance(80.0 * 60.0);
    let later = s.usage(Workload::Workers).expect("usage").memory_pct;
    assert!(later > early + 10.0, "memory should creep up: {early:.1}% -> {later:.1}%");
    assert_eq!(s.counters().oom_kills, 0, "no OOM in the first 100 minutes");
    s.advance(140.0 * 60.0);
    assert!(s.counters().oom_kills > 0, "OOMKilled within 4 hours");
    let k = s.kube_state();
    assert!(k.workers.pods.oom_killed > 0);
    assert!(k.workers.pods.restarts > 0);
    let ev = s.events();
    let oom = ev.iter().find(|e| e.reason == "OOMKilled").expect("an OOMKilled event");
    assert!(oom.warning && oom.object.starts_with("pod/agent-worker-"));
}

#[test]
fn stress_steps_up_and_the_hpas_follow() {
    let mut s = sim(Scenario::Stress, 4);
    s.advance(30.0 * 60.0);
    assert_eq!(s.users(), 1000.0);
    assert!(s.replicas(Workload::Api) >= 8, "api {}", s.replicas(Workload::Api));
    assert!(s.replicas(Workload::Workers) >= 15, "workers {}", s.replicas(Workload::Workers));
    assert!(s.api_p99_ms() < 2000.0, "the HPAs keep up with a 1000-user stress: {}", s.api_p99_ms());
    let ev = s.events();
    let rescale =
        ev.iter().find(|e| e.reason == "SuccessfulRescale" && e.object == "hpa/api-server-hpa").expect("rescale");
    assert!(
        rescale.message.starts_with("New size: ")
            && rescale.message.ends_with("; reason: cpu resource utilization (percentage of request) above target"),
        "{}",
        rescale.message
    );
}

#[test]
fn spike_saturates_the_api_then_recovers() {
    let mut s = sim(Scenario::Spike, 8);
    s.advance(5.0 * 60.0 + 90.0);
    assert_eq!(s.users(), 1000.0);
    assert!(s.api_p99_ms() > 2000.0, "3 pods cannot serve 1000 req/s: p99 {}", s.api_p99_ms());
    s.advance(4.0 * 60.0);
    assert!(s.replicas(Workload::Api) > 3);
    s.advance(11.0 * 60.0);
    assert_eq!(s.users(), 100.0);
    assert!(s.api_p99_ms() < 500.0);
    assert!(s.replicas(Workload::Api) < 8, "scaled back down after the spike: {}", s.replicas(Workload::Api));
}
