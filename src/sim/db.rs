//! PostgreSQL: pooled connections from every running pod (10 per API pod, 5 per worker),
//! capped by max_connections (the excess refused); CPU from the query load against the
//! instance class's vCPUs; slowness as CPU nears saturation; replica lag from the write load.

use super::rng::Rng;
use crate::model::state::{QueryInfo, StatementInfo};
use std::collections::BTreeMap;

/// The load on the database this second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DbLoad {
    /// Pods holding pools: (API pods, workers).
    pub api_pods: u32,
    pub worker_pods: u32,
    pub conns_per_api: f64,
    pub conns_per_worker: f64,
    pub api_rps: f64,
    pub busy_slots: u64,
    pub arrivals: u64,
    pub completions: u64,
    pub primary_vcpu: f64,
    pub primary_mem_gib: f64,
}

/// Monitoring and admin sessions, always there.
const ADMIN_CONNS: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    query: &'static str,
    calls: f64,
    total_ms: f64,
}

const STATEMENTS: [&str; 5] = [
    "SELECT id, status, owner_id, pack FROM agents WHERE id = $1",
    "INSERT INTO agent_events (run_id, kind, payload) VALUES ($1, $2, $3)",
    "UPDATE agent_tasks SET status = $1, updated_at = now() WHERE id = $2",
    "SELECT r.id, r.status FROM agent_runs r JOIN agent_tasks t ON t.run_id = r.id WHERE r.status = $1 ORDER BY r.created_at LIMIT $2",
    "SELECT count(*) FROM agent_tasks WHERE status = $1",
];
/// Mean time of each statement at normal speed, ms.
const STATEMENT_MS: [f64; 5] = [0.4, 0.9, 1.2, 35.0, 12.0];

#[derive(Debug, Clone, PartialEq)]
pub struct Postgres {
    pub max_connections: u32,
    pub attempts: u32,
    pub total: u32,
    pub active: u32,
    pub idle_in_tx: u32,
    pub refused_total: u64,
    pub cpu_pct: f64,
    /// Query slowness: 1 normal, ~6.7 at 95% CPU, at most 12.
    pub slowdown: f64,
    pub free_memory: f64,
    pub round_trip_ms: f64,
    /// Per replica, seconds.
    pub lag: Vec<f64>,
    longest: [f64; 3],
    statements: Vec<Statement>,
}

impl Postgres {
    pub fn new(max_connections: u32, replicas: usize) -> Self {
        Postgres {
            max_connections,
            attempts: 0,
            total: 0,
            active: 0,
            idle_in_tx: 0,
            refused_total: 0,
            cpu_pct: 0.0,
            slowdown: 1.0,
            free_memory: 0.0,
            round_trip_ms: 0.8,
            lag: vec![0.02; replicas],
            longest: [0.0; 3],
            statements: STATEMENTS.iter().map(|q| Statement { query: q, calls: 0.0, total_ms: 0.0 }).collect(),
        }
    }

    pub fn refused_now(&self) -> u32 {
        self.attempts.saturating_sub(self.total)
    }

    pub fn refused_share(&self) -> f64 {
        if self.attempts == 0 { 0.0 } else { self.refused_now() as f64 / self.attempts as f64 }
    }

    pub fn step(&mut self, l: &DbLoad, replica_vcpu: &[f64], noise: &mut Rng) {
        let pools = l.api_pods as f64 * l.conns_per_api + l.worker_pods as f64 * l.conns_per_worker;
        self.attempts = pools.round() as u32 + ADMIN_CONNS;
        self.total = self.attempts.min(self.max_connections);
        self.refused_total += self.refused_now() as u64;

        let demand = 0.2 + l.api_rps * 0.00025 + l.busy_slots as f64 * 0.002 + self.total as f64 * 0.0008;
        let util = demand / l.primary_vcpu.max(0.5);
        self.cpu_pct = (util.min(1.0) * 100.0 * noise.jitter(0.03)).clamp(0.0, 100.0);
        self.slowdown =
            if util < 0.95 { 1.0 + 0.3 * util / (1.0 - util) } else { (6.7 + (util - 0.95) * 20.0).min(12.0) };

        let concurrent = l.api_rps * 0.006 * self.slowdown + l.busy_slots as f64 * 0.1 * self.slowdown;
        self.idle_in_tx = ((self.total as f64 * 0.02).round() as u32).min(self.total);
        self.active = (concurrent.ceil() as u32 + 1).min(self.total - self.idle_in_tx);

        let mem = l.primary_mem_gib * 1024.0 * 1024.0 * 1024.0;
        let mib = 1024.0 * 1024.0;
        let used = 0.25 * mem + 1536.0 * mib + self.total as f64 * 12.0 * mib + self.active as f64 * 32.0 * mib;
        self.free_memory = (mem - used).max(0.05 * mem) * noise.jitter(0.005);
        self.round_trip_ms = (0.6 + 0.4 * self.slowdown) * noise.jitter(0.05);

        let writes = l.api_rps * 0.15 + l.arrivals as f64 * 2.0 + l.completions as f64 * 3.0;
        for (lag, vcpu) in self.lag.iter_mut().zip(replica_vcpu) {
            let u = writes / (1500.0 * vcpu / 4.0);
            let uc = u.min(0.95);
            let target = 0.02 + 0.3 * uc / (1.0 - uc);
            if u > 1.0 {
                *lag += u - 1.0;
            } else if *lag > target {
                *lag = (*lag - (1.0 - u)).max(target);
            } else {
                *lag += (target - *lag) * 0.1;
            }
        }

        let s = self.slowdown;
        let per_sec = [
            l.api_rps * 0.8,
            l.api_rps * 0.15 + l.completions as f64 * 4.0,
            (l.arrivals + l.completions) as f64 + l.busy_slots as f64 * 0.05,
            l.busy_slots as f64 / 10.0,
            l.worker_pods as f64 / 15.0,
        ];
        for ((st, calls), ms) in self.statements.iter_mut().zip(per_sec).zip(STATEMENT_MS) {
            st.calls += calls;
            st.total_ms += calls * ms * s;
        }
        self.longest = [0.035 * s * noise.range(1.0, 4.0), 0.012 * s * noise.range(1.0, 3.0), noise.range(0.5, 3.0)];
    }

    pub fn by_state(&self) -> BTreeMap<String, u32> {
        let idle = self.total - self.active - self.idle_in_tx;
        BTreeMap::from([
            ("active".to_string(), self.active),
            ("idle".to_string(), idle),
            ("idle in transaction".to_string(), self.idle_in_tx),
        ])
    }

    pub fn longest(&self) -> Vec<QueryInfo> {
        let mut out = Vec::with_capacity(3);
        if self.active > 0 {
            out.push(QueryInfo {
                pid: 41207,
                state: "active".into(),
                seconds: self.longest[0],
                query: STATEMENTS[3].into(),
            });
        }
        if self.active > 1 {
            out.push(QueryInfo {
                pid: 41533,
                state: "active".into(),
                seconds: self.longest[1],
                query: STATEMENTS[4].into(),
            });
        }
        if self.idle_in_tx > 0 {
            out.push(QueryInfo {
                pid: 40981,
                state: "idle in transaction".into(),
                seconds: self.longest[2],
                query: STATEMENTS[2].into(),
            });
        }
        out.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        out
    }

    pub fn top_statements(&self) -> Vec<StatementInfo> {
        let mut out: Vec<StatementInfo> = self
            .statements
            .iter()
            .map(|s| StatementInfo {
                calls: s.calls as i64,
                mean_ms: if s.calls > 0.0 { s.total_ms / s.calls } else { 0.0 },
                total_ms: s.total_ms,
                query: s.query.to_string(),
            })
            .collect();
        out.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
        out
    }
}
