//! The viewer's side: join a stream (the collector's hello, the last hour of history, the
//! newest update of each source), then follow it with `XREAD BLOCK`. A viewer sends nothing
//! to the platform: everything it shows comes from here. When the collector goes silent, or
//! the stream's Redis cannot be reached, every source is marked stale with the reason; when
//! it answers again, the viewer joins again.

use super::bus::Bus;
use super::keys::Keys;
use super::reply::{self, StreamEntry};
use super::wire::{ActionLine, Hello, Msg, decode_update};
use crate::model::{Board, FailureKind, SourceFailure, SourceId, SourceUpdate};
use crate::record::entry::Entry;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// A viewer joins with this much history (the sparklines hold less; the events more).
pub const BACKFILL_SECS: f64 = 3600.0;

/// What a viewer needs to build its board at join.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub hello: Hello,
    /// History entries, oldest first.
    pub history: Vec<Entry>,
    /// The newest update of each source, oldest first.
    pub latest: Vec<SourceUpdate>,
}

impl Joined {
    /// The board the collector has, as far as the stream tells it.
    pub fn board(&self) -> Board {
        let mut board = Board::new(self.hello.settings.clone(), &self.hello.configured);
        super::backfill::apply(&mut board, self.hello.epoch, &self.history);
        for u in &self.latest {
            board.ingest(u.clone());
        }
        board
    }
}

/// Who publishes and how the viewer hears them, for the header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedStatus {
    /// The stream's name.
    pub name: String,
    /// The stream's Redis, without credentials.
    pub server: String,
    /// The collector's id, once known.
    pub collector: Option<String>,
    /// Wall-clock seconds when the viewer last heard from the collector.
    pub heard: Option<f64>,
    /// Why the viewer is not following (no collector, Redis down): shown in the header.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FeedEvent {
    /// Build the board anew from this (at the first join and after an outage or a new clock).
    Joined(Box<Joined>),
    Update(Box<SourceUpdate>),
    Action(ActionLine),
    Status(FeedStatus),
}

/// Follow `keys` on `bus`; events go to the returned channel until it is dropped.
pub fn spawn(bus: Bus, keys: Keys) -> (mpsc::Receiver<FeedEvent>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(512);
    let status = FeedStatus { name: keys.name.clone(), server: bus.display().to_string(), ..Default::default() };
    let feed = Feed { bus, keys, tx, status, hello: None, last_id: String::new(), last: BTreeMap::new(), at: 0.0 };
    (rx, tokio::spawn(feed.run()))
}

struct Feed {
    bus: Bus,
    keys: Keys,
    tx: mpsc::Sender<FeedEvent>,
    status: FeedStatus,
    hello: Option<Hello>,
    last_id: String,
    /// The last update of each source (a "same" marker repeats it at a new time).
    last: BTreeMap<SourceId, SourceUpdate>,
    /// The newest data-clock time seen.
    at: f64,
}

/// Why the feed stopped following.
enum Stop {
    /// The viewer is gone.
    Closed,
    /// The stream's Redis failed: say so, wait, join again.
    Failed(SourceFailure),
    /// No collector has published here yet.
    NoCollector(String),
    /// A collector on another clock said hello: join again.
    NewClock,
}

impl Feed {
    async fn run(mut self) {
        let mut backoff = Duration::from_millis(500);
        loop {
            let stop = match self.join().await {
                Ok(()) => {
                    backoff = Duration::from_millis(500);
                    self.follow().await.err().unwrap_or(Stop::Closed)
                }
                Err(s) => s,
            };
            match stop {
                Stop::Closed => return,
                Stop::NewClock => continue,
                Stop::Failed(f) => {
                    self.status.problem = Some(format!("shared stream: {f}"));
                    if self.send(FeedEvent::Status(self.status.clone())).await.is_err() {
                        return;
                    }
                    if self.stale(&format!("the shared stream cannot be read: {f}")).await.is_err() {
                        return;
                    }
                }
                Stop::NoCollector(text) => {
                    self.status.problem = Some(text);
                    if self.send(FeedEvent::Status(self.status.clone())).await.is_err() {
                        return;
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn send(&self, e: FeedEvent) -> Result<(), Stop> {
        self.tx.send(e).await.map_err(|_| Stop::Closed)
    }

    /// Mark every source the collector reads as stale, saying why.
    async fn stale(&mut self, why: &str) -> Result<(), Stop> {
        let Some(h) = &self.hello else { return Ok(()) };
        let silent_for = self.status.heard.map(|t| (super::wall_now() - t).max(0.0)).unwrap_or(0.0);
        let at = self.at + silent_for;
        for s in h.configured.clone() {
            let f = SourceFailure::new(FailureKind::Timeout, why.to_string());
            self.send(FeedEvent::Update(Box::new(SourceUpdate { source: s, at, result: Err(f) }))).await?;
        }
        Ok(())
    }

    async fn join(&mut self) -> Result<(), Stop> {
        let k = self.keys.clone();
        let hello: Option<Vec<u8>> = self.bus.query(redis::cmd("GET").arg(&k.hello)).await.map_err(Stop::Failed)?;
        let Some(hello) = hello else { return Err(Stop::NoCollector(self.no_collector().await)) };
        let hello: Hello = serde_json::from_slice(&hello).map_err(|e| Stop::Failed(self.bus.protocol(e)))?;
        let last: redis::Value = self
            .bus
            .query(redis::cmd("XREVRANGE").arg(&k.updates).arg("+").arg("-").arg("COUNT").arg(1))
            .await
            .map_err(Stop::Failed)?;
        let last = reply::range(&last).into_iter().next();
        let latest: redis::Value = self.bus.query(redis::cmd("HGETALL").arg(&k.latest)).await.map_err(Stop::Failed)?;
        let mut latest: Vec<SourceUpdate> =
            reply::hash(&latest).iter().filter_map(|(_, d)| decode_update(d).ok()).collect();
        latest.sort_by(|a, b| a.at.total_cmp(&b.at));
        let history = self.history(super::wall_now() - BACKFILL_SECS).await?;
        let (secs, micros): (u64, u64) = self.bus.query(&redis::cmd("TIME")).await.map_err(Stop::Failed)?;
        let server_now = secs as f64 + micros as f64 / 1e6;
        // When the collector was last heard: its last entry, on the server's clock.
        let age = last.as_ref().and_then(StreamEntry::millis).map(|ms| (server_now - ms as f64 / 1000.0).max(0.0));
        self.last_id = last.map(|e| e.id).unwrap_or_else(|| "0-0".into());
        self.last = latest.iter().map(|u| (u.source, u.clone())).collect();
        self.at = latest.iter().map(|u| u.at).fold(0.0, f64::max);
        self.status.collector = Some(hello.id.clone());
        self.status.heard = age.map(|a| super::wall_now() - a);
        self.status.problem = None;
        self.hello = Some(hello.clone());
        self.send(FeedEvent::Joined(Box::new(Joined { hello, history, latest }))).await?;
        self.send(FeedEvent::Status(self.status.clone())).await
    }

    /// The history entries since `from` (wall-clock seconds), oldest first.
    async fn history(&mut self, from: f64) -> Result<Vec<Entry>, Stop> {
        super::history::range(&mut self.bus, &self.keys, from, None).await.map_err(Stop::Failed)
    }

    /// What to say when no collector has published under this name: the names that exist.
    async fn no_collector(&mut self) -> String {
        let names: Vec<String> = match self.bus.query::<Vec<String>>(redis::cmd("KEYS").arg(Keys::HELLO_PATTERN)).await
        {
            Ok(keys) => keys.iter().filter_map(|k| Keys::name_of_hello(k)).map(str::to_string).collect(),
            Err(_) => Vec::new(),
        };
        let there = if names.is_empty() {
            "no stream is published there yet: start `cockpit collect` (or `cockpit --share`)".to_string()
        } else {
            format!("streams there: {} (choose with --context NAME)", names.join(", "))
        };
        format!("no collector publishes {:?} at {}; {there}", self.keys.name, self.bus.display())
    }

    /// Follow the stream until it fails, the viewer leaves, or a collector on another clock
    /// says hello.
    async fn follow(&mut self) -> Result<(), Stop> {
        let refresh = self.hello.as_ref().map(|h| h.refresh_secs).unwrap_or(2.0);
        let silence = (3.0 * refresh).max(5.0);
        let mut said_silent = 0.0;
        let mut told = 0.0;
        loop {
            let read: redis::Value = self
                .bus
                .query(
                    redis::cmd("XREAD")
                        .arg("COUNT")
                        .arg(256)
                        .arg("BLOCK")
                        .arg(1000)
                        .arg("STREAMS")
                        .arg(&self.keys.updates)
                        .arg(&self.last_id),
                )
                .await
                .map_err(Stop::Failed)?;
            let entries = reply::read(&read);
            if !entries.is_empty() {
                self.status.heard = Some(super::wall_now());
                if self.status.problem.take().is_some() {
                    // Heard again after a silence: the join fills what was missed.
                    return Err(Stop::NewClock);
                }
            }
            for e in entries {
                self.last_id = e.id.clone();
                let (Some(k), Some(d)) = (e.field("k"), e.field("d")) else { continue };
                let msg = match Msg::decode(&String::from_utf8_lossy(k), d) {
                    Ok(m) => m,
                    Err(err) => {
                        tracing::warn!("shared stream {}: entry {} skipped: {err}", self.keys.name, e.id);
                        continue;
                    }
                };
                self.take(msg).await?;
            }
            // The header says how long ago the collector was heard: told once a second.
            if super::wall_now() - told >= 1.0 {
                told = super::wall_now();
                self.send(FeedEvent::Status(self.status.clone())).await?;
            }
            let silent_for = self.status.heard.map(|t| super::wall_now() - t).unwrap_or(f64::INFINITY);
            if silent_for > silence && super::wall_now() - said_silent >= 1.0 {
                said_silent = super::wall_now();
                let who = self.status.collector.clone().unwrap_or_else(|| "the collector".into());
                let text = format!("collector {who} silent for {:.0}s", silent_for.min(1e9));
                self.status.problem = Some(text.clone());
                self.send(FeedEvent::Status(self.status.clone())).await?;
                self.stale(&text).await?;
            }
        }
    }

    async fn take(&mut self, msg: Msg) -> Result<(), Stop> {
        match msg {
            Msg::Hello(h) => {
                let same_clock = self.hello.as_ref().is_some_and(|old| (old.epoch - h.epoch).abs() < 1e-3);
                self.status.collector = Some(h.id.clone());
                self.hello = Some(*h);
                if !same_clock {
                    return Err(Stop::NewClock);
                }
                self.send(FeedEvent::Status(self.status.clone())).await
            }
            Msg::Update(u) => {
                self.at = self.at.max(u.at);
                self.last.insert(u.source, (*u).clone());
                self.send(FeedEvent::Update(u)).await
            }
            Msg::Same { source, at } => {
                let Some(prev) = self.last.get(&source) else { return Ok(()) };
                let u = SourceUpdate { source, at, result: prev.result.clone() };
                self.at = self.at.max(at);
                self.send(FeedEvent::Update(Box::new(u))).await
            }
            Msg::Beat { .. } => Ok(()),
            Msg::Action(line) => self.send(FeedEvent::Action(line)).await,
        }
    }
}
