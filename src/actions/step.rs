//! What a plan is made of, and what a run reports. All of it is data (serde), so a plan can be
//! written to the journal and carried out again after a crash.

use super::check::Check;
use super::effect::Effect;
use super::verify::Verify;
use crate::model::Level;
use crate::platform::LockHolder;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What happens when a step's checks or verification fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFail {
    /// Stop the action here (only `always` steps still run).
    #[default]
    Stop,
    /// Report a warning and go on.
    Continue,
    /// End the action early as intended (e.g. load rose during a scale-down).
    Finish,
}

/// One step: checks before, at most one effect, a verification with a timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub title: String,
    /// Why this step is there (shown in the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verify>,
    /// Seconds the verification may take, on the platform clock.
    #[serde(default)]
    pub timeout_secs: f64,
    #[serde(default)]
    pub on_fail: OnFail,
    /// Runs even when the action stops early (abort, failure): a clean-up such as removing
    /// the drain annotation, so the workers are never left taking no work.
    #[serde(default)]
    pub always: bool,
}

impl Step {
    pub fn new(title: impl Into<String>) -> Self {
        Step {
            title: title.into(),
            why: None,
            checks: Vec::new(),
            effect: None,
            verify: None,
            timeout_secs: 0.0,
            on_fail: OnFail::Stop,
            always: false,
        }
    }
    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }
    pub fn check(mut self, c: Check) -> Self {
        self.checks.push(c);
        self
    }
    pub fn effect(mut self, e: Effect) -> Self {
        self.effect = Some(e);
        self
    }
    pub fn verify(mut self, v: Verify, timeout_secs: f64) -> Self {
        self.verify = Some(v);
        self.timeout_secs = timeout_secs;
        self
    }
    pub fn on_fail(mut self, f: OnFail) -> Self {
        self.on_fail = f;
        self
    }
    pub fn always(mut self) -> Self {
        self.always = true;
        self
    }
    pub fn mutating(&self) -> bool {
        self.effect.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    /// The plan cannot run until this is resolved.
    Block,
}

impl Severity {
    pub fn level(self) -> Level {
        match self {
            Severity::Info => Level::Ok,
            Severity::Warn => Level::Warn,
            Severity::Block => Level::Crit,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Warn => "WARN",
            Severity::Block => "BLOCKS",
        }
    }
}

/// A preflight finding shown with the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub text: String,
}

impl Finding {
    pub fn info(t: impl Into<String>) -> Self {
        Finding { severity: Severity::Info, text: t.into() }
    }
    pub fn warn(t: impl Into<String>) -> Self {
        Finding { severity: Severity::Warn, text: t.into() }
    }
    pub fn block(t: impl Into<String>) -> Self {
        Finding { severity: Severity::Block, text: t.into() }
    }
}

/// A procedure, planned against the platform as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub action: String,
    /// "Scale API pods up to 10".
    pub title: String,
    /// The form's values, for the journal and the summary.
    pub params: BTreeMap<String, String>,
    pub steps: Vec<Step>,
    pub findings: Vec<Finding>,
    /// A word the engineer must type to confirm (emergency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_word: Option<String>,
    /// What to do next, shown with the summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<String>,
}

impl Plan {
    pub fn new(action: &str, title: impl Into<String>) -> Self {
        Plan {
            action: action.to_string(),
            title: title.into(),
            params: BTreeMap::new(),
            steps: Vec::new(),
            findings: Vec::new(),
            confirm_word: None,
            follow_up: Vec::new(),
        }
    }
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Block)
    }
    pub fn mutating(&self) -> bool {
        self.steps.iter().any(Step::mutating)
    }
    pub fn push(&mut self, s: Step) {
        self.steps.push(s);
    }
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    Pending,
    /// `elapsed` seconds on the platform clock; `live` e.g. "ready 7/10" or "in flight 12".
    Running {
        elapsed: f64,
        live: Option<String>,
    },
    Done {
        note: Option<String>,
    },
    /// Failed, but the plan said to go on.
    Warning {
        reason: String,
    },
    Failed {
        reason: String,
    },
    Skipped {
        reason: String,
    },
}

impl StepState {
    pub fn finished(&self) -> bool {
        !matches!(self, StepState::Pending | StepState::Running { .. })
    }
    pub fn level(&self) -> Level {
        match self {
            StepState::Pending | StepState::Running { .. } => Level::Unknown,
            StepState::Done { .. } => Level::Ok,
            StepState::Warning { .. } | StepState::Skipped { .. } => Level::Warn,
            StepState::Failed { .. } => Level::Crit,
        }
    }
    /// "done", "failed: reason", ...
    pub fn describe(&self) -> String {
        match self {
            StepState::Pending => "pending".into(),
            StepState::Running { live: Some(l), .. } => format!("running: {l}"),
            StepState::Running { live: None, .. } => "running".into(),
            StepState::Done { note: Some(n) } => format!("done ({n})"),
            StepState::Done { note: None } => "done".into(),
            StepState::Warning { reason } => format!("warning: {reason}"),
            StepState::Failed { reason } => format!("failed: {reason}"),
            StepState::Skipped { reason } => format!("skipped: {reason}"),
        }
    }
}

/// A change one step made: the target and the values before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub target: String,
    pub before: Value,
    pub after: Value,
    /// The effect that would reverse it, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Effect>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub title: String,
    pub state: StepState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    CompletedWithWarnings,
    /// Ended early as the plan allows (e.g. load rose during a scale-down).
    Stopped {
        reason: String,
    },
    Failed {
        reason: String,
    },
    Aborted,
    /// Refused before any request (read-only).
    Refused {
        reason: String,
    },
    LockHeld {
        holder: LockHolder,
    },
    LockLost {
        reason: String,
    },
}

impl Outcome {
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Completed | Outcome::CompletedWithWarnings | Outcome::Stopped { .. })
    }
    pub fn level(&self) -> Level {
        match self {
            Outcome::Completed => Level::Ok,
            Outcome::CompletedWithWarnings | Outcome::Stopped { .. } | Outcome::Aborted => Level::Warn,
            _ => Level::Crit,
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Outcome::Completed => "completed".into(),
            Outcome::CompletedWithWarnings => "completed with warnings".into(),
            Outcome::Stopped { reason } => format!("stopped early: {reason}"),
            Outcome::Failed { reason } => format!("failed: {reason}"),
            Outcome::Aborted => "aborted".into(),
            Outcome::Refused { reason } => format!("refused: {reason}"),
            Outcome::LockHeld { holder } => format!(
                "not started: the action lock is held by {} for {} since {}",
                holder.holder,
                holder.action,
                holder.since_text()
            ),
            Outcome::LockLost { reason } => format!("stopped: the action lock was lost ({reason})"),
        }
    }
}

/// The end of a run: what was applied and what was not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub action: String,
    pub action_id: Option<String>,
    pub outcome: Outcome,
    pub steps: Vec<StepReport>,
    pub journal: Option<PathBuf>,
    pub follow_up: Vec<String>,
    pub dry_run: bool,
    /// The notification this action was to send could not be sent: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_failed: Option<String>,
}

impl Summary {
    /// The level of the end: a failed notification is critical whatever the outcome (nobody
    /// was told).
    pub fn level(&self) -> Level {
        if self.notify_failed.is_some() { Level::Crit } else { self.outcome.level() }
    }

    /// One line for the status bar and the timeline: "emergency completed with warnings;
    /// the notification was NOT sent".
    pub fn headline(&self) -> String {
        let mut s = format!("{} {}", self.action, self.outcome.describe());
        if self.notify_failed.is_some() {
            s.push_str("; the notification was NOT sent");
        }
        s
    }

    pub fn applied(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|s| s.change.is_some())
    }

    /// The summary as lines of text, for the popup and the command line.
    pub fn lines(&self) -> Vec<(Level, String)> {
        let mut out = Vec::new();
        if let Some(why) = &self.notify_failed {
            out.push((Level::Crit, format!("NOTIFICATION NOT SENT: nobody was told ({why})")));
        }
        out.push((self.outcome.level(), format!("{}: {}", self.action, self.outcome.describe())));
        if self.dry_run {
            out.push((Level::Ok, "dry run: the server validated each write; nothing was changed".into()));
        }
        let applied: Vec<&StepReport> = self.applied().collect();
        if applied.is_empty() {
            out.push((Level::Ok, "applied: nothing".into()));
        } else {
            out.push((Level::Ok, "applied:".into()));
            for s in applied {
                if let Some(c) = &s.change {
                    out.push((Level::Ok, format!("  {}: {} → {}", c.target, short(&c.before), short(&c.after))));
                }
            }
        }
        let not_run: Vec<&StepReport> =
            self.steps.iter().filter(|s| matches!(s.state, StepState::Pending | StepState::Skipped { .. })).collect();
        if !not_run.is_empty() {
            out.push((Level::Warn, "not applied:".into()));
            for s in not_run {
                out.push((Level::Warn, format!("  {} ({})", s.title, s.state.describe())));
            }
        }
        for s in self.steps.iter().filter(|s| matches!(s.state, StepState::Failed { .. } | StepState::Warning { .. })) {
            out.push((s.state.level(), format!("{}: {}", s.title, s.state.describe())));
        }
        let undo: Vec<String> =
            self.applied().filter_map(|s| s.change.as_ref()?.undo.as_ref().map(|u| u.describe())).collect();
        if !undo.is_empty() && !self.outcome.ok() {
            out.push((Level::Ok, "to undo what was applied (newest first):".into()));
            for u in undo.iter().rev() {
                out.push((Level::Ok, format!("  {u}")));
            }
        }
        for f in &self.follow_up {
            out.push((Level::Ok, format!("next: {f}")));
        }
        if let Some(j) = &self.journal {
            out.push((Level::Ok, format!("journal: {}", j.display())));
        }
        out
    }
}

/// A JSON value in one short line: numbers and strings bare, objects compact.
pub fn short(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => m.values().next().map(short).unwrap_or_default(),
        Value::Object(m) => m.iter().map(|(k, v)| format!("{k} {}", short(v))).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// What a running action reports.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Step {
        index: usize,
        state: StepState,
    },
    /// Something worth saying that is not a step's state (a retried conflict, a lock renewal).
    Note {
        level: Level,
        text: String,
    },
    Finished(Summary),
}
