//! Driving the simulator: in real time for `cockpit demo`, or at once for snapshots.

use super::engine::Simulator;
use crate::model::{Board, SourceUpdate};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

/// Real time between two advances of the simulator.
const TICK: Duration = Duration::from_millis(100);

/// Advance `sim` at `speed` × real time (fractions of a step carry over) and, every `refresh`
/// of real time, send one update per source stamped with the simulated time. Stops when the
/// receiver is dropped.
pub fn spawn_driver(
    sim: Arc<Mutex<Simulator>>,
    speed: f64,
    refresh: Duration,
    tx: Sender<SourceUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last = Instant::now();
        let mut since_refresh = refresh;
        loop {
            interval.tick().await;
            if tx.is_closed() {
                return;
            }
            let now = Instant::now();
            let dt = now.saturating_duration_since(last);
            last = now;
            since_refresh += dt;
            let batch = {
                let mut s = sim.lock().unwrap_or_else(|e| e.into_inner());
                s.advance(dt.as_secs_f64() * speed);
                if since_refresh >= refresh {
                    since_refresh = Duration::ZERO;
                    Some(s.updates())
                } else {
                    None
                }
            };
            let Some(updates) = batch else { continue };
            for u in updates {
                if tx.send(u).await.is_err() {
                    return;
                }
            }
        }
    })
}

/// Feed every source's observation into the board, stamped with the simulated time.
pub fn ingest(sim: &Simulator, board: &mut Board) {
    for u in sim.updates() {
        board.ingest(u);
    }
}

/// Advance `secs` of simulated time without waiting, ingesting the observations into the
/// board every `sample_every` simulated seconds (and at the end).
pub fn run_for(sim: &mut Simulator, board: &mut Board, secs: f64, sample_every: f64) {
    let steps = if secs.is_finite() { secs.max(0.0).round() as u64 } else { 0 };
    let every = if sample_every.is_finite() { sample_every.round().max(1.0) as u64 } else { 1 };
    for i in 1..=steps {
        sim.step();
        if i % every == 0 || i == steps {
            ingest(sim, board);
        }
    }
}
