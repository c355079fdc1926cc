//! The API pods behind the load balancer: each ready pod serves ~150 req/s per core of CPU
//! limit; CPU follows the load per ready pod; p99 latency rises sharply as utilization nears 1
//! (queueing) and, past it, with the backlog, up to the 30 s HTTP timeout; requests past the
//! timeout and those needing a refused database connection fail.

use super::pods::Deploy;
use super::rng::Rng;
use super::settings::{API_REQUESTS, API_RPS_PER_CORE, API_TIMEOUT_SECS};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiModel {
    /// Requests waiting in the pods (past saturation).
    pub backlog: f64,
    pub offered: f64,
    pub served: f64,
    pub capacity: f64,
    pub p99_ms: f64,
    pub error_pct: f64,
}

/// What the database does to the API this second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbEffect {
    /// Query slowness, 1 = normal.
    pub slowdown: f64,
    /// Share of pooled connections refused by max_connections.
    pub refused_share: f64,
}

const BASE_P99_MS: f64 = 80.0;
const QUEUE_MS: f64 = 40.0;
const BASE_ERROR_SHARE: f64 = 0.0005;
/// Share of requests that need the database.
const DB_SHARE: f64 = 0.3;

impl ApiModel {
    pub fn step(&mut self, now: u64, d: &mut Deploy, offered: f64, db: DbEffect, noise: &mut Rng) {
        let mut n_ready = 0u32;
        let mut capacity = 0.0;
        for p in d.pods.iter().filter(|p| p.ready(now)) {
            n_ready += 1;
            capacity += API_RPS_PER_CORE * p.cpu_limit_cores;
        }
        self.offered = offered.max(0.0);
        self.capacity = capacity;
        let mut timeouts = 0.0;
        if capacity <= 0.0 {
            // No healthy target: the load balancer answers 503 at once.
            self.backlog = 0.0;
            self.served = 0.0;
            self.p99_ms = 5.0;
            self.error_pct = if self.offered > 0.0 { 100.0 } else { 0.0 };
        } else {
            let before = self.backlog;
            self.served = (self.offered + before).min(capacity);
            self.backlog = (before + self.offered - capacity).max(0.0);
            let max_backlog = capacity * API_TIMEOUT_SECS;
            if self.backlog > max_backlog {
                timeouts = self.backlog - max_backlog;
                self.backlog = max_backlog;
            }
            let rho = (self.offered / capacity).min(0.985);
            let base = BASE_P99_MS + 20.0 * (db.slowdown - 1.0);
            let queueing = QUEUE_MS * rho / (1.0 - rho);
            let waiting = self.backlog / capacity * 1000.0;
            self.p99_ms = ((base + queueing + waiting) * noise.jitter(0.04)).clamp(1.0, API_TIMEOUT_SECS * 1000.0);
            let shed = if self.offered / capacity > 0.95 { (self.offered / capacity - 0.95) * 0.05 } else { 0.0 };
            let share = BASE_ERROR_SHARE + db.refused_share * DB_SHARE + shed;
            let errors = (timeouts + self.offered * share * noise.jitter(0.1)).min(self.offered);
            self.error_pct = if self.offered > 0.0 { errors / self.offered * 100.0 } else { 0.0 };
        }
        let per_pod = if n_ready > 0 { self.served / n_ready as f64 } else { 0.0 };
        let backlog_per_pod = if n_ready > 0 { self.backlog / n_ready as f64 } else { 0.0 };
        for p in d.pods.iter_mut() {
            if p.terminating() || now < p.running_at {
                p.cpu_pct = if p.terminating() { 2.0 } else { 0.0 };
                continue;
            }
            let max_pct = p.cpu_limit_cores / API_REQUESTS.0 * 100.0;
            p.cpu_pct = if p.ready(now) {
                (5.0 + 95.0 * per_pod / API_RPS_PER_CORE + 1.5 * noise.noise()).clamp(1.0, max_pct)
            } else {
                25.0
            };
            let mib = 250.0 + 1.2 * per_pod + 0.02 * backlog_per_pod;
            p.memory_pct = mib * noise.jitter(0.01) / API_REQUESTS.1 * 100.0;
        }
    }
}
