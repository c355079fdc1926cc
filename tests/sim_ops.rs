//! Operations on the simulated platform behave as they would on Kubernetes and RDS.

use cockpit::model::state::Workload;
use cockpit::platform::ErrorKind;
use cockpit::sim::{Scenario, SimSettings, Simulator};
use serde_json::json;
use std::collections::BTreeMap;

fn sim(sc: Scenario, seed: u64) -> Simulator {
    Simulator::new(sc, seed, SimSettings::default())
}

/// Set the HPA's minReplicas, keeping the rest of its spec.
fn set_hpa_min(s: &mut Simulator, w: Workload, min: u32) {
    let (_, mut spec, ann, _) = s.hpa_object(w);
    spec["minReplicas"] = json!(min);
    s.replace_hpa(w, &spec, &ann).expect("replace");
}

#[test]
fn a_manual_scale_is_undone_by_the_hpa_unless_its_min_is_raised() {
    let mut s = sim(Scenario::Baseline, 1);
    s.advance(600.0);
    s.scale(Workload::Api, 10).expect("scale");
    assert_eq!(s.replicas(Workload::Api), 10);
    // The next sync (every 15 s) takes it down by at most 50% per 120 s, to min 3.
    s.advance(16.0);
    let after_sync = s.replicas(Workload::Api);
    assert!((5..10).contains(&after_sync), "HPA scales down within one sync, 50% at a time: {after_sync}");
    s.advance(300.0);
    assert_eq!(s.replicas(Workload::Api), 3, "the HPA has undone the manual scale");
    let ev = s.events();
    assert!(ev.iter().any(|e| e.object == "hpa/api-server-hpa" && e.message.contains("All metrics below target")));

    // Below min: put back at the next sync.
    s.scale(Workload::Workers, 2).expect("scale");
    s.advance(16.0);
    assert_eq!(s.replicas(Workload::Workers), 5);
    assert!(s.events().iter().any(|e| e.message.contains("Current number of replicas below Spec.MinReplicas")));

    // With minReplicas raised the manual scale holds.
    set_hpa_min(&mut s, Workload::Api, 10);
    s.scale(Workload::Api, 10).expect("scale");
    s.advance(900.0);
    assert_eq!(s.replicas(Workload::Api), 10);
    assert_eq!(s.hpa_state(Workload::Api).min, 10);
}

#[test]
fn readiness_lags_scale_up() {
    let mut s = sim(Scenario::Baseline, 2);
    s.advance(300.0);
    set_hpa_min(&mut s, Workload::Api, 10);
    s.scale(Workload::Api, 10).expect("scale");
    s.step();
    let (live, ready) = s.pod_counts(Workload::Api);
    assert_eq!((live, ready), (10, 3));
    let st = s.kube_state();
    assert_eq!(st.api.pods.total, 10);
    assert!(st.api.pods.pending > 0);
    assert!(st.api.pods.problems.iter().all(|p| !p.ready));
    s.advance(18.0);
    assert_eq!(s.pod_counts(Workload::Api).1, 3, "API pods take 20-40 s to be ready");
    s.advance(25.0);
    assert_eq!(s.pod_counts(Workload::Api).1, 10);
    assert!(s.events().iter().any(|e| e.reason == "PodReady" && e.object == "deployment/api-server"));

    set_hpa_min(&mut s, Workload::Workers, 20);
    s.advance(16.0);
    assert_eq!(s.replicas(Workload::Workers), 20, "below the new min: raised at the next sync");
    let (live, ready) = s.pod_counts(Workload::Workers);
    assert_eq!(live, 20);
    assert!(ready < 20);
    s.advance(61.0);
    assert_eq!(s.pod_counts(Workload::Workers).1, 20, "workers take 30-60 s");
}

#[test]
fn draining_stops_intake_and_in_flight_reaches_zero() {
    let mut s = sim(Scenario::Soak, 3);
    s.advance(600.0);
    assert!(s.in_flight() > 10);
    let st = s.annotate(Workload::Workers, "drain", Some("true")).expect("annotate");
    assert!(st.draining());
    let started = s.counters().started;
    let mut zero_at = None;
    for _ in 0..120 {
        s.step();
        assert_eq!(s.counters().started, started, "a draining deployment takes no new task");
        if s.in_flight() == 0 && zero_at.is_none() {
            zero_at = Some(s.time());
        }
    }
    assert!(zero_at.is_some(), "in-flight tasks finish within two minutes");
    assert!(s.queue_len() > 50, "arrivals wait meanwhile");
    assert!(s.events().iter().any(|e| e.reason == "AnnotationChanged" && e.message.contains("drain=true")));
    let st = s.annotate(Workload::Workers, "drain", None).expect("annotate");
    assert!(!st.draining() && !st.annotations.contains_key("drain"));
    s.advance(5.0);
    assert!(s.counters().started > started);
    assert_eq!(s.annotate(Workload::Workers, "bad key!", Some("x")).map_err(|e| e.kind), Err(ErrorKind::Invalid));
}

#[test]
fn the_hpa_spec_round_trips_exactly_through_replace() {
    let mut s = sim(Scenario::Baseline, 4);
    s.advance(100.0);
    for w in Workload::BOTH {
        let (_, spec, ann, rv) = s.hpa_object(w);
        // The runbook's spec as the API server stores it (defaults filled in).
        assert_eq!(spec["behavior"]["scaleUp"]["selectPolicy"], json!("Max"));
        s.replace_hpa(w, &spec, &ann).expect("replace");
        let (_, spec2, ann2, rv2) = s.hpa_object(w);
        assert_eq!(spec2, spec);
        assert_eq!(ann2, ann);
        assert_eq!(rv2, rv, "a no-op replace keeps the resourceVersion");

        let mut changed = spec.clone();
        changed["minReplicas"] = json!(7);
        changed["maxReplicas"] = json!(60);
        let mut ann3 = BTreeMap::new();
        ann3.insert("cockpit.agentos.io/saved-spec".to_string(), serde_json::to_string(&spec).expect("json"));
        let st = s.replace_hpa(w, &changed, &ann3).expect("replace");
        assert_eq!((st.min, st.max), (7, 60));
        assert!(st.pinned);
        let (_, spec4, ann4, rv4) = s.hpa_object(w);
        assert_eq!(spec4, changed);
        assert_eq!(ann4, ann3);
        assert_ne!(rv4, rv);
        // Restoring the saved spec gives back exactly the original.
        let saved: serde_json::Value = serde_json::from_str(&ann4["cockpit.agentos.io/saved-spec"]).expect("saved");
        s.replace_hpa(w, &saved, &ann).expect("restore");
        assert_eq!(s.hpa_object(w).1, spec);
    }
}

#[test]
fn removing_min_replicas_does_not_disable_the_hpa() {
    // The runbook's emergency step 2 removes /spec/minReplicas: the API server defaults it to 1.
    let mut s = sim(Scenario::Baseline, 5);
    s.advance(600.0);
    let (_, mut spec, ann, _) = s.hpa_object(Workload::Api);
    spec.as_object_mut().expect("object").remove("minReplicas");
    let st = s.replace_hpa(Workload::Api, &spec, &ann).expect("replace");
    assert_eq!(st.min, 1);
    assert_eq!(s.hpa_object(Workload::Api).1["minReplicas"], json!(1));
    s.scale(Workload::Api, 50).expect("scale");
    s.advance(900.0);
    assert!(
        s.replicas(Workload::Api) < 10,
        "the HPA still scales the emergency size back down: {}",
        s.replicas(Workload::Api)
    );

    let mut bad = s.hpa_object(Workload::Api).1;
    bad["maxReplicas"] = json!(0);
    let err = s.replace_hpa(Workload::Api, &bad, &ann).expect_err("invalid");
    assert_eq!(err.kind, ErrorKind::Invalid);
}

#[test]
fn set_limits_rolls_out_new_pods() {
    let mut s = sim(Scenario::Baseline, 6);
    s.advance(300.0);
    let before = s.deployment_state(Workload::Workers);
    let st = s.set_limits(Workload::Workers, "2", "4Gi").expect("limits");
    assert_eq!(st.generation, before.generation + 1);
    assert_eq!((st.cpu_limit.as_deref(), st.memory_limit.as_deref()), (Some("2"), Some("4Gi")));
    s.step();
    let st = s.deployment_state(Workload::Workers);
    assert_eq!(st.observed_generation, st.generation);
    assert!(st.rolling_out(), "{st:?}");
    let mut min_ready = u32::MAX;
    let mut max_live = 0;
    for _ in 0..900 {
        s.step();
        let (live, ready) = s.pod_counts(Workload::Workers);
        min_ready = min_ready.min(ready);
        max_live = max_live.max(live);
        if s.events().iter().any(|e| e.reason == "RolloutComplete") {
            break;
        }
    }
    assert!(s.events().iter().any(|e| e.reason == "RolloutComplete"), "rollout finished within 15 min");
    let st = s.deployment_state(Workload::Workers);
    assert!(!st.rolling_out(), "{st:?}");
    assert_eq!((st.updated, st.ready), (5, 5));
    assert!(min_ready >= 4, "maxUnavailable 25% of 5 keeps at least 4 ready: {min_ready}");
    assert!(max_live <= 7, "maxSurge 25% of 5 adds at most 2 pods: {max_live}");
    s.advance(10.0);
    let pods = s.pods(Workload::Workers);
    assert_eq!(pods.len(), 5);
    assert!(pods.iter().all(|p| p.cpu_limit.as_deref() == Some("2") && p.memory_limit.as_deref() == Some("4Gi")));
    assert!(s.set_limits(Workload::Workers, "two", "4Gi").is_err());
    assert!(s.set_limits(Workload::Workers, "2", "lots").is_err());
}

#[test]
fn rds_class_changes_apply_now_or_at_the_maintenance_window() {
    let mut s = sim(Scenario::Incident, 7);
    s.advance(20.0 * 60.0);
    let cpu_before = s.db_cpu_pct();
    let inst = s.modify_db_class("agentos-primary", "db.r6g.4xlarge", true).expect("modify");
    assert_eq!(inst.status, "modifying");
    assert_eq!(inst.class, "db.r6g.xlarge");
    let again = s.modify_db_class("agentos-primary", "db.r6g.2xlarge", true).expect_err("busy");
    assert_eq!(again.kind, ErrorKind::Conflict);
    s.advance(4.0 * 60.0);
    assert_eq!(s.db_instances().0.status, "modifying", "a class change takes a few minutes");
    s.advance(7.0 * 60.0);
    let (p, _) = s.db_instances();
    assert_eq!((p.class.as_str(), p.status.as_str(), p.pending_class.as_ref()), ("db.r6g.4xlarge", "available", None));
    s.advance(60.0);
    assert!(s.db_cpu_pct() < cpu_before * 0.5, "4x the vCPUs: {cpu_before:.0}% -> {:.0}%", s.db_cpu_pct());

    // Without apply-immediately: pending until the next hour boundary.
    let r = s.modify_db_class("agentos-replica-1", "db.r6g.2xlarge", false).expect("modify");
    assert_eq!((r.status.as_str(), r.pending_class.as_deref()), ("available", Some("db.r6g.2xlarge")));
    let until_window = 3600.0 - s.time() % 3600.0;
    s.advance(until_window - 5.0);
    assert_eq!(s.db_instances().1[0].status, "available");
    s.advance(10.0);
    assert_eq!(s.db_instances().1[0].status, "modifying");
    s.advance(700.0);
    assert_eq!(s.db_instances().1[0].class, "db.r6g.2xlarge");

    assert_eq!(s.modify_db_class("agentos-primary", "db.m5.huge", true).map_err(|e| e.kind), Err(ErrorKind::Invalid));
    assert_eq!(s.modify_db_class("nope", "db.r6g.large", true).map_err(|e| e.kind), Err(ErrorKind::NotFound));
}

#[test]
fn notify_and_pod_health() {
    let mut s = sim(Scenario::Baseline, 8);
    s.notify("EMERGENCY SCALE: Starting emergency scaling procedure");
    let ev = s.events();
    let last = ev.last().expect("event");
    assert_eq!((last.object.as_str(), last.reason.as_str()), ("cockpit", "Notify"));
    let pods = s.pods(Workload::Api);
    assert!(s.pod_health(&pods[0].name).is_ok());
    assert_eq!(s.pod_health("api-server-nope").map_err(|e| e.kind), Err(ErrorKind::NotFound));
    set_hpa_min(&mut s, Workload::Api, 4);
    s.scale(Workload::Api, 4).expect("scale");
    s.step();
    let new = s.pods(Workload::Api).into_iter().find(|p| !p.ready).expect("a new pod");
    assert_eq!(s.pod_health(&new.name).map_err(|e| e.kind), Err(ErrorKind::Unavailable));
}
