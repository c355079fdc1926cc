//! scale-redis (issue 9) against real peers: a 3-master Redis Cluster of redis-server
//! processes behind the ElastiCache test peer (tests/support/elasticache_peer.py), with kmock
//! for the action lock; and on the simulator.

mod support;

use anyhow::{Context, Result, bail};
use cockpit::actions::procedure::{FormCx, PlanCx};
use cockpit::actions::runner::{RunOpts, Runner};
use cockpit::actions::step::Severity;
use cockpit::actions::{ActionSettings, Outcome, Plan, RunEvent, StepState, journal, registry};
use cockpit::config::Config;
use cockpit::live::{Clock, Targets};
use cockpit::model::{Board, SourceId};
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use redis::Value;
use std::sync::Arc;
use std::time::Duration;
use support::Kmock;
use support::elasticache_peer::ElastiCachePeer;
use support::live::{config, env};
use support::redis_peer::{command, key_on};

struct Rig {
    peer: ElastiCachePeer,
    kmock: Kmock,
    home: tempfile::TempDir,
    journal: tempfile::TempDir,
}

fn rig(spares: usize, slot_delay: f64) -> Result<Rig> {
    Ok(Rig {
        peer: ElastiCachePeer::start(spares, slot_delay)?,
        kmock: Kmock::start()?,
        home: tempfile::tempdir()?,
        journal: tempfile::tempdir()?,
    })
}

impl Rig {
    fn config(&self) -> Config {
        let mut c = config(1.0);
        c.kubernetes.kubeconfig = Some(self.kmock.kubeconfig_path());
        c.kubernetes.namespace = "production".into();
        c.redis.url = Some(self.peer.cluster.urls()[0].clone());
        c.aws.enabled = Some(true);
        c.aws.region = Some("us-east-1".into());
        c.aws.endpoint_url = Some(self.peer.endpoint());
        c
    }

    async fn platform(&self) -> Arc<dyn Platform> {
        let c = self.config();
        let e = env(self.home.path()).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing");
        let targets = Targets::resolve(&c, &e).await;
        Arc::new(LivePlatform::connect(&c, &targets, Clock::start()).await)
    }

    fn settings(&self) -> ActionSettings {
        let mut s = ActionSettings::from_config(&self.config());
        s.journal_dir = self.journal.path().to_path_buf();
        s.poll_secs = 0.2;
        s.actions.reshard_timeout_secs = 120;
        s
    }

    fn port(&self, i: usize) -> u16 {
        self.peer.cluster.ports()[i]
    }
}

async fn plan_for(p: Arc<dyn Platform>, s: &ActionSettings, shards: u32) -> Result<Plan> {
    let board = Board::new(Config::default().board_settings(), &SourceId::ALL);
    let proc = registry::find("scale-redis")?;
    let mut form = proc.form(&FormCx { board: &board, settings: s });
    form.set("shards", &shards.to_string()).map_err(anyhow::Error::msg)?;
    Ok(proc.plan(&PlanCx { platform: p, settings: s.clone(), board }, &form).await?)
}

fn blocks(plan: &Plan) -> Vec<String> {
    plan.findings.iter().filter(|f| f.severity == Severity::Block).map(|f| f.text.clone()).collect()
}

/// CLUSTER SHARDS as (master's port, its slot count) per shard, read with the redis crate.
async fn cluster_shards(port: u16) -> Result<Vec<(u16, u32)>> {
    let mut con = redis::Client::open(format!("redis://127.0.0.1:{port}"))?.get_multiplexed_async_connection().await?;
    let v: Value = redis::cmd("CLUSTER").arg("SHARDS").query_async(&mut con).await?;
    let Value::Array(shards) = v else { bail!("CLUSTER SHARDS: {v:?}") };
    let field = |kv: &[Value], key: &str| -> Option<Value> {
        kv.chunks(2).find(|c| matches!(&c[0], Value::BulkString(k) if k == key.as_bytes())).map(|c| c[1].clone())
    };
    let int = |v: &Value| match v {
        Value::Int(i) => Some(*i),
        _ => None,
    };
    let mut out = Vec::new();
    for s in shards {
        let Value::Array(kv) = s else { bail!("a shard: {s:?}") };
        let Some(Value::Array(slots)) = field(&kv, "slots") else { bail!("slots of {kv:?}") };
        let bounds: Vec<i64> = slots.iter().filter_map(int).collect();
        let count: i64 = bounds.chunks(2).map(|r| r[1] - r[0] + 1).sum();
        let Some(Value::Array(nodes)) = field(&kv, "nodes") else { bail!("nodes of {kv:?}") };
        for n in nodes {
            let Value::Array(nkv) = n else { continue };
            let role = field(&nkv, "role");
            if matches!(role, Some(Value::BulkString(r)) if r == b"master") {
                let port = field(&nkv, "port").as_ref().and_then(int).context("port")?;
                out.push((u16::try_from(port)?, u32::try_from(count)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Keys through the cluster client, spread over every slot range.
async fn fill(urls: Vec<String>, n: usize) -> Result<()> {
    let mut con = redis::cluster::ClusterClient::new(urls)?.get_async_connection().await?;
    for i in 0..n {
        redis::cmd("SET").arg(format!("task:{i}")).arg(i).query_async::<()>(&mut con).await?;
    }
    Ok(())
}

async fn dbsize(ports: impl IntoIterator<Item = u16>) -> Result<u64> {
    let mut total = 0;
    for p in ports {
        total += command(p, None, &["DBSIZE"])?.trim_start_matches(':').parse::<u64>()?;
    }
    Ok(total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_redis_reshards_a_real_3_node_cluster_to_4_masters_through_the_peer() -> Result<()> {
    let r = rig(1, 0.0)?;
    fill(r.peer.cluster.urls(), 500).await?;
    let p = r.platform().await;
    let s = r.settings();
    let plan = plan_for(p.clone(), &s, 4).await?;
    assert!(blocks(&plan).is_empty(), "{:#?}", plan.findings);
    assert_eq!(plan.title, "Reshard Redis agentos-redis 3 → 4 shards");
    let c = r.config();
    let targets = Targets::resolve(&c, &env(r.home.path())).await;
    let target = targets.redis.context("redis")?.map_err(|f| anyhow::anyhow!("{f}"))?;
    let mut src = cockpit::sources::redis::RedisSource::new(target, c.redis.clone());
    let read = cockpit::sources::poll::refresh_once(&mut src, Duration::from_secs(10)).await;
    assert!(matches!(&read, Ok(cockpit::model::state::SourceData::Redis(r)) if r.shards == 3), "{read:?}");
    let (runner, mut h) = Runner::new(p.clone(), plan, RunOpts::from_settings(&s));
    let summary = runner.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?} peer: {:?}", summary.lines(), r.peer.last_error());
    // The run followed the move: the group modifying, then the cluster even.
    let mut lives = Vec::new();
    while let Ok(e) = h.events.try_recv() {
        if let RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } = e {
            lives.push(l);
        }
    }
    assert!(lives.iter().any(|l| l.starts_with("group modifying")), "{lives:#?}");
    // Verified independently, from CLUSTER SHARDS: 4 masters of 4096 slots each.
    let shards = cluster_shards(r.port(0)).await?;
    assert_eq!(shards.len(), 4, "{shards:?}");
    assert!(shards.iter().all(|(_, n)| *n == 4096), "{shards:?}");
    assert!(shards.iter().any(|(port, _)| *port == r.peer.spares[0].port()), "the spare joined: {shards:?}");
    let ports: Vec<u16> = shards.iter().map(|(p, _)| *p).collect();
    assert_eq!(dbsize(ports).await?, 500, "no key lost in the move");
    // The Cache pane's source, started before the reshard, follows it: 4 shards now.
    let read = cockpit::sources::poll::refresh_once(&mut src, Duration::from_secs(10)).await;
    let Ok(cockpit::model::state::SourceData::Redis(state)) = read else { bail!("redis read: {read:?}") };
    assert_eq!((state.shards, state.cluster_state.as_deref()), (4, Some("ok")));
    let mut slots: Vec<u32> = state.shard_readings.iter().filter_map(|s| s.slots).collect();
    slots.sort();
    assert_eq!(slots, [4096; 4], "{:?}", state.shard_readings);
    // The same plan again is refused: nothing to do.
    let again = plan_for(p, &s, 4).await?;
    assert!(blocks(&again).iter().any(|b| b.contains("already has 4 shards")), "{:#?}", again.findings);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reshard_cut_short_shows_where_it_stands_and_resumes() -> Result<()> {
    // Slow moves (a pause after each batch of 64 slots), so that the cut lands half way.
    let mut r = rig(1, 0.15)?;
    fill(r.peer.cluster.urls(), 300).await?;
    let p = r.platform().await;
    let s = r.settings();
    let plan = plan_for(p.clone(), &s, 4).await?;
    let (runner, mut h) = Runner::new(p.clone(), plan, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    let peer_port = r.peer.port();
    tokio::task::spawn_blocking({
        let cluster_ports = r.peer.cluster.ports();
        move || -> Result<()> {
            let _ = peer_port;
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_secs(30) {
                for p in &cluster_ports {
                    let nodes = command(*p, None, &["CLUSTER", "NODES"]).unwrap_or_default();
                    if nodes.lines().any(|l| l.contains("myself") && l.contains("->-")) {
                        return Ok(());
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            bail!("no slot moved in 30 s")
        }
    })
    .await??;
    // The ElastiCache API goes away half way.
    r.peer.kill()?;
    // The run says so and keeps following the cluster itself.
    let live = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(e) = h.events.recv().await {
            if let RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } = e
                && l.starts_with("group status unknown")
            {
                return Some(l);
            }
        }
        None
    })
    .await?
    .context("a live line without the API")?;
    assert!(live.contains("4 masters"), "{live}");
    // Then the cockpit itself dies (the on-call's laptop), mid-verification.
    task.abort();
    let _ = task.await;
    // A known state: the journal holds the action unfinished, the change made; the cluster is
    // whole (every slot covered, state ok) but not yet even.
    let pending = journal::unfinished(&s.journal_dir);
    assert_eq!(pending.len(), 1, "one unfinished action");
    let u = pending.into_iter().next().context("unfinished")?;
    assert_eq!(u.action, "scale-redis");
    let c = p.redis_cluster().await?;
    assert_eq!((c.state.as_str(), c.slots_assigned, c.masters.len()), ("ok", 16384, 4), "{}", c.summary());
    assert!(!c.even(4), "cut short half way: {}", c.summary());
    // The API comes back (it goes on with the same target), and the action is resumed.
    r.peer.restart()?;
    let summary = Runner::resume(p.clone(), u, RunOpts::from_settings(&s)).0.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?} peer: {:?}", summary.lines(), r.peer.last_error());
    let shards = cluster_shards(r.port(0)).await?;
    assert_eq!(shards.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [4096; 4], "{shards:?}");
    assert_eq!(dbsize(shards.iter().map(|(p, _)| *p)).await?, 300, "no key lost");
    assert!(journal::unfinished(&s.journal_dir).is_empty(), "finished now");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_refuses_out_of_range_uncovered_slots_and_a_scale_in_without_room() -> Result<()> {
    let r = rig(0, 0.0)?;
    let p = r.platform().await;
    let mut s = r.settings();
    // The runbook's 3..10.
    for n in [11, 2] {
        let plan = plan_for(p.clone(), &s, n).await?;
        assert!(blocks(&plan).iter().any(|b| b.contains("outside the runbook's 3..10")), "{n}: {:#?}", plan.findings);
    }
    // A scale-in where the limit allows it (limits.redis_shards.min = 2), without maxmemory:
    // headroom cannot be judged.
    s.limits.redis_shards.min = 2;
    let plan2 = plan_for(p.clone(), &s, 2).await?;
    assert!(blocks(&plan2).iter().any(|b| b.contains("maxmemory 0")), "{:#?}", plan2.findings);
    // Each node 16 MiB, filled to over half: 3 shards' data does not fit 2 under 75%.
    let value = "x".repeat(64 * 1024);
    for i in 0..3 {
        let port = r.port(i);
        command(port, None, &["CONFIG", "SET", "maxmemory", "16mb"])?;
        let tag = key_on(port)?;
        for j in 0..1000 {
            let used: u64 = command(port, None, &["INFO", "memory"])?
                .lines()
                .find_map(|l| l.strip_prefix("used_memory:"))
                .context("used_memory")?
                .trim()
                .parse()?;
            if used > 9 * 1024 * 1024 {
                break;
            }
            assert_eq!(command(port, None, &["SET", &format!("{{{tag}}}:{j}"), &value])?, "OK");
        }
    }
    let plan2 = plan_for(p.clone(), &s, 2).await?;
    assert!(blocks(&plan2).iter().any(|b| b.contains("does not fit 2 shards with headroom")), "{:#?}", plan2.findings);
    // The same data over 4 shards fits: no memory refusal for a scale-out.
    let out = plan_for(p.clone(), &s, 4).await?;
    assert!(blocks(&out).is_empty(), "{:#?}", out.findings);
    // A slot nobody serves: refused, and so is everything until it is covered again.
    let port = r.port(2);
    command(port, None, &["CLUSTER", "DELSLOTS", "16383"])?;
    let mut refused = None;
    for _ in 0..50 {
        let plan = plan_for(p.clone(), &s, 4).await?;
        if let Some(b) = blocks(&plan).into_iter().find(|b| b.contains("16383 of 16384 slots are covered")) {
            refused = Some(b);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused.is_some(), "uncovered slot not refused");
    Ok(())
}

#[tokio::test]
async fn the_simulator_reshards_to_four_and_the_cache_pane_shows_four_shards() -> Result<()> {
    use cockpit::sim::{Clock as SimClock, SimPlatform, SimSettings, Simulator, scenario::Scenario};
    let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
    let mut board = Board::new(Config::default().board_settings(), &SourceId::ALL);
    cockpit::sim::run_for(&mut sim, &mut board, 120.0, 5.0);
    let sim = Arc::new(std::sync::Mutex::new(sim));
    let p: Arc<dyn Platform> = Arc::new(SimPlatform::new(sim.clone(), SimClock::Stepped));
    let dir = tempfile::tempdir()?;
    let s = ActionSettings { journal_dir: dir.path().to_path_buf(), ..ActionSettings::default() };
    let proc = registry::find("scale-redis")?;
    let form = proc.form(&FormCx { board: &board, settings: &s });
    assert_eq!(form.number("shards"), Some(4), "prefilled with the next shard count");
    let plan = proc.plan(&PlanCx { platform: p.clone(), settings: s.clone(), board: board.clone() }, &form).await?;
    assert!(blocks(&plan).is_empty(), "{:#?}", plan.findings);
    let summary = Runner::new(p.clone(), plan, RunOpts::from_settings(&s)).0.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let c = p.redis_cluster().await?;
    assert!(c.even(4), "{}", c.summary());
    let mut guard = sim.lock().unwrap_or_else(|e| e.into_inner());
    cockpit::sim::run_for(&mut guard, &mut board, 10.0, 5.0);
    let r = board.state.redis.as_ref().context("redis")?;
    assert_eq!((r.shards, r.shard_readings.len()), (4, 4));
    assert!(r.shard_readings.iter().all(|s| s.slots == Some(4096)));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replication_group_is_found_by_the_redis_address_else_blind_with_its_setting() -> Result<()> {
    let r = rig(0, 0.0)?;
    let e = env(r.home.path()).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing");
    // A name that does not exist: the group whose endpoints include the configured Redis.
    let mut c = r.config();
    c.aws.elasticache_group = "not-this-one".into();
    let p = LivePlatform::connect(&c, &Targets::resolve(&c, &e).await, Clock::start()).await;
    let g = p.redis_group().await?;
    assert_eq!((g.id.as_str(), g.shards(), g.status.as_str()), ("agentos-redis", 3, "available"));
    // A Redis no group serves: blind, naming the setting.
    let other = support::RedisServer::start()?;
    c.redis.url = Some(other.url());
    let p = LivePlatform::connect(&c, &Targets::resolve(&c, &e).await, Clock::start()).await;
    let err = p.redis_group().await.err().context("no group serves it")?;
    assert_eq!(err.kind, cockpit::platform::ErrorKind::Blind, "{err:?}");
    assert!(err.message.contains("set aws.elasticache_group"), "{}", err.message);
    // And scale-redis on a single node says what it needs instead of failing somewhere.
    let err = p.redis_cluster().await.err().context("a single node is no cluster")?;
    assert!(err.message.contains("not a cluster"), "{}", err.message);
    Ok(())
}

#[tokio::test]
async fn an_abort_stops_the_following_not_the_reshard_and_the_undo_waits_for_it() -> Result<()> {
    use cockpit::sim::{Clock as SimClock, SimPlatform, SimSettings, Simulator, scenario::Scenario};
    let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
    let mut board = Board::new(Config::default().board_settings(), &SourceId::ALL);
    cockpit::sim::run_for(&mut sim, &mut board, 60.0, 5.0);
    let p: Arc<dyn Platform> = Arc::new(SimPlatform::new(Arc::new(std::sync::Mutex::new(sim)), SimClock::Stepped));
    let dir = tempfile::tempdir()?;
    let s = ActionSettings { journal_dir: dir.path().to_path_buf(), ..ActionSettings::default() };
    let plan = plan_for(p.clone(), &s, 4).await?;
    let (runner, mut h) = Runner::new(p.clone(), plan, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    while let Some(e) = h.events.recv().await {
        if matches!(&e, RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } if l.contains("moving"))
        {
            h.abort.abort();
            break;
        }
    }
    let summary = task.await?;
    assert_eq!(summary.outcome, Outcome::Aborted, "{:#?}", summary.lines());
    // ElastiCache goes on: the group is still modifying.
    assert_eq!(p.redis_group().await?.status, "modifying");
    // The undo (a reshard back to 3) is refused while it runs, and nothing is sent.
    let undo = cockpit::actions::rollback::from_summary(&summary).context("an undo is offered")?;
    let refused = Runner::new(p.clone(), undo.clone(), RunOpts::from_settings(&s)).0.run().await;
    assert!(!refused.outcome.ok(), "{:#?}", refused.lines());
    assert!(refused.lines().iter().any(|(_, l)| l.contains("another change is under way")), "{:#?}", refused.lines());
    // Once the reshard is over, the undo takes the cluster back to 3 even shards.
    p.sleep(Duration::from_secs(120)).await;
    assert!(p.redis_cluster().await?.even(4));
    let back = Runner::new(p.clone(), undo, RunOpts::from_settings(&s)).0.run().await;
    assert!(back.outcome.ok(), "{:#?}", back.lines());
    p.sleep(Duration::from_secs(120)).await;
    let c = p.redis_cluster().await?;
    assert!(c.even(3), "{}", c.summary());
    Ok(())
}
