//! Invariants of the embedded simulator that must hold in every scenario.

use cockpit::model::state::{SourceData, Workload};
use cockpit::sim::{Scenario, SimSettings, Simulator};

fn sim(sc: Scenario, seed: u64) -> Simulator {
    Simulator::new(sc, seed, SimSettings::default())
}

fn assert_conserved(s: &Simulator) {
    let c = s.counters();
    assert_eq!(
        c.arrived,
        s.queue_len() + s.in_flight() + c.completed,
        "tasks not conserved at t={}: {c:?}, queue {}, in flight {}",
        s.time(),
        s.queue_len(),
        s.in_flight()
    );
}

#[test]
fn hpas_stay_within_their_bounds_for_hours_in_every_scenario() {
    for sc in Scenario::ALL {
        let mut s = sim(sc, 7);
        let hours = if sc == Scenario::Incident { 2 } else { 4 };
        for _ in 0..(hours * 3600 / 5) {
            s.advance(5.0);
            for w in Workload::BOTH {
                let h = s.hpa_state(w);
                let replicas = s.replicas(w);
                assert!(h.min <= h.max);
                assert!(
                    (h.min..=h.max).contains(&replicas),
                    "{sc}: {w:?} at {replicas} outside {}..={} at t={}",
                    h.min,
                    h.max,
                    s.time()
                );
                assert!(h.desired <= h.max, "{sc}: {w:?} HPA desired {} > max", h.desired);
                // Pods never exceed the replicas (no rollout here) plus the terminating ones.
                let (live, ready) = s.pod_counts(w);
                assert!(ready <= live && live <= replicas.max(h.max));
            }
            assert_conserved(&s);
        }
    }
}

#[test]
fn the_queue_is_fifo_bounded_and_conserves_tasks_through_requeues() {
    // Spike (scale-downs after each spike) with forced scale-downs of busy workers, and the
    // soak (OOMKilled workers): both hand tasks back to the queue.
    let mut s = sim(Scenario::Spike, 11);
    s.advance(9.0 * 60.0);
    assert!(s.in_flight() > 20, "workers should be busy during the spike");
    let before = s.counters().interrupted;
    s.scale(Workload::Workers, 5).expect("scale");
    s.step();
    assert!(s.counters().interrupted > before, "a scale-down of busy workers must requeue their tasks");
    assert_conserved(&s);
    for _ in 0..3600 {
        s.step();
        assert_conserved(&s);
        // Memory of the queue is bounded by the backlog's age, not its length.
        assert!(s.queue_buckets() as f64 <= s.oldest_wait_secs() + 2.0);
    }

    let mut soak = sim(Scenario::Soak, 3);
    soak.advance(4.0 * 3600.0);
    let c = soak.counters();
    assert!(c.oom_kills > 0, "the soak's leak must OOMKill workers within 4 h");
    assert!(c.interrupted > 0, "OOMKilled workers hand their tasks back");
    assert_conserved(&soak);
    assert_eq!(c.started, c.completed + soak.in_flight() + c.interrupted, "every start ends, is held, or was requeued");
}

#[test]
fn the_same_seed_gives_the_same_run_and_other_seeds_differ() {
    let run = |seed: u64| {
        let mut s = sim(Scenario::Spike, seed);
        let mut seen: Vec<Vec<SourceData>> = Vec::new();
        for minute in 0..30 {
            s.advance(60.0);
            match minute {
                6 => {
                    s.scale(Workload::Api, 20).expect("scale");
                }
                8 => {
                    s.annotate(Workload::Workers, "drain", Some("true")).expect("annotate");
                }
                10 => {
                    s.annotate(Workload::Workers, "drain", None).expect("annotate");
                    s.set_limits(Workload::Workers, "2", "4Gi").expect("limits");
                }
                12 => {
                    s.modify_db_class("agentos-primary", "db.r6g.2xlarge", true).expect("modify");
                }
                _ => {}
            }
            seen.push(s.observe());
        }
        seen
    };
    let a = run(5);
    let b = run(5);
    assert_eq!(a, b, "same seed, scenario and operations must give identical observations");
    let c = run(6);
    assert_ne!(a, c, "another seed must give another run");
}

#[test]
fn advance_steps_whole_seconds_and_carries_fractions() {
    let mut s = sim(Scenario::Baseline, 1);
    s.advance(0.4);
    assert_eq!(s.time(), 0.0);
    s.advance(0.7);
    assert_eq!(s.time(), 1.0);
    s.advance(2.9);
    assert_eq!(s.time(), 4.0);
    s.advance(f64::NAN);
    s.advance(-3.0);
    assert_eq!(s.time(), 4.0);
}

#[test]
fn observations_cover_the_five_sources() {
    let mut s = sim(Scenario::Baseline, 2);
    s.advance(300.0);
    let obs = s.observe();
    assert_eq!(obs.len(), 5);
    let mut kube = None;
    let mut redis = None;
    let mut pg = None;
    let mut cloud = None;
    let mut rds = None;
    for d in obs {
        match d {
            SourceData::Kube(k) => kube = Some(k),
            SourceData::Redis(r) => redis = Some(r),
            SourceData::Postgres(p) => pg = Some(p),
            SourceData::CloudWatch(c) => cloud = Some(c),
            SourceData::Rds(r) => rds = Some(r),
        }
    }
    let (kube, redis, pg, cloud, rds) = (kube.unwrap(), redis.unwrap(), pg.unwrap(), cloud.unwrap(), rds.unwrap());
    let api = kube.api.deployment.as_ref().expect("api deployment");
    assert_eq!(api.name, "api-server");
    let hpa = kube.api.hpa.as_ref().expect("api hpa");
    assert_eq!((hpa.name.as_str(), hpa.min, hpa.max), ("api-server-hpa", 3, 50));
    assert_eq!(hpa.targets.len(), 2);
    assert!(hpa.targets.iter().all(|t| t.current.is_some()));
    for kind in ["AbleToScale", "ScalingActive", "ScalingLimited"] {
        assert!(hpa.condition(kind).is_some(), "condition {kind}");
    }
    let whpa = kube.workers.hpa.as_ref().expect("worker hpa");
    assert_eq!(whpa.targets[0].name, "redis_queue_depth");
    assert_eq!(whpa.targets[0].kind, "AverageValue");
    assert!(kube.api.usage.is_some() && kube.workers.usage.is_some());
    assert_eq!(redis.queues[0].0, "agent:queue:default");
    assert_eq!((redis.shards, redis.cluster_state.as_deref(), redis.max_clients), (3, Some("ok"), 10_000));
    assert_eq!(redis.shard_memory.len(), 3);
    assert!(redis.hits > redis.misses * 3, "hits {} misses {}", redis.hits, redis.misses);
    assert!(redis.completed_total.is_some_and(|c| c > 0));
    assert_eq!(pg.max_connections, 500);
    assert_eq!(pg.total, pg.by_state.values().sum::<u32>());
    assert_eq!(pg.total, 3 * 10 + 5 * 5 + 3);
    assert_eq!(pg.replica_lag.len(), 2);
    assert!(pg.top_statements.as_ref().is_some_and(|t| t.len() == 5));
    assert!(!pg.longest.is_empty());
    assert!(cloud.api_p99_ms.is_some_and(|p| p > 0.0 && p < 500.0));
    assert!(cloud.db_free_memory.is_some_and(|m| m > 1e9));
    let primary = rds.primary.expect("primary");
    assert_eq!(
        (primary.id.as_str(), primary.class.as_str(), primary.status.as_str()),
        ("agentos-primary", "db.r6g.xlarge", "available")
    );
    assert_eq!(rds.replicas.len(), 2);
    assert!(rds.replicas.iter().all(|r| r.is_replica));
}
