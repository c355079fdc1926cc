//! The journal: one JSON-lines file per action under `<state dir>/journal/`, appended (and
//! synced) before and after every effect, with who, when, the target, the values before and
//! after and the outcome. An action whose file has no `end` record is unfinished: the next
//! start offers to resume or abandon it.

use super::effect::Effect;
use super::error::ActionError;
use super::step::{Change, Outcome, Plan, StepState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who acts: the local user and the platform identity (Kubernetes user, simulator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Who {
    pub user: String,
    pub identity: String,
}

impl Who {
    pub fn local(identity: String) -> Self {
        Who { user: local_user(), identity }
    }
}

/// "alice@host".
pub fn local_user() -> String {
    // Read once: it does not change while the process runs, and the wall draws it every frame.
    static WHO: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    WHO.get_or_init(|| {
        let user = ["USER", "LOGNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".into());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        format!("{user}@{host}")
    })
    .clone()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectOutcome {
    Applied,
    /// The platform was already where the step wanted it: nothing was written.
    Already,
    Failed,
    /// Not sent: a dry run of an API without one, or a notification in doubt after a crash.
    NotSent,
    /// A server-side dry run: validated, not stored.
    DryRun,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    Start {
        action: String,
        platform: String,
        holder: String,
        dry_run: bool,
        plan: Plan,
    },
    Resumed {
        platform: String,
    },
    /// Someone abandoned this unfinished action: from here only its clean-up (`always`) steps
    /// run, then it ends.
    Abandoning {
        platform: String,
    },
    Check {
        step: usize,
        ok: bool,
        detail: String,
    },
    Before {
        step: usize,
        target: String,
        before: Value,
        intended: Value,
        /// The whole object as read (an HPA's exact spec and annotations).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        full: Option<Value>,
    },
    After {
        step: usize,
        target: String,
        before: Value,
        after: Value,
        outcome: EffectOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo: Option<Effect>,
    },
    Verified {
        step: usize,
        ok: bool,
        detail: String,
    },
    StepEnd {
        step: usize,
        state: StepState,
    },
    /// The action stops early from here on; only `always` steps still run.
    Stopping {
        reason: String,
    },
    Note {
        text: String,
    },
    End {
        outcome: Outcome,
    },
    Abandoned {},
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Wall clock, RFC 3339.
    pub ts: String,
    /// The platform's clock (simulated seconds in the demo).
    pub clock: f64,
    pub action_id: String,
    pub user: String,
    pub identity: String,
    #[serde(flatten)]
    pub record: Record,
}

pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
    id: String,
    who: Who,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl Journal {
    /// `<state dir>/journal`.
    pub fn default_dir() -> PathBuf {
        crate::config::paths::state_dir().join("journal")
    }

    /// A new journal file for a new action.
    pub fn create(dir: &Path, action: &str, who: Who) -> Result<Journal, ActionError> {
        std::fs::create_dir_all(dir).map_err(|e| ActionError::journal(dir, e))?;
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        // Sortable: time, process, sequence; then the action for people reading the folder.
        let id = format!("{stamp}-{}-{:04}-{action}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
        let path = dir.join(format!("{id}.jsonl"));
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(|e| ActionError::journal(&path, e))?;
        Ok(Journal { path, file, id, who })
    }

    /// Append to the journal of an unfinished action.
    pub fn reopen(u: &Unfinished, who: Who) -> Result<Journal, ActionError> {
        let file =
            std::fs::OpenOptions::new().append(true).open(&u.path).map_err(|e| ActionError::journal(&u.path, e))?;
        Ok(Journal { path: u.path.clone(), file, id: u.id.clone(), who })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one record and sync it to disk before returning.
    pub fn append(&mut self, clock: f64, record: Record) -> Result<(), ActionError> {
        let line = Line {
            ts: jiff::Timestamp::now().to_string(),
            clock,
            action_id: self.id.clone(),
            user: self.who.user.clone(),
            identity: self.who.identity.clone(),
            record,
        };
        let text = serde_json::to_string(&line).map_err(|e| ActionError::journal(&self.path, e.into()))?;
        // Every secret the cockpit was given, taken out of whatever a record carries (an error
        // text from a server, a command's output).
        let mut text = crate::live::redact::scrub(&text).into_owned();
        text.push('\n');
        self.file.write_all(text.as_bytes()).map_err(|e| ActionError::journal(&self.path, e))?;
        self.file.sync_data().map_err(|e| ActionError::journal(&self.path, e))
    }
}

/// Every line of a journal file. A torn last line (a crash mid-write) is ignored.
pub fn read(path: &Path) -> Result<Vec<Line>, ActionError> {
    let text = std::fs::read_to_string(path).map_err(|e| ActionError::journal(path, e))?;
    let mut out = Vec::new();
    let n = text.lines().count();
    for (i, l) in text.lines().enumerate() {
        match serde_json::from_str::<Line>(l) {
            Ok(line) => out.push(line),
            Err(_) if i + 1 == n => {}
            Err(e) => {
                return Err(ActionError::journal(
                    path,
                    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("line {}: {e}", i + 1)),
                ));
            }
        }
    }
    Ok(out)
}

/// How far one step got before the interruption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepProgress {
    /// A "before" record was written: the effect may have been sent.
    pub before: bool,
    /// The value recorded before it.
    pub before_value: Option<Value>,
    /// The effect's recorded result.
    pub after: Option<(EffectOutcome, Change)>,
    pub ended: Option<StepState>,
}

/// An action that started and never ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Unfinished {
    pub path: PathBuf,
    pub id: String,
    pub action: String,
    pub started: String,
    pub user: String,
    pub holder: String,
    pub plan: Plan,
    pub progress: Vec<StepProgress>,
    pub stopping: Option<String>,
}

impl Unfinished {
    /// The process that started it, when it still runs on this machine (a cockpit whose
    /// process id is in the action's id): then it is not unfinished, it is running.
    pub fn running_pid(&self) -> Option<u32> {
        let pid: u32 = self.id.split('-').nth(1)?.parse().ok()?;
        if pid == std::process::id() {
            return None;
        }
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == "cockpit").then_some(pid)
    }

    /// The steps that run even when it stops early (its clean-ups), by title.
    pub fn cleanup_steps(&self) -> Vec<&str> {
        self.plan.steps.iter().filter(|s| s.always).map(|s| s.title.as_str()).collect()
    }

    /// "3 of 7 steps done; step 4 (Scale …) in doubt".
    pub fn describe(&self) -> String {
        let done = self.progress.iter().filter(|p| p.ended.is_some()).count();
        let mut s = format!("{} of {} steps done", done, self.plan.steps.len());
        if let Some((i, _)) = self.progress.iter().enumerate().find(|(_, p)| p.before && p.after.is_none()) {
            s.push_str(&format!("; step {} ({}) was being applied", i + 1, self.plan.steps[i].title));
        }
        s
    }

    fn from_lines(path: &Path, lines: &[Line]) -> Option<Unfinished> {
        let first = lines.first()?;
        let Record::Start { action, holder, dry_run, plan, .. } = &first.record else { return None };
        if *dry_run || lines.iter().any(|l| matches!(l.record, Record::End { .. } | Record::Abandoned {})) {
            return None;
        }
        let mut progress = vec![StepProgress::default(); plan.steps.len()];
        let mut stopping = None;
        for l in lines {
            match &l.record {
                Record::Before { step, before, .. } => {
                    if let Some(p) = progress.get_mut(*step) {
                        p.before = true;
                        p.before_value.get_or_insert_with(|| before.clone());
                    }
                }
                Record::After { step, target, before, after, outcome, undo, .. } => {
                    if let Some(p) = progress.get_mut(*step) {
                        let change = Change {
                            target: target.clone(),
                            before: before.clone(),
                            after: after.clone(),
                            undo: undo.clone(),
                        };
                        p.after = Some((*outcome, change));
                    }
                }
                Record::StepEnd { step, state } => {
                    if let Some(p) = progress.get_mut(*step) {
                        p.ended = Some(state.clone());
                    }
                }
                Record::Stopping { reason } => stopping = Some(reason.clone()),
                _ => {}
            }
        }
        Some(Unfinished {
            path: path.to_path_buf(),
            id: first.action_id.clone(),
            action: action.clone(),
            started: first.ts.clone(),
            user: first.user.clone(),
            holder: holder.clone(),
            plan: plan.clone(),
            progress,
            stopping,
        })
    }
}

/// The unfinished actions in `dir`, oldest first. Unreadable files are skipped.
pub fn unfinished(dir: &Path) -> Vec<Unfinished> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| read(p).ok().and_then(|lines| Unfinished::from_lines(p, &lines))).collect()
}

/// Mark an unfinished action as abandoned: it is not offered again.
pub fn abandon(u: &Unfinished, who: Who, clock: f64) -> Result<(), ActionError> {
    let mut j = Journal::reopen(u, who)?;
    j.append(clock, Record::Abandoned {})
}
