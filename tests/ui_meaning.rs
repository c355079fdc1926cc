//! Levels that mean something on screen, and blind spots named: each test reads the drawn
//! screen as the engineer on call would, on boards filled as a live cockpit fills them.

mod cutoff;

use cockpit::config::keymap::{Command, PaneId};
use cockpit::model::*;
use cockpit::sim::Scenario;
use cutoff::*;

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?}:\n{screen}"))
}

#[test]
fn hpa_conditions_read_as_kubectl_shows_them() {
    let mut a = app_of(blind_board());
    let s = zoomed(&mut a, PaneId::Workers, 100, 30);
    // ScalingLimited=True with TooManyReplicas: the HPA wants more than its maximum.
    assert!(s.contains("▲ ScalingLimited=True: TooManyReplicas"), "{s}");
    assert!(s.contains("✓ AbleToScale=True") && s.contains("✓ ScalingActive=True"), "{s}");
    // At its minimum, ScalingLimited=True is the normal state of a quiet platform; a condition
    // that is False says so, with its reason.
    let mut a = app_of(bare_board());
    let s = zoomed(&mut a, PaneId::Workers, 100, 30);
    assert!(s.contains("✓ ScalingLimited=True: TooFewReplicas"), "{s}");
    assert!(s.contains("▲ ScalingActive=False: FailedGetExternalMetric"), "{s}");
    // In the simulator's stress run the HPA is not limited: kubectl says False.
    let mut a = demo_app(Scenario::Stress, 1500.0);
    let s = zoomed(&mut a, PaneId::Workers, 100, 30);
    assert!(s.contains("✓ ScalingLimited=False"), "{s}");
    assert!(!s.contains("✓ ScalingLimited "), "never the bare name for False:\n{s}");
}

#[test]
fn the_events_pane_has_no_level_and_counts_the_alarms_of_the_last_ten_minutes() {
    let a = demo_app(Scenario::Stress, 1500.0);
    let s = text_of(&a, 200, 60);
    let title = line_with(&s, "Events");
    let crit = a.board.timeline.iter().filter(|e| e.at >= a.board.now - 600.0 && e.level == Level::Crit).count();
    assert!(crit > 0, "the stress run flaps the API CPU in its last ten minutes");
    assert!(title.contains(&format!("raised in 10m: ✖ {crit} CRIT")), "{title}");
    for word in ["✓ OK", "✖ CRIT [", "▲ WARN ["] {
        assert!(!title.contains(word), "the Events pane has no level of its own: {title}");
    }
    // The header counts every pane that has a level: here the API pane's critical CPU.
    assert!(s.lines().next().unwrap().trim_end().ends_with("✖ CRIT"), "{s}");
}

#[test]
fn an_idle_cache_reads_no_traffic_and_maxmemory_0_reads_no_limit() {
    let mut a = app_of(bare_board());
    let s = zoomed(&mut a, PaneId::Cache, 100, 30);
    let mem = line_with(&s, "Memory");
    assert!(mem.contains("✓ OK    no limit") && mem.contains("975.6KiB used"), "{mem}");
    assert!(!s.contains("/ 0B"), "a share of no limit is not shown:\n{s}");
    let hits = line_with(&s, "Hit rate");
    assert!(hits.contains("✓ OK    no traffic"), "{hits}");
    assert!(!hits.contains('%') || hits.contains("target"), "no percentage of nothing: {hits}");
    assert!(line_with(&s, "Clients").contains("no limit"), "maxclients 0:\n{s}");
    // Why, in the pane's footnotes.
    assert!(s.contains("maxmemory is 0 (no limit)"), "{s}");
    // The cache alarms no one: its pane is OK.
    assert!(line_with(&s, "Cache").contains("Cache ✓ OK"), "{s}");
}

#[test]
fn blind_spots_are_named_on_their_rows_in_footnotes_and_in_the_header() {
    // CloudWatch answers, but no load balancer is known: API p99 and 5xx are blind.
    let mut a = app_of(blind_board());
    let s = zoomed(&mut a, PaneId::Api, 100, 30);
    assert!(line_with(&s, "p99").contains("? N/A   not set"), "{s}");
    assert!(line_with(&s, "Errors").contains("? N/A   not set"), "{s}");
    assert!(s.contains("(set aws.load_balancer)"), "the setting that fixes it:\n{s}");
    assert!(s.contains("is metrics-server installed?"), "a blind CPU says why:\n{s}");
    let header = s.lines().next().unwrap();
    assert!(header.contains("cw✓ 2 blind"), "answers, yet two threshold metrics are blind: {header}");
    assert!(header.contains("k8s✓ 2 blind"), "no pod metrics for the API: {header}");
    // Within the 80-column budget, with the worst level whole.
    let s80 = text_of(&a, 80, 24);
    let h80 = s80.lines().next().unwrap();
    assert!(h80.contains("cw✓ 2 blind") && h80.trim_end().ends_with("✖ CRIT"), "{s80}");
    // The footnote shows in a pane that has room, not only when zoomed.
    a.focus = PaneId::Api;
    let s = text_of(&a, 100, 40);
    assert!(s.contains("(set aws.load_balancer)"), "{s}");

    // No CloudWatch at all: the unconfigured source is named with what it leaves blind.
    let mut a = app_of(bare_board());
    let s = zoomed(&mut a, PaneId::Overview, 100, 30);
    assert!(s.lines().next().unwrap().contains("cw? 3 blind"), "{s}");
    assert!(line_with(&s, "API latency p99").contains("? N/A"), "{s}");
    assert!(line_with(&s, "API latency p99").contains("not configured"), "{s}");
    assert!(s.contains("AWS_PROFILE or --profile, aws.region"), "{s}");
}

#[test]
fn a_stale_source_without_a_good_sample_says_so() {
    let mut a = app_of(blind_board());
    let s = zoomed(&mut a, PaneId::Database, 100, 30);
    assert!(s.contains("postgres stale (no good sample since the start): connection refused"), "{s}");
    assert!(!s.contains("never ago"), "{s}");
    assert!(line_with(&s, "Conns").contains("~ STALE"), "{s}");
}

#[test]
fn a_queue_that_never_drains_shows_the_level_of_its_drain_time() {
    // The drain time has a threshold here (as a user may set one): a queue that grows while
    // nothing is done never drains, and the row says so with its level.
    let mut a = app_of(blind_board());
    assert_eq!(a.board.reading(MetricId::DrainTime).value, Some(f64::INFINITY));
    let s = zoomed(&mut a, PaneId::Workers, 100, 30);
    let drain = line_with(&s, "Drain in");
    assert!(drain.contains("✖ CRIT        ∞"), "{drain}");
    assert!(drain.contains("never at this rate: the queue is growing"), "{drain}");
}

#[test]
fn a_pane_counts_every_level_it_shows() {
    // The RDS primary is being resized (storage-optimization): a warning the Database pane
    // shows on its row, so its title says WARN, not OK.
    let mut a = app_of(blind_board());
    let s = zoomed(&mut a, PaneId::Database, 100, 30);
    assert!(line_with(&s, "primary").contains("▲ WARN"), "{s}");
    assert!(line_with(&s, "Database").contains("Database ▲ WARN"), "{s}");
    // Redis shards past the memory threshold: the Cache pane warns.
    let s = zoomed(&mut a, PaneId::Cache, 100, 30);
    assert!(line_with(&s, "10.0.1.21:6379").contains("▲ 88%"), "{s}");
    assert!(line_with(&s, "Cache").contains("Cache ▲ WARN"), "{s}");
    // The Overview's "also needs attention" lines count in its title.
    let mut a = demo_app(Scenario::Stress, 1500.0);
    let s = zoomed(&mut a, PaneId::Overview, 100, 30);
    assert!(s.contains("✖ CRIT  API CPU"), "{s}");
    assert!(line_with(&s, "Overview").contains("Overview ✖ CRIT"), "{s}");
    // A connection count that would exceed max_connections only at the runbook's maxima is a
    // hazard of the configuration, not a state: no alarm on a calm platform.
    let a = demo_app(Scenario::Baseline, 900.0);
    let s = text_of(&a, 200, 60);
    assert!(s.contains("would exceed"), "{s}");
    assert!(s.lines().next().unwrap().trim_end().ends_with("✓ OK"), "{s}");
}

#[test]
fn the_emergency_banner_keeps_its_conditions_and_key_at_80_columns() {
    let a = demo_app(Scenario::Incident, 1800.0);
    let s = text_of(&a, 80, 24);
    let banner: String = s.lines().skip(1).take(2).collect::<Vec<_>>().join("\n");
    for r in a.board.emergency_reasons() {
        assert!(banner.contains(&r), "{r:?} whole in:\n{s}");
    }
    assert!(banner.contains("press E for emergency scaling"), "{s}");
    // Paused, at 80 columns: the worst level is whole.
    let mut a = a;
    a.command(Command::Pause);
    let s = text_of(&a, 80, 24);
    assert!(s.lines().next().unwrap().trim_end().ends_with("⏸ PAUSED  ✖ CRIT"), "{s}");
}
