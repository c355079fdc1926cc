//! `cockpit drill`: keystroke scripts (tests/drills/*.drill) replayed headless on simulated
//! time through the real App, keymap, guided actions and simulator: a perfect run of the
//! incident, one run per catalogued mistake (made, or refused by the cockpit), a run that gives
//! up; the score, the grade, the mistakes with their runbook passages, the debrief (an insta
//! snapshot of its markdown), byte-for-byte determinism, and the command line.

use cockpit::config::Config;
use cockpit::config::keymap::Keymap;
use cockpit::config::theme::Theme;
use cockpit::drill::session::{Debrief, Spec, run_script};
use cockpit::drill::{DrillScenario, Mistake, script};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn drills() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drills")
}

fn play(scenario: DrillScenario, seed: u64, file: &str) -> Debrief {
    let path = drills().join(file);
    let text = std::fs::read_to_string(&path).expect("script");
    let lines = script::parse(&text, file).expect("script parses");
    let spec = Spec { scenario, seed, difficulty: 1, config: Config::default() };
    let theme = Theme::load("dark", None).expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    run_script(spec, lines, None, theme, keymap).expect("the drill runs")
}

/// The debrief without what changes with each release (the version in the "Recorded" line).
fn plain(md: &str) -> String {
    md.replace(concat!("cockpit ", env!("CARGO_PKG_VERSION")), "cockpit VERSION")
}

fn mistakes(d: &Debrief) -> Vec<(Mistake, bool)> {
    d.score.mistakes.iter().map(|m| (m.mistake, m.by_cockpit)).collect()
}

/// The mistake is listed with its passage, in the drill section and on the timeline.
fn teaches(d: &Debrief, m: Mistake) {
    let md = d.markdown(false);
    let p = m.passage();
    assert!(md.contains(&format!("**{}**", m.title())), "{} not in the drill section:\n{md}", m.key());
    assert!(md.contains(&format!("Runbook, {}: `{}`", p.section, p.quote)), "passage of {} missing:\n{md}", m.key());
    assert!(
        md.lines().any(|l| l.contains("| mistake |") && l.contains(m.title()) && l.contains(p.quote)),
        "{} not on the timeline:\n{md}",
        m.key()
    );
}

#[test]
fn a_perfect_incident_run_scores_an_a_with_nothing_to_teach_but_the_next_read() {
    let d = play(DrillScenario::Incident, 7, "incident-perfect.drill");
    let s = &d.score;
    assert_eq!(s.scenario, "incident");
    assert!(s.mistakes.is_empty(), "{:?}", s.mistakes);
    assert_eq!((s.points, s.grade), (100, 'A'));
    assert_eq!(s.procedure.as_deref(), Some("emergency"));
    assert_eq!(s.detected, Some(150.0), "the look at the workers at 2m30s");
    let (crit, mitigated, recovered) =
        (s.first_critical.expect("critical"), s.mitigated.expect("turned"), s.recovered.expect("recovered"));
    assert!(crit < 150.0 && 171.0 < mitigated && mitigated < recovered && recovered < 600.0, "{s:?}");
    let md = d.markdown(false);
    assert!(md.contains("## Drill: incident (seed 7, difficulty 1)"), "the scenario is named in the debrief");
    assert!(md.contains("Mistakes: none."));
    insta::assert_snapshot!("incident_perfect_debrief", plain(&md));
}

#[test]
fn hpas_left_pinned_after_the_recovery_cost_ten() {
    let d = play(DrillScenario::Incident, 7, "hpa-left-pinned.drill");
    assert_eq!(mistakes(&d), vec![(Mistake::HpaLeftPinned, false)]);
    assert_eq!((d.score.points, d.score.grade), (90, 'A'));
    teaches(&d, Mistake::HpaLeftPinned);
    assert!(d.score.mistakes[0].detail.contains("api-server-hpa, worker-hpa"), "{:?}", d.score.mistakes);
}

#[test]
fn giving_up_before_the_recovery_is_a_mistake_and_an_f() {
    let d = play(DrillScenario::Incident, 7, "gave-up.drill");
    assert_eq!(d.score.ended, 180.0, "the quit key ends the drill");
    assert_eq!(mistakes(&d), vec![(Mistake::GaveUp, false)]);
    assert_eq!(d.score.procedure, None);
    assert_eq!(d.score.grade, 'F');
    teaches(&d, Mistake::GaveUp);
    assert!(
        d.score.read_next.iter().any(|r| r == "Emergency Scaling › Emergency Scale Procedure"),
        "{:?}",
        d.score.read_next
    );
}

#[test]
fn a_raw_kubectl_scale_under_an_unpinned_hpa_is_caught() {
    let d = play(DrillScenario::QueueFlood, 7, "manual-scale-under-hpa.drill");
    assert!(mistakes(&d).contains(&(Mistake::ManualScaleUnderHpa, false)), "{:?}", d.score.mistakes);
    teaches(&d, Mistake::ManualScaleUnderHpa);
    assert_eq!(d.commands.len(), 3);
    assert!(d.commands[0].2.contains("deployment.apps/agent-worker scaled"), "{:?}", d.commands);
    // The HPA (min 5) now owns the count: it computes its own at every sync.
    let hpa = &d.commands[1].2;
    assert!(
        hpa.starts_with("NAME  REFERENCE  MINPODS") && hpa.contains("worker-hpa  Deployment/agent-worker  5  100"),
        "{hpa}"
    );
    assert_eq!(d.commands[2].2, "error: --replicas must be a whole number");
    assert!(d.score.points < 75, "{}", d.score.points);
    // The debrief's checklist tells the truth about it: a scale by hand was made.
    let md = d.markdown(false);
    assert!(
        md.contains("- [x] **Scale to safe capacity**: done at 00:04:01: scaled: API 3 → 3, workers 8 → 30"),
        "{md}"
    );
}

#[test]
fn a_scale_down_under_load_refused_by_the_cockpit_costs_half_and_by_kubectl_the_whole() {
    let d = play(DrillScenario::ApiSaturation, 7, "scale-down-under-load.drill");
    let m = mistakes(&d);
    assert!(m.contains(&(Mistake::ScaleDownUnderLoad, true)), "{m:?}");
    assert!(m.contains(&(Mistake::ScaleDownUnderLoad, false)), "{m:?}");
    teaches(&d, Mistake::ScaleDownUnderLoad);
    let refused = d.score.mistakes.iter().find(|c| c.by_cockpit).expect("refused");
    assert!(refused.detail.contains("not a time to remove pods"), "{}", refused.detail);
    assert!(d.markdown(false).contains("(refused by the cockpit, half the cost)"));
}

#[test]
fn a_drain_with_the_queue_full_is_caught_refused_and_made() {
    let d = play(DrillScenario::QueueFlood, 7, "drain-with-queue.drill");
    let m = mistakes(&d);
    assert!(m.contains(&(Mistake::DrainWithQueue, true)), "{m:?}");
    assert!(m.contains(&(Mistake::DrainWithQueue, false)), "{m:?}");
    teaches(&d, Mistake::DrainWithQueue);
}

#[test]
fn an_emergency_scale_by_hand_without_a_notification_is_caught() {
    let d = play(DrillScenario::Incident, 7, "emergency-without-notification.drill");
    let m = mistakes(&d);
    assert!(m.contains(&(Mistake::EmergencyWithoutNotification, false)), "{m:?}");
    // The HPA was patched first (its minimum 100): the scale is not an unpinned one.
    assert!(!m.iter().any(|(k, _)| *k == Mistake::ManualScaleUnderHpa), "{m:?}");
    teaches(&d, Mistake::EmergencyWithoutNotification);
}

#[test]
fn the_runbooks_emergency_as_written_needs_more_connections_than_the_database_has() {
    let d = play(DrillScenario::Incident, 7, "exceeds-connections.drill");
    let m = mistakes(&d);
    assert!(m.contains(&(Mistake::ExceedsConnections, false)), "{m:?}");
    assert_eq!(d.score.procedure.as_deref(), Some("emergency"), "the right procedure, the wrong size");
    teaches(&d, Mistake::ExceedsConnections);
    assert!(d.score.mistakes.iter().any(|c| c.detail.contains("max_connections is 500")), "{:?}", d.score.mistakes);
}

#[test]
fn every_catalogued_mistake_has_a_script_that_makes_it() {
    let runs = [
        (DrillScenario::Incident, "hpa-left-pinned.drill"),
        (DrillScenario::Incident, "gave-up.drill"),
        (DrillScenario::QueueFlood, "manual-scale-under-hpa.drill"),
        (DrillScenario::ApiSaturation, "scale-down-under-load.drill"),
        (DrillScenario::QueueFlood, "drain-with-queue.drill"),
        (DrillScenario::Incident, "emergency-without-notification.drill"),
        (DrillScenario::Incident, "exceeds-connections.drill"),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (sc, f) in runs {
        seen.extend(play(sc, 7, f).score.mistakes.iter().map(|m| m.mistake));
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), Mistake::ALL.to_vec());
}

#[test]
fn the_same_seed_and_script_give_the_same_score_and_debrief_byte_for_byte() {
    let a = play(DrillScenario::Incident, 7, "exceeds-connections.drill");
    let b = play(DrillScenario::Incident, 7, "exceeds-connections.drill");
    assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
    assert_eq!(a.markdown(true), b.markdown(true));
    // Another seed is another night.
    let c = play(DrillScenario::Incident, 8, "exceeds-connections.drill");
    assert_ne!(a.markdown(false), c.markdown(false));
}

fn cockpit(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COCKPIT_STATE_DIR", home.join("state"))
        .env("COCKPIT_CONFIG_DIR", home.join("config"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args)
        .output()
        .expect("the cockpit binary runs")
}

#[test]
fn the_command_line_replays_a_script_saves_the_drill_and_reports_it_again() {
    let home = tempfile::tempdir().expect("tempdir");
    let script = drills().join("gave-up.drill");
    let out_md = home.path().join("debrief.md");
    let o = cockpit(
        home.path(),
        &[
            "drill",
            "--scenario",
            "incident",
            "--seed",
            "7",
            "--script",
            &script.display().to_string(),
            "--out",
            &out_md.display().to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(printed.contains("## Drill: incident (seed 7, difficulty 1)"), "{printed}");
    assert!(printed.contains("**gave up before recovery**"), "{printed}");
    assert!(!printed.contains("## Charts"), "the terminal's debrief has no SVG");
    let written = std::fs::read_to_string(&out_md).expect("--out");
    assert!(written.contains("## Charts") && written.contains("data:image/svg+xml"), "--out has the charts");
    assert!(home.path().join("state/drills/last.json").is_file(), "saved for --report");
    let again = cockpit(home.path(), &["drill", "--report"]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(String::from_utf8_lossy(&again.stdout), printed, "the saved drill reports the same debrief");
}

#[test]
fn bad_input_is_named_with_its_place_and_exits_2() {
    let home = tempfile::tempdir().expect("tempdir");
    let bad = home.path().join("bad.drill");
    std::fs::write(&bad, "1m 3\n2m Bogus\n").expect("write");
    let o = cockpit(home.path(), &["drill", "--script", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.drill:2:4: unknown key \"Bogus\""), "{err}");
    let o = cockpit(home.path(), &["drill", "--scenario", "nodes-full", "--script", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("drill scenario \"nodes-full\" is not there yet"));
    let o = cockpit(home.path(), &["drill", "--report", &home.path().join("none.json").display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_peer_that_dies_mid_action_stops_it_in_a_known_state_and_a_second_run_scales() {
    let d = play(DrillScenario::PeerDies, 7, "peer-dies.drill");
    let md = d.markdown(false);
    assert!(
        md.contains("scale-workers failed: Raise HPA worker-hpa minReplicas 5 → 60: gave up after"),
        "the first run stops at its first write:\n{md}"
    );
    assert!(md.contains("the Kubernetes API server is not answering"), "{md}");
    assert!(md.contains("scale-workers: Scale agent-worker to 60: done"), "the second run scales:\n{md}");
    assert!(d.score.mistakes.is_empty(), "{:?}", d.score.mistakes);
    assert_eq!(d.score.procedure.as_deref(), Some("scale-workers"));
    assert_eq!(d.score.grade, 'A');
}

/// The level changes of one metric on the debrief's timeline.
fn level_changes(d: &Debrief, label: &str) -> usize {
    d.markdown(false).lines().filter(|l| l.contains("| level |") && l.contains(label)).count()
}

#[test]
fn difficulty_two_adds_noise_and_a_red_herring_on_a_pane_unrelated_to_the_cause() {
    let play_at = |difficulty| {
        let text = std::fs::read_to_string(drills().join("look-only.drill")).expect("script");
        let lines = script::parse(&text, "look-only.drill").expect("parses");
        let spec = Spec { scenario: DrillScenario::QueueFlood, seed: 7, difficulty, config: Config::default() };
        let theme = Theme::load("dark", None).expect("theme");
        run_script(spec, lines, None, theme, Keymap::load("default", None).expect("keymap")).expect("runs")
    };
    let (calm, noisy) = (play_at(1), play_at(2));
    // The queue flood is on the workers; the API is calm at level 1 and warns at level 2.
    assert_eq!(level_changes(&calm, "API latency p99"), 0, "{}", calm.markdown(false));
    assert!(level_changes(&noisy, "API latency p99") > 0, "{}", noisy.markdown(false));
    assert!(noisy.score.mistakes.iter().all(|m| m.mistake == Mistake::GaveUp));
}

#[test]
fn every_passage_is_quoted_from_the_runbook_word_for_word() {
    // A copy of runbook/scaling-operations.md as the drills were written against it.
    let runbook = std::fs::read_to_string(drills().join("scaling-operations.md")).expect("runbook");
    for m in Mistake::ALL {
        let p = m.passage();
        assert!(runbook.contains(p.quote), "{}: {:?} is not in the runbook", m.key(), p.quote);
        for part in p.section.split(" › ") {
            assert!(runbook.contains(&format!("# {part}\n")), "{}: no section {part:?}", m.key());
        }
    }
}

#[test]
fn the_facilitators_injections_happen_to_the_platform_and_only_the_debrief_names_them() {
    let d = play(DrillScenario::QueueFlood, 7, "facilitator-injects.drill");
    assert_eq!(
        d.injections,
        vec![
            (60.0, "killed the queue's Redis for 2m00s".to_string()),
            (90.0, "20000 extra agent tasks over 5m00s".to_string()),
        ],
        "a mistyped injection does nothing"
    );
    assert!(d.commands.is_empty(), "injections are the facilitator's, not the trainee's commands: {:?}", d.commands);
    // The effects, as a cockpit sees them: Redis stale from minute 1 until minute 3.
    let r = d.report();
    let redis: Vec<(f64, &str)> = r
        .timeline
        .iter()
        .filter(|i| i.text.to_lowercase().contains("redis") && i.kind == cockpit::record::report::Kind::Source)
        .map(|i| (i.t, i.text.as_str()))
        .collect();
    assert!(
        redis.first().is_some_and(|(t, x)| (60.0..=62.0).contains(t) && x.contains("Connection refused")),
        "{redis:?}"
    );
    assert!(redis.iter().any(|(t, _)| (180.0..=183.0).contains(t)), "back after two minutes: {redis:?}");
    // Nothing on the recording (what a team watching the stream sees) announces them.
    let recorded = serde_json::to_string(&d.entries).expect("json");
    assert!(!recorded.contains("inject") && !recorded.contains("facilitator"), "announced to the team");
    let md = d.markdown(false);
    assert!(md.contains("Injected by the facilitator:\n\n- T+01:00 killed the queue's Redis for 2m00s"), "{md}");
    assert!(md.lines().any(|l| l.contains("| injected |") && l.contains("facilitator")), "on the timeline:\n{md}");
}

/// The workers' desired counts the recording saw, in order.
fn worker_counts(d: &Debrief) -> Vec<(f64, u32)> {
    d.entries
        .iter()
        .filter_map(|e| match e {
            cockpit::record::entry::Entry::Replicas { t, workers, .. } => workers.desired.map(|n| (*t, n)),
            _ => None,
        })
        .collect()
}

#[test]
fn in_hpa_undo_the_hpa_takes_a_raw_scale_back_and_a_pinned_one_holds() {
    // kubectl scale to 30 at minute 4: worker-hpa, reading busy but idle-looking workers, takes
    // it back at its next sync, as the runbook's HPA section warns.
    let raw = worker_counts(&play(DrillScenario::HpaUndo, 7, "manual-scale-under-hpa.drill"));
    let at = raw.iter().position(|(_, n)| *n == 30).expect("the scale to 30 is recorded");
    let (t30, _) = raw[at];
    let (t_back, back) = raw[at + 1];
    assert!(back < 30 && t_back - t30 <= 60.0, "taken back within a minute: {raw:?}");
    // scale-workers pins the HPA's minimum: the count holds to the end.
    let pinned = worker_counts(&play(DrillScenario::HpaUndo, 7, "hpa-undo-pinned.drill"));
    let top = pinned.iter().map(|(_, n)| *n).max().expect("counts");
    assert!(top > 30, "{pinned:?}");
    let after = pinned.iter().skip_while(|(_, n)| *n < top).map(|(_, n)| *n);
    assert!(after.clone().all(|n| n == top), "never taken back: {pinned:?}");
}

#[test]
fn a_hot_redis_shard_is_cooled_by_draining_the_queue_not_by_more_shards() {
    let right = play(DrillScenario::RedisHotShard, 7, "hot-shard-workers.drill");
    assert_eq!(
        (right.score.procedure.as_deref(), right.score.grade),
        (Some("scale-workers"), 'A'),
        "{:?}",
        right.score
    );
    assert!(right.score.mistakes.is_empty(), "{:?}", right.score.mistakes);
    assert!(right.score.detected_by.contains("Cache"), "{}", right.score.detected_by);
    // scale-redis moves slots; the queue's one key stays on its shard, so only the flood's end
    // (and the HPA, slowly) turns the trend.
    let wrong = play(DrillScenario::RedisHotShard, 7, "hot-shard-reshard.drill");
    assert!(wrong.entries.iter().any(
        |e| matches!(e, cockpit::record::entry::Entry::Event { text, .. } if text.contains("scale-redis completed"))
    ));
    assert_eq!(wrong.score.procedure, None, "scale-redis is not a procedure that answers it");
    assert!(wrong.score.points < right.score.points, "{} vs {}", wrong.score.points, right.score.points);
    let (r, w) = (right.score.mitigated.expect("turned"), wrong.score.mitigated.expect("turned at last"));
    assert!(w - r > 5.0 * 60.0, "the reshard turns nothing: right {r}, wrong {w}");
    let md = wrong.markdown(false);
    assert!(md.contains("## Drill: redis-hot-shard") && md.contains("one key in one hash slot"), "{md}");
}
