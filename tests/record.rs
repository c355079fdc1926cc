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
