//! The war room's bench (issue 8): kmock with 1,000 pods, real redis-server (the platform's
//! queue, and another for the stream), PostgreSQL and moto; one `cockpit collect` polling
//! them, then 0, 1, 10 and 50 `cockpit watch` viewers (full screen, each in its own pty) for
//! a window each. Per row: API-server requests/min (kmock's counters), commands/min on the
//! queue's Redis (INFO commandstats), AWS calls/min (moto's request log: CloudWatch, RDS and
//! the discovery), the collector's CPU s/min, each viewer's CPU s/min and peak RSS (mean and
//! worst), and a late joiner's time to its first full frame (spawn to the frame that shows the
//! joined stream, history included).
//!
//! Ignored by `cargo test`: run it with scripts/bench-share.sh (release build). It asserts
//! only what is not a speed: the platform-facing counts do not grow with the viewers (within
//! noise: 20% and 5 requests/min).
//! COCKPIT_BENCH_SECS (default 60) is each row's window; COCKPIT_BENCH_VIEWERS the list of
//! viewer counts (default 0,1,10,50).

mod pty;
mod support;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use support::bench::{NS, cpu_secs, mem_mib, seed};
use support::{Kmock, Moto, Postgres, PostgresOptions, RedisServer};

struct Row {
    viewers: usize,
    kube_per_min: f64,
    redis_per_min: f64,
    aws_per_min: f64,
    collector_cpu: f64,
    viewer_cpu: (f64, f64),
    viewer_peak_mib: (f64, f64),
    first_frame_ms: Option<f64>,
}

/// Commands served by a Redis so far (every command, from INFO commandstats).
fn redis_calls(r: &RedisServer) -> Result<u64> {
    let mut con = redis::Client::open(r.url())?.get_connection()?;
    let info: String = redis::cmd("INFO").arg("commandstats").query(&mut con)?;
    Ok(info.lines().filter_map(|l| l.split("calls=").nth(1)?.split(',').next()?.parse::<u64>().ok()).sum())
}

/// Requests moto has logged so far (one line per request).
fn aws_calls(m: &Moto) -> u64 {
    std::fs::read_to_string(m.log_path())
        .map(|t| t.lines().filter(|l| l.contains("\" 200 ") || l.contains("\" 400 ")).count() as u64)
        .unwrap_or(0)
}

fn mean_max(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    (v.iter().sum::<f64>() / v.len() as f64, v.iter().copied().fold(0.0, f64::max))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a bench: run scripts/bench-share.sh"]
async fn one_collector_and_0_1_10_50_viewers() -> Result<()> {
    let secs: u64 = std::env::var("COCKPIT_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let counts: Vec<usize> = std::env::var("COCKPIT_BENCH_VIEWERS")
        .unwrap_or_else(|_| "0,1,10,50".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let kmock = Kmock::start()?;
    seed(&kmock, 1000).await?;
    let queue = RedisServer::start()?;
    let stream = RedisServer::start()?;
    let pg = Postgres::start_with(PostgresOptions { pg_stat_statements: false, ..PostgresOptions::default() })?;
    let moto = Moto::start()?;
    let home = tempfile::tempdir()?;
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[aws]\nenabled = true\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
             load_balancer = \"app/agentos-alb/50dc6c495c0c9188\"\n",
            moto.endpoint()
        ),
    )?;
    let kubeconfig = kmock.kubeconfig_path().display().to_string();
    let cfg_s = cfg.display().to_string();
    let mut collector = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["--config", &cfg_s, "-n", NS, "collect", "--share-url", &stream.url()])
        .env("KUBECONFIG", &kubeconfig)
        .env("REDIS_URL", queue.url())
        .env("DATABASE_URL", pg.url())
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("COCKPIT_STATE_DIR", home.path().join("state"))
        .env("COCKPIT_CONFIG_DIR", home.path().join("cfg"))
        .env("HOME", home.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let cpid = collector.id();
    // Publishing, with every watch open.
    let deadline = Instant::now() + Duration::from_secs(120);
    while kmock.stats()?["watch"].as_u64().unwrap_or(0) < 5 {
        if Instant::now() > deadline {
            bail!("the collector did not open its watches: {}", kmock.stats()?);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let mut rows = Vec::new();
    for n in counts {
        let share = stream.url();
        let env = [("REDIS_URL", ""), ("DATABASE_URL", ""), ("KUBECONFIG", "/nonexistent")];
        let mut first_frame_ms = None;
        let mut viewers = Vec::new();
        for i in 0..n {
            let t = Instant::now();
            let s = pty::Session::start_with(
                env!("CARGO_BIN_EXE_cockpit"),
                &["watch", "--share-url", &share],
                120,
                40,
                &env,
            );
            if i == 0 {
                s.wait_for("following");
                first_frame_ms = Some(t.elapsed().as_secs_f64() * 1000.0);
            }
            viewers.push(s);
        }
        for v in &viewers {
            v.wait_for("following");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let pids: Vec<u32> = viewers.iter().filter_map(|v| v.child.process_id()).collect();
        kmock.reset_stats()?;
        let (redis0, aws0, ccpu0) = (redis_calls(&queue)?, aws_calls(&moto), cpu_secs(cpid)?);
        let vcpu0: Vec<f64> = pids.iter().map(|p| cpu_secs(*p)).collect::<Result<_>>()?;
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs(secs)).await;
        let minutes = t0.elapsed().as_secs_f64() / 60.0;
        let kube = kmock.stats()?["total"].as_f64().unwrap_or(0.0);
        // Our own INFO is one command: not the collector's.
        let redis = (redis_calls(&queue)? - redis0).saturating_sub(1) as f64;
        let aws = (aws_calls(&moto) - aws0) as f64;
        let ccpu = cpu_secs(cpid)? - ccpu0;
        let vcpu: Vec<f64> =
            pids.iter().zip(&vcpu0).map(|(p, c0)| Ok((cpu_secs(*p)? - c0) / minutes)).collect::<Result<_>>()?;
        let peaks: Vec<f64> = pids.iter().map(|p| mem_mib(*p, "VmHWM")).collect::<Result<_>>()?;
        for v in &mut viewers {
            v.send(b"q");
        }
        for v in &mut viewers {
            let _ = v.wait_exit();
        }
        let row = Row {
            viewers: n,
            kube_per_min: kube / minutes,
            redis_per_min: redis / minutes,
            aws_per_min: aws / minutes,
            collector_cpu: ccpu / minutes,
            viewer_cpu: mean_max(&vcpu),
            viewer_peak_mib: mean_max(&peaks),
            first_frame_ms,
        };
        eprintln!(
            "bench: {n} viewers: kube {:.1}/min, redis {:.1}/min, aws {:.1}/min, collector {:.2} CPU s/min",
            row.kube_per_min, row.redis_per_min, row.aws_per_min, row.collector_cpu
        );
        rows.push(row);
    }
    let _ = collector.kill();
    let _ = collector.wait();
    println!("\n1 collector (refresh 2 s, 1,000 pods), {secs} s per row; viewers full screen 120x40 in ptys\n");
    println!(
        "| viewers | API server req/min | queue Redis cmds/min | AWS calls/min | collector CPU s/min | viewer CPU s/min (mean / worst) | viewer peak RSS MiB (mean / worst) | late joiner's first frame |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.2} | {:.3} / {:.3} | {:.1} / {:.1} | {} |",
            r.viewers,
            r.kube_per_min,
            r.redis_per_min,
            r.aws_per_min,
            r.collector_cpu,
            r.viewer_cpu.0,
            r.viewer_cpu.1,
            r.viewer_peak_mib.0,
            r.viewer_peak_mib.1,
            r.first_frame_ms.map(|m| format!("{m:.0} ms")).unwrap_or_else(|| "-".into())
        );
    }
    let base = rows.first().context("a row")?;
    for r in &rows[1..] {
        for (what, a, b) in [
            ("API server", base.kube_per_min, r.kube_per_min),
            ("queue Redis", base.redis_per_min, r.redis_per_min),
            ("AWS", base.aws_per_min, r.aws_per_min),
        ] {
            assert!(
                b <= a * 1.2 + 5.0,
                "{what}: {b:.1}/min with {} viewers against {a:.1}/min with {}",
                r.viewers,
                base.viewers
            );
        }
    }
    Ok(())
}
