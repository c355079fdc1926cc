//! `cockpit snapshot --demo` through the real binary: every metric with its value, unit, level
//! and thresholds, the same numbers the dashboard's board holds after the same simulated time.

use cockpit::model::{Board, BoardSettings, MetricId, SourceId};
use cockpit::sim::{Scenario, SimSettings, Simulator, run_for};
use serde_json::Value;
use std::process::Command;

fn snapshot(args: &[&str]) -> (i32, String) {
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .arg("snapshot")
        .args(args)
        .env("COCKPIT_STATE_DIR", state.path())
        .env("COCKPIT_CONFIG_DIR", state.path().join("none"))
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn incident_json_has_every_metric_and_matches_the_board() {
    let (code, out) = snapshot(&["--demo", "--scenario", "incident", "--after", "30m", "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    let metrics = v["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), MetricId::ALL.len());
    let get = |key: &str| metrics.iter().find(|m| m["key"] == key).unwrap_or_else(|| panic!("{key} missing"));
    for m in MetricId::ALL {
        let row = get(m.key());
        for field in ["label", "unit", "display", "level", "trend"] {
            assert!(!row[field].is_null(), "{} has no {field}", m.key());
        }
    }
    // The runbook's thresholds travel with the values.
    assert_eq!(get("queue_depth")["warn"], "> 1000");
    assert_eq!(get("queue_depth")["crit"], "> 5000");
    assert_eq!(get("queue_depth")["level"], "crit");
    assert_eq!(get("api_latency_p99")["level"], "crit");
    assert!(!v["emergency"].as_array().unwrap().is_empty(), "the runbook's emergency conditions hold");
    // Both HPAs at their maximum, never past it.
    for r in v["replicas"].as_array().unwrap() {
        let (desired, max) = (r["desired"].as_u64().unwrap(), r["hpa_max"].as_u64().unwrap());
        assert!(desired <= max, "{r}");
        assert_eq!(r["hpa_desired"], r["hpa_max"], "{r}");
    }
    assert_eq!(v["capacity"]["exceeds_max"], true);

    // The same run in-process gives the same values and levels as the board the screen draws.
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    run_for(&mut sim, &mut board, 1800.0, 2.0);
    for m in MetricId::ALL {
        let r = board.reading(*m);
        let row = get(m.key());
        assert_eq!(row["level"], r.shown_level().as_str(), "{}", m.key());
        match (r.value.filter(|v| v.is_finite()), row["value"].as_f64()) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{}: {a} vs {b}", m.key()),
            (None, None) => {}
            (a, b) => panic!("{}: {a:?} vs {b:?}", m.key()),
        }
    }
}

#[test]
fn text_and_markdown_formats() {
    let (code, text) = snapshot(&["--demo", "--scenario", "baseline", "--after", "10m"]);
    assert_eq!(code, 0);
    assert!(text.contains("Queue depth"), "{text}");
    assert!(text.contains("✓ OK"), "{text}");
    assert!(!text.contains("EMERGENCY"), "a calm baseline has no emergency:\n{text}");
    let (code, md) = snapshot(&["--demo", "--scenario", "incident", "--after", "20m", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.contains("| Metric | Value | Level | Trend | Warning | Critical |"), "{md}");
    assert!(md.contains("**EMERGENCY:**"), "{md}");
    assert!(md.contains("| Queue depth |"), "{md}");
}

#[test]
fn the_same_seed_gives_the_same_snapshot_and_bad_durations_are_refused() {
    let a = snapshot(&["--demo", "--scenario", "spike", "--after", "7m", "--seed", "9", "--format", "json"]);
    let b = snapshot(&["--demo", "--scenario", "spike", "--after", "7m", "--seed", "9", "--format", "json"]);
    assert_eq!(a, b);
    let (code, _) = snapshot(&["--demo", "--after", "10x"]);
    assert_eq!(code, 2, "clap refuses a bad duration with status 2");
}
