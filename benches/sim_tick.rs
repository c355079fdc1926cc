//! Cost of one simulated second and of one observation, in the busiest scenario (the incident
//! at 30 minutes: 50 API pods, 100 workers holding 500 tasks, a queue of ~70,000).
//!
//! Needs in Cargo.toml:
//! [[bench]]
//! name = "sim_tick"
//! harness = false

use cockpit::model::state::Workload;
use cockpit::sim::{Scenario, SimSettings, Simulator};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn busy() -> Simulator {
    let mut s = Simulator::new(Scenario::Incident, 42, SimSettings::default());
    s.advance(30.0 * 60.0);
    let pods = s.pod_counts(Workload::Api).0 + s.pod_counts(Workload::Workers).0;
    assert!(pods >= 150, "the incident at 30 min runs 150 pods, not {pods}");
    s
}

fn bench(c: &mut Criterion) {
    let base = busy();
    // The run going on, as the driver steps it (state warm in the caches).
    let mut running = base.clone();
    c.bench_function("sim step (incident @30m, 150 pods)", |b| b.iter(|| running.step()));
    // Each step on a fresh copy of the 30-minute state: the cold-cache worst case.
    c.bench_function("sim step, cold copy (incident @30m)", |b| {
        b.iter_batched_ref(|| base.clone(), |s| s.step(), BatchSize::SmallInput)
    });
    c.bench_function("sim observe (incident @30m)", |b| b.iter(|| black_box(base.observe())));
    let mut baseline = Simulator::new(Scenario::Baseline, 42, SimSettings::default());
    baseline.advance(600.0);
    c.bench_function("sim step (baseline, 8 pods)", |b| b.iter(|| baseline.step()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
