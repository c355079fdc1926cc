//! The war room's stream, in process, against a real redis-server (single and cluster): a
//! late joiner sees what the collector sees, value for value, with its history; a Redis that
//! dies makes the viewer stale and it recovers; the stream stays within its bounds.

mod support;

use cockpit::config::Config;
use cockpit::live::Env;
use cockpit::model::{Board, BoardSettings, MetricId, SourceId, SourceStatus, SourceUpdate};
use cockpit::record::Recorder;
use cockpit::share::feed::{self, FeedEvent};
use cockpit::share::publish::{self, Epoch, Out, PublishSpec, Role, StreamSink};
use cockpit::share::wire::Hello;
use cockpit::share::{Bus, Keys, wall_now};
use cockpit::sim::{Scenario, SimSettings, Simulator};
use std::time::Duration;
use support::{RedisCluster, RedisServer};
use tokio::sync::{mpsc, watch};

fn config(urls: &[String], cluster: bool) -> Config {
    let mut c = Config::default();
    c.share.url = Some(urls.join(","));
    c.share.cluster = cluster;
    c
}

fn spec(name: &str, epoch: f64) -> PublishSpec {
    PublishSpec {
        keys: Keys::new(name),
        hello: Hello {
            id: format!("test pid {}", std::process::id()),
            version: "test".into(),
            epoch: 0.0,
            since: 0.0,
            refresh_secs: 1.0,
            settings: BoardSettings::default(),
            configured: SourceId::ALL.to_vec(),
            target: "demo incident (seed 7)".into(),
            origin: "demo".into(),
        },
        epoch: Epoch::Fixed(epoch),
        refresh: Duration::from_secs(1),
        history_secs: 3600.0,
        history_max_entries: 1_000_000,
    }
}

async fn until_role(role: &mut watch::Receiver<Role>, want: impl Fn(&Role) -> bool) -> Role {
    let r = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if want(&role.borrow_and_update()) {
                return role.borrow().clone();
            }
            role.changed().await.expect("publisher alive");
        }
    })
    .await;
    r.unwrap_or_else(|_| panic!("role never came: last {:?}", role.borrow()))
}

/// A collector of the simulator, stepped by hand: its board, its recorder into the stream.
struct Collector {
    sim: Simulator,
    board: Board,
    rec: Recorder,
    tx: mpsc::Sender<Out>,
}

impl Collector {
    fn new(tx: mpsc::Sender<Out>, epoch: f64) -> Collector {
        let board = Board::new(BoardSettings::default(), &SourceId::ALL);
        let start = Recorder::start_for(&board, "demo incident (seed 7)", "t", epoch, 2.0);
        let rec = Recorder::new(Box::new(StreamSink::new(tx.clone())), start);
        Collector { sim: Simulator::new(Scenario::Incident, 7, SimSettings::default()), board, rec, tx }
    }

    /// `secs` of simulated time, a refresh every 2 s, each update to the board and the stream.
    async fn run(&mut self, secs: f64) {
        let end = self.sim.time() + secs;
        while self.sim.time() < end {
            self.sim.advance(2.0);
            let at = self.sim.time();
            for d in self.sim.observe() {
                let u = SourceUpdate { source: d.source(), at, result: Ok(d) };
                self.board.ingest(u.clone());
                self.tx.send(Out::Update(Box::new(u))).await.expect("publisher alive");
            }
            self.rec.observe(&self.board);
        }
    }

    /// Wait until the publisher has taken everything sent so far (and written the last).
    async fn published(&self) {
        while self.tx.capacity() < self.tx.max_capacity() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Take the feed's events into `viewer` until it has reached the collector's time.
async fn catch_up(rx: &mut mpsc::Receiver<FeedEvent>, viewer: &mut Board, now: f64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while viewer.now < now {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(FeedEvent::Update(u))) => viewer.ingest(*u),
            Ok(Some(FeedEvent::Joined(j))) => *viewer = j.board(),
            Ok(Some(_)) => {}
            Ok(None) => panic!("feed ended"),
            Err(_) => panic!("the viewer stopped at {} before the collector's {now}", viewer.now),
        }
    }
    // The rest of the last refresh (its sources come one after another).
    while let Ok(Some(ev)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
        if let FeedEvent::Update(u) = ev {
            viewer.ingest(*u);
        }
    }
}

async fn joined(rx: &mut mpsc::Receiver<FeedEvent>) -> Box<feed::Joined> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("joined in time") {
            Some(FeedEvent::Joined(j)) => return j,
            Some(_) => {}
            None => panic!("feed ended before joining"),
        }
    }
}

async fn late_joiner_sees_what_the_collector_sees(cfg: Config) {
    let epoch = wall_now();
    let (tx, mut role, _task) = publish::spawn(Bus::resolve(&cfg, &Env::empty()).expect("bus"), spec("t", epoch));
    until_role(&mut role, |r| matches!(r, Role::Publishing { .. })).await;
    let mut c = Collector::new(tx.clone(), epoch);
    c.run(600.0).await;
    c.published().await;

    // A viewer joins ten minutes into the incident.
    let (mut rx, _feed) = feed::spawn(Bus::resolve(&cfg, &Env::empty()).expect("bus"), Keys::new("t"));
    let j = joined(&mut rx).await;
    assert_eq!(j.hello.target, "demo incident (seed 7)");
    assert_eq!(j.latest.len(), SourceId::ALL.len(), "the newest update of every source");
    let mut viewer = j.board();
    // Its sparklines hold the ten minutes before it joined, at once.
    let before = viewer.history(MetricId::QueueDepth).len();
    assert!(before >= 290, "history at join: {before} points");
    assert_eq!(viewer.now, c.board.now);

    c.run(300.0).await;
    catch_up(&mut rx, &mut viewer, c.board.now).await;
    assert_eq!(viewer.now, c.board.now);
    for id in MetricId::ALL {
        let (a, b) = (c.board.reading(*id), viewer.reading(*id));
        assert_eq!((a.value, a.level), (b.value, b.level), "{id:?}: collector vs viewer");
        assert_eq!(c.board.trend(*id), viewer.trend(*id), "{id:?} trend");
    }
    for s in SourceId::ALL {
        assert!(matches!(viewer.source_status(s), SourceStatus::Live { .. }), "{s:?}");
    }
    assert_eq!(c.board.emergency_reasons(), viewer.emergency_reasons());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_joiner_sees_what_the_collector_sees_on_one_node() {
    let redis = RedisServer::start().expect("redis");
    late_joiner_sees_what_the_collector_sees(config(&[redis.url()], false)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_joiner_sees_what_the_collector_sees_on_a_cluster() {
    let cluster = RedisCluster::start().expect("cluster");
    late_joiner_sees_what_the_collector_sees(config(&cluster.urls(), true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_stream_redis_dies_viewers_go_stale_and_recover() {
    let mut redis = RedisServer::start().expect("redis");
    let cfg = config(&[redis.url()], false);
    let epoch = wall_now();
    let (tx, mut role, _task) = publish::spawn(Bus::resolve(&cfg, &Env::empty()).expect("bus"), spec("t", epoch));
    until_role(&mut role, |r| matches!(r, Role::Publishing { .. })).await;
    let mut c = Collector::new(tx.clone(), epoch);
    c.run(60.0).await;
    let (mut rx, _feed) = feed::spawn(Bus::resolve(&cfg, &Env::empty()).expect("bus"), Keys::new("t"));
    let mut viewer = joined(&mut rx).await.board();

    redis.kill().expect("kill");
    // The viewer says why, and marks every source stale.
    let mut problem = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while SourceId::ALL.iter().any(|s| !viewer.source_status(*s).is_stale()) {
        match tokio::time::timeout_at(deadline, rx.recv()).await.expect("stale in time") {
            Some(FeedEvent::Update(u)) => viewer.ingest(*u),
            Some(FeedEvent::Status(s)) => problem = s.problem.or(problem),
            Some(_) => {}
            None => panic!("feed ended"),
        }
    }
    let problem = problem.expect("a reason");
    assert!(problem.contains("shared stream") && problem.contains(&format!("127.0.0.1:{}", redis.port())), "{problem}");
    let SourceStatus::Stale { failure, .. } = viewer.source_status(SourceId::Redis) else { unreachable!() };
    assert!(failure.message.contains("the shared stream cannot be read"), "{failure}");
    until_role(&mut role, |r| matches!(r, Role::Down { .. })).await;

    // Back: the collector publishes again, the viewer joins again and is live.
    redis.restart().expect("restart");
    until_role(&mut role, |r| matches!(r, Role::Publishing { .. })).await;
    c.run(10.0).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await.expect("rejoined in time") {
            Some(FeedEvent::Joined(j)) => viewer = j.board(),
            Some(FeedEvent::Update(u)) => viewer.ingest(*u),
            Some(_) => {}
            None => panic!("feed ended"),
        }
        if SourceId::ALL.iter().all(|s| matches!(viewer.source_status(*s), SourceStatus::Live { .. })) {
            break;
        }
        c.run(2.0).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_stays_within_its_bounds() {
    let redis = RedisServer::start().expect("redis");
    let cfg = config(&[redis.url()], false);
    let mut s = spec("b", wall_now());
    s.history_max_entries = 300;
    s.history_secs = 2.0;
    let (tx, mut role, _task) = publish::spawn(Bus::resolve(&cfg, &Env::empty()).expect("bus"), s);
    until_role(&mut role, |r| matches!(r, Role::Publishing { .. })).await;
    let mut c = Collector::new(tx.clone(), wall_now());
    // About 3000 history entries and 3000 source updates.
    c.run(1200.0).await;
    let started_ms = (wall_now() * 1000.0) as u64;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    c.run(400.0).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let keys = Keys::new("b");
    let mut con =
        redis::Client::open(redis.url()).expect("client").get_multiplexed_async_connection().await.expect("con");
    let history: u64 = redis::cmd("XLEN").arg(&keys.history).query_async(&mut con).await.expect("xlen");
    let updates: u64 = redis::cmd("XLEN").arg(&keys.updates).query_async(&mut con).await.expect("xlen");
    // Trimming with ~ removes whole nodes of 100 entries: the bound plus a node or two.
    assert!(history <= 300 + 200, "history entries: {history}");
    assert!(updates <= cockpit::share::keys::UPDATES_MAXLEN as u64 + 200, "updates: {updates}");
    // Nothing older than the age bound (plus a node) is kept.
    let first: redis::Value = redis::cmd("XRANGE")
        .arg(&keys.history)
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut con)
        .await
        .expect("x");
    let first = cockpit::share::reply::range(&first);
    let first_ms = first.first().and_then(|e| e.millis()).expect("an entry");
    assert!(first_ms + 100 >= started_ms - 2000, "oldest entry {first_ms} vs window start {}", started_ms - 2000);
}
