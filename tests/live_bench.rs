//! The load bench of the live Kubernetes source (issue item 9): kmock with 100, 1,000 and
//! 10,000 pods, the real `cockpit` (full screen, in a pseudo-terminal) watching it, and per
//! size: requests per minute to the API server by verb in steady state (kmock's counters),
//! the metrics.k8s.io polls apart, CPU seconds per minute and peak RSS (from /proc).
//!
//! Ignored by `cargo test`: run it with scripts/bench-live.sh (release build). It asserts
//! what is not a speed: no LIST of a watched kind in steady state, and the RSS budget.
//! COCKPIT_BENCH_SECS (default 60) is the steady-state window; COCKPIT_BENCH_PODS a
//! comma-separated list of sizes (default 100,1000,10000).

mod pty;
mod support;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use support::bench::{cpu_secs, mem_mib, seed};
use support::{Fault, Kmock};

use support::bench::NS;
/// Peak RSS allowed at 10,000 pods.
const RSS_BUDGET_MIB: f64 = 50.0;

struct Row {
    pods: usize,
    per_min: Value,
    metrics_polls: f64,
    watched_lists: u64,
    cpu_per_min: f64,
    peak_mib: f64,
    rss_mib: f64,
    startup_secs: f64,
}

async fn run_one(pods: usize, window: Duration) -> Result<Row> {
    let kmock = Kmock::start()?;
    let seeding = Instant::now();
    seed(&kmock, pods).await?;
    eprintln!("bench: {pods} pods seeded in {:.1?}", seeding.elapsed());
    kmock.reset_stats()?;
    let kubeconfig = kmock.kubeconfig_path().display().to_string();
    let started = Instant::now();
    let mut session = pty::start_env(
        &["-n", NS],
        120,
        40,
        &[("KUBECONFIG", kubeconfig.as_str()), ("REDIS_URL", ""), ("DATABASE_URL", "")],
    );
    let pid = session.child.process_id().context("the cockpit's pid")?;
    // Started: every watch open (deployments, HPAs, events, two pod watches) and a first draw
    // with the pods counted.
    let deadline = Instant::now() + Duration::from_secs(300);
    while kmock.stats()?["watch"].as_u64().unwrap_or(0) < 5 {
        if Instant::now() > deadline {
            bail!("the cockpit did not open its watches within 300 s: {}", kmock.stats()?);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let startup_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(5)).await;
    kmock.inject_fault(Fault {
        path_contains: Some("/apis/metrics.k8s.io/".into()),
        times: Some(1_000_000),
        ..Fault::default()
    })?;
    kmock.reset_stats()?;
    let cpu0 = cpu_secs(pid)?;
    let t0 = Instant::now();
    tokio::time::sleep(window).await;
    let minutes = t0.elapsed().as_secs_f64() / 60.0;
    let cpu = cpu_secs(pid)? - cpu0;
    let stats = kmock.stats()?;
    let (peak_mib, rss_mib) = (mem_mib(pid, "VmHWM")?, mem_mib(pid, "VmRSS")?);
    let faults: Value = serde_json::from_str(&support::process::http(kmock.port(), "GET", "/_kmock/faults", None)?.1)?;
    let metrics_polls = (1_000_000 - faults[0]["times"].as_u64().unwrap_or(1_000_000)) as f64;
    let watched_lists = ["deployments", "horizontalpodautoscalers", "events"]
        .iter()
        .map(|k| stats["by_resource"][k]["list"].as_u64().unwrap_or(0))
        .sum::<u64>()
        + stats["by_resource"]["pods"]["list"].as_u64().unwrap_or(0).saturating_sub(metrics_polls as u64);
    let mut per_min = serde_json::Map::new();
    for verb in ["list", "watch", "get", "write", "total"] {
        per_min.insert(verb.into(), Value::from((stats[verb].as_f64().unwrap_or(0.0) / minutes * 10.0).round() / 10.0));
    }
    session.send(b"q");
    let _ = session.wait_exit();
    Ok(Row {
        pods,
        per_min: Value::Object(per_min),
        metrics_polls: metrics_polls / minutes,
        watched_lists,
        cpu_per_min: cpu / minutes,
        peak_mib,
        rss_mib,
        startup_secs,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a bench: run scripts/bench-live.sh"]
async fn kube_source_load_at_100_1000_10000_pods() -> Result<()> {
    let secs: u64 = std::env::var("COCKPIT_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let sizes: Vec<usize> = std::env::var("COCKPIT_BENCH_PODS")
        .unwrap_or_else(|_| "100,1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut rows = Vec::new();
    for pods in sizes {
        let row = run_one(pods, Duration::from_secs(secs)).await?;
        eprintln!(
            "bench: {pods} pods: {:?} /min, CPU {:.3} s/min, peak RSS {:.1} MiB",
            row.per_min, row.cpu_per_min, row.peak_mib
        );
        rows.push(row);
    }
    println!("\nsteady state over {secs} s per size (refresh 2 s; the cockpit full screen in a pty)\n");
    println!(
        "| pods | API requests/min (list / watch / get / writes / total) | of which metrics.k8s.io polls/min | LIST of watched kinds | CPU s/min (% of a core) | peak RSS MiB | RSS now MiB | start to watching |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let p = &r.per_min;
        println!(
            "| {} | {} / {} / {} / {} / {} | {:.1} | {} | {:.2} ({:.2}%) | {:.1} | {:.1} | {:.1} s |",
            r.pods,
            p["list"],
            p["watch"],
            p["get"],
            p["write"],
            p["total"],
            r.metrics_polls,
            r.watched_lists,
            r.cpu_per_min,
            r.cpu_per_min / 60.0 * 100.0,
            r.peak_mib,
            r.rss_mib,
            r.startup_secs
        );
    }
    for r in &rows {
        assert_eq!(r.watched_lists, 0, "{} pods: no LIST of a watched kind in steady state", r.pods);
        if r.pods >= 10_000 {
            assert!(
                r.peak_mib < RSS_BUDGET_MIB,
                "{} pods: peak RSS {:.1} MiB over the {RSS_BUDGET_MIB} MiB budget",
                r.pods,
                r.peak_mib
            );
        }
    }
    Ok(())
}
