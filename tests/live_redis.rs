//! The Redis source and the Redis operations of the live platform, against real
//! redis-server peers: one node, and a 3-master cluster.

mod support;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use cockpit::live::{Clock, Env, Targets};
use cockpit::model::state::{RedisState, SourceData};
use cockpit::model::{Board, FailureKind, Level, MetricId, SourceId, SourceUpdate};
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use cockpit::sources::poll::{Poller, refresh_once};
use cockpit::sources::redis::RedisSource;
use support::live::{config, env};
use support::redis_peer::{command, key_on};
use support::{RedisCluster, RedisServer};

const Q1: &str = "agent:queue:default";
const Q2: &str = "agent:queue:high";
const SET: &str = "agent:processing";

fn redis_config(url: &str) -> cockpit::config::Config {
    let mut c = config(1.0);
    c.redis.url = Some(url.to_string());
    c.redis.queues = vec![Q1.into(), Q2.into()];
    c
}

async fn source(c: &cockpit::config::Config, e: &Env) -> Result<RedisSource> {
    let targets = Targets::resolve(c, e).await;
    let target = targets.redis.context("redis configured")?.map_err(|f| anyhow::anyhow!("{f}"))?;
    Ok(RedisSource::new(target, c.redis.clone()))
}

async fn read(src: &mut RedisSource) -> Result<RedisState> {
    match refresh_once(src, Duration::from_secs(10)).await {
        Ok(SourceData::Redis(r)) => Ok(r),
        other => bail!("not a redis refresh: {other:?}"),
    }
}

fn push(port: u16, key: &str, n: usize) -> Result<()> {
    for i in 0..n {
        command(port, None, &["RPUSH", key, &format!("task-{i}")])?;
    }
    Ok(())
}

fn info_field(port: u16, section: &str, field: &str) -> Result<u64> {
    let text = command(port, None, &["INFO", section])?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("{field} in INFO {section}"))
}

#[tokio::test]
async fn a_single_node_is_read_in_one_pipeline_and_matches_redis_cli() -> Result<()> {
    let server = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    push(server.port(), Q1, 7)?;
    push(server.port(), Q2, 3)?;
    for m in ["a", "b", "c", "d"] {
        command(server.port(), None, &["SADD", SET, m])?;
    }
    let c = redis_config(&server.url());
    let mut src = source(&c, &env(home.path())).await?;
    let r = read(&mut src).await?;
    assert_eq!(r.queues, vec![(Q1.to_string(), 7), (Q2.to_string(), 3)]);
    assert_eq!((r.depth(), r.in_flight), (10, 4));
    assert_eq!((r.shards, r.cluster_state.as_deref()), (1, None));
    assert_eq!(r.max_clients, info_field(server.port(), "clients", "maxclients")?);
    assert_eq!(r.max_memory, info_field(server.port(), "memory", "maxmemory")?);
    let used = info_field(server.port(), "memory", "used_memory")? as f64;
    assert!((r.used_memory as f64 - used).abs() / used < 0.2, "used_memory {} vs redis-cli {used}", r.used_memory);
    assert!(r.clients >= 1 && r.round_trip_ms > 0.0, "{r:?}");
    // The same connection serves the next refresh.
    command(server.port(), None, &["LPOP", Q1])?;
    assert_eq!(read(&mut src).await?.depth(), 9);
    Ok(())
}

#[tokio::test]
async fn a_cluster_is_found_from_one_node_and_read_per_master() -> Result<()> {
    let cluster = RedisCluster::start()?;
    let home = tempfile::tempdir()?;
    let client = redis::cluster::ClusterClient::new(cluster.urls())?;
    let mut con = client.get_async_connection().await?;
    for (key, n) in [(Q1, 5), (Q2, 2)] {
        for i in 0..n {
            redis::cmd("RPUSH").arg(key).arg(i).query_async::<()>(&mut con).await?;
        }
    }
    redis::cmd("SADD").arg(SET).arg("x").arg("y").query_async::<()>(&mut con).await?;
    // The config names one node and does not say "cluster": the node says so.
    let c = redis_config(&cluster.urls()[0]);
    let r = read(&mut source(&c, &env(home.path())).await?).await?;
    assert_eq!((r.queues.clone(), r.in_flight), (vec![(Q1.to_string(), 5), (Q2.to_string(), 2)], 2));
    assert_eq!((r.shards, r.cluster_state.as_deref()), (3, Some("ok")));
    let mut ports: Vec<u16> = r.shard_memory.iter().filter_map(|(a, _)| a.rsplit(':').next()?.parse().ok()).collect();
    ports.sort();
    let mut want = cluster.ports();
    want.sort();
    assert_eq!(ports, want, "one entry per master: {:?}", r.shard_memory);
    assert!(r.shard_memory.iter().all(|(_, m)| *m > 0));
    assert_eq!(r.used_memory, r.shard_memory.iter().map(|(_, m)| m).sum::<u64>());
    Ok(())
}

/// An idle cache (no reads but the cockpit's own, of keys that may not exist) is "no traffic",
/// not a 0% hit rate; the platform's own reads are counted without the cockpit's.
async fn own_reads_are_not_traffic(c: &cockpit::config::Config, traffic: impl Fn() -> Result<()>) -> Result<()> {
    let home = tempfile::tempdir()?;
    let mut src = source(c, &env(home.path())).await?;
    let mut board = Board::new(c.board_settings(), &[SourceId::Redis]);
    for i in 0..4 {
        let result = refresh_once(&mut src, Duration::from_secs(10)).await;
        board.ingest(SourceUpdate { source: src.id(), at: f64::from(i) * 2.0, result });
    }
    let hit = board.reading(MetricId::RedisHitRate);
    assert_eq!((hit.value, hit.formatted().as_str()), (None, "no traffic"), "an idle cache: {hit:?}");
    assert_eq!(hit.counted_level(), Level::Ok, "no traffic alarms no one");
    // Now the platform reads: every one of its reads is a hit.
    traffic()?;
    for i in 4..6 {
        let result = refresh_once(&mut src, Duration::from_secs(10)).await;
        board.ingest(SourceUpdate { source: src.id(), at: f64::from(i) * 2.0, result });
    }
    let hit = board.reading(MetricId::RedisHitRate);
    assert_eq!((hit.value, hit.level), (Some(100.0), Level::Ok), "the cockpit's misses are not the platform's");
    Ok(())
}

#[tokio::test]
async fn an_idle_single_node_has_no_traffic_and_the_cockpits_reads_are_not_counted() -> Result<()> {
    let server = RedisServer::start()?;
    // One queue exists (a hit per poll), one does not and neither does the set (misses).
    push(server.port(), Q1, 2)?;
    let port = server.port();
    own_reads_are_not_traffic(&redis_config(&server.url()), || {
        command(port, None, &["SET", "cache:k", "v"])?;
        for _ in 0..10 {
            command(port, None, &["GET", "cache:k"])?;
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_idle_cluster_has_no_traffic_and_the_cockpits_reads_are_not_counted() -> Result<()> {
    let cluster = RedisCluster::start()?;
    let urls = cluster.urls();
    own_reads_are_not_traffic(&redis_config(&urls[0]), || {
        let client = redis::cluster::ClusterClient::new(urls.clone())?;
        let mut con = client.get_connection()?;
        redis::cmd("SET").arg("cache:k").arg("v").query::<()>(&mut con)?;
        for _ in 0..10 {
            redis::cmd("GET").arg("cache:k").query::<String>(&mut con)?;
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn queue_levels_change_exactly_at_the_runbook_thresholds() -> Result<()> {
    let server = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    let c = redis_config(&server.url());
    let mut src = source(&c, &env(home.path())).await?;
    let mut board = Board::new(c.board_settings(), &[SourceId::Redis]);
    let clock = Clock::start();
    let mut depth = 0usize;
    for (target, want) in [(1000, Level::Ok), (1001, Level::Warn), (5000, Level::Warn), (5001, Level::Crit)] {
        let args: Vec<String> = (depth..target).map(|i| format!("t{i}")).collect();
        if !args.is_empty() {
            let mut cmd = vec!["RPUSH", Q1];
            cmd.extend(args.iter().map(String::as_str));
            command(server.port(), None, &cmd)?;
        }
        depth = target;
        let result = refresh_once(&mut src, Duration::from_secs(10)).await;
        board.ingest(SourceUpdate { source: src.id(), at: clock.now(), result });
        let r = board.reading(MetricId::QueueDepth);
        assert_eq!((r.value, r.level), (Some(target as f64), want), "queue depth {target}");
    }
    Ok(())
}

#[tokio::test]
async fn a_wrong_or_missing_password_is_an_authentication_failure_without_the_password() -> Result<()> {
    let server = RedisServer::start_with_password("s3cret-pw")?;
    let home = tempfile::tempdir()?;
    let anonymous = format!("redis://127.0.0.1:{}", server.port());
    let mut c = redis_config(&anonymous);
    let f = refresh_once(&mut source(&c, &env(home.path())).await?, Duration::from_secs(10))
        .await
        .err()
        .context("no password")?;
    assert_eq!(f.kind, FailureKind::Authentication, "{f}");
    c.redis.password_env = Some("COCKPIT_TEST_REDIS_PW".into());
    let e = env(home.path()).with("COCKPIT_TEST_REDIS_PW", "wrong-pw-123");
    let f = refresh_once(&mut source(&c, &e).await?, Duration::from_secs(10)).await.err().context("wrong password")?;
    assert_eq!(f.kind, FailureKind::Authentication, "{f}");
    assert!(f.message.contains("password") && !f.message.contains("wrong-pw-123"), "{f}");
    let e = env(home.path()).with("COCKPIT_TEST_REDIS_PW", "s3cret-pw");
    assert!(refresh_once(&mut source(&c, &e).await?, Duration::from_secs(10)).await.is_ok());
    // A password in the URL never shows in a failure either.
    let mut down =
        redis_config(&format!("redis://:s3cret-pw@127.0.0.1:{}", support::process::PortLease::new(false)?.port()));
    down.redis.password_env = None;
    let f = refresh_once(&mut source(&down, &env(home.path())).await?, Duration::from_secs(10))
        .await
        .err()
        .context("down")?;
    assert_eq!(f.kind, FailureKind::Refused, "{f}");
    assert!(!f.message.contains("s3cret"), "{f}");
    Ok(())
}

#[tokio::test]
async fn the_live_platform_reads_llen_and_scard() -> Result<()> {
    let server = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    push(server.port(), Q1, 4)?;
    push(server.port(), Q2, 2)?;
    command(server.port(), None, &["SADD", SET, "a", "b", "c"])?;
    let c = redis_config(&server.url());
    let targets = Targets::resolve(&c, &env(home.path())).await;
    let p = LivePlatform::connect(&c, &targets, Clock::start()).await;
    assert_eq!((p.queue_depth().await?, p.in_flight().await?), (6, 3));
    command(server.port(), None, &["SREM", SET, "a"])?;
    assert_eq!(p.in_flight().await?, 2);
    let err = p.db_ping().await.err().context("postgres is not configured")?;
    assert!(err.message.contains("not configured"), "{err}");
    Ok(())
}

// Redis cluster (issue 9): the runbook's "When to Scale" signals per shard.

#[tokio::test]
async fn a_full_shard_shows_its_own_level_and_the_others_stay_ok() -> Result<()> {
    let cluster = RedisCluster::start()?;
    let home = tempfile::tempdir()?;
    let ports = cluster.ports();
    // Every node gets a 16 MiB limit; the second is filled past 75% of its own.
    for p in &ports {
        command(*p, None, &["CONFIG", "SET", "maxmemory", "16mb"])?;
    }
    let hot = ports[1];
    let tag = key_on(hot)?;
    let value = "x".repeat(64 * 1024);
    // Fill until INFO says 80% (the threshold is 75%), as redis-cli would see it.
    for i in 0..1000 {
        if info_field(hot, "memory", "used_memory")? * 100 > 16 * 1024 * 1024 * 80 {
            break;
        }
        let r = command(hot, None, &["SET", &format!("{{{tag}}}:{i}"), &value])?;
        assert_eq!(r, "OK", "SET on the hot shard");
    }
    let c = redis_config(&cluster.urls()[0]);
    let mut src = source(&c, &env(home.path())).await?;
    let mut board = Board::new(c.board_settings(), &[SourceId::Redis]);
    let clock = Clock::start();
    let result = refresh_once(&mut src, Duration::from_secs(10)).await;
    board.ingest(SourceUpdate { source: src.id(), at: clock.now(), result });
    let r = board.state.redis.clone().context("redis state")?;
    assert_eq!(r.shard_readings.len(), 3, "one reading per master: {:?}", r.shard_readings);
    let pct = |port: u16| {
        r.shard_readings.iter().find(|s| s.addr.ends_with(&format!(":{port}"))).and_then(|s| s.memory_pct())
    };
    let hot_pct = pct(hot).context("hot shard's memory")?;
    assert!(hot_pct > 75.0 && hot_pct < 100.0, "hot shard at {hot_pct:.0}%");
    for p in [ports[0], ports[2]] {
        assert!(pct(p).is_some_and(|x| x < 50.0), "shard {p} at {:?}", pct(p));
    }
    assert_eq!(r.shard_readings.iter().map(|s| s.slots.unwrap_or(0)).sum::<u32>(), 16384);
    // The total is well under 75%: only the shard shows the heat, and the pane says so.
    assert_eq!(board.reading(MetricId::RedisMemory).level, Level::Ok, "the total hides the hot shard");
    let pane = cockpit::ui::panes::pane_level(&board, cockpit::config::keymap::PaneId::Cache);
    assert_eq!(pane, Some(Level::Warn), "the Cache pane takes the hot shard's level");
    Ok(())
}

#[tokio::test]
async fn shard_latency_and_replica_lag_are_read_from_the_node() -> Result<()> {
    let server = RedisServer::start()?;
    let replica = RedisServer::start()?;
    let home = tempfile::tempdir()?;
    command(replica.port(), None, &["REPLICAOF", "127.0.0.1", &server.port().to_string()])?;
    let c = redis_config(&server.url());
    let mut src = source(&c, &env(home.path())).await?;
    let first = read(&mut src).await?;
    let s = first.shard_readings.first().context("one reading on a single node")?;
    assert_eq!(s.max_memory, 0, "maxmemory 0: no limit");
    assert_eq!(s.memory_pct(), None, "no limit is never divided by");
    assert_eq!(s.usec_per_call, None, "latency needs two polls");
    for i in 0..200 {
        command(server.port(), None, &["SET", &format!("k{i}"), "v"])?;
    }
    let mut r = read(&mut src).await?;
    let us = r.shard_readings[0].usec_per_call;
    assert!(us.is_some_and(|v| v > 0.0), "200 SETs since the last poll: {us:?}");
    // Wait for the replica to be online.
    for _ in 0..100 {
        if r.shard_readings[0].replicas.iter().any(|x| x.state == "online") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        r = read(&mut src).await?;
    }
    let s = &r.shard_readings[0];
    assert_eq!(s.replicas.len(), 1, "{s:?}");
    assert_eq!(s.replicas[0].addr, format!("127.0.0.1:{}", replica.port()));
    assert_eq!(s.replicas[0].state, "online");
    assert!(s.p99_usec.as_ref().is_some_and(|(cmd, v)| cmd != "info" && *v > 0.0), "{s:?}");
    Ok(())
}

#[tokio::test]
async fn a_cluster_without_maxmemory_says_no_limit_per_shard_on_an_80_column_screen() -> Result<()> {
    use cockpit::config::keymap::{Keymap, PaneId};
    use cockpit::config::theme::Theme;
    use cockpit::ui::app::{App, Mode};
    use ratatui::{Terminal, backend::TestBackend};
    let cluster = RedisCluster::start()?;
    let home = tempfile::tempdir()?;
    let c = redis_config(&cluster.urls()[0]);
    let mut src = source(&c, &env(home.path())).await?;
    let mut board = Board::new(c.board_settings(), &[SourceId::Redis]);
    let clock = Clock::start();
    for _ in 0..2 {
        let result = refresh_once(&mut src, Duration::from_secs(10)).await;
        board.ingest(SourceUpdate { source: src.id(), at: clock.now(), result });
    }
    let theme = Theme::load("dark", None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let keymap = Keymap::load("default", None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut app = App::new(board, theme, keymap, Mode::Live { target: "redis".into() });
    app.focus = PaneId::Cache;
    app.zoom = true;
    let mut t = Terminal::new(TestBackend::new(80, 24))?;
    t.draw(|f| cockpit::ui::view::draw(f, &app))?;
    let buf = t.backend().buffer();
    let text: Vec<String> = (0..24).map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect();
    let shard_lines: Vec<&String> =
        text.iter().filter(|l| cluster.ports().iter().any(|p| l.contains(&format!(":{p}")))).collect();
    assert_eq!(shard_lines.len(), 3, "{}", text.join("\n"));
    for l in &shard_lines {
        assert!(l.contains("no limit (maxmemory 0)") && !l.contains('%'), "{l}");
    }
    assert!(text.iter().any(|l| l.contains("slots")), "{}", text.join("\n"));
    Ok(())
}
