//! One step: checks, the effect (observed, journaled before and after, retried when that is
//! safe), then the verification with its live value and timeout.

use super::apply::{self, Observed};
use super::{Runner, applied_before};
use crate::actions::effect::Effect;
use crate::actions::journal::{EffectOutcome, Record, StepProgress};
use crate::actions::step::{Change, OnFail, Outcome, Step, StepState};
use crate::actions::verify::{Memory, Probe, Verify};
use crate::model::Level;
use crate::model::units::duration_short;
use crate::platform::{ErrorKind, PlatformError};
use std::sync::Arc;
use std::time::Duration;

/// How a verification ended.
enum WaitEnd {
    Done(Option<String>),
    /// Judged on part of its inputs: a warning saying what could not be seen.
    Partial(String),
    Fail(String),
    Stop(String),
    Aborted(String),
}

impl Runner {
    pub(super) async fn exec(&mut self, i: usize, step: &Step, progress: &StepProgress) -> StepState {
        tracing::info!(
            action = %self.plan.action,
            step = i + 1,
            "{}: step {}/{} {}: started",
            self.plan.action,
            i + 1,
            self.plan.steps.len(),
            step.title
        );
        self.set_state(i, StepState::Running { elapsed: 0.0, live: None });
        let started = self.platform.now();
        let resumed_effect = progress.before || progress.after.is_some();
        if !resumed_effect && let Some(reason) = self.run_checks(i, step).await {
            return self.failed(step, reason);
        }
        let mut note = None;
        if let Some(effect) = &step.effect {
            if let Some(change) = applied_before(progress) {
                self.changes[i] = Some(change.clone());
                note = Some("applied before the interruption".to_string());
            } else if progress.before && effect.unobservable() {
                let text = format!("{}: may have been sent before the interruption; not repeated", effect.describe());
                self.journal_write(Record::After {
                    step: i,
                    target: effect.target(),
                    before: serde_json::Value::Null,
                    after: serde_json::Value::Null,
                    outcome: EffectOutcome::NotSent,
                    error: Some(text.clone()),
                    undo: None,
                });
                self.note(Level::Warn, text.clone());
                note = Some(text);
            } else {
                match self.apply_effect(i, effect, progress).await {
                    Ok(n) => note = n,
                    Err(reason) => {
                        if matches!(effect, Effect::Notify { .. }) {
                            // Nobody was told: critical on the screen, first in the summary,
                            // journaled, and a distinct exit status for `cockpit run`.
                            self.note(Level::Crit, format!("the notification was NOT sent: {reason}"));
                            self.notify_failed = Some(reason.clone());
                        }
                        return self.failed(step, reason);
                    }
                }
            }
        }
        let Some(verify) = &step.verify else { return StepState::Done { note } };
        if self.opts.dry_run {
            return StepState::Done { note: Some("dry run: not verified".into()) };
        }
        match self.wait(i, verify, step.timeout_secs, started).await {
            WaitEnd::Done(n) => StepState::Done { note: n.or(note) },
            WaitEnd::Partial(reason) => {
                self.warnings = true;
                StepState::Warning { reason }
            }
            WaitEnd::Fail(reason) => self.failed(step, reason),
            WaitEnd::Stop(reason) => {
                self.stop(Outcome::Stopped { reason: reason.clone() });
                StepState::Done { note: Some(format!("stopping here: {reason}")) }
            }
            WaitEnd::Aborted(live) => {
                self.stop(Outcome::Aborted);
                let what = if live.is_empty() { String::new() } else { format!(" ({live})") };
                StepState::Warning { reason: format!("aborted before it was verified{what}") }
            }
        }
    }

    /// The state of a failed step, by its `on_fail`.
    fn failed(&mut self, step: &Step, reason: String) -> StepState {
        match step.on_fail {
            OnFail::Stop => {
                self.stop(Outcome::Failed { reason: format!("{}: {reason}", step.title) });
                StepState::Failed { reason }
            }
            OnFail::Continue => {
                self.warnings = true;
                StepState::Warning { reason }
            }
            OnFail::Finish => {
                self.stop(Outcome::Stopped { reason: reason.clone() });
                StepState::Skipped { reason }
            }
        }
    }

    async fn run_checks(&mut self, i: usize, step: &Step) -> Option<String> {
        for c in &step.checks {
            let mut last = None;
            for attempt in 0..self.opts.attempts {
                match c.run(self.platform.as_ref()).await {
                    Ok(Ok(detail)) => {
                        self.journal_write(Record::Check { step: i, ok: true, detail });
                        last = None;
                        break;
                    }
                    Ok(Err(why)) => {
                        self.journal_write(Record::Check { step: i, ok: false, detail: why.clone() });
                        return Some(format!("precondition not met: {why}"));
                    }
                    Err(e) if e.is_transient() => {
                        last = Some(e.to_string());
                        self.backoff(attempt).await;
                    }
                    Err(e) => return Some(format!("cannot check \"{}\": {e}", c.describe())),
                }
            }
            if let Some(e) = last {
                return Some(format!("cannot check \"{}\": {e}", c.describe()));
            }
        }
        None
    }

    async fn backoff(&self, attempt: u32) {
        let secs = f64::from(1u32 << attempt.min(5));
        self.platform.sleep(Duration::from_secs_f64(secs)).await;
    }

    /// Observe, compare, journal, write; retry transient errors and conflicts while the target
    /// is still as it was read. Ok(note) on success.
    async fn apply_effect(&mut self, i: usize, e: &Effect, progress: &StepProgress) -> Result<Option<String>, String> {
        let p = Arc::clone(&self.platform);
        let mut previous: Option<Observed> = None;
        let mut last_error = String::new();
        for attempt in 0..self.opts.attempts {
            let obs = match apply::observe(e, p.as_ref()).await {
                Ok(o) => o,
                Err(err) if err.is_transient() => {
                    last_error = err.to_string();
                    self.note(Level::Warn, format!("reading {} failed ({err}); retrying", e.target()));
                    self.backoff(attempt).await;
                    continue;
                }
                Err(err) => return Err(self.effect_failed(i, e, None, &err.to_string())),
            };
            if obs.done {
                let before = progress.before_value.clone().unwrap_or_else(|| obs.before.clone());
                let in_doubt = progress.before || previous.is_some();
                self.journal_write(Record::After {
                    step: i,
                    target: e.target(),
                    before: before.clone(),
                    after: obs.before.clone(),
                    outcome: EffectOutcome::Already,
                    error: None,
                    undo: None,
                });
                if in_doubt {
                    // Applied by the interrupted run, or by a write whose answer was lost.
                    let undo = apply::undo(e, &obs);
                    self.changes[i] = Some(Change { target: e.target(), before, after: obs.before, undo });
                    return Ok(Some("already applied; not repeated".into()));
                }
                return Ok(Some("already so; nothing to change".into()));
            }
            if let Some(c) = &obs.conflict {
                return Err(self.effect_failed(i, e, Some(&obs), c));
            }
            if let Some(prev) = &previous
                && prev.before != obs.before
            {
                let text = format!(
                    "{} changed meanwhile ({} → {}); nothing was overwritten",
                    e.target(),
                    crate::actions::step::short(&prev.before),
                    crate::actions::step::short(&obs.before)
                );
                return Err(self.effect_failed(i, e, Some(&obs), &text));
            }
            let ok = self.journal_write(Record::Before {
                step: i,
                target: e.target(),
                before: obs.before.clone(),
                intended: e.intended(),
                full: obs.full.clone(),
            });
            if !ok {
                return Err("cannot write the journal: the change was not sent".into());
            }
            if self.opts.dry_run && !apply::has_dry_run(e) {
                self.journal_write(Record::After {
                    step: i,
                    target: e.target(),
                    before: obs.before.clone(),
                    after: obs.before.clone(),
                    outcome: EffectOutcome::NotSent,
                    error: None,
                    undo: None,
                });
                return Ok(Some("dry run: this API has no server-side dry run; not sent".into()));
            }
            match apply::write(e, p.as_ref(), &obs, self.opts.dry_run).await {
                Ok(after) => {
                    let undo = apply::undo(e, &obs);
                    let outcome = if self.opts.dry_run { EffectOutcome::DryRun } else { EffectOutcome::Applied };
                    self.journal_write(Record::After {
                        step: i,
                        target: e.target(),
                        before: obs.before.clone(),
                        after: after.clone(),
                        outcome,
                        error: None,
                        undo: undo.clone(),
                    });
                    if self.opts.dry_run {
                        return Ok(Some("dry run: the server accepted it".into()));
                    }
                    self.changes[i] = Some(Change { target: e.target(), before: obs.before, after, undo });
                    return Ok(None);
                }
                Err(err) if err.kind == ErrorKind::Conflict || err.is_transient() => {
                    last_error = err.to_string();
                    let what = if err.kind == ErrorKind::Conflict { "conflict" } else { "transient error" };
                    self.note(
                        Level::Warn,
                        format!("{what} writing {}: {err}; re-reading and retrying if it is unchanged", e.target()),
                    );
                    if err.is_transient() {
                        self.backoff(attempt).await;
                    }
                    previous = Some(obs);
                }
                Err(err) => return Err(self.effect_failed(i, e, Some(&obs), &err.to_string())),
            }
        }
        let text = format!("gave up after {} tries: {last_error}", self.opts.attempts);
        Err(self.effect_failed(i, e, previous.as_ref(), &text))
    }

    fn effect_failed(&mut self, i: usize, e: &Effect, obs: Option<&Observed>, reason: &str) -> String {
        let before = obs.map(|o| o.before.clone()).unwrap_or(serde_json::Value::Null);
        self.journal_write(Record::After {
            step: i,
            target: e.target(),
            before: before.clone(),
            after: before,
            outcome: EffectOutcome::Failed,
            error: Some(reason.to_string()),
            undo: None,
        });
        reason.to_string()
    }

    async fn wait(&mut self, i: usize, v: &Verify, timeout: f64, started: f64) -> WaitEnd {
        let p = Arc::clone(&self.platform);
        let mut mem = Memory { started: p.now(), ..Memory::default() };
        let deadline = p.now() + timeout.max(self.opts.poll.as_secs_f64());
        let mut live;
        loop {
            if self.keep_lock().await.is_err() {
                return WaitEnd::Fail("the action lock was lost".into());
            }
            match v.probe(p.as_ref(), &mut mem).await {
                Ok(Probe::Pending(l)) => live = l,
                Ok(Probe::Done(n)) => {
                    self.journal_write(Record::Verified { step: i, ok: true, detail: n.clone().unwrap_or_default() });
                    return WaitEnd::Done(n);
                }
                Ok(Probe::Partial(r)) => {
                    self.journal_write(Record::Verified { step: i, ok: true, detail: r.clone() });
                    return WaitEnd::Partial(r);
                }
                Ok(Probe::Fail(r)) => {
                    self.journal_write(Record::Verified { step: i, ok: false, detail: r.clone() });
                    return WaitEnd::Fail(r);
                }
                Ok(Probe::Stop(r)) => {
                    self.journal_write(Record::Verified { step: i, ok: false, detail: r.clone() });
                    return WaitEnd::Stop(r);
                }
                Err(e) if e.is_transient() => live = format!("probe failed ({e}); trying again"),
                Err(e) => return WaitEnd::Fail(probe_error(v, &e)),
            }
            let now = p.now();
            self.set_state(i, StepState::Running { elapsed: now - started, live: Some(live.clone()) });
            if now >= deadline {
                let r = format!("timed out after {}: {live}", duration_short(timeout));
                self.journal_write(Record::Verified { step: i, ok: false, detail: r.clone() });
                return WaitEnd::Fail(r);
            }
            if self.abort.is_aborted() {
                return WaitEnd::Aborted(live);
            }
            let abort = self.abort.clone();
            tokio::select! {
                _ = p.sleep(self.opts.poll) => {}
                _ = abort.wait() => {}
            }
        }
    }
}

fn probe_error(v: &Verify, e: &PlatformError) -> String {
    format!("cannot verify that {}: {e}", v.describe())
}
