//! `cockpit snapshot` through the real binary: every metric with its value, unit, level and
//! thresholds (the same numbers the dashboard's board holds after the same simulated time),
//! when it was taken on the wall clock, by which cockpit, from which cluster, the emergency
//! first, and an exit status a script can act on.

mod support;

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

/// The binary on the live platform with a clean environment: a fresh HOME plus `vars`.
fn live(home: &std::path::Path, vars: &[(&str, String)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USER", "oncall")
        .env("COCKPIT_STATE_DIR", home.join("state"))
        .env("COCKPIT_CONFIG_DIR", home.join("config"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("snapshot")
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// A config file in a temp dir, for `--config`.
fn config_file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
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
    // The runbook's thresholds travel with the values, in their unit.
    assert_eq!(get("queue_depth")["warn"], "> 1000 tasks");
    assert_eq!(get("queue_depth")["crit"], "> 5000 tasks");
    assert_eq!(get("queue_depth")["crit_value"], 5000.0);
    assert_eq!(get("api_latency_p99")["warn"], "> 500 ms");
    assert_eq!(get("api_latency_p99")["crit"], "> 2 s");
    assert_eq!(get("cpu_utilization")["warn"], "> 70%");
    assert_eq!(get("agent_wait_time")["crit"], "> 60 s");
    assert_eq!(get("queue_depth")["level"], "crit");
    assert_eq!(get("api_latency_p99")["level"], "crit");
    assert!(!v["emergency"].as_array().unwrap().is_empty(), "the runbook's emergency conditions hold");
    assert!(out.trim_start().starts_with("{\n  \"emergency\""), "EMERGENCY is the first field:\n{out}");
    assert_eq!(v["worst"], "crit");
    assert_eq!(v["simulated"]["time"], "T+00:30:00");
    assert_eq!(v["cockpit_version"], env!("CARGO_PKG_VERSION"));
    assert!(v["taken_at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(), "RFC 3339: {}", v["taken_at"]);
    assert_eq!(v["database_connections"]["plan"]["exceeds_max"], true);
    assert!(v["sources"].as_array().unwrap().iter().all(|s| s["status"]["state"] == "live"));
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
    for (format, emergency, sources, connections) in [
        ("text", "EMERGENCY (runbook): queue", "  kubernetes  ✓ live", "DATABASE CONNECTIONS"),
        ("markdown", "**EMERGENCY (runbook):** queue", "| kubernetes | ✓ live |", "**Database connections:**"),
    ] {
        let (code, out) = snapshot(&["--demo", "--scenario", "incident", "--after", "20m", "--format", format]);
        assert_eq!(code, 0, "without --fail-on the level does not change the status");
        // EMERGENCY comes before anything else but the title.
        let first = out.find(emergency).unwrap_or_else(|| panic!("{format}: no emergency\n{out}"));
        assert!(out.lines().take(3).any(|l| l.contains(emergency)), "{format}: emergency is not first\n{out}");
        for also in [sources, connections, "of max_connections", "the formula needs", "> 2 s", "> 5000 tasks"] {
            let at = out.find(also).unwrap_or_else(|| panic!("{format}: no {also:?}\n{out}"));
            assert!(at > first, "{format}: {also:?} before the emergency\n{out}");
        }
        assert!(out.contains("simulated T+00:20:00 · taken 20"), "{format}: {out}");
        assert!(out.contains(&format!("cockpit {}", env!("CARGO_PKG_VERSION"))), "{format}: {out}");
    }
    let (_, md) = snapshot(&["--demo", "--scenario", "incident", "--after", "20m", "--format", "markdown"]);
    assert!(md.contains("| Metric | Value | Level | Trend | Warning | Critical |"), "{md}");
    // Who holds the guided actions' lock: nobody, in a demo nobody acts in.
    assert!(text.contains("\nACTION LOCK\n  free: no guided action runs\n"), "{text}");
    assert!(md.contains("**Action lock:** free: no guided action runs"), "{md}");
    let (_, json) = snapshot(&["--demo", "--scenario", "baseline", "--after", "1m", "--format", "json"]);
    assert!(json.contains(r#""action_lock": {"#) && json.contains(r#""state": "free""#), "{json}");
    assert!(md.contains("| Queue depth |"), "{md}");
    // The metric table fits a terminal of 80 columns.
    assert_table_fits_80_columns(&text);
}

/// The metric table of a text snapshot (its header to its legend) fits 80 columns.
fn assert_table_fits_80_columns(text: &str) {
    let rows: Vec<&str> =
        text.lines().skip_while(|l| !l.starts_with("METRIC")).take_while(|l| !l.starts_with("T: trend")).collect();
    assert_eq!(rows.len(), MetricId::ALL.len() + 1, "{text}");
    for line in rows {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
    }
}

#[test]
fn fail_on_exits_with_the_highest_step_reached() {
    let calm = ["--demo", "--scenario", "baseline", "--after", "10m"];
    let incident = ["--demo", "--scenario", "incident", "--after", "30m"];
    let with = |base: &[&str], extra: &[&str]| snapshot(&[base, extra].concat()).0;
    assert_eq!(with(&calm, &["--fail-on", "warn"]), 0, "nothing to report");
    assert_eq!(with(&incident, &[]), 0, "levels need --fail-on");
    for level in ["warn", "crit", "emergency"] {
        assert_eq!(with(&incident, &["--fail-on", level]), 6, "an emergency reaches every step ({level})");
    }
    // Thresholds that a calm baseline reaches: a queue of any size warns, then is critical.
    let warn = config_file("[thresholds]\nqueue_depth = { warn = \">= 0\" }\n");
    let crit = config_file("[thresholds]\nqueue_depth = { warn = \">= 0\", crit = \">= 0\" }\n");
    let cfg = |f: &tempfile::NamedTempFile| f.path().display().to_string();
    let (w, c) = (cfg(&warn), cfg(&crit));
    let run = |config: &str, extra: &[&str]| {
        let state = tempfile::tempdir().unwrap();
        Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .args(["--config", config, "snapshot"])
            .args(calm)
            .args(extra)
            .env("COCKPIT_STATE_DIR", state.path())
            .env("COCKPIT_CONFIG_DIR", state.path().join("none"))
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&w, &["--fail-on", "warn"]), Some(4));
    assert_eq!(run(&w, &["--fail-on", "crit"]), Some(0));
    assert_eq!(run(&c, &["--fail-on", "warn"]), Some(5), "the highest step reached, not the one asked");
    assert_eq!(run(&c, &["--fail-on", "crit"]), Some(5));
    assert_eq!(run(&c, &["--fail-on", "emergency"]), Some(0));
    assert_eq!(run(&c, &["--fail-on", "nonsense"]), Some(2), "clap refuses an unknown level");
}

/// A live snapshot says when it was taken on the wall clock, with its zone, by which cockpit,
/// from which cluster and API server: not "at 00:00:00" (the app clock's start).
#[tokio::test]
async fn a_live_snapshot_is_dated_on_the_wall_clock_and_names_its_cluster() -> anyhow::Result<()> {
    use support::live::kube_objects::deployment;
    let kmock = support::Kmock::start()?;
    kmock.apply(deployment("production", "api-server", 3, 3)).await?;
    kmock.apply(deployment("production", "agent-worker", 5, 5)).await?;
    let redis = support::RedisServer::start()?;
    let home = tempfile::tempdir()?;
    let vars = [("KUBECONFIG", kmock.kubeconfig_path().display().to_string()), ("REDIS_URL", redis.url())];
    let before = jiff::Timestamp::now();
    let (code, text, err) = live(home.path(), &vars, &["-n", "production"]);
    // No metrics-server: Kubernetes answered without the pods' CPU and memory.
    assert_eq!(code, 3, "a configured source left a threshold blind:\n{text}{err}");
    assert!(text.contains("CPU utilization (workers): no data: metrics.k8s.io served no pod metrics"), "{text}");
    assert!(err.contains("blind: CPU utilization (workers)"), "{err}");
    assert_table_fits_80_columns(&text);
    let server = format!("API server {}", kmock.url());
    assert!(text.contains(&server), "{server}:\n{text}{err}");
    assert!(text.contains("kubernetes context kmock · namespace production"), "{text}");
    assert!(!text.contains("at 00:00:00"), "{text}");
    assert!(text.contains(&format!("cockpit {}", env!("CARGO_PKG_VERSION"))), "{text}");
    let taken = text.split("taken ").nth(1).and_then(|t| t.split_whitespace().next()).unwrap_or_default();
    let at: jiff::Timestamp = taken.parse().map_err(|e| anyhow::anyhow!("{taken:?} is not RFC 3339: {e}\n{text}"))?;
    assert!(taken.len() == 25 && taken[19..].starts_with(['+', '-']), "with the zone's offset: {taken}");
    assert!(at >= before.checked_sub(jiff::SignedDuration::from_secs(1))? && at <= jiff::Timestamp::now(), "{taken}");

    let (_, json, _) = live(home.path(), &vars, &["-n", "production", "--format", "json"]);
    let v: Value = serde_json::from_str(&json)?;
    assert!(v.get("at").is_none(), "no seconds since the start: {json}");
    assert!(v["taken_at"].as_str().unwrap_or_default().parse::<jiff::Timestamp>().is_ok(), "{json}");
    assert!(v["time_zone"].as_str().is_some_and(|z| !z.is_empty()), "{json}");
    assert_eq!(v["kubernetes"]["server"], kmock.url());
    assert_eq!(v["kubernetes"]["context"], "kmock");
    let (_, md, _) = live(home.path(), &vars, &["-n", "production", "--format", "markdown"]);
    let md_taken = md.split("taken ").nth(1).and_then(|t| t.split_whitespace().next()).unwrap_or_default();
    assert!(md.contains(&server) && md_taken.parse::<jiff::Timestamp>().is_ok(), "{md}");
    Ok(())
}

#[test]
fn the_same_seed_gives_the_same_snapshot_and_bad_durations_are_refused() {
    // The same, but for when it was taken on the wall clock.
    let run = || {
        let (code, out) =
            snapshot(&["--demo", "--scenario", "spike", "--after", "7m", "--seed", "9", "--format", "json"]);
        let mut v: Value = serde_json::from_str(&out).expect("JSON");
        assert!(v["taken_at"].as_str().is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()), "{out}");
        v["taken_at"] = Value::Null;
        (code, v)
    };
    assert_eq!(run(), run());
    let (code, _) = snapshot(&["--demo", "--after", "10x"]);
    assert_eq!(code, 2, "clap refuses a bad duration with status 2");
}
