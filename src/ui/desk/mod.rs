//! The action screen, one owner: the App holds this state and nothing mirrors it. It walks an
//! action through form -> plan with its findings -> confirmation -> run -> summary, offers to
//! resume an unfinished action, and shrinks a running action to a strip under the dashboard.
//! What needs the platform (planning, running, aborting, abandoning) goes out as an `Effect`
//! for the host's `actions::jobs::Jobs`; their answers come back through `job_event`.

mod editor;
mod events;
mod keys;
mod pager;

pub use editor::Editor;
pub use pager::Pager;

use crate::actions::journal::Unfinished;
use crate::actions::procedure::{FormCx, Procedure};
use crate::actions::step::{Plan, StepState, Summary};
use crate::actions::{ActionSettings, FieldValue, Form, registry};
use crate::config::keymap::Context;
use crate::model::{Board, Level};
use crate::ui::app::Effect;

/// Where the action screen is.
pub enum Stage {
    Closed,
    Resume(ResumeView),
    Form(Box<FormView>),
    /// The plan is being made (reads of the platform); the form is shown meanwhile.
    Planning(Box<FormView>),
    Plan(Box<PlanView>),
    Run(Box<RunView>),
}

/// Unfinished actions a previous run left, offered at start.
pub struct ResumeView {
    pub items: Vec<Unfinished>,
    pub selected: usize,
    pub pager: Pager,
}

/// A procedure's form being filled in.
pub struct FormView {
    pub proc: usize,
    pub form: Form,
    /// The focused field's editor, when it is a text field.
    pub editor: Option<Editor>,
    pub pager: Pager,
}

impl FormView {
    fn new(proc: usize, form: Form) -> Self {
        let mut v = FormView { proc, form, editor: None, pager: Pager::default() };
        v.refocus();
        v
    }

    /// The focus moved: a text field is edited where its value is, from its end.
    fn refocus(&mut self) {
        self.editor = match self.form.fields.get(self.form.focus).map(|f| &f.value) {
            Some(FieldValue::Text(t)) => Some(Editor::new(t)),
            _ => None,
        };
        self.pager.follow = true;
    }

    /// Write the editor's text back to the focused field.
    fn commit(&mut self) {
        if let (Some(e), Some(f)) = (&self.editor, self.form.fields.get_mut(self.form.focus))
            && let FieldValue::Text(t) = &mut f.value
        {
            *t = e.value().to_string();
        }
        self.form.error = None;
        self.pager.follow = true;
    }
}

/// A plan waiting for confirmation.
pub struct PlanView {
    /// The form to go back to (None: an undo plan, made from a summary).
    pub back: Option<Box<FormView>>,
    pub plan: Plan,
    /// The typed confirmation word (emergency).
    pub word: Editor,
    pub pager: Pager,
    pub message: Option<String>,
}

/// A run as the screen shows it.
pub struct RunView {
    pub plan: Plan,
    pub states: Vec<StepState>,
    pub notes: Vec<(Level, String)>,
    pub summary: Option<Summary>,
    pub pager: Pager,
    pub abort_requested: bool,
    /// What would put back what this run applied (offered when it did not end well).
    pub rollback: Option<Plan>,
}

impl RunView {
    fn new(plan: Plan) -> Self {
        let n = plan.steps.len();
        RunView {
            plan,
            states: vec![StepState::Pending; n],
            notes: Vec::new(),
            summary: None,
            pager: Pager::default(),
            abort_requested: false,
            rollback: None,
        }
    }

    pub fn finished(&self) -> bool {
        self.summary.is_some()
    }

    /// The step in progress (or the last one that ended), for the strip.
    pub fn current(&self) -> Option<(usize, &StepState)> {
        let running = self.states.iter().position(|s| matches!(s, StepState::Running { .. }));
        let i = running.or_else(|| self.states.iter().rposition(StepState::finished))?;
        Some((i, &self.states[i]))
    }
}

/// The parts of the app the desk changes besides itself.
pub struct Outer<'a> {
    pub board: &'a mut Board,
    pub status: &'a mut Option<(String, Level)>,
    pub effects: &'a mut Vec<Effect>,
}

impl Outer<'_> {
    pub fn status(&mut self, text: impl Into<String>, level: Level) {
        *self.status = Some((text.into(), level));
    }
}

pub struct Desk {
    procs: Vec<Box<dyn Procedure>>,
    pub settings: ActionSettings,
    pub stage: Stage,
    /// A running action is shrunk to a strip under the dashboard.
    pub minimized: bool,
    /// Run the next plan as a server-side dry run (toggled in the plan popup).
    pub dry_run: bool,
    /// The number of the plan asked for last: an older answer is dropped.
    seq: u64,
}

impl Desk {
    pub fn new(settings: ActionSettings) -> Self {
        Desk { procs: registry::all(), settings, stage: Stage::Closed, minimized: false, dry_run: false, seq: 0 }
    }

    /// The menu entries: name and summary of each procedure.
    pub fn menu(&self) -> Vec<(String, String)> {
        self.procs.iter().map(|p| (p.name().to_string(), p.summary().to_string())).collect()
    }

    pub fn procedure(&self, i: usize) -> Option<&dyn Procedure> {
        self.procs.get(i).map(|p| p.as_ref())
    }

    /// Offer to resume or abandon what a previous run left unfinished.
    pub fn offer_resume(&mut self, items: Vec<Unfinished>) {
        if !items.is_empty() && matches!(self.stage, Stage::Closed) {
            self.stage = Stage::Resume(ResumeView { items, selected: 0, pager: Pager::default() });
        }
    }

    /// The key context of the action screen (None: closed).
    pub fn context(&self) -> Option<Context> {
        Some(match &self.stage {
            Stage::Closed => return None,
            Stage::Resume(_) => Context::Resume,
            Stage::Form(_) | Stage::Planning(_) => Context::Form,
            Stage::Plan(_) => Context::Plan,
            Stage::Run(v) if v.finished() => Context::Summary,
            Stage::Run(_) if self.minimized => Context::Strip,
            Stage::Run(_) => Context::Run,
        })
    }

    /// An action is running (not yet finished).
    pub fn running(&self) -> bool {
        matches!(&self.stage, Stage::Run(v) if !v.finished())
    }

    pub fn run_view(&self) -> Option<&RunView> {
        match &self.stage {
            Stage::Run(v) => Some(v),
            _ => None,
        }
    }

    /// Open the named action's form, prefilled from the board.
    pub fn open(&mut self, name: &str, out: &mut Outer) {
        if let Stage::Run(v) = &self.stage
            && !v.finished()
        {
            let text = format!("{} is running: let it end, or abort it, first", v.plan.action);
            out.status(text, Level::Warn);
            return;
        }
        let Some(i) = self.procs.iter().position(|p| p.name() == name) else {
            out.status(format!("no guided action named {name}"), Level::Crit);
            return;
        };
        let form = self.procs[i].form(&FormCx { board: out.board, settings: &self.settings });
        self.dry_run = false;
        self.minimized = false;
        self.stage = Stage::Form(Box::new(FormView::new(i, form)));
    }
}
