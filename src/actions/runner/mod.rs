//! The runner: carries a plan out step by step on a task, streaming `RunEvent`s.
//!
//! Order of business: refuse in read-only mode before any request; open the journal; take the
//! lock; then each step (checks, effect, verification) with the lock renewed at every safe
//! point; abort is honoured between steps and during verifications (never in the middle of a
//! write); once the action stops early only `always` steps (clean-ups) still run.

pub mod apply;
mod exec;

use super::error::ActionError;
use super::journal::{Journal, Record, StepProgress, Unfinished, Who};
use super::lock::LockKeeper;
use super::settings::ActionSettings;
use super::step::{Change, Outcome, Plan, RunEvent, StepReport, StepState, Summary};
use crate::model::Level;
use crate::platform::Platform;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How a run is carried out.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOpts {
    /// Server-side dry run: every write validated, none stored; verifications skipped.
    pub dry_run: bool,
    pub read_only: bool,
    pub lock_ttl: Duration,
    /// Between two probes of a verification (platform clock).
    pub poll: Duration,
    pub journal_dir: PathBuf,
    /// Tries of a write that fails with a transient error or a conflict.
    pub attempts: u32,
}

impl RunOpts {
    pub fn from_settings(s: &ActionSettings) -> Self {
        RunOpts {
            dry_run: false,
            read_only: s.read_only,
            lock_ttl: Duration::from_secs(s.actions.lock_ttl_secs.max(3)),
            poll: Duration::from_secs_f64(s.poll_secs.max(0.1)),
            journal_dir: s.journal_dir.clone(),
            attempts: 4,
        }
    }
}

/// Asks a running action to stop at its next safe point.
#[derive(Debug, Clone)]
pub struct AbortHandle(Arc<watch::Sender<bool>>);

impl Default for AbortHandle {
    fn default() -> Self {
        AbortHandle(Arc::new(watch::channel(false).0))
    }
}

impl AbortHandle {
    pub fn abort(&self) {
        self.0.send_replace(true);
    }
    pub fn is_aborted(&self) -> bool {
        *self.0.borrow()
    }
    async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }
}

/// The caller's side of a run: its events and its abort.
pub struct RunHandle {
    pub events: mpsc::UnboundedReceiver<RunEvent>,
    pub abort: AbortHandle,
}

pub struct Runner {
    platform: Arc<dyn Platform>,
    plan: Plan,
    opts: RunOpts,
    resume: Option<Unfinished>,
    tx: mpsc::UnboundedSender<RunEvent>,
    abort: AbortHandle,
    // Run state.
    journal: Option<Journal>,
    lock: Option<LockKeeper>,
    states: Vec<StepState>,
    changes: Vec<Option<Change>>,
    stopping: Option<Outcome>,
    lock_lost: bool,
    warnings: bool,
    /// Abandoning an unfinished action: only its clean-up steps run.
    abandon: bool,
    /// Leave the journal without its `end` record (the action stays unfinished).
    keep_open: bool,
    /// Why the notification could not be sent.
    notify_failed: Option<String>,
}

impl Runner {
    pub fn new(platform: Arc<dyn Platform>, plan: Plan, opts: RunOpts) -> (Runner, RunHandle) {
        Self::build(platform, plan, opts, None)
    }

    /// Carry an unfinished action on from its journal, repeating no effect already applied.
    pub fn resume(platform: Arc<dyn Platform>, unfinished: Unfinished, opts: RunOpts) -> (Runner, RunHandle) {
        let plan = unfinished.plan.clone();
        Self::build(platform, plan, opts, Some(unfinished))
    }

    /// Abandon an unfinished action: take over its lock (its holder is the dead run), run only
    /// its clean-up (`always`) steps that have not ended (removing a drain annotation, say),
    /// journaled, and end it. If the lock is held by someone else nothing runs and the action
    /// stays unfinished.
    pub fn abandon(platform: Arc<dyn Platform>, unfinished: Unfinished, opts: RunOpts) -> (Runner, RunHandle) {
        let plan = unfinished.plan.clone();
        let (mut runner, handle) = Self::build(platform, plan, opts, Some(unfinished));
        runner.abandon = true;
        (runner, handle)
    }

    fn build(
        platform: Arc<dyn Platform>,
        plan: Plan,
        opts: RunOpts,
        resume: Option<Unfinished>,
    ) -> (Runner, RunHandle) {
        let (tx, rx) = mpsc::unbounded_channel();
        let abort = AbortHandle::default();
        let n = plan.steps.len();
        let runner = Runner {
            platform,
            plan,
            opts,
            resume,
            tx,
            abort: abort.clone(),
            journal: None,
            lock: None,
            states: vec![StepState::Pending; n],
            changes: vec![None; n],
            stopping: None,
            lock_lost: false,
            warnings: false,
            abandon: false,
            keep_open: false,
            notify_failed: None,
        };
        (runner, RunHandle { events: rx, abort })
    }

    /// Run on a task of its own.
    pub fn spawn(self) -> tokio::task::JoinHandle<Summary> {
        tokio::spawn(self.run())
    }

    fn emit(&self, ev: RunEvent) {
        let _ = self.tx.send(ev);
    }

    fn note(&mut self, level: Level, text: String) {
        match level {
            Level::Ok | Level::Unknown => tracing::info!(action = %self.plan.action, "{}: {text}", self.plan.action),
            _ => tracing::warn!(action = %self.plan.action, "{}: {text}", self.plan.action),
        }
        self.journal_write(Record::Note { text: text.clone() });
        self.emit(RunEvent::Note { level, text });
    }

    /// Journal a record; a failure to write is reported (effects refuse to run without one).
    fn journal_write(&mut self, r: Record) -> bool {
        let clock = self.platform.now();
        let Some(j) = self.journal.as_mut() else { return true };
        match j.append(clock, r) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(action = %self.plan.action, "{}: cannot write the journal: {e}", self.plan.action);
                let _ = self.tx.send(RunEvent::Note { level: Level::Crit, text: e.to_string() });
                false
            }
        }
    }

    fn set_state(&mut self, i: usize, state: StepState) {
        self.states[i] = state.clone();
        self.emit(RunEvent::Step { index: i, state });
    }

    fn stop(&mut self, outcome: Outcome) {
        if self.stopping.is_none() {
            let reason = outcome.describe();
            tracing::warn!(action = %self.plan.action, "{}: stopping: {reason}", self.plan.action);
            self.journal_write(Record::Stopping { reason });
            self.stopping = Some(outcome);
        }
    }

    pub async fn run(mut self) -> Summary {
        let p = Arc::clone(&self.platform);
        let action = self.plan.action.clone();
        if (self.opts.read_only || self.plan.blocked()) && self.plan.mutating() {
            let reason = if self.opts.read_only {
                ActionError::ReadOnly(action.clone()).to_string()
            } else {
                "the plan has blocking findings".to_string()
            };
            return self.finish(Outcome::Refused { reason }).await;
        }
        let who = Who::local(p.identity());
        let opened = match &self.resume {
            Some(u) => Journal::reopen(u, who.clone()),
            None => Journal::create(&self.opts.journal_dir, &action, who.clone()),
        };
        let journal = match opened {
            Ok(j) => j,
            Err(e) => return self.finish(Outcome::Failed { reason: e.to_string() }).await,
        };
        let holder = match &self.resume {
            Some(u) => u.holder.clone(),
            None => LockKeeper::holder_name(&who.user, journal.id()),
        };
        tracing::info!(
            action = %action,
            journal = %journal.path().display(),
            dry_run = self.opts.dry_run,
            "{action}: {} on {} ({} steps)",
            if self.resume.is_some() { "resumed" } else { "started" },
            p.describe(),
            self.plan.steps.len()
        );
        self.journal = Some(journal);
        let first = match &self.resume {
            Some(_) if self.abandon => Record::Abandoning { platform: p.describe() },
            Some(_) => Record::Resumed { platform: p.describe() },
            None => Record::Start {
                action: action.clone(),
                platform: p.describe(),
                holder: holder.clone(),
                dry_run: self.opts.dry_run,
                plan: self.plan.clone(),
            },
        };
        if !self.journal_write(first) {
            return self.finish(Outcome::Failed { reason: "cannot write the journal".into() }).await;
        }
        if !self.opts.dry_run && self.plan.mutating() {
            let mut lock = LockKeeper::new(holder, self.opts.lock_ttl);
            match lock.acquire(p.as_ref(), &action).await {
                Ok(()) => self.lock = Some(lock),
                Err(ActionError::LockHeld(h)) => {
                    // Someone else acts now: an abandoned action keeps its clean-up for later.
                    self.keep_open = self.abandon;
                    return self.finish(Outcome::LockHeld { holder: h }).await;
                }
                Err(e) => {
                    self.keep_open = self.abandon;
                    return self.finish(Outcome::Failed { reason: format!("cannot take the action lock: {e}") }).await;
                }
            }
        }
        if self.abandon {
            self.stop(Outcome::Stopped { reason: format!("abandoned by {}", who.user) });
        } else if let Some(reason) = self.resume.as_ref().and_then(|u| u.stopping.clone()) {
            self.stopping = Some(Outcome::Failed { reason });
        }
        for i in 0..self.plan.steps.len() {
            let progress = self.resume.as_ref().and_then(|u| u.progress.get(i).cloned()).unwrap_or_default();
            if let Some(state) = progress.ended.clone() {
                self.changes[i] = progress.after.as_ref().map(|(_, c)| c.clone());
                self.set_state(i, state);
                continue;
            }
            if self.abort.is_aborted() {
                self.stop(Outcome::Aborted);
            }
            if let Err(e) = self.keep_lock().await {
                self.note(Level::Crit, e.to_string());
            }
            let step = self.plan.steps[i].clone();
            if self.lock_lost || (self.stopping.is_some() && !step.always) {
                let reason = match &self.stopping {
                    Some(o) => format!("not run: the action {}", o.describe()),
                    None => "not run".into(),
                };
                self.end_step(i, StepState::Skipped { reason });
                continue;
            }
            let state = self.exec(i, &step, &progress).await;
            self.end_step(i, state);
        }
        let outcome = if self.abandon {
            self.abandoned_outcome(&who.user)
        } else {
            self.stopping.clone().unwrap_or(if self.warnings {
                Outcome::CompletedWithWarnings
            } else {
                Outcome::Completed
            })
        };
        self.finish(outcome).await
    }

    /// How an abandon ended: its clean-up steps all done, or the first that was not.
    fn abandoned_outcome(&self, user: &str) -> Outcome {
        let cleanups: Vec<usize> = (0..self.plan.steps.len()).filter(|i| self.plan.steps[*i].always).collect();
        let bad = cleanups.iter().find_map(|&i| match &self.states[i] {
            StepState::Failed { reason } | StepState::Warning { reason } | StepState::Skipped { reason } => {
                Some(format!("step {} ({}): {reason}", i + 1, self.plan.steps[i].title))
            }
            _ => None,
        });
        match bad {
            Some(b) => Outcome::Failed { reason: format!("abandoned by {user}, but its clean-up did not finish: {b}") },
            None if cleanups.is_empty() => {
                Outcome::Stopped { reason: format!("abandoned by {user}; it has no clean-up steps") }
            }
            None => Outcome::Stopped {
                reason: format!(
                    "abandoned by {user}; its clean-up ran ({} step{})",
                    cleanups.len(),
                    if cleanups.len() == 1 { "" } else { "s" }
                ),
            },
        }
    }

    fn end_step(&mut self, i: usize, state: StepState) {
        let (n, total, title) = (i + 1, self.plan.steps.len(), &self.plan.steps[i].title);
        let action = &self.plan.action;
        match &state {
            StepState::Done { .. } => {
                tracing::info!(action = %action, step = n, "{action}: step {n}/{total} {title}: {}", state.describe())
            }
            _ => tracing::warn!(action = %action, step = n, "{action}: step {n}/{total} {title}: {}", state.describe()),
        }
        self.journal_write(Record::StepEnd { step: i, state: state.clone() });
        self.set_state(i, state);
    }

    async fn keep_lock(&mut self) -> Result<(), ActionError> {
        let p = Arc::clone(&self.platform);
        let Some(lock) = self.lock.as_mut() else { return Ok(()) };
        match lock.keep(p.as_ref()).await {
            Ok(Some(note)) => {
                self.note(Level::Warn, note);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                self.lock_lost = true;
                self.stop(Outcome::LockLost { reason: e.to_string() });
                Err(e)
            }
        }
    }

    async fn finish(mut self, outcome: Outcome) -> Summary {
        let p = Arc::clone(&self.platform);
        if let Some(mut lock) = self.lock.take()
            && let Some(note) = lock.release(p.as_ref()).await
        {
            self.note(Level::Warn, note);
        }
        if self.keep_open {
            self.journal_write(Record::Note { text: format!("not abandoned: {}", outcome.describe()) });
            tracing::warn!(action = %self.plan.action, "{}: not abandoned: {}", self.plan.action, outcome.describe());
        } else {
            self.journal_write(Record::End { outcome: outcome.clone() });
            match &outcome {
                Outcome::Completed => {
                    tracing::info!(action = %self.plan.action, "{}: {}", self.plan.action, outcome.describe())
                }
                _ => tracing::warn!(action = %self.plan.action, "{}: {}", self.plan.action, outcome.describe()),
            }
        }
        let steps = self
            .plan
            .steps
            .iter()
            .zip(self.states.iter())
            .zip(self.changes.iter())
            .map(|((s, st), c)| StepReport { title: s.title.clone(), state: st.clone(), change: c.clone() })
            .collect();
        let summary = Summary {
            action: self.plan.action.clone(),
            action_id: self.journal.as_ref().map(|j| j.id().to_string()),
            outcome: outcome.clone(),
            steps,
            journal: self.journal.as_ref().map(|j| j.path().to_path_buf()),
            // An abandoned action's follow-ups were for the run that did not happen.
            follow_up: if outcome.ok() && !self.abandon { self.plan.follow_up.clone() } else { Vec::new() },
            dry_run: self.opts.dry_run,
            notify_failed: self.notify_failed.clone(),
        };
        self.emit(RunEvent::Finished(summary.clone()));
        summary
    }
}

/// What a resumed step already did, for `exec`.
pub(crate) fn applied_before(p: &StepProgress) -> Option<&Change> {
    p.after.as_ref().map(|(_, c)| c)
}
