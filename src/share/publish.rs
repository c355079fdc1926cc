//! The publisher: one task that holds (or waits for) the collector's lock and, while it holds
//! it, writes what the cockpit sees into the stream: every source update (only a marker when
//! nothing changed), a beat, the collector's hello, and the recorder's entries (the history).
//! A failing Redis is logged once per outage and retried; the cockpit never waits for it.

use super::bus::Bus;
use super::keys::{Keys, UPDATES_MAXLEN};
use super::lock::{Held, Lock};
use super::wire::{ActionLine, Hello, Msg, encode_update};
use crate::model::timeline::Category;
use crate::model::{SourceId, SourceUpdate};
use crate::record::entry::Entry;
use crate::record::recorder::Sink;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What the cockpit hands the publisher.
#[derive(Debug)]
pub enum Out {
    Update(Box<SourceUpdate>),
    Entry(Entry),
}

/// The publisher's role, for the screen, the log and the headless collector.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// Not yet connected or not yet tried.
    Starting,
    /// This cockpit publishes, on the data clock whose zero is `epoch` (Unix seconds).
    Publishing { epoch: f64 },
    /// Another collector publishes; this one waits to take over.
    Standby { holder: String },
    /// The stream's Redis cannot be reached.
    Down { reason: String },
}

/// Which data clock the hello announces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Epoch {
    /// This cockpit's own clock (a UI with `--share`, a demo).
    Fixed(f64),
    /// A headless collector: its predecessor's, so that viewers' times run on unbroken.
    Continue,
}

/// A publisher's settings.
pub struct PublishSpec {
    pub keys: Keys,
    pub hello: Hello,
    pub epoch: Epoch,
    pub refresh: Duration,
    pub history_secs: f64,
    pub history_max_entries: u64,
}

/// Start the publisher; it ends when every sender of `Out` is dropped (releasing the lock).
pub fn spawn(bus: Bus, spec: PublishSpec) -> (mpsc::Sender<Out>, watch::Receiver<Role>, tokio::task::JoinHandle<()>) {
    // Room for a burst (a demo's skipped time is recorded at once); slots are allocated only as used.
    let (tx, rx) = mpsc::channel(65_536);
    let (role_tx, role_rx) = watch::channel(Role::Starting);
    let task = tokio::spawn(Publisher::new(bus, spec, role_tx).run(rx));
    (tx, role_rx, task)
}

/// A recorder sink that feeds the publisher (the history stream). Never blocks: when the
/// publisher is behind, entries are dropped and counted.
pub struct StreamSink {
    tx: mpsc::Sender<Out>,
    pub dropped: u64,
}

impl StreamSink {
    pub fn new(tx: mpsc::Sender<Out>) -> StreamSink {
        StreamSink { tx, dropped: 0 }
    }
}

impl Sink for StreamSink {
    fn write(&mut self, e: &Entry) -> std::io::Result<()> {
        if self.tx.try_send(Out::Entry(e.clone())).is_err() {
            self.dropped += 1;
        }
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Publisher {
    bus: Bus,
    spec: PublishSpec,
    lock: Lock,
    role: watch::Sender<Role>,
    epoch: Option<f64>,
    /// The last result published per source, to send a marker when it did not change.
    last: BTreeMap<SourceId, Result<crate::model::SourceData, crate::model::SourceFailure>>,
    /// Logged once per outage.
    failing: bool,
    since_trim: u32,
    /// Commands waiting to go, in one pipeline (one round trip for a burst).
    batch: Vec<redis::Cmd>,
}

/// At most this many messages go in one pipeline.
const BATCH: usize = 256;

impl Publisher {
    fn new(bus: Bus, spec: PublishSpec, role: watch::Sender<Role>) -> Publisher {
        let lock = Lock::new(&spec.keys.lock, &spec.hello.id, spec.refresh);
        Publisher {
            bus,
            spec,
            lock,
            role,
            epoch: None,
            last: BTreeMap::new(),
            failing: false,
            since_trim: 0,
            batch: Vec::new(),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Out>) {
        let mut tick = tokio::time::interval(self.lock.period());
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => self.hold().await,
                out = rx.recv() => match out {
                    Some(out) => {
                        self.publish(out);
                        // What else is waiting goes in the same round trip.
                        for _ in 1..BATCH {
                            match rx.try_recv() {
                                Ok(out) => self.publish(out),
                                Err(_) => break,
                            }
                        }
                        self.flush().await;
                    }
                    None => break,
                },
            }
        }
        if self.epoch.is_some() {
            self.lock.release(&mut self.bus).await;
        }
    }

    /// Try or renew the lock; on taking it, say hello; beat while holding it.
    async fn hold(&mut self) {
        let held = self.epoch.is_some();
        match self.lock.try_hold(&mut self.bus, held).await {
            Ok(Held::Mine) if held => {
                let at = super::wall_now() - self.epoch.unwrap_or(0.0);
                let beat = Msg::Beat { id: self.spec.hello.id.clone(), at };
                self.xadd(&beat);
                self.flush().await;
            }
            Ok(Held::Mine) => {
                if let Err(e) = self.hello().await {
                    self.failed(e.to_string());
                }
            }
            Ok(Held::Other(holder)) => {
                if held {
                    tracing::warn!("shared stream {}: the lock went to {holder}; standing by", self.spec.keys.name);
                }
                self.epoch = None;
                self.ok();
                self.set_role(Role::Standby { holder });
            }
            Err(e) => {
                self.epoch = None;
                self.failed(e.to_string());
            }
        }
    }

    async fn hello(&mut self) -> Result<(), crate::model::SourceFailure> {
        let epoch = match self.spec.epoch {
            Epoch::Fixed(t) => t,
            Epoch::Continue => {
                let prev: Option<Vec<u8>> = self.bus.query(redis::cmd("GET").arg(&self.spec.keys.hello)).await?;
                prev.and_then(|p| serde_json::from_slice::<Hello>(&p).ok())
                    .filter(|h| h.origin == self.spec.hello.origin)
                    .map(|h| h.epoch)
                    .unwrap_or_else(super::wall_now)
            }
        };
        let mut hello = self.spec.hello.clone();
        hello.epoch = epoch;
        hello.since = super::wall_now();
        let json = serde_json::to_vec(&hello).unwrap_or_default();
        self.bus.query::<()>(redis::cmd("SET").arg(&self.spec.keys.hello).arg(json)).await?;
        self.spec.hello = hello.clone();
        self.epoch = Some(epoch);
        self.last.clear();
        self.xadd(&Msg::Hello(Box::new(hello)));
        self.flush().await;
        tracing::info!("shared stream {} at {}: publishing", self.spec.keys.name, self.bus.display());
        self.ok();
        self.set_role(Role::Publishing { epoch });
        Ok(())
    }

    /// Queue the commands of one message (sent by `flush`).
    fn publish(&mut self, out: Out) {
        let Some(epoch) = self.epoch else { return };
        match out {
            Out::Update(u) => {
                if self.last.get(&u.source) == Some(&u.result) {
                    self.xadd(&Msg::Same { source: u.source, at: u.at });
                    return;
                }
                self.last.insert(u.source, u.result.clone());
                // Encoded once: the stream's entry and the joiners' `latest` hold the same bytes.
                let gz = encode_update(&u);
                self.xadd_raw("u", gz.clone());
                let hset = redis::cmd("HSET").arg(&self.spec.keys.latest).arg(u.source.name()).arg(gz).clone();
                self.batch.push(hset);
            }
            Out::Entry(e) => {
                if let Entry::Event { t, cat: Category::Action, lvl, text } = &e {
                    let line = ActionLine { at: t - epoch, level: *lvl, text: text.clone() };
                    self.xadd(&Msg::Action(line));
                }
                self.history(&e);
            }
        }
    }

    /// Add to the history, bounded by age on every add and by count now and then.
    fn history(&mut self, e: &Entry) {
        let json = serde_json::to_vec(e).unwrap_or_default();
        let min_ms = ((super::wall_now() - self.spec.history_secs).max(0.0) * 1000.0) as u64;
        let cmd = redis::cmd("XADD")
            .arg(&self.spec.keys.history)
            .arg("MINID")
            .arg("~")
            .arg(min_ms)
            .arg("*")
            .arg("e")
            .arg(json)
            .clone();
        self.batch.push(cmd);
        self.since_trim += 1;
        if self.since_trim >= 256 {
            self.since_trim = 0;
            let trim = redis::cmd("XTRIM")
                .arg(&self.spec.keys.history)
                .arg("MAXLEN")
                .arg("~")
                .arg(self.spec.history_max_entries)
                .clone();
            self.batch.push(trim);
        }
    }

    fn xadd(&mut self, m: &Msg) {
        let (k, d) = m.encode();
        self.xadd_raw(k, d);
    }

    fn xadd_raw(&mut self, k: &str, d: Vec<u8>) {
        let cmd = redis::cmd("XADD")
            .arg(&self.spec.keys.updates)
            .arg("MAXLEN")
            .arg("~")
            .arg(UPDATES_MAXLEN)
            .arg("*")
            .arg("k")
            .arg(k)
            .arg("d")
            .arg(d)
            .clone();
        self.batch.push(cmd);
    }

    /// Send what is queued, in one round trip.
    async fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let mut pipe = redis::pipe();
        for c in self.batch.drain(..) {
            pipe.add_command(c).ignore();
        }
        match self.bus.pipe(&pipe).await {
            Ok(()) => self.ok(),
            Err(e) => self.failed(e.to_string()),
        }
    }

    /// Tell the role to those who follow it, only when it changed.
    fn set_role(&self, role: Role) {
        self.role.send_if_modified(|r| {
            let changed = *r != role;
            *r = role;
            changed
        });
    }

    fn ok(&mut self) {
        if self.failing {
            self.failing = false;
            tracing::info!("shared stream {}: its Redis answers again", self.spec.keys.name);
        }
    }

    fn failed(&mut self, reason: String) {
        if !self.failing {
            self.failing = true;
            tracing::warn!("shared stream {}: {reason}", self.spec.keys.name);
        }
        if self.epoch.is_none() {
            self.set_role(Role::Down { reason });
        }
    }
}
