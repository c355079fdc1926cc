//! The action desk: what both hosts (the demo and the live cockpit) embed to run guided actions
//! from the UI. It turns the app's `Effect::OpenAction` / `ActionCommand` / `ActionKey` into the
//! flow form -> plan with preflight findings -> confirmation -> live run -> summary, keeps
//! `app.popup` in the matching key context, feeds runner events to the board's timeline, and
//! offers to resume or abandon an action a previous run left unfinished.

mod hosts;
mod keys;

use super::form::Form;
use super::journal::{self, Unfinished};
use super::procedure::{FormCx, PlanCx, Procedure};
use super::runner::{AbortHandle, RunHandle, RunOpts, Runner};
use super::settings::ActionSettings;
use super::step::{Plan, RunEvent, StepState, Summary};
use super::{Outcome, registry};
use crate::config::keymap::Context;
use crate::model::Level;
use crate::model::timeline::Category;
use crate::platform::Platform;
use crate::ui::app::{App, Effect, Popup};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Where the desk is in the flow.
pub enum Stage {
    Closed,
    Resume {
        items: Vec<Unfinished>,
        selected: usize,
    },
    Form {
        proc: usize,
        form: Form,
    },
    Planning {
        proc: usize,
        form: Form,
    },
    /// `proc` None: a rollback plan (no form to go back to).
    Plan {
        proc: Option<usize>,
        form: Form,
        plan: Box<Plan>,
        typed: String,
        scroll: usize,
        message: Option<String>,
    },
    Run(Box<RunView>),
}

/// A run as the popup shows it.
pub struct RunView {
    pub plan: Plan,
    pub states: Vec<StepState>,
    pub notes: Vec<(Level, String)>,
    pub summary: Option<Summary>,
    pub scroll: usize,
    pub abort: AbortHandle,
    pub abort_requested: bool,
    /// Quit was pressed once while running.
    pub quit_armed: bool,
    /// What would put back what this run applied (offered when it did not end well).
    pub rollback: Option<Plan>,
}

impl RunView {
    pub fn finished(&self) -> bool {
        self.summary.is_some()
    }
}

/// What the desk's tasks send back (planning results, runner events).
#[derive(Debug)]
pub enum DeskEvent {
    Planned { seq: u64, result: Result<Plan, String> },
    Run(RunEvent),
}

pub struct ActionDesk {
    platform: Arc<dyn Platform>,
    pub settings: ActionSettings,
    procs: Vec<Box<dyn Procedure>>,
    pub stage: Stage,
    tx: mpsc::UnboundedSender<DeskEvent>,
    rx: mpsc::UnboundedReceiver<DeskEvent>,
    seq: u64,
    /// Run the next plan as a server-side dry run (toggled in the plan popup).
    pub dry_run: bool,
}

impl ActionDesk {
    pub fn new(platform: Arc<dyn Platform>, settings: ActionSettings) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        ActionDesk { platform, settings, procs: registry::all(), stage: Stage::Closed, tx, rx, seq: 0, dry_run: false }
    }

    /// The menu entries, for `app.actions`.
    pub fn menu(&self) -> Vec<(String, String)> {
        self.procs.iter().map(|p| (p.name().to_string(), p.summary().to_string())).collect()
    }

    pub fn procedure(&self, i: usize) -> Option<&dyn Procedure> {
        self.procs.get(i).map(|p| p.as_ref())
    }

    /// At start: offer to resume or abandon what a previous run left unfinished.
    pub fn offer_resume(&mut self, app: &mut App) {
        let items = journal::unfinished(&self.settings.journal_dir);
        if !items.is_empty() {
            self.stage = Stage::Resume { items, selected: 0 };
            self.show(app);
        }
    }

    /// The key context of the current stage (None: no popup).
    pub fn context(&self) -> Option<Context> {
        match &self.stage {
            Stage::Closed => None,
            Stage::Form { .. } | Stage::Planning { .. } => Some(Context::Form),
            Stage::Plan { .. } | Stage::Resume { .. } => Some(Context::Plan),
            // A finished run's summary reads typed keys (u: undo), as a plan does.
            Stage::Run(v) if v.finished() => Some(Context::Plan),
            Stage::Run(_) => Some(Context::Run),
        }
    }

    fn show(&self, app: &mut App) {
        app.popup = self.context().map(|context| Popup::Action { context });
        app.dirty = true;
    }

    fn close(&mut self, app: &mut App) {
        self.stage = Stage::Closed;
        self.seq += 1;
        if matches!(app.popup, Some(Popup::Action { .. })) {
            app.popup = None;
        }
        app.dirty = true;
    }

    /// Carry out one of the app's effects that concerns actions. Others are ignored.
    pub fn effect(&mut self, app: &mut App, e: Effect) {
        match e {
            Effect::OpenAction(name) => self.open(app, &name),
            Effect::ActionCommand(cmd) => self.command(app, cmd),
            Effect::ActionKey(k) => self.key(app, k),
            Effect::SetSpeed(_) => {}
        }
    }

    fn open(&mut self, app: &mut App, name: &str) {
        if let Stage::Run(v) = &self.stage
            && !v.finished()
        {
            app.set_status(format!("{} is running: Esc aborts it", v.plan.action), Level::Warn);
            self.show(app);
            return;
        }
        let Some(i) = self.procs.iter().position(|p| p.name() == name) else {
            app.set_status(format!("no guided action named {name}"), Level::Crit);
            return;
        };
        let form = self.procs[i].form(&FormCx { board: &app.board, settings: &self.settings });
        self.dry_run = false;
        self.stage = Stage::Form { proc: i, form };
        self.show(app);
    }

    /// Plan on a task: reads of the platform only.
    fn start_planning(&mut self, proc: usize, form: Form, app: &App) {
        self.seq += 1;
        let seq = self.seq;
        let name = self.procs[proc].name();
        let cx =
            PlanCx { platform: Arc::clone(&self.platform), settings: self.settings.clone(), board: app.board.clone() };
        let tx = self.tx.clone();
        let f = form.clone();
        tokio::spawn(async move {
            let result = match registry::find(name) {
                Ok(p) => p.plan(&cx, &f).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(DeskEvent::Planned { seq, result });
        });
        self.stage = Stage::Planning { proc, form };
    }

    fn start_run(&mut self, app: &mut App, plan: Plan, resume: Option<Unfinished>) {
        let mut opts = RunOpts::from_settings(&self.settings);
        // A resumed action carries on for real; a dry run is only ever a fresh plan's.
        let dry_run = self.dry_run && resume.is_none();
        opts.dry_run = dry_run;
        let p = Arc::clone(&self.platform);
        let (runner, handle) = match resume {
            Some(u) => Runner::resume(p, u, opts),
            None => Runner::new(p, plan.clone(), opts),
        };
        let RunHandle { mut events, abort } = handle;
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if tx.send(DeskEvent::Run(ev)).is_err() {
                    break;
                }
            }
        });
        runner.spawn();
        let dry = if dry_run { " (server-side dry run)" } else { "" };
        app.board.push_timeline(
            app.board.now,
            Category::Action,
            Level::Ok,
            format!("{} started{dry}: {}", plan.action, plan.title),
        );
        let n = plan.steps.len();
        self.stage = Stage::Run(Box::new(RunView {
            plan,
            states: vec![StepState::Pending; n],
            notes: Vec::new(),
            summary: None,
            scroll: 0,
            abort,
            abort_requested: false,
            quit_armed: false,
            rollback: None,
        }));
        self.show(app);
    }

    /// Wait for the desk's next event (cancel-safe).
    pub async fn next(&mut self) -> Option<DeskEvent> {
        self.rx.recv().await
    }

    /// Apply one of the desk's events to the app.
    pub fn apply(&mut self, app: &mut App, ev: DeskEvent) {
        app.dirty = true;
        match ev {
            DeskEvent::Planned { seq, result } => {
                if seq != self.seq {
                    return;
                }
                let Stage::Planning { proc, form } = std::mem::replace(&mut self.stage, Stage::Closed) else { return };
                self.stage = match result {
                    Ok(plan) => Stage::Plan {
                        proc: Some(proc),
                        form,
                        plan: Box::new(plan),
                        typed: String::new(),
                        scroll: 0,
                        message: None,
                    },
                    Err(e) => {
                        let mut form = form;
                        form.error = Some(e);
                        Stage::Form { proc, form }
                    }
                };
                self.show(app);
            }
            DeskEvent::Run(ev) => self.run_event(app, ev),
        }
    }

    fn run_event(&mut self, app: &mut App, ev: RunEvent) {
        let Stage::Run(v) = &mut self.stage else { return };
        let at = app.board.now;
        let action = v.plan.action.clone();
        match ev {
            RunEvent::Step { index, state } => {
                let title = v.plan.steps.get(index).map(|s| s.title.clone()).unwrap_or_default();
                if state.finished() && v.states.get(index) != Some(&state) {
                    let text = format!("{action}: {title}: {}", state.describe());
                    app.board.push_timeline(at, Category::Action, state.level(), text);
                }
                if let Some(s) = v.states.get_mut(index) {
                    *s = state;
                }
            }
            RunEvent::Note { level, text } => {
                app.board.push_timeline(at, Category::Action, level, format!("{action}: {text}"));
                v.notes.push((level, text));
            }
            RunEvent::Finished(summary) => {
                let level = summary.outcome.level();
                let text = format!("{action} {}", summary.outcome.describe());
                app.board.push_timeline(at, Category::Action, level, text.clone());
                app.set_status(text, level);
                if matches!(summary.outcome, Outcome::Refused { .. } | Outcome::LockHeld { .. }) {
                    v.notes.push((level, summary.outcome.describe()));
                }
                if !summary.outcome.ok() && summary.action != super::rollback::ACTION {
                    v.rollback = super::rollback::from_summary(&summary);
                }
                v.summary = Some(summary);
                self.show(app);
            }
        }
    }
}
