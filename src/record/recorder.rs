//! The recorder: watches the board and writes what changed as entries: a sample of every metric
//! at most once per refresh interval, every new timeline entry, replicas and the emergency
//! conditions when they change.

use super::entry::{Entry, Replicas, Start, level_letter};
use crate::model::state::Workload;
use crate::model::{Board, MetricId};
use std::io;

/// Where entries go: a local file store, or a shared stream.
pub trait Sink: Send {
    fn write(&mut self, e: &Entry) -> io::Result<()>;
    /// Make what was written durable (called at most every few seconds, and at the end).
    fn flush(&mut self) -> io::Result<()>;
}

/// Several sinks at once (the local file and the shared stream): each gets every entry; the
/// first error is returned after all have been tried.
pub struct Tee(pub Vec<Box<dyn Sink>>);

impl Sink for Tee {
    fn write(&mut self, e: &Entry) -> io::Result<()> {
        let mut first = Ok(());
        for s in &mut self.0 {
            if let Err(err) = s.write(e) {
                first = first.and(Err(err));
            }
        }
        first
    }
    fn flush(&mut self) -> io::Result<()> {
        let mut first = Ok(());
        for s in &mut self.0 {
            if let Err(err) = s.flush() {
                first = first.and(Err(err));
            }
        }
        first
    }
}

pub struct Recorder {
    sink: Box<dyn Sink>,
    /// Wall-clock seconds at the board's time zero.
    epoch: f64,
    every: f64,
    start: Start,
    started: bool,
    last_sample: Option<f64>,
    seen_timeline: u64,
    last_replicas: Option<(Replicas, Replicas)>,
    last_emergency: Vec<String>,
    /// The last error, reported once (a full disk must not stop the cockpit).
    pub error: Option<String>,
}

impl Recorder {
    /// `start.t` is the wall-clock time of the board's time zero.
    pub fn new(sink: Box<dyn Sink>, start: Start) -> Recorder {
        Recorder {
            sink,
            epoch: start.t,
            every: start.refresh_secs.max(0.2),
            start,
            started: false,
            last_sample: None,
            seen_timeline: 0,
            last_replicas: None,
            last_emergency: Vec::new(),
            error: None,
        }
    }

    /// What the start entry says for this board.
    pub fn start_for(board: &Board, origin: &str, context: &str, t: f64, refresh_secs: f64) -> Start {
        Start {
            t,
            origin: origin.to_string(),
            context: context.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            who: crate::actions::journal::local_user(),
            metrics: MetricId::ALL.iter().map(|m| m.key().to_string()).collect(),
            thresholds: MetricId::ALL.iter().map(|m| (m.key().to_string(), board.threshold(*m))).collect(),
            emergency: board.settings.emergency,
            refresh_secs,
        }
    }

    /// Take in the board as it is now. Errors are kept in `error` and the cockpit goes on.
    pub fn observe(&mut self, board: &Board) {
        if let Err(e) = self.try_observe(board) {
            if self.error.is_none() {
                tracing::warn!("recording: {e}");
            }
            self.error = Some(e.to_string());
        }
    }

    fn try_observe(&mut self, board: &Board) -> io::Result<()> {
        let t = self.epoch + board.now;
        if !self.started {
            self.started = true;
            self.sink.write(&Entry::Start(self.start.clone()))?;
        }
        let pushed = board.timeline.pushed();
        let new = pushed.saturating_sub(self.seen_timeline).min(board.timeline.len() as u64) as usize;
        for e in board.timeline.tail(new) {
            self.sink.write(&Entry::Event {
                t: self.epoch + e.at,
                cat: e.category,
                lvl: e.level,
                text: e.text.clone(),
            })?;
        }
        self.seen_timeline = pushed;
        if self.last_sample.is_none_or(|at| board.now - at >= self.every - 1e-6) && board.now > 0.0 {
            self.last_sample = Some(board.now);
            let mut v = Vec::with_capacity(MetricId::ALL.len());
            let mut l = String::with_capacity(MetricId::ALL.len());
            for id in MetricId::ALL {
                let r = board.reading(*id);
                v.push(r.value.map(|x| if x.is_finite() { x as f32 } else { f32::MAX }));
                l.push(level_letter(r.shown_level()));
            }
            self.sink.write(&Entry::Sample { t, v, l })?;
        }
        let reps = (replicas(board, Workload::Api), replicas(board, Workload::Workers));
        if self.last_replicas != Some(reps) && (reps.0.desired.is_some() || reps.1.desired.is_some()) {
            self.last_replicas = Some(reps);
            self.sink.write(&Entry::Replicas { t, api: reps.0, workers: reps.1 })?;
        }
        // Which conditions hold (their values are in the samples): recorded when that changes.
        let reasons = board.emergency_reasons();
        let kinds = |r: &[String]| r.iter().map(|s| s.split(' ').next().unwrap_or("").to_string()).collect::<Vec<_>>();
        if kinds(&reasons) != kinds(&self.last_emergency) {
            self.sink.write(&Entry::Emergency { t, reasons: reasons.clone() })?;
            self.last_emergency = reasons;
        }
        Ok(())
    }

    /// Record an event that the board's timeline does not hold (an action's start, with who
    /// started it), at board time `at`.
    pub fn event(&mut self, at: f64, cat: crate::model::timeline::Category, lvl: crate::model::Level, text: String) {
        let e = Entry::Event { t: self.epoch + at, cat, lvl, text };
        let written = if self.started { self.sink.write(&e) } else { Ok(()) };
        if let Err(err) = written {
            self.error = Some(err.to_string());
        }
    }

    /// Write what is buffered (at the end of a run, and every few seconds).
    pub fn flush(&mut self) {
        if let Err(e) = self.sink.flush() {
            tracing::warn!("recording: {e}");
            self.error = Some(e.to_string());
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.flush();
    }
}

fn replicas(board: &Board, w: Workload) -> Replicas {
    let Some(ws) = board.state.kube.as_ref().map(|k| k.workload(w)) else { return Replicas::default() };
    Replicas {
        desired: ws.deployment.as_ref().map(|d| d.desired),
        ready: ws.deployment.as_ref().map(|d| d.ready),
        hpa_min: ws.hpa.as_ref().map(|h| h.min),
        hpa_max: ws.hpa.as_ref().map(|h| h.max),
        pinned: ws.hpa.as_ref().is_some_and(|h| h.pinned),
    }
}
