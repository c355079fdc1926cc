//! Rates derived from successive samples: throughput, arrivals, wait and drain times, hit rate.

use super::history::{Point, Ring, slope};
use super::state::RedisState;
use serde::{Deserialize, Serialize};

/// The derived queue figures after a Redis sample.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QueueRates {
    /// Tasks completed per second.
    pub throughput: Option<f64>,
    /// Tasks entering the queue per second (throughput + growth of the backlog).
    pub arrival_rate: Option<f64>,
    /// How long a task entering now waits before a worker takes it (Little's law).
    pub wait_secs: Option<f64>,
    /// Time until the queue is empty at the current net rate; infinite when it grows.
    pub drain_secs: Option<f64>,
    /// Change of the queue depth, tasks per second.
    pub depth_slope: Option<f64>,
    /// Hits / (hits + misses) over the window, percent.
    pub hit_rate: Option<f64>,
}

/// Keeps the recent Redis counters and turns them into rates.
#[derive(Debug, Clone)]
pub struct RateTracker {
    window: f64,
    avg_processing_secs: f64,
    depth: Ring<Point>,
    completed: Ring<(f64, u64)>,
    hits: Ring<(f64, u64, u64)>,
}

impl RateTracker {
    pub fn new(window_secs: f64, avg_processing_secs: f64) -> Self {
        RateTracker {
            window: window_secs.max(1.0),
            avg_processing_secs: avg_processing_secs.max(0.001),
            depth: Ring::new(256),
            completed: Ring::new(256),
            hits: Ring::new(256),
        }
    }

    pub fn observe(&mut self, at: f64, r: &RedisState) -> QueueRates {
        let depth = r.depth() as f64;
        // Counters that go backwards mean a restarted server: start the window again.
        if self.completed.last().is_some_and(|&(_, c)| r.completed_total.is_some_and(|n| n < c)) {
            self.completed.clear();
        }
        if self.hits.last().is_some_and(|&(_, h, m)| r.hits < h || r.misses < m) {
            self.hits.clear();
        }
        if self.depth.last().is_some_and(|p| p.at >= at) {
            // Same instant twice (or a clock that went back): keep the newest only.
            self.depth.clear();
            self.completed.clear();
            self.hits.clear();
        }
        self.depth.push(Point { at, value: depth });
        if let Some(c) = r.completed_total {
            self.completed.push((at, c));
        }
        self.hits.push((at, r.hits, r.misses));

        let from = at - self.window;
        let recent: Vec<Point> = self.depth.iter().copied().filter(|p| p.at >= from).collect();
        let depth_slope = slope(&recent);

        let throughput = match first_in_window(&self.completed, from, |e| e.0) {
            Some(&(t0, c0)) if at - t0 > 0.0 => {
                let &(_, c1) = self.completed.last().expect("pushed above");
                Some((c1.saturating_sub(c0)) as f64 / (at - t0))
            }
            // No completion counter: Little's law on the in-flight set.
            _ if r.completed_total.is_none() => Some(r.in_flight as f64 / self.avg_processing_secs),
            _ => None,
        };

        // What entered the queue is what left it plus what it grew by, between the ends of the
        // window (a regression slope would read a queue that fell and rises again as "nothing
        // arrives"). Without a completion counter: throughput and the slope.
        let arrival_rate = match first_in_window(&self.completed, from, |e| e.0) {
            Some(&(t0, c0)) if at - t0 > 0.0 && r.completed_total.is_some() => {
                let &(_, c1) = self.completed.last().expect("pushed above");
                let d0 = self.depth.iter().find(|p| p.at >= t0).map(|p| p.value).unwrap_or(depth);
                Some(((c1.saturating_sub(c0)) as f64 + depth - d0).max(0.0) / (at - t0))
            }
            _ => match (throughput, depth_slope) {
                (Some(t), Some(s)) => Some((t + s).max(0.0)),
                (Some(t), None) => Some(t),
                _ => None,
            },
        };

        let wait_secs = throughput.map(|t| {
            if depth <= 0.0 {
                0.0
            } else if t <= f64::EPSILON {
                f64::INFINITY
            } else {
                depth / t
            }
        });

        // A queue that emptied within the window is flowing: the workers keep up, and what is
        // in it now clears at their pace. Only a queue that stayed non-empty is judged by its
        // slope (so a queue that blinks between 0 and a few tasks does not read as never draining).
        let flowing = recent.iter().any(|p| p.value <= 0.0);
        let drain_secs = if depth <= 0.0 {
            Some(0.0)
        } else if flowing {
            throughput.map(|t| if t > f64::EPSILON { depth / t } else { f64::INFINITY })
        } else {
            depth_slope.map(|s| if s < -1e-9 { depth / -s } else { f64::INFINITY })
        };

        let hit_rate = {
            let (t0, h0, m0) = *first_in_window(&self.hits, from, |e| e.0).unwrap_or(&(at, 0, 0));
            let (_, h1, m1) = *self.hits.last().expect("pushed above");
            let (dh, dm) = if t0 < at { (h1 - h0, m1 - m0) } else { (h1, m1) };
            let total = dh + dm;
            if total > 0 {
                Some(dh as f64 * 100.0 / total as f64)
            } else if h1 + m1 > 0 {
                Some(h1 as f64 * 100.0 / (h1 + m1) as f64)
            } else {
                None
            }
        };

        QueueRates { throughput, arrival_rate, wait_secs, drain_secs, depth_slope, hit_rate }
    }
}

fn first_in_window<T>(ring: &Ring<T>, from: f64, at: impl Fn(&T) -> f64) -> Option<&T> {
    ring.iter().find(|e| at(e) >= from)
}
