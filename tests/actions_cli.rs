//! `cockpit plan` and `cockpit run` through the real binary, on the simulator (`--demo`), with
//! the state dir (the journal) in a temp dir.

use cockpit::actions::journal::{self, Journal, Record, Who};
use std::path::Path;
use std::process::{Command, Output};

fn cockpit(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .env("COCKPIT_STATE_DIR", state)
        .env("COCKPIT_CONFIG_DIR", state.join("config"))
        .env_remove("KUBECONFIG")
        .output()
        .expect("run cockpit")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn journal_files(state: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(state.join("journal-demo")) {
        Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn plan_prints_the_plan_and_its_findings_and_changes_nothing() {
    let state = tempfile::tempdir().expect("tmp");
    let o = cockpit(state.path(), &["plan", "scale-workers", "--demo", "--scenario", "incident", "--after", "4m"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for want in
        ["Preflight:", "Steps:", "the runbook's shell recipe would say", "max_connections", "Nothing was changed"]
    {
        assert!(out.contains(want), "{want:?} missing in:\n{out}");
    }
    assert!(journal_files(state.path()).is_empty(), "a plan writes no journal");
}

#[test]
fn run_emergency_on_the_demo_prints_progress_and_journals_every_effect() {
    let state = tempfile::tempdir().expect("tmp");
    let args = [
        "run",
        "emergency",
        "--demo",
        "--scenario",
        "incident",
        "--after",
        "4m",
        "--yes",
        "--confirm-word",
        "EMERGENCY",
        "--set",
        "monitor=1",
    ];
    let o = cockpit(state.path(), &args);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("[ 5/8] ✓ Scale agent-worker to 100"), "{out}");
    assert!(out.contains("applied:") && out.contains("deployment/api-server replicas"), "{out}");
    let files = journal_files(state.path());
    assert_eq!(files.len(), 1);
    let lines = journal::read(&files[0]).expect("journal");
    let befores = lines.iter().filter(|l| matches!(l.record, Record::Before { .. })).count();
    let afters = lines.iter().filter(|l| matches!(l.record, Record::After { .. })).count();
    assert_eq!((befores, afters), (5, 5), "notify, two pins, two scales: before and after each");
    assert!(lines.iter().all(|l| !l.ts.is_empty() && l.identity.contains("simulator")));
    assert!(matches!(lines.last().map(|l| &l.record), Some(Record::End { outcome }) if outcome.ok()));
}

#[test]
fn run_needs_yes_and_the_confirmation_word() {
    let state = tempfile::tempdir().expect("tmp");
    let o = cockpit(state.path(), &["run", "scale-api", "--demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--yes"));
    let o = cockpit(state.path(), &["run", "emergency", "--demo", "--yes", "--confirm-word", "emergency"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--confirm-word EMERGENCY"), "{}", text(&o).1);
    assert!(journal_files(state.path()).is_empty());
    let o = cockpit(state.path(), &["plan", "scale-everything", "--demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("unknown action"));
}

#[test]
fn read_only_refuses_run_before_anything_is_sent() {
    let state = tempfile::tempdir().expect("tmp");
    let o = cockpit(state.path(), &["--read-only", "run", "scale-api", "--demo", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("read-only"), "{}", text(&o).1);
    assert!(journal_files(state.path()).is_empty());
    let o = cockpit(state.path(), &["--read-only", "plan", "scale-api", "--demo"]);
    assert_eq!(o.status.code(), Some(0), "a plan is only reads");
    assert!(text(&o).0.contains("would be refused"));
}

#[test]
fn a_dry_run_validates_every_write_and_changes_nothing() {
    let state = tempfile::tempdir().expect("tmp");
    let o = cockpit(state.path(), &["run", "scale-api", "--demo", "--yes", "--dry-run", "--replicas", "10"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("dry run: the server accepted it"), "{out}");
    assert!(out.contains("dry run: the server validated each write; nothing was changed"), "{out}");
}

#[test]
fn undo_plans_the_reverse_of_the_latest_run() {
    let state = tempfile::tempdir().expect("tmp");
    let o = cockpit(state.path(), &["run", "scale-api", "--demo", "--yes", "--replicas", "9"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let o = cockpit(state.path(), &["plan", "scale-api", "--demo", "--undo"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let first = out.find("Undo: scale deployment api-server to 3").expect("the scale is undone");
    let second = out.find("Undo: restore HPA api-server-hpa exactly as saved").expect("then the pin");
    assert!(first < second, "newest change first:\n{out}");
}

#[test]
fn an_unfinished_action_must_be_resumed_or_abandoned_first() {
    let state = tempfile::tempdir().expect("tmp");
    let dir = state.path().join("journal-demo");
    let plan = cockpit::actions::Plan::new("scale-api", "Scale api-server up 3 → 8");
    let mut j = Journal::create(&dir, "scale-api", Who::local("test".into())).expect("journal");
    let start = Record::Start {
        action: "scale-api".into(),
        platform: "simulator".into(),
        holder: "h".into(),
        dry_run: false,
        plan,
    };
    j.append(0.0, start).expect("append");
    let id = j.id().to_string();
    let o = cockpit(state.path(), &["run", "scale-api", "--demo", "--yes", "--replicas", "8"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("--resume"), "{}", text(&o).1);
    // Without --yes the refusal names the unfinished action, when it started (on the wall
    // clock) and what --abandon would do with it; nothing is written.
    for extra in [&[][..], &["--abandon"][..]] {
        let o = cockpit(state.path(), &[&["run", "scale-api", "--demo", "--replicas", "8"][..], extra].concat());
        let err = text(&o).1;
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("scale-api {id}, started 20")) && err.contains("add --yes"), "{err}");
        assert!(!err.contains("00:00:00"), "{err}");
        assert_eq!(journal::unfinished(&dir).len(), 1);
    }
    let o = cockpit(state.path(), &["run", "scale-api", "--demo", "--replicas", "8", "--abandon"]);
    assert!(text(&o).1.contains("it has no clean-up steps"), "{}", text(&o).1);
    let o = cockpit(state.path(), &["run", "scale-api", "--demo", "--yes", "--replicas", "8", "--abandon"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains(&format!("abandoning scale-api {id}")), "{out}");
    assert!(out.contains("scale-api: stopped early: abandoned by"), "{out}");
    assert!(journal::unfinished(&dir).is_empty());
}
