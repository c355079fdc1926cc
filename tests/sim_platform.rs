//! `SimPlatform` honours the `Platform` contract: versions, dry runs, the lock, faults, clocks.

use cockpit::model::state::Workload;
use cockpit::model::{Board, BoardSettings, SourceId};
use cockpit::platform::{ErrorKind, LockOutcome, Platform, WriteOpts};
use cockpit::sim::{Clock, Scenario, SimPlatform, SimSettings, Simulator, spawn_driver};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn platform(sc: Scenario) -> SimPlatform {
    let sim = Simulator::new(sc, 21, SimSettings::default());
    SimPlatform::new(Arc::new(Mutex::new(sim)), Clock::Stepped)
}

#[tokio::test]
async fn stepped_sleep_advances_the_simulator_at_once() {
    let p = platform(Scenario::Baseline);
    assert_eq!(p.now(), 0.0);
    p.sleep(Duration::from_secs(90)).await;
    assert_eq!(p.now(), 90.0);
    p.sleep(Duration::from_millis(500)).await;
    p.sleep(Duration::from_millis(500)).await;
    assert_eq!(p.now(), 91.0);
    assert!(p.identity().ends_with(" (simulator)"));
    assert!(p.describe().contains("baseline"));
}

#[tokio::test]
async fn a_stale_resource_version_is_a_conflict() {
    let p = platform(Scenario::Baseline);
    p.sleep(Duration::from_secs(60)).await;
    let d = p.deployment(Workload::Api).await.expect("read");
    let v = d.resource_version.clone();
    let scaled = p.scale(Workload::Api, 6, &WriteOpts::at(v.clone())).await.expect("scale at the read version");
    assert_eq!(scaled.state.desired, 6);
    assert_ne!(scaled.resource_version, v);
    let err = p.scale(Workload::Api, 8, &WriteOpts::at(v)).await.expect_err("stale");
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(p.deployment(Workload::Api).await.expect("read").state.desired, 6);

    let h = p.hpa(Workload::Api).await.expect("read").expect("hpa");
    let mut spec = h.spec.clone();
    spec["minReplicas"] = json!(6);
    p.replace_hpa(Workload::Api, &spec, &h.annotations, &WriteOpts::at(h.resource_version.clone()))
        .await
        .expect("replace at the read version");
    let err = p
        .replace_hpa(Workload::Api, &h.spec, &h.annotations, &WriteOpts::at(h.resource_version.clone()))
        .await
        .expect_err("stale");
    assert_eq!(err.kind, ErrorKind::Conflict);
    // The HPA controller writes its status every sync: a version read long ago is stale too.
    let h = p.hpa(Workload::Api).await.expect("read").expect("hpa");
    p.sleep(Duration::from_secs(60)).await;
    let err = p
        .replace_hpa(Workload::Api, &h.spec, &h.annotations, &WriteOpts::at(h.resource_version.clone()))
        .await
        .expect_err("status moved on");
    assert_eq!(err.kind, ErrorKind::Conflict);
}

#[tokio::test]
async fn a_dry_run_validates_and_changes_nothing() {
    let p = platform(Scenario::Baseline);
    p.sleep(Duration::from_secs(30)).await;
    let dry = WriteOpts { dry_run: true, expect_version: None };
    let before = p.deployment(Workload::Workers).await.expect("read");
    let r = p.scale(Workload::Workers, 40, &dry).await.expect("dry scale");
    assert_eq!(r.state.desired, 40);
    let r = p.annotate(Workload::Workers, "drain", Some("true"), &dry).await.expect("dry annotate");
    assert!(r.state.draining());
    let r = p.set_limits(Workload::Workers, "2", "4Gi", &dry).await.expect("dry limits");
    assert_eq!(r.state.memory_limit.as_deref(), Some("4Gi"));
    assert_eq!(p.deployment(Workload::Workers).await.expect("read"), before);

    let h = p.hpa(Workload::Workers).await.expect("read").expect("hpa");
    let mut spec = h.spec.clone();
    spec["maxReplicas"] = json!(200);
    let r = p.replace_hpa(Workload::Workers, &spec, &h.annotations, &dry).await.expect("dry replace");
    assert_eq!(r.state.max, 200);
    assert_eq!(p.hpa(Workload::Workers).await.expect("read").expect("hpa"), h);

    spec["minReplicas"] = json!(300);
    let err = p.replace_hpa(Workload::Workers, &spec, &h.annotations, &dry).await.expect_err("invalid");
    assert_eq!(err.kind, ErrorKind::Invalid);
    let err = p.set_limits(Workload::Workers, "lots", "4Gi", &dry).await.expect_err("invalid");
    assert_eq!(err.kind, ErrorKind::Invalid);
    // A dry run with a stale version fails like the real write would.
    let stale = WriteOpts { dry_run: true, expect_version: Some("1".into()) };
    assert_eq!(p.scale(Workload::Workers, 6, &stale).await.map_err(|e| e.kind), Err(ErrorKind::Conflict));
}

#[tokio::test]
async fn the_lock_refuses_a_second_holder_until_its_ttl_expires() {
    let p = platform(Scenario::Baseline);
    let ttl = Duration::from_secs(60);
    assert_eq!(p.acquire_lock("alice", "emergency-scale", ttl).await.expect("lock"), LockOutcome::Acquired);
    p.sleep(Duration::from_secs(30)).await;
    match p.acquire_lock("bob", "scale-workers", ttl).await.expect("lock") {
        LockOutcome::HeldBy(h) => {
            assert_eq!((h.holder.as_str(), h.action.as_str(), h.since), ("alice", "emergency-scale", 0.0));
        }
        other => panic!("bob got the lock: {other:?}"),
    }
    assert_eq!(p.renew_lock("bob", ttl).await.map_err(|e| e.kind), Err(ErrorKind::Conflict));
    assert_eq!(p.release_lock("bob").await.map_err(|e| e.kind), Err(ErrorKind::Conflict));
    p.renew_lock("alice", ttl).await.expect("renew");
    p.sleep(Duration::from_secs(45)).await;
    assert!(matches!(p.acquire_lock("bob", "scale-workers", ttl).await, Ok(LockOutcome::HeldBy(_))), "renewed at 30 s");
    p.sleep(Duration::from_secs(16)).await;
    assert_eq!(p.acquire_lock("bob", "scale-workers", ttl).await.expect("lock"), LockOutcome::Acquired, "expired");
    assert_eq!(p.renew_lock("alice", ttl).await.map_err(|e| e.kind), Err(ErrorKind::Conflict));
    p.release_lock("bob").await.expect("release");
    assert_eq!(p.acquire_lock("alice", "again", ttl).await.expect("lock"), LockOutcome::Acquired);
}

#[tokio::test]
async fn injected_faults_fire_exactly_n_times() {
    let p = platform(Scenario::Baseline);
    p.inject_fault("scale", ErrorKind::Unavailable, 2);
    p.inject_fault("queue_depth", ErrorKind::Timeout, 1);
    let opts = WriteOpts::default();
    for _ in 0..2 {
        let err = p.scale(Workload::Api, 4, &opts).await.expect_err("fault");
        assert_eq!(err.kind, ErrorKind::Unavailable);
        assert!(err.is_transient());
    }
    assert_eq!(p.scale(Workload::Api, 4, &opts).await.expect("third call").state.desired, 4);
    assert_eq!(p.queue_depth().await.map_err(|e| e.kind), Err(ErrorKind::Timeout));
    assert!(p.queue_depth().await.is_ok());
    assert!(p.in_flight().await.is_ok());
    p.inject_fault("notify", ErrorKind::Forbidden, 1);
    assert_eq!(p.notify("x").await.map_err(|e| e.kind), Err(ErrorKind::Forbidden));
    p.notify("EMERGENCY SCALE").await.expect("notify");
}

#[tokio::test]
async fn pod_health_fails_for_pods_not_ready() {
    let p = platform(Scenario::Baseline);
    let h = p.hpa(Workload::Api).await.expect("read").expect("hpa");
    let mut spec = h.spec.clone();
    spec["minReplicas"] = json!(5);
    p.replace_hpa(Workload::Api, &spec, &h.annotations, &WriteOpts::default()).await.expect("replace");
    p.scale(Workload::Api, 5, &WriteOpts::default()).await.expect("scale");
    p.sleep(Duration::from_secs(1)).await;
    let pods = p.pods(Workload::Api).await.expect("pods");
    assert_eq!(pods.len(), 5);
    for pod in &pods {
        let health = p.pod_health(&pod.name).await;
        assert_eq!(health.is_ok(), pod.ready, "{pod:?}: {health:?}");
    }
    assert_eq!(pods.iter().filter(|p| !p.ready).count(), 2);
    p.sleep(Duration::from_secs(45)).await;
    for pod in p.pods(Workload::Api).await.expect("pods") {
        assert_eq!(p.pod_health(&pod.name).await.expect("healthy"), r#"{"status":"ok"}"#);
    }
    let (primary, replicas) = p.db_instances().await.expect("rds");
    assert_eq!((primary.id.as_str(), replicas.len()), ("agentos-primary", 2));
    assert_eq!(p.db_max_connections().await.expect("max"), 500);
    assert!(p.db_ping().await.expect("ping") > 0.0);
    assert!(p.api_latency_p99().await.expect("p99").is_some());
    assert!(p.usage(Workload::Workers).await.expect("usage").is_some());
}

#[tokio::test]
async fn the_driver_sends_every_source_and_stops_with_its_receiver() {
    let sim = Arc::new(Mutex::new(Simulator::new(Scenario::Baseline, 3, SimSettings::default())));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let handle = spawn_driver(Arc::clone(&sim), 100.0, Duration::from_millis(150), tx);
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    let mut seen = std::collections::BTreeSet::new();
    let mut last_at = -1.0;
    while seen.len() < 10 {
        let u =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("an update in time").expect("open");
        assert!(u.at >= last_at);
        last_at = u.at;
        seen.insert((u.source, u.at.to_bits()));
        board.ingest(u);
    }
    assert!(last_at > 0.0, "simulated time passes at 100x");
    assert!(SourceId::ALL.iter().all(|s| board.source_status(*s).is_live()));
    drop(rx);
    tokio::time::timeout(Duration::from_secs(2), handle).await.expect("driver stops").expect("no panic");
    let t = sim.lock().expect("lock").time();
    assert!(t >= last_at);
}

#[tokio::test]
async fn the_lock_lives_with_the_simulator_not_the_platform_object() {
    let sim = Arc::new(Mutex::new(Simulator::new(Scenario::Baseline, 1, SimSettings::default())));
    let a = SimPlatform::new(Arc::clone(&sim), Clock::Stepped);
    let b = SimPlatform::new(Arc::clone(&sim), Clock::Driven { speed: 10.0 });
    assert_eq!(a.acquire_lock("alice", "drain", Duration::from_secs(60)).await.expect("lock"), LockOutcome::Acquired);
    assert!(matches!(b.acquire_lock("bob", "scale", Duration::from_secs(60)).await, Ok(LockOutcome::HeldBy(_))));
    assert_eq!(sim.lock().expect("sim").lock_holder().map(|h| h.holder), Some("alice".to_string()));
}

#[tokio::test]
async fn events_of_an_operation_reach_a_board_that_already_saw_this_second() {
    let p = platform(Scenario::Baseline);
    p.sleep(Duration::from_secs(30)).await;
    let sim = p.simulator();
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    cockpit::sim::driver::ingest(&sim.lock().expect("sim"), &mut board);
    p.notify("EMERGENCY SCALE: Starting emergency scaling procedure").await.expect("notify");
    p.annotate(Workload::Workers, "drain", Some("true"), &WriteOpts::default()).await.expect("annotate");
    cockpit::sim::driver::ingest(&sim.lock().expect("sim"), &mut board);
    let texts: Vec<&str> = board.timeline.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("EMERGENCY SCALE")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("drain=true")), "{texts:?}");
}
