//! The size and cost of a recording: a whole simulated day of one cockpit at the default
//! refresh (2 s), the soak scenario (every metric moving), then the incident for an hour.
//! Prints figures; `cargo bench --bench record`.
//!
//! Needs in Cargo.toml:
//! [[bench]]
//! name = "record"
//! harness = false

use cockpit::model::{Board, SourceId};
use cockpit::record::{FileStore, Recorder, Retention};
use cockpit::sim::{Scenario, SimSettings, Simulator};
use std::time::Instant;

fn day(scenario: Scenario, secs: f64) -> (u64, usize, f64) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut sim = Simulator::new(scenario, 1, SimSettings::default());
    let mut board = Board::new(Default::default(), &SourceId::ALL);
    let store = FileStore::open(dir.path(), "bench", Retention::default()).expect("store");
    // Noon UTC, so that the day is one file.
    let start = Recorder::start_for(&board, "bench", "bench", 1_800_014_400.0, 2.0);
    let mut rec = Recorder::new(Box::new(store), start);
    let mut observe_secs = 0.0;
    while sim.time() < secs {
        sim.advance(2.0);
        cockpit::sim::driver::ingest(&sim, &mut board);
        let t = Instant::now();
        rec.observe(&board);
        observe_secs += t.elapsed().as_secs_f64();
    }
    drop(rec);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("bench")).expect("dir").flatten().collect();
    let bytes = files.iter().map(|f| f.metadata().map(|m| m.len()).unwrap_or(0)).sum();
    let samples = (secs / 2.0) as usize;
    (bytes, samples, observe_secs / samples as f64)
}

fn main() {
    for (name, scenario, secs) in [("soak, 24 h", Scenario::Soak, 86_400.0), ("incident, 1 h", Scenario::Incident, 3600.0)]
    {
        let (bytes, samples, per) = day(scenario, secs);
        println!(
            "record {name}: {:.2} MiB on disk for {samples} samples ({:.1} bytes each, events included); \
             observe {:.1} µs per refresh",
            bytes as f64 / 1_048_576.0,
            bytes as f64 / samples as f64,
            per * 1e6
        );
    }
}
