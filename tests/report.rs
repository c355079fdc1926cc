//! `cockpit report` on the simulator: the incident scenario recorded in-process while the
//! emergency action runs on the SimPlatform (and later reenable-hpa), then the report built
//! from the recording; and the binary reading a recording the library wrote.

mod actions_common;

use actions_common::{plan, settings};
use cockpit::actions::runner::{RunOpts, Runner};
use cockpit::actions::{ActionSettings, RunEvent};
use cockpit::model::timeline::Category;
use cockpit::model::{Board, Level, SourceId};
use cockpit::platform::Platform;
use cockpit::record::report::{self, Kind, Mark, Report};
use cockpit::record::{FileStore, Recorder, Retention};
use cockpit::sim::{Clock, Scenario, SimPlatform, SimSettings, Simulator};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// 2027-01-15T08:00:00Z: the wall-clock time of the simulation's start.
const EPOCH: f64 = 1_800_000_000.0;

struct Rig {
    p: Arc<SimPlatform>,
    board: Board,
    rec: Recorder,
    s: ActionSettings,
    _journal: tempfile::TempDir,
}

impl Rig {
    /// A platform whose limits leave room for the incident's surge (100 API pods, 500 workers,
    /// 5,000 database connections): scaled to them, it recovers.
    fn new(root: &Path, epoch: f64) -> Rig {
        let mut config = cockpit::config::Config::default();
        config.limits.api_pods.max = 100;
        config.limits.worker_pods.max = 500;
        let sim_settings = SimSettings { limits: config.limits, max_connections: 5000, ..SimSettings::default() };
        let sim = Simulator::new(Scenario::Incident, 7, sim_settings);
        let p = Arc::new(SimPlatform::new(Arc::new(Mutex::new(sim)), Clock::Stepped));
        let board = Board::new(config.board_settings(), &SourceId::ALL);
        let store = FileStore::open(root, "demo", Retention::default()).expect("store");
        let rec =
            Recorder::new(Box::new(store), Recorder::start_for(&board, "demo incident (seed 7)", "demo", epoch, 2.0));
        let journal = tempfile::tempdir().expect("tmp");
        let mut s = settings(journal.path());
        s.limits = config.limits;
        Rig { p, board, rec, s, _journal: journal }
    }

    /// Refresh the board from the simulator and record it, as the demo's host does.
    fn refresh(&mut self) {
        actions_common::observe(&self.p, &mut self.board);
        self.rec.observe(&self.board);
    }

    /// Simulated time passing, watched at the default refresh (2 s); stops early when `until`.
    fn watch(&mut self, secs: f64, until: impl Fn(&Board) -> bool) {
        let end = self.p.now() + secs;
        while self.p.now() < end && !until(&self.board) {
            self.p.simulator().lock().unwrap_or_else(|e| e.into_inner()).advance(2.0);
            self.refresh();
        }
    }

    /// Plan and run a guided action while recording: its start, each finished step and its end
    /// go on the timeline as the cockpit's action screen puts them there.
    async fn act(&mut self, name: &str, set: &[(&str, &str)]) {
        let platform: Arc<dyn Platform> = self.p.clone();
        let plan = plan(name, platform.clone(), &self.board, &self.s, set).await;
        let titles: Vec<String> = plan.steps.iter().map(|s| s.title.clone()).collect();
        self.rec.event(
            self.board.now,
            Category::Action,
            Level::Ok,
            cockpit::commands::host::action_started(name, false),
        );
        let (runner, mut handle) = Runner::new(platform, plan, RunOpts::from_settings(&self.s));
        let task = tokio::spawn(runner.run());
        while let Some(ev) = handle.events.recv().await {
            actions_common::observe(&self.p, &mut self.board);
            let at = self.board.now;
            match ev {
                RunEvent::Step { index, state } if state.finished() => {
                    let text = format!("{name}: {}: {}", titles[index], state.describe());
                    self.board.push_timeline(at, Category::Action, state.level(), text);
                }
                RunEvent::Note { level, text } => {
                    self.board.push_timeline(at, Category::Action, level, format!("{name}: {text}"))
                }
                RunEvent::Finished(summary) => {
                    self.board.push_timeline(at, Category::Action, summary.level(), summary.headline())
                }
                _ => {}
            }
            self.rec.observe(&self.board);
        }
        let summary = task.await.expect("run");
        assert!(summary.outcome.ok(), "{name}: {:?}", summary.outcome);
    }
}

fn report_of(root: &Path, from: f64, to: f64) -> Report {
    let (entries, skipped) = cockpit::record::store::read(root, "demo", from, to).expect("read");
    report::analyze::build(&entries, "demo", from, to, skipped)
}

/// The incident recorded until the emergency holds, the emergency action, half an hour more.
async fn incident(root: &Path, epoch: f64) -> Rig {
    let mut rig = Rig::new(root, epoch);
    rig.watch(3600.0, |b| !b.emergency_reasons().is_empty());
    assert!(!rig.board.emergency_reasons().is_empty(), "the incident reaches an emergency");
    rig.watch(120.0, |_| false); // two minutes to notice and decide
    rig.act("emergency", &[]).await;
    rig.watch(1800.0, |_| false);
    rig.rec.flush();
    rig
}

fn mark(r: &Report, item: &str) -> (Mark, String) {
    let c = r.checklist.iter().find(|c| c.item.starts_with(item)).unwrap_or_else(|| panic!("{item} in the checklist"));
    (c.mark, c.evidence.clone())
}

#[tokio::test]
async fn the_report_of_a_recorded_incident_has_the_timeline_the_times_the_checklist_and_the_charts() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut rig = incident(dir.path(), EPOCH).await;
    let end = EPOCH + rig.board.now;
    let r = report_of(dir.path(), EPOCH, end + 1.0);

    // The timeline: the emergency starting, the action from its start to its end with who.
    let emergency = r.timeline.iter().find(|i| i.kind == Kind::Emergency && i.level == Level::Crit).expect("emergency");
    assert!(emergency.text.starts_with("emergency: "), "{}", emergency.text);
    let actions: Vec<_> = r.timeline.iter().filter(|i| i.kind == Kind::Action).collect();
    assert!(actions[0].text == "emergency: started", "{:?}", actions[0]);
    assert!(actions.iter().any(|i| i.text.contains("Declare the emergency: done")), "{actions:#?}");
    assert!(actions.iter().any(|i| i.text.starts_with("emergency completed")), "{actions:#?}");
    assert!(actions.iter().all(|i| i.who.as_deref().is_some_and(|w| !w.is_empty())), "who ran it");
    assert!(r.timeline.iter().any(|i| i.kind == Kind::Replicas && i.text.contains(" → ")), "replicas before → after");
    assert!(r.timeline.iter().any(|i| i.kind == Kind::Level), "threshold crossings");

    // Detect → act → recover, in order and plausible: the action came two minutes or so after
    // the emergency, well after the first critical; recovery after the action.
    let t = r.times;
    let (d, a, rec) = (t.detect.expect("detected"), t.act.expect("acted"), t.recover.expect("recovered"));
    assert!(d >= EPOCH && d < a && a < rec && rec < end, "{t:?}");
    assert!((a - emergency.t - 120.0).abs() < 10.0, "acted two minutes after the emergency: {t:?} {}", emergency.t);
    assert!(r.peaks.iter().any(|p| p.metric == "queue_depth" && p.level == Level::Crit));

    // The checklist: notified, pinned and scaled done, with evidence; re-enabled open.
    for item in ["Notify", "Disable auto-scaling", "Scale to safe capacity", "Monitor for stabilization"] {
        let (m, ev) = mark(&r, item);
        assert_eq!(m, Mark::Done, "{item}: {ev}");
    }
    assert!(mark(&r, "Notify").1.contains("Declare the emergency"));
    assert!(mark(&r, "Disable auto-scaling").1.contains("pinned"));
    let (m, ev) = mark(&r, "Re-enable auto-scaling");
    assert_eq!(m, Mark::Open, "{ev}");
    assert_eq!(mark(&r, "Identify root cause").0, Mark::Manual);

    // reenable-hpa: then the HPAs are restored, and the checklist says so.
    rig.act("reenable-hpa", &[]).await;
    rig.watch(300.0, |_| false);
    rig.rec.flush();
    let r2 = report_of(dir.path(), EPOCH, EPOCH + rig.board.now + 1.0);
    let (m, ev) = mark(&r2, "Re-enable auto-scaling");
    assert_eq!(m, Mark::Done, "{ev}");
    assert!(ev.contains("HPAs restored"), "{ev}");

    // A chart per key metric, each an SVG that parses, with its thresholds drawn.
    assert_eq!(r.charts.len(), 5);
    let utc = jiff::tz::TimeZone::UTC;
    for s in &r.charts {
        let svg = report::chart::svg(s, r.from, r.to, &|t| report::clock(t, &utc));
        well_formed(&svg);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "warn and crit lines: {}", s.metric);
        assert!(svg.len() < 16 * 1024, "small: {} bytes", svg.len());
    }
    let html = report::html::render(&r, &utc);
    assert_eq!(html.matches("<svg").count(), 5);

    // The markdown, times in UTC, who and the data: URIs normalised.
    insta::assert_snapshot!("incident_markdown", normalise(&report::markdown::render(&r, &utc)));
}

#[tokio::test]
async fn an_hpa_scaling_on_its_own_is_not_the_checklist_s_scaling() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut rig = Rig::new(dir.path(), EPOCH);
    rig.watch(1500.0, |_| false);
    rig.rec.flush();
    let r = report_of(dir.path(), EPOCH, EPOCH + rig.board.now + 1.0);
    assert!(r.timeline.iter().any(|i| i.kind == Kind::Replicas), "the HPAs scaled");
    for item in ["Notify", "Disable auto-scaling", "Scale to safe capacity", "Gradually return", "Re-enable"] {
        let (m, ev) = mark(&r, item);
        assert_eq!(m, Mark::Open, "{item}: {ev}");
    }
    assert!(mark(&r, "Scale to safe capacity").1.contains("by hand"));
    assert!(r.times.detect.is_some() && r.times.act.is_none());
    assert!(report::text::render(&r, &jiff::tz::TimeZone::UTC).contains("acted      not reached"));
}

/// Well-formed XML: it tokenises, and every element that opens closes in order.
fn well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    for tok in xmlparser::Tokenizer::from(svg) {
        match tok.unwrap_or_else(|e| panic!("SVG does not parse: {e}\n{svg}")) {
            xmlparser::Token::ElementStart { local, .. } => stack.push(local.as_str().to_string()),
            xmlparser::Token::ElementEnd { end: xmlparser::ElementEnd::Empty, .. } => {
                stack.pop();
            }
            xmlparser::Token::ElementEnd { end: xmlparser::ElementEnd::Close(_, name), .. } => {
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "{svg}");
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
}

fn normalise(md: &str) -> String {
    let who = cockpit::actions::journal::local_user();
    let mut out = md.replace(&who, "USER@HOST").replace(env!("CARGO_PKG_VERSION"), "VERSION");
    let mut rest = out.as_str();
    let mut norm = String::new();
    while let Some(i) = rest.find("(data:image/svg+xml") {
        norm.push_str(&rest[..i]);
        norm.push_str("(SVG)");
        rest = rest[i..].find(')').map(|e| &rest[i + e + 1..]).unwrap_or("");
    }
    norm.push_str(rest);
    out = norm;
    out
}

fn cockpit(state: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .arg("report")
        .args(args)
        .env("COCKPIT_STATE_DIR", state)
        .env("COCKPIT_CONFIG_DIR", state.join("no-config"))
        .env("TZ", "UTC")
        .output()
        .expect("run cockpit");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

#[tokio::test]
async fn the_binary_reports_a_recording_the_library_wrote_and_names_what_exists_for_an_empty_window() {
    let state = tempfile::tempdir().expect("tmp");
    let root = state.path().join("recordings");
    // An incident whose recording ends a few minutes ago (so --since 2h holds all of it).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs_f64();
    incident(&root, now - 4200.0).await;

    let (code, out, err) = cockpit(state.path(), &["--since", "2h", "--context", "demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# Incident report: demo"), "{out}");
    for part in ["## Detect, act, recover", "## Emergency Scaling Checklist", "- [x] **Notify on-call", "## Charts"] {
        assert!(out.contains(part), "{part} in\n{out}");
    }
    assert_eq!(out.matches("![").count(), 5, "five charts");
    // Without --context: the one recorded.
    let (code, json, err) = cockpit(state.path(), &["--since", "2h", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["context"], "demo");
    assert!(v["times"]["act"].as_f64().is_some(), "{}", v["times"]);

    // A window with nothing recorded: what exists is named, exit 1.
    let (code, out, err) = cockpit(state.path(), &["--from", "2020-01-01T00:00:00Z", "--to", "2020-01-01T01:00:00Z"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("no recording between 2020-01-01 00:00:00 UTC and 2020-01-01 01:00:00 UTC"), "{err}");
    assert!(err.contains("Recordings that exist:\n  demo: "), "{err}");
    let (code, _, err) = cockpit(state.path(), &["--since", "1h", "--context", "prod"]);
    assert_eq!(code, 1);
    assert!(err.contains("no recording of context \"prod\"") && err.contains("  demo: "), "{err}");
    // Nothing recorded at all.
    let empty = tempfile::tempdir().expect("tmp");
    let (code, _, err) = cockpit(empty.path(), &["--since", "1h"]);
    assert_eq!(code, 1);
    assert!(err.contains("There is no recording at all"), "{err}");
    // A time that does not parse is a usage error.
    let (code, _, err) = cockpit(state.path(), &["--from", "yesterday-ish"]);
    assert_eq!(code, 2, "{err}");
}

/// `--load-test`: the runbook's post-test analysis of the recorded incident, through the binary.
#[tokio::test]
async fn the_load_test_report_has_percentiles_the_bottleneck_and_a_recommendation() {
    let state = tempfile::tempdir().expect("tmp");
    let root = state.path().join("recordings");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs_f64();
    incident(&root, now - 4200.0).await;
    let (code, md, err) = cockpit(state.path(), &["--since", "2h", "--load-test"]);
    assert_eq!(code, 0, "{err}");
    for part in [
        "# Load test: demo",
        "## Response time",
        "## Errors and throughput",
        "## Resource utilisation",
        "## Bottleneck",
        "was the first resource to cross its warning threshold",
        "## Scaling recommendation",
        "recommended",
    ] {
        assert!(md.contains(part), "{part} in\n{md}");
    }
    let (code, json, err) = cockpit(state.path(), &["--since", "2h", "--load-test", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let l = &v["latency"];
    let p = |k: &str| l[k].as_f64().unwrap_or_else(|| panic!("{k} in {l}"));
    assert!(p("p50") <= p("p90") && p("p90") <= p("p99") && p("p99") <= p("max"), "{l}");
    assert!(v["samples"].as_u64().unwrap_or(0) > 100, "{}", v["samples"]);
    // The bottleneck is the earliest crossing: no resource that reached a warning did so before.
    let b_t = v["bottleneck"]["t"].as_f64().expect("a bottleneck in an incident");
    for r in v["resources"].as_array().expect("resources") {
        if matches!(r["level"].as_str(), Some("warn" | "crit")) {
            assert!(r["stat"]["peak_t"].as_f64().expect("peak") >= b_t, "{r} peaked before the bottleneck {b_t}");
        }
    }
    let w = &v["recommendation"]["workers"];
    let rec = w["recommended"].as_u64().expect("workers recommended");
    assert!((5..=500).contains(&rec), "held to the test's limits: {w}");
    assert!(w["needed"].as_u64().expect("needed") >= rec, "{w}");
    // html is the incident report's format only.
    let (code, _, err) = cockpit(state.path(), &["--since", "2h", "--load-test", "--format", "html"]);
    assert_eq!(code, 2, "{err}");
}
