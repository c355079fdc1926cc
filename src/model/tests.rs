//! Model tests: thresholds at and around their edges, the formulas, rates and the board.

use super::capacity::{self, CapacityParams, Limits};
use super::history::{Point, Trend, trend};
use super::*;

#[test]
fn runbook_thresholds_at_and_around_their_edges() {
    // "CPU Utilization > 70% warning, > 85% critical": 70 itself is not past the warning.
    let cpu = MetricId::WorkerCpu.default_threshold();
    assert_eq!(cpu.level(69.9), Level::Ok);
    assert_eq!(cpu.level(70.0), Level::Ok);
    assert_eq!(cpu.level(70.01), Level::Warn);
    assert_eq!(cpu.level(85.0), Level::Warn);
    assert_eq!(cpu.level(85.01), Level::Crit);
    let mem = MetricId::WorkerMemory.default_threshold();
    assert_eq!(mem.level(75.0), Level::Ok);
    assert_eq!(mem.level(75.5), Level::Warn);
    assert_eq!(mem.level(90.0), Level::Warn);
    assert_eq!(mem.level(90.1), Level::Crit);
    let q = MetricId::QueueDepth.default_threshold();
    assert_eq!(q.level(1000.0), Level::Ok);
    assert_eq!(q.level(1001.0), Level::Warn);
    assert_eq!(q.level(5000.0), Level::Warn);
    assert_eq!(q.level(5001.0), Level::Crit);
    // "API Latency P99 > 500ms / > 2s".
    let p99 = MetricId::ApiP99.default_threshold();
    assert_eq!(p99.level(500.0), Level::Ok);
    assert_eq!(p99.level(500.5), Level::Warn);
    assert_eq!(p99.level(2000.0), Level::Warn);
    assert_eq!(p99.level(2000.1), Level::Crit);
    // "Agent Wait Time > 30s / > 60s".
    let wait = MetricId::AgentWait.default_threshold();
    assert_eq!(wait.level(30.0), Level::Ok);
    assert_eq!(wait.level(30.5), Level::Warn);
    assert_eq!(wait.level(60.0), Level::Warn);
    assert_eq!(wait.level(61.0), Level::Crit);
    assert_eq!(wait.level(f64::INFINITY), Level::Crit);
    assert_eq!(wait.level(f64::NAN), Level::Unknown);
}

#[test]
fn hit_rate_target_is_a_lower_bound() {
    // "Target: >80% hit rate": exactly 80 misses the target.
    let h = MetricId::RedisHitRate.default_threshold();
    assert_eq!(h.level(80.5), Level::Ok);
    assert_eq!(h.level(80.0), Level::Warn);
    assert_eq!(h.level(50.0), Level::Warn);
    assert_eq!(h.level(49.9), Level::Crit);
    assert!(!h.higher_is_worse());
}

#[test]
fn bounds_parse_as_the_runbook_writes_them() {
    assert_eq!("> 70%".parse::<Bound>().unwrap(), Bound::above(70.0));
    assert_eq!(">=1_000".parse::<Bound>().unwrap(), Bound { cmp: Comparison::AtLeast, value: 1000.0 });
    assert_eq!("<= 80".parse::<Bound>().unwrap(), Bound::at_most(80.0));
    assert_eq!(" < 0.5 ".parse::<Bound>().unwrap(), Bound::below(0.5));
    for bad in ["70", "> ", "=> 3", "> abc", "> inf", ""] {
        assert!(bad.parse::<Bound>().is_err(), "{bad:?} should not parse");
    }
    assert_eq!(Bound::above(70.0).to_string(), "> 70");
}

#[test]
fn runbook_worker_example_and_its_limits() {
    // Runbook: (5000 * 30) / (60 * 5) = 500 workers, against a maximum of 100.
    let p = CapacityParams::default();
    let l = Limits::default();
    let plan = capacity::workers(5000.0, 0.0, &p, &l);
    assert_eq!(plan.backlog_workers, 500.0);
    assert_eq!(plan.needed, 500);
    assert_eq!(plan.recommended, 100);
    assert!(plan.exceeds_max);
    assert_eq!(plan.plugged, "(5000 × 30s) / (60s × 5) = 500.0");
    // An empty queue still needs the minimum.
    let idle = capacity::workers(0.0, 0.0, &p, &l);
    assert_eq!((idle.needed, idle.recommended, idle.exceeds_max), (0, 5, false));
    // Arrivals count: 2 tasks/s at 30 s each, 5 per worker => 12 workers busy just keeping up.
    let flow = capacity::workers(0.0, 2.0, &p, &l);
    assert_eq!(flow.arrival_workers, 12.0);
    assert_eq!(flow.recommended, 12);
}

#[test]
fn runbook_shell_recipe_truncates() {
    let p = CapacityParams::default();
    // 250 / 5 / 60 = 0 in bash: no workers added for a queue of 250.
    assert_eq!(capacity::runbook_shell_recipe(250, 10, &p), 10);
    assert_eq!(capacity::runbook_shell_recipe(6000, 10, &p), 6000 / 5 / 60 * 30 + 10);
}

#[test]
fn connection_formula_applies_the_buffer_to_the_sum() {
    // Runbook: "(20 * 10) + (100 * 5) * 1.2 = 840": 840 is right only with the buffer on the sum.
    let c = capacity::connections(20, 100, 500, &CapacityParams::default());
    assert!((c.required - 840.0).abs() < 1e-9);
    assert!(c.exceeds_max);
    assert_eq!(c.plugged, "((20 × 10) + (100 × 5)) × 1.2 = 840");
    assert!(!capacity::connections(3, 5, 500, &CapacityParams::default()).exceeds_max);
}

#[test]
fn trends() {
    let rising: Vec<Point> = (0..30).map(|i| Point { at: i as f64, value: i as f64 * 10.0 }).collect();
    assert_eq!(trend(&rising, 60.0, 100.0), Trend::Rising);
    let flat: Vec<Point> = (0..30).map(|i| Point { at: i as f64, value: 50.0 + (i % 2) as f64 * 0.1 }).collect();
    assert_eq!(trend(&flat, 60.0, 100.0), Trend::Steady);
    let falling: Vec<Point> = rising.iter().map(|p| Point { at: p.at, value: 300.0 - p.value }).collect();
    assert_eq!(trend(&falling, 60.0, 100.0), Trend::Falling);
    assert_eq!(trend(&rising[..1], 60.0, 100.0), Trend::Unknown);
}

fn redis(at_depth: u64, in_flight: u64, completed: u64, hits: u64, misses: u64) -> SourceData {
    SourceData::Redis(RedisState {
        queues: vec![("agent:queue:default".into(), at_depth)],
        in_flight,
        completed_total: Some(completed),
        used_memory: 75,
        max_memory: 100,
        clients: 10,
        max_clients: 100,
        hits,
        misses,
        ..Default::default()
    })
}

fn upd(at: f64, data: SourceData) -> SourceUpdate {
    SourceUpdate { source: data.source(), at, result: Ok(data) }
}

#[test]
fn board_derives_rates_and_levels_from_successive_samples() {
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    assert_eq!(b.reading(MetricId::QueueDepth).level, Level::Unknown);
    // The queue grows by 10/s while 2 tasks/s complete.
    for i in 0..=60u64 {
        b.ingest(upd(i as f64, redis(900 + i * 10, 10, i * 2, i * 9, i)));
    }
    let r = b.reading(MetricId::QueueDepth);
    assert_eq!(r.value, Some(1500.0));
    assert_eq!(r.level, Level::Warn);
    let thr = b.reading(MetricId::Throughput).value.unwrap();
    assert!((thr - 120.0).abs() < 1e-6, "2 tasks/s is 120/min, got {thr}");
    let arrival = b.rates.arrival_rate.unwrap();
    assert!((arrival - 12.0).abs() < 1e-6, "arrivals = throughput + growth, got {arrival}");
    // Wait = depth / throughput = 1500 / 2 = 750 s.
    assert_eq!(b.reading(MetricId::AgentWait).value, Some(750.0));
    assert_eq!(b.reading(MetricId::AgentWait).level, Level::Crit);
    assert_eq!(b.reading(MetricId::DrainTime).value, Some(f64::INFINITY));
    assert_eq!(b.reading(MetricId::DrainTime).level, Level::Crit, "a backlog that never drains is never OK");
    assert!((b.reading(MetricId::RedisHitRate).value.unwrap() - 90.0).abs() < 1e-9);
    // 75 of 100 bytes is exactly the warning bound, not past it.
    assert_eq!(b.reading(MetricId::RedisMemory).level, Level::Ok);
    assert_eq!(b.trend(MetricId::QueueDepth), Trend::Rising);
    assert!(b.worsening(MetricId::QueueDepth));
    // The crossing into warning is on the timeline.
    assert!(
        b.timeline.iter().any(|e| e.text.contains("Queue depth OK → WARN")),
        "{:?}",
        b.timeline.iter().collect::<Vec<_>>()
    );
}

#[test]
fn a_failing_source_marks_only_its_metrics_stale_and_recovers() {
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    b.ingest(upd(1.0, redis(10, 1, 1, 1, 1)));
    b.ingest(upd(1.0, SourceData::CloudWatch(CloudState { api_p99_ms: Some(300.0), ..Default::default() })));
    b.ingest(SourceUpdate {
        source: SourceId::Redis,
        at: 5.0,
        result: Err(SourceFailure::new(FailureKind::Refused, "127.0.0.1:6390")),
    });
    let q = b.reading(MetricId::QueueDepth);
    assert!(q.stale);
    assert_eq!(q.shown_level(), Level::Stale);
    assert_eq!(q.value, Some(10.0), "the last good value is kept");
    assert!(!b.reading(MetricId::ApiP99).stale);
    match b.source_status(SourceId::Redis) {
        SourceStatus::Stale { last_ok, .. } => assert_eq!(*last_ok, Some(1.0)),
        other => panic!("expected stale, got {other:?}"),
    }
    b.ingest(upd(9.0, redis(12, 1, 2, 2, 2)));
    assert!(!b.reading(MetricId::QueueDepth).stale);
    assert!(b.timeline.iter().any(|e| e.text == "redis recovered"));
}

#[test]
fn emergency_conditions_follow_the_runbook() {
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..10u64 {
        b.ingest(upd(i as f64, redis(10_000 + i * 100, 0, 0, 0, 0)));
    }
    b.ingest(upd(
        10.0,
        SourceData::CloudWatch(CloudState { api_p99_ms: Some(5001.0), api_5xx_pct: Some(10.0), ..Default::default() }),
    ));
    let r = b.emergency_reasons();
    assert_eq!(r.len(), 2, "queue growing past 10k and p99 > 5s; 10% errors is not > 10%: {r:?}");
    assert!(r[0].starts_with("queue"));
}

#[test]
fn durations_parse() {
    use units::parse_duration as p;
    assert_eq!(p("30m"), Ok(1800.0));
    assert_eq!(p("1h30m"), Ok(5400.0));
    assert_eq!(p("90"), Ok(90.0));
    assert_eq!(p("2.5s"), Ok(2.5));
    assert!(p("10x").is_err());
    assert!(p("m").is_err());
    assert!(p("10m5").is_err());
}

#[test]
fn an_idle_redis_without_a_limit_is_a_state_not_an_alarm() {
    // The configuration users have: a Redis with maxmemory 0 and no reads yet.
    let mut b = Board::new(BoardSettings::default(), &[SourceId::Redis]);
    let idle = |at: f64| {
        upd(
            at,
            SourceData::Redis(RedisState {
                queues: vec![("agent:queue:default".into(), 0)],
                used_memory: 999_000,
                max_memory: 0,
                clients: 3,
                max_clients: 10_000,
                ..Default::default()
            }),
        )
    };
    b.ingest(idle(0.0));
    b.ingest(idle(2.0));
    let hit = b.reading(MetricId::RedisHitRate);
    assert_eq!((hit.value, hit.gap), (None, Some(GapKind::NoTraffic)));
    assert_eq!(hit.formatted(), "no traffic");
    assert_eq!(hit.counted_level(), Level::Ok, "no traffic alarms no one");
    let mem = b.reading(MetricId::RedisMemory);
    assert_eq!((mem.value, mem.gap), (None, Some(GapKind::NoLimit)));
    assert!(b.gap(MetricId::RedisMemory).unwrap().reason.contains("maxmemory is 0"));
    assert_eq!(b.worst(&[MetricId::RedisHitRate, MetricId::RedisMemory, MetricId::QueueDepth]), Level::Ok);
}

#[test]
fn metrics_of_an_unconfigured_source_or_an_unset_dimension_are_blind_spots_named_with_their_setting() {
    let mut b = Board::new(BoardSettings::default(), &[SourceId::Redis, SourceId::CloudWatch]);
    let kube = b.gap(MetricId::WorkerCpu).expect("kubernetes is not configured");
    assert_eq!(kube.kind, GapKind::NotConfigured);
    assert!(kube.setting.as_deref().unwrap().contains("KUBECONFIG"));
    assert_eq!(b.gap(MetricId::QueueDepth).unwrap().kind, GapKind::Waiting);
    let mut cloud = CloudState { db_cpu_pct: Some(12.0), ..Default::default() };
    for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps] {
        cloud.gaps.insert(id, Gap::new(GapKind::NotSet, "no load balancer is known").setting("aws.load_balancer"));
    }
    b.ingest(upd(1.0, SourceData::CloudWatch(cloud)));
    let p99 = b.reading(MetricId::ApiP99);
    assert_eq!((p99.value, p99.gap, p99.counted_level()), (None, Some(GapKind::NotSet), Level::Unknown));
    assert_eq!(b.gap(MetricId::ApiP99).unwrap().setting.as_deref(), Some("aws.load_balancer"));
    let blind: Vec<MetricId> = b.blind_spots().into_iter().map(|(id, _)| id).collect();
    assert!(blind.contains(&MetricId::ApiP99) && blind.contains(&MetricId::ApiErrorRate), "{blind:?}");
    assert!(!blind.contains(&MetricId::ApiRps), "requests feed no threshold");
    assert!(!blind.contains(&MetricId::DbCpu), "the database CPU has a value");
    assert!(blind.contains(&MetricId::WorkerCpu), "an unconfigured Kubernetes is a blind spot too");
}

#[test]
fn a_queue_that_does_not_drain_is_never_ok() {
    // 3 tasks/s complete; a small queue of a few tasks creeps up: it grows, so it warns.
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..=60u64 {
        b.ingest(upd(i as f64, redis(2 + i / 20, 10, i * 3, 0, 0)));
    }
    let d = b.reading(MetricId::DrainTime);
    assert_eq!((d.value, d.level), (Some(f64::INFINITY), Level::Warn), "a small queue that grows");
    // A queue that drains in 5 minutes is fine; in 20 minutes, a warning.
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..=60u64 {
        b.ingest(upd(i as f64, redis(3000 - i * 10, 10, i * 10, 0, 0)));
    }
    let d = b.reading(MetricId::DrainTime);
    assert!((d.value.unwrap() - 240.0).abs() < 1.0, "2400 tasks at 10/s: {d:?}");
    assert_eq!(d.level, Level::Ok);
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..=60u64 {
        b.ingest(upd(i as f64, redis(3000 - i * 2, 10, i * 2, 0, 0)));
    }
    assert_eq!(b.reading(MetricId::DrainTime).level, Level::Warn, "{:?}", b.reading(MetricId::DrainTime));
}

#[test]
fn arrivals_of_a_queue_that_fell_and_rises_again_are_what_entered_it() {
    // 10 tasks/s complete all along. For 50 s nothing arrives (the queue falls from 500 to 0),
    // then 20/s arrive for 10 s (it rises to 100): 200 tasks in 60 s, 3.33/s. A regression slope
    // of that depth is steeply negative and read "nothing arrives" (0/min) while the queue rose.
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..=60u64 {
        let depth = if i <= 50 { 500 - i * 10 } else { (i - 50) * 10 };
        b.ingest(upd(i as f64, redis(depth, 10, i * 10, i * 9, i)));
    }
    let arrival = b.rates.arrival_rate.expect("a rate");
    assert!((arrival - 200.0 / 60.0).abs() < 1e-6, "(600 completed - 400 net fall) / 60 s, got {arrival}");
}
