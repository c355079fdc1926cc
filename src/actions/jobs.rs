//! The guided actions as jobs a front end starts: planning on a task (reads only), a run on a
//! task, abandoning an unfinished one. Their results come back as typed `JobEvent`s on one
//! channel; the caller owns what the screen shows. Nothing here knows about the screen.

use super::journal::{self, Unfinished, Who};
use super::procedure::PlanCx;
use super::runner::{AbortHandle, RunHandle, RunOpts, Runner};
use super::settings::ActionSettings;
use super::step::{Plan, RunEvent};
use super::{Form, registry};
use crate::model::Board;
use crate::platform::Platform;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the jobs send back.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// A plan asked for with `plan(seq, …)` is ready (or could not be made).
    Planned { seq: u64, result: Result<Plan, String> },
    /// An event of the run in progress.
    Run(RunEvent),
}

pub struct Jobs {
    platform: Arc<dyn Platform>,
    settings: ActionSettings,
    tx: mpsc::UnboundedSender<JobEvent>,
    rx: mpsc::UnboundedReceiver<JobEvent>,
    /// The abort of the run in progress (or of the last one).
    abort: Option<AbortHandle>,
}

impl Jobs {
    pub fn new(platform: Arc<dyn Platform>, settings: ActionSettings) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Jobs { platform, settings, tx, rx, abort: None }
    }

    pub fn settings(&self) -> &ActionSettings {
        &self.settings
    }

    /// Act on another platform from the next job on (the demo's speed changed).
    pub fn set_platform(&mut self, platform: Arc<dyn Platform>) {
        self.platform = platform;
    }

    /// What a previous run left unfinished (a crash or a dropped link).
    pub fn unfinished(&self) -> Vec<Unfinished> {
        journal::unfinished(&self.settings.journal_dir)
    }

    /// Plan the named action on a task: reads of the platform only. Answers `Planned { seq }`.
    pub fn plan(&self, seq: u64, action: &str, form: Form, board: Board) {
        let cx = PlanCx { platform: Arc::clone(&self.platform), settings: self.settings.clone(), board };
        let tx = self.tx.clone();
        let action = action.to_string();
        tokio::spawn(async move {
            let result = match registry::find(&action) {
                Ok(p) => p.plan(&cx, &form).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(JobEvent::Planned { seq, result });
        });
    }

    /// Run a plan (or carry an unfinished action on) on a task; its events come as `Run(…)`.
    /// A resumed action carries on for real: a dry run is only ever a fresh plan's.
    pub fn run(&mut self, plan: Plan, resume: Option<Unfinished>, dry_run: bool) {
        let mut opts = RunOpts::from_settings(&self.settings);
        opts.dry_run = dry_run && resume.is_none();
        let p = Arc::clone(&self.platform);
        let (runner, handle) = match resume {
            Some(u) => Runner::resume(p, u, opts),
            None => Runner::new(p, plan, opts),
        };
        self.stream(runner, handle);
    }

    /// Abandon an unfinished action by running its clean-up steps (taking the dead run's lock
    /// over), journaled; its events come as `Run(…)` like a run's.
    pub fn abandon_run(&mut self, u: Unfinished) {
        let opts = RunOpts::from_settings(&self.settings);
        let (runner, handle) = Runner::abandon(Arc::clone(&self.platform), u, opts);
        self.stream(runner, handle);
    }

    fn stream(&mut self, runner: Runner, handle: RunHandle) {
        let RunHandle { mut events, abort } = handle;
        self.abort = Some(abort);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if tx.send(JobEvent::Run(ev)).is_err() {
                    break;
                }
            }
        });
        runner.spawn();
    }

    /// Ask the run in progress to stop at its next safe point.
    pub fn abort(&self) {
        if let Some(a) = &self.abort {
            a.abort();
        }
    }

    /// Mark an unfinished action abandoned in its journal; the text to show.
    pub fn abandon(&self, u: &Unfinished) -> Result<String, String> {
        let who = Who::local(self.platform.identity());
        journal::abandon(u, who, self.platform.now())
            .map(|()| format!("{} ({}) abandoned", u.action, u.id))
            .map_err(|e| e.to_string())
    }

    /// Wait for the next event (cancel-safe).
    pub async fn next(&mut self) -> Option<JobEvent> {
        self.rx.recv().await
    }
}
