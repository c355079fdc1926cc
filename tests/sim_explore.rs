//! A tool, not a test: prints a scenario minute by minute.
//! `SC=incident MINS=40 EVERY=2 cargo test --test sim_explore -- --ignored --nocapture`

use cockpit::model::state::Workload;
use cockpit::sim::{Scenario, SimSettings, Simulator};

fn dump(sc: Scenario, mins: u64, every: u64) {
    let mut s = Simulator::new(sc, 42, SimSettings::default());
    println!("== {sc}");
    for m in 0..=mins {
        if m % every == 0 {
            let k = s.kube_state();
            let c = s.counters();
            let pg = s.postgres_state();
            let r = s.redis_state();
            let au = k.api.usage.map(|u| (u.cpu_pct, u.memory_pct)).unwrap_or_default();
            let wu = k.workers.usage.map(|u| (u.cpu_pct, u.memory_pct)).unwrap_or_default();
            println!(
                "t={:>4}m users={:>6.0} api {}/{} cpu {:>5.1} mem {:>4.1} | wrk {}/{} cpu {:>5.1} mem {:>4.1} | q {:>6} inflt {:>4} oldest {:>5.0}s done {:>7} | p99 {:>7.0} err {:>5.1}% rps {:>6.0} | db cpu {:>5.1} conns {}/{} refused {} lag {:.2} | redis mem {:.1}% oom {}",
                s.time() / 60.0,
                s.users(),
                k.api.deployment.as_ref().map(|d| d.ready).unwrap_or(0),
                s.replicas(Workload::Api),
                au.0,
                au.1,
                k.workers.deployment.as_ref().map(|d| d.ready).unwrap_or(0),
                s.replicas(Workload::Workers),
                wu.0,
                wu.1,
                s.queue_len(),
                s.in_flight(),
                s.oldest_wait_secs(),
                c.completed,
                s.api_p99_ms(),
                s.api_error_pct(),
                s.api_rps(),
                s.db_cpu_pct(),
                pg.total,
                pg.max_connections,
                s.refused_connections(),
                pg.replica_lag.iter().map(|l| l.1).fold(0.0, f64::max),
                r.used_memory as f64 * 100.0 / r.max_memory as f64,
                c.oom_kills,
            );
        }
        s.advance(60.0);
    }
}

#[test]
#[ignore]
fn explore() {
    let which = std::env::var("SC").unwrap_or_else(|_| "all".into());
    let mins: u64 = std::env::var("MINS").ok().and_then(|m| m.parse().ok()).unwrap_or(40);
    let every: u64 = std::env::var("EVERY").ok().and_then(|m| m.parse().ok()).unwrap_or(2);
    for sc in Scenario::ALL {
        if which == "all" || which == sc.name() {
            dump(sc, mins, every);
        }
    }
}
