//! Recordings: a demo run is recorded, read back over a window, and survives a torn write.

use cockpit::model::{Board, MetricId, SourceId};
use cockpit::record::{Entry, FileStore, Recorder, Retention, Sink};
use cockpit::sim::{Scenario, SimSettings, Simulator};

/// Run the simulator for `secs` of simulated time, recording as the cockpit does.
fn record_demo(root: &std::path::Path, scenario: Scenario, secs: f64, epoch: f64) -> Board {
    let mut sim = Simulator::new(scenario, 7, SimSettings::default());
    let mut board = Board::new(Default::default(), &SourceId::ALL);
    let store = FileStore::open(root, "demo", Retention::default()).expect("store");
    let start = Recorder::start_for(&board, "demo incident (seed 7)", "demo", epoch, 2.0);
    let mut rec = Recorder::new(Box::new(store), start);
    while sim.time() < secs {
        sim.advance(2.0);
        cockpit::sim::driver::ingest(&sim, &mut board);
        rec.observe(&board);
    }
    rec.flush();
    assert_eq!(rec.error, None);
    board
}

#[test]
fn a_demo_run_is_recorded_and_read_back_over_a_window() {
    let dir = tempfile::tempdir().expect("tmp");
    let epoch = 1_800_000_000.0; // 2027-01-15T08:00:00Z
    let board = record_demo(dir.path(), Scenario::Incident, 1800.0, epoch);
    let (all, skipped) = cockpit::record::store::read(dir.path(), "demo", epoch, epoch + 3600.0).expect("read");
    assert_eq!(skipped, 0);
    let Some(Entry::Start(start)) = all.first() else { panic!("a start entry first: {:?}", all.first()) };
    assert_eq!(start.metrics.len(), MetricId::ALL.len());
    let samples: Vec<_> = all.iter().filter(|e| matches!(e, Entry::Sample { .. })).collect();
    assert!((890..=901).contains(&samples.len()), "one sample per refresh: {}", samples.len());
    // The last sample is what the board shows.
    let q = MetricId::ALL.iter().position(|m| *m == MetricId::QueueDepth).expect("queue");
    let Some(Entry::Sample { v, l, .. }) = samples.last() else { unreachable!() };
    assert_eq!(v[q].map(f64::from), board.reading(MetricId::QueueDepth).value.map(|x| x as f32 as f64));
    assert_eq!(l.chars().nth(q), Some('c'), "the incident's queue is critical");
    // Every level change and event of the timeline is there, and the emergency once it holds.
    let events = all.iter().filter(|e| matches!(e, Entry::Event { .. })).count() as u64;
    assert_eq!(events, board.timeline.pushed());
    assert!(all.iter().any(|e| matches!(e, Entry::Emergency { reasons, .. } if !reasons.is_empty())));
    assert!(all.iter().any(|e| matches!(e, Entry::Replicas { api, .. } if api.desired == Some(50))));
    // A window reads only its entries (and the start that describes them).
    let (part, _) = cockpit::record::store::read(dir.path(), "demo", epoch + 600.0, epoch + 660.0).expect("read");
    let n = part.iter().filter(|e| matches!(e, Entry::Sample { .. })).count();
    assert!((29..=31).contains(&n), "a minute of samples: {n}");
}

#[test]
fn a_torn_last_write_loses_only_itself() {
    let dir = tempfile::tempdir().expect("tmp");
    let epoch = 1_800_000_000.0;
    record_demo(dir.path(), Scenario::Baseline, 120.0, epoch);
    let file = std::fs::read_dir(dir.path().join("demo")).expect("dir").next().expect("a file").expect("entry").path();
    let len = std::fs::metadata(&file).expect("meta").len();
    // A second run appends, and is cut half way through its gzip member (a crash mid-write).
    record_demo(dir.path(), Scenario::Baseline, 120.0, epoch + 200.0);
    let full = std::fs::metadata(&file).expect("meta").len();
    let f = std::fs::OpenOptions::new().write(true).open(&file).expect("open");
    f.set_len(len + (full - len) / 2).expect("truncate");
    let (entries, skipped) = cockpit::record::store::read(dir.path(), "demo", epoch, epoch + 1000.0).expect("read");
    assert_eq!(skipped, 1, "the torn member is skipped, and said so");
    let first_run = entries.iter().filter(|e| matches!(e, Entry::Sample { t, .. } if *t < epoch + 200.0)).count();
    assert!(first_run >= 59, "the first run is whole: {first_run}");
}

#[test]
fn files_past_the_retention_are_deleted_and_contexts_are_safe_names() {
    let dir = tempfile::tempdir().expect("tmp");
    let ctx = "arn:aws:eks:us-east-1:123:cluster/prod";
    let old = 1_000_000_000.0; // 2001: far past any retention
    {
        let mut s = FileStore::open(dir.path(), ctx, Retention::default()).expect("store");
        s.write(&Entry::Emergency { t: old, reasons: vec![] }).expect("write");
        s.flush().expect("flush");
    }
    let sub = dir.path().join(cockpit::record::store::safe_name(ctx));
    assert!(sub.starts_with(dir.path()) && !sub.to_string_lossy().contains("cluster/prod"));
    assert_eq!(std::fs::read_dir(&sub).expect("dir").count(), 1);
    FileStore::open(dir.path(), ctx, Retention { keep_days: 14, max_bytes: u64::MAX }).expect("reopen");
    assert_eq!(std::fs::read_dir(&sub).expect("dir").count(), 0, "pruned when opened");
}

#[test]
fn demo_skip_records_the_skipped_time_at_the_refresh_interval_ending_now() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    let mut board = Board::new(Default::default(), &SourceId::ALL);
    let now = 1_800_000_000.0;
    let skip = 1800.0;
    // As `cockpit demo --skip 30m`: the simulation's start laid 30 minutes before now.
    let store = FileStore::open(dir.path(), "demo", Retention::default()).expect("store");
    let mut rec = Recorder::new(Box::new(store), Recorder::start_for(&board, "demo", "demo", now - skip, 2.0));
    cockpit::commands::demo::skip_recorded(&mut sim, &mut board, skip, 2.0, &mut rec);
    assert_eq!(rec.error, None);
    let (all, _) = cockpit::record::store::read(dir.path(), "demo", now - 3600.0, now + 1.0).expect("read");
    let times: Vec<f64> =
        all.iter().filter_map(|e| if let Entry::Sample { t, .. } = e { Some(*t) } else { None }).collect();
    assert_eq!(times.len(), 900, "a sample every 2 s of the 30 skipped minutes");
    assert!(times.windows(2).all(|w| (w[1] - w[0] - 2.0).abs() < 1e-6), "at the refresh interval");
    assert_eq!(times.last().copied(), Some(now), "the skipped time ends now");
}

#[test]
fn a_failing_disk_is_one_warning_on_the_status_line_and_the_cockpit_goes_on() {
    use cockpit::config::keymap::Keymap;
    use cockpit::config::theme::Theme;
    use cockpit::ui::app::{App, Mode};
    let dir = tempfile::tempdir().expect("tmp");
    let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
    let board = Board::new(Default::default(), &SourceId::ALL);
    let store = FileStore::open(dir.path(), "demo", Retention::default()).expect("store");
    let mut recorder = Some(Recorder::new(Box::new(store), Recorder::start_for(&board, "demo", "demo", 1.8e9, 2.0)));
    let theme = Theme::load("dark", None).expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut app = App::new(board, theme, keymap, Mode::Demo { scenario: "baseline".into(), seed: 1, speed: 1.0 });
    // The recordings' directory is gone, and a file stands where it was: every write fails.
    std::fs::remove_dir_all(dir.path().join("demo")).expect("rm");
    std::fs::write(dir.path().join("demo"), b"not a directory").expect("file");
    let mut warned = false;
    for _ in 0..5 {
        sim.advance(2.0);
        cockpit::sim::driver::ingest(&sim, &mut app.board);
        cockpit::commands::host::record(&mut recorder, &mut warned, &mut app);
        if let Some(r) = recorder.as_mut() {
            r.flush();
        }
    }
    let (text, level) = app.status.clone().expect("a warning on the status line");
    assert!(text.starts_with("recording failed: ") && text.ends_with("(the cockpit goes on)"), "{text}");
    assert_eq!(level, cockpit::model::Level::Warn);
    // Once: a later status is not overwritten by the same failure.
    app.set_status("something else", cockpit::model::Level::Ok);
    sim.advance(2.0);
    cockpit::sim::driver::ingest(&sim, &mut app.board);
    cockpit::commands::host::record(&mut recorder, &mut warned, &mut app);
    assert_eq!(app.status.as_ref().map(|s| s.0.as_str()), Some("something else"));
    assert!(app.board.now > 0.0, "the board went on");
}
