//! The application state and its update function. Input, source updates and job events come in
//! through `App::update`; what must happen outside (plan or run an action, change the demo's
//! speed) goes out as `Effect`s that the event loop carries out. No I/O here, so it is tested
//! directly.

mod dashboard;
mod drill;
mod watch;
pub use drill::Facilitator;
pub use watch::WatchMode;

use super::desk::{Desk, Outer};
use super::event_loop::HostEvent;
use crate::actions::journal::Unfinished;
use crate::actions::{ActionSettings, Form, Plan};
use crate::config::keymap::{Command, Context, Key, Keymap, Lookup, PaneId};
use crate::config::theme::Theme;
use crate::model::{Board, Level, SourceUpdate};
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::path::PathBuf;

/// What the cockpit is looking at.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Demo {
        scenario: String,
        seed: u64,
        speed: f64,
    },
    Live {
        target: String,
    },
    /// `cockpit watch`: following the war room's stream, read-only.
    Watch(WatchMode),
    /// `cockpit drill`: the situation is not named; `strip` is the live score strip; `prompt`
    /// the line being typed at the drill's kubectl prompt (`:` opens it); `host`: a team drill
    /// (`--host`), with the facilitator's menu (`F`).
    Drill {
        speed: f64,
        strip: String,
        prompt: Option<String>,
        host: Option<Facilitator>,
    },
}

/// Something the event loop must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SetSpeed(f64),
    /// A line typed at the drill's kubectl prompt, to run against the simulator.
    Command(String),
    /// Plan the named action from this form (answered by a `Planned` event with `seq`).
    Plan {
        seq: u64,
        action: String,
        form: Form,
    },
    /// Run a plan, or carry an unfinished action on.
    Run {
        plan: Box<Plan>,
        resume: Option<Box<Unfinished>>,
        dry_run: bool,
    },
    /// Stop the running action at its next safe point.
    Abort,
    /// Mark an unfinished action abandoned in its journal.
    Abandon(Box<Unfinished>),
}

/// Scroll position of a pane or popup. `follow` keeps the newest line in view.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scroll {
    pub offset: usize,
    pub follow: bool,
}

/// A popup over the dashboard (and over the action screen).
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help { scroll: usize },
    Menu { selected: usize },
}

pub struct App {
    pub board: Board,
    frozen: Option<Box<Board>>,
    pub theme: Theme,
    pub theme_names: Vec<String>,
    pub user_dir: Option<PathBuf>,
    pub keymap: Keymap,
    pub focus: PaneId,
    pub zoom: bool,
    /// The war-room wall view (`--wall`) instead of the panes.
    pub wall: bool,
    pub scroll: std::collections::BTreeMap<PaneId, Scroll>,
    pub popup: Option<Popup>,
    /// The action screen (form, plan, run, summary, strip): its one owner.
    pub desk: Desk,
    pending: Vec<Key>,
    /// Quit was asked for once while an action runs.
    quit_armed: bool,
    /// Abort was asked for once from the strip: Esc is also the habit of closing things, so
    /// from the dashboard an action is aborted only by the same key twice in a row.
    abort_armed: bool,
    pub mode: Mode,
    pub status: Option<(String, Level)>,
    pub quit: bool,
    /// Something changed since the last frame that the person is waiting for (a key, a
    /// resize, an action's step): drawn at the next frame.
    pub dirty: bool,
    /// New data arrived: drawn with the next second's frame, or at once if none was drawn for
    /// a second (fewer frames over a slow link and for a room of viewers; data comes every
    /// refresh anyway).
    pub data_changed: bool,
    pub effects: Vec<Effect>,
    /// Names of the guided actions available, for the menu.
    pub actions: Vec<(String, String)>,
    /// The wall-clock moment of the data clock's zero, on the live platform: times are then
    /// shown as local clock times. None in the demo, whose times are simulated (T+hh:mm:ss).
    pub epoch: Option<jiff::Zoned>,
}

impl App {
    pub fn new(board: Board, theme: Theme, keymap: Keymap, mode: Mode) -> App {
        let mut scroll = std::collections::BTreeMap::new();
        scroll.insert(PaneId::Events, Scroll { offset: 0, follow: true });
        App {
            board,
            frozen: None,
            theme,
            theme_names: crate::config::theme::BUILTIN.iter().map(|(n, _)| n.to_string()).collect(),
            user_dir: None,
            keymap,
            focus: PaneId::Overview,
            zoom: false,
            wall: false,
            scroll,
            popup: None,
            desk: Desk::new(ActionSettings::default()),
            pending: Vec::new(),
            quit_armed: false,
            abort_armed: false,
            mode,
            status: None,
            quit: false,
            dirty: true,
            data_changed: false,
            effects: Vec::new(),
            actions: Vec::new(),
            epoch: None,
        }
    }

    /// The board the screen shows: frozen while paused.
    pub fn view_board(&self) -> &Board {
        self.frozen.as_deref().unwrap_or(&self.board)
    }

    /// A moment of the data clock as the screen shows it: local time live, T+ in the demo.
    pub fn time_label(&self, at: f64) -> String {
        time_label(self.epoch.as_ref(), at)
    }

    pub fn paused(&self) -> bool {
        self.frozen.is_some()
    }

    pub fn scroll_of(&self, p: PaneId) -> Scroll {
        self.scroll.get(&p).copied().unwrap_or_default()
    }

    pub fn ingest(&mut self, u: SourceUpdate) {
        self.board.ingest(u);
        if self.frozen.is_none() {
            self.data_changed = true;
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, level: Level) {
        self.status = Some((text.into(), level));
        self.dirty = true;
    }

    /// Offer the guided actions with these settings (the menu), and resume or abandon what a
    /// previous run left unfinished.
    pub fn attach_actions(&mut self, settings: ActionSettings, unfinished: Vec<Unfinished>) {
        self.desk.settings = settings;
        self.actions = self.desk.menu();
        self.desk.offer_resume(unfinished);
        self.dirty = true;
    }

    /// The key context in force.
    pub fn context(&self) -> Context {
        match &self.popup {
            Some(Popup::Help { .. }) => Context::Help,
            Some(Popup::Menu { .. }) => Context::Menu,
            None => self.desk.context().unwrap_or(Context::Dashboard),
        }
    }

    pub fn handle_event(&mut self, ev: &Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.handle_key(*k),
            Event::Paste(text) if self.popup.is_none() && self.desk.paste(text) => self.dirty = true,
            Event::Resize(..) => self.dirty = true,
            _ => {}
        }
    }

    pub fn handle_key(&mut self, k: KeyEvent) {
        self.dirty = true;
        if self.drill_key(&k) {
            return;
        }
        // A form's field and the confirmation word take their text before the keymap does.
        if self.pending.is_empty() && self.popup.is_none() && self.desk.text_key(&k) {
            self.quit_armed = false;
            self.abort_armed = false;
            return;
        }
        self.pending.push(Key::from_event(&k));
        let ctx = self.context();
        match self.keymap.lookup_in(ctx.chain(), &self.pending) {
            (Lookup::Prefix, _) => {}
            (Lookup::Found(cmd), from) => {
                self.pending.clear();
                if ctx == Context::Run && from == Some(Context::Dashboard) {
                    // A dashboard key while an action runs: the action shrinks to a strip and
                    // the key does what it does on the dashboard.
                    self.desk.minimized = true;
                    self.dispatch(Context::Dashboard, cmd);
                } else {
                    self.dispatch(ctx, cmd);
                }
            }
            (Lookup::None, _) => self.pending.clear(),
        }
    }

    /// Run a command in the context in force.
    pub fn command(&mut self, cmd: Command) {
        let ctx = self.context();
        self.dispatch(ctx, cmd);
    }

    fn dispatch(&mut self, ctx: Context, cmd: Command) {
        self.dirty = true;
        if cmd == Command::Quit {
            return self.quit_cmd();
        }
        self.quit_armed = false;
        let abort_armed = std::mem::take(&mut self.abort_armed);
        match (ctx, cmd) {
            (_, Command::Help) => {
                self.popup = match self.popup {
                    Some(Popup::Help { .. }) => None,
                    _ => Some(Popup::Help { scroll: 0 }),
                }
            }
            (_, Command::ThemeNext) => self.next_theme(),
            (Context::Form | Context::Plan | Context::Run | Context::Summary | Context::Resume, cmd) => {
                self.desk_cmd(cmd)
            }
            (Context::Strip, Command::Abort) if !abort_armed => {
                self.abort_armed = true;
                let abort = self.keymap.hint(Context::Strip, &Command::Abort).unwrap_or_else(|| "its key".into());
                let action = self.desk.run_view().map(|v| v.plan.action.clone()).unwrap_or_default();
                self.set_status(
                    format!("{abort} again aborts {action} at its next safe point; any other key keeps it running"),
                    Level::Warn,
                );
            }
            (Context::Strip, cmd @ (Command::Abort | Command::ShowAction | Command::HideAction)) => self.desk_cmd(cmd),
            (_, cmd) => self.dashboard_cmd(cmd),
        }
    }

    /// Quit; while an action runs, only when asked twice in a row.
    fn quit_cmd(&mut self) {
        if !self.desk.running() || self.quit_armed {
            self.quit = true;
            return;
        }
        self.quit_armed = true;
        let key = |ctx, cmd: &Command| self.keymap.hint(ctx, cmd).unwrap_or_else(|| "its key".into());
        let q = key(Context::Dashboard, &Command::Quit);
        let abort = key(Context::Strip, &Command::Abort);
        self.set_status(
            format!(
                "an action is running: {q} again quits (it is journaled and offered for resume at the next start), {abort} aborts it"
            ),
            Level::Warn,
        );
    }

    fn desk_cmd(&mut self, cmd: Command) {
        let App { desk, board, status, effects, .. } = self;
        desk.command(cmd, &mut Outer { board, status, effects });
    }

    /// Open the named action's form (not while another one runs).
    fn open_action(&mut self, name: &str) {
        if self.watch_refuses() {
            return;
        }
        if self.desk.running() {
            let key = |cmd: &Command| self.keymap.hint(Context::Strip, cmd).unwrap_or_else(|| "its key".into());
            let (show, abort) = (key(&Command::ShowAction), key(&Command::Abort));
            let action = self.desk.run_view().map(|v| v.plan.action.clone()).unwrap_or_default();
            self.set_status(format!("{action} is running: {show} shows it, {abort} aborts it"), Level::Warn);
            return;
        }
        let App { desk, board, status, effects, .. } = self;
        desk.open(name, &mut Outer { board, status, effects });
    }

    /// What the host's jobs sent back.
    pub fn host_event(&mut self, ev: HostEvent) {
        match ev {
            HostEvent::Feed(e) => self.feed_event(*e),
            HostEvent::Job(e) => {
                self.dirty = true;
                let App { desk, board, status, effects, .. } = self;
                desk.job_event(*e, &mut Outer { board, status, effects });
            }
        }
    }
}

/// "14:02:31" local time when the clock's zero is known, else "00:12:30" since the start.
pub fn time_label(epoch: Option<&jiff::Zoned>, at: f64) -> String {
    match epoch.and_then(|e| e.checked_add(jiff::SignedDuration::from_secs_f64(at.max(0.0))).ok()) {
        Some(t) => t.strftime("%H:%M:%S").to_string(),
        None => crate::model::units::clock(at),
    }
}
