//! The application state and its update function. Input, source updates and job events come in
//! through `App::update`; what must happen outside (start a job, change the demo's speed) goes
//! out as `Effect`s that the event loop carries out. No I/O here, so it is tested directly.

use crate::config::keymap::{Command, Context, Key, Keymap, Lookup, PaneId};
use crate::config::theme::Theme;
use crate::model::{Board, Level, SourceUpdate};
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::path::PathBuf;

/// What the cockpit is looking at.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Demo { scenario: String, seed: u64, speed: f64 },
    Live { target: String },
}

/// Something the event loop must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SetSpeed(f64),
    /// Open the guided action of this name (its form).
    OpenAction(String),
    /// Forward a command to the action popup's owner.
    ActionCommand(Command),
    /// Forward raw key input (text fields, confirmation word).
    ActionKey(KeyEvent),
}

/// Scroll position of a pane or popup. `follow` keeps the newest line in view.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scroll {
    pub offset: usize,
    pub follow: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Menu {
        selected: usize,
    },
    /// A guided action is open; its own state lives with the action engine.
    Action {
        context: Context,
    },
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
    pub scroll: std::collections::BTreeMap<PaneId, Scroll>,
    pub popup: Option<Popup>,
    pending: Vec<Key>,
    pub mode: Mode,
    pub status: Option<(String, Level)>,
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
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
            scroll,
            popup: None,
            pending: Vec::new(),
            mode,
            status: None,
            quit: false,
            dirty: true,
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
            self.dirty = true;
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, level: Level) {
        self.status = Some((text.into(), level));
        self.dirty = true;
    }

    /// The key context in force.
    pub fn context(&self) -> Context {
        match &self.popup {
            None => Context::Dashboard,
            Some(Popup::Help { .. }) => Context::Help,
            Some(Popup::Menu { .. }) => Context::Menu,
            Some(Popup::Action { context }) => *context,
        }
    }

    pub fn handle_event(&mut self, ev: &Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.handle_key(*k),
            Event::Resize(..) => self.dirty = true,
            _ => {}
        }
    }

    pub fn handle_key(&mut self, k: KeyEvent) {
        self.dirty = true;
        let ctx = self.context();
        // Forms and the confirmation word take printable keys before the keymap does.
        if matches!(ctx, Context::Form | Context::Plan) && self.pending.is_empty() && takes_text(&k) {
            self.effects.push(Effect::ActionKey(k));
            return;
        }
        self.pending.push(Key::from_event(&k));
        match self.keymap.lookup(ctx, &self.pending) {
            Lookup::Prefix => {}
            Lookup::Found(cmd) => {
                self.pending.clear();
                self.command(cmd);
            }
            Lookup::None => {
                self.pending.clear();
            }
        }
    }

    pub fn command(&mut self, cmd: Command) {
        self.dirty = true;
        let ctx = self.context();
        if matches!(ctx, Context::Form | Context::Plan | Context::Run)
            && !matches!(cmd, Command::Help | Command::ThemeNext)
        {
            if cmd == Command::Quit && ctx != Context::Run {
                self.quit = true;
                return;
            }
            self.effects.push(Effect::ActionCommand(cmd));
            return;
        }
        match cmd {
            Command::Quit => self.quit = true,
            Command::Help => {
                self.popup = match self.popup {
                    Some(Popup::Help { .. }) => None,
                    _ => Some(Popup::Help { scroll: 0 }),
                }
            }
            Command::Close => {
                if self.popup.is_some() {
                    self.popup = None;
                } else if self.zoom {
                    self.zoom = false;
                } else {
                    self.status = None;
                }
            }
            Command::FocusNext => self.focus = step_pane(self.focus, 1),
            Command::FocusPrev => self.focus = step_pane(self.focus, -1),
            Command::Focus(p) => self.focus = p,
            Command::Zoom => self.zoom = !self.zoom,
            Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::Top | Command::Bottom => {
                self.scroll_cmd(&cmd)
            }
            Command::Pause => {
                if self.frozen.take().is_none() {
                    self.frozen = Some(Box::new(self.board.clone()));
                    self.set_status("display frozen: press p to follow live data again", Level::Warn);
                } else {
                    self.set_status("following live data", Level::Ok);
                }
            }
            Command::SpeedUp | Command::SpeedDown => self.change_speed(matches!(cmd, Command::SpeedUp)),
            Command::ThemeNext => self.next_theme(),
            Command::ActionsMenu => self.popup = Some(Popup::Menu { selected: 0 }),
            Command::Start(name) => {
                self.popup = None;
                self.effects.push(Effect::OpenAction(name));
            }
            Command::Confirm => {
                if let Some(Popup::Menu { selected }) = self.popup
                    && let Some((name, _)) = self.actions.get(selected).cloned()
                {
                    self.popup = None;
                    self.effects.push(Effect::OpenAction(name));
                }
            }
            Command::Left | Command::Right => {}
            Command::Abort
            | Command::NextField
            | Command::PrevField
            | Command::Increment
            | Command::Decrement
            | Command::Toggle => {}
        }
    }

    fn scroll_cmd(&mut self, cmd: &Command) {
        let delta: i64 = match cmd {
            Command::Up => -1,
            Command::Down => 1,
            Command::PageUp => -10,
            Command::PageDown => 10,
            Command::Top => i64::MIN / 4,
            _ => i64::MAX / 4,
        };
        match &mut self.popup {
            Some(Popup::Help { scroll }) => *scroll = apply(*scroll, delta),
            Some(Popup::Menu { selected }) => {
                let n = self.actions.len().max(1);
                *selected = apply(*selected, delta).min(n - 1);
            }
            _ => {
                // The events pane counts lines up from the newest one.
                let delta = if self.focus == PaneId::Events { -delta } else { delta };
                let s = self.scroll.entry(self.focus).or_default();
                s.offset = apply(s.offset, delta);
                // Events: the bottom follows new lines; any other move stops following.
                s.follow = matches!(cmd, Command::Bottom);
                if matches!(cmd, Command::Bottom) {
                    s.offset = 0;
                }
            }
        }
    }

    fn change_speed(&mut self, faster: bool) {
        if let Mode::Demo { speed, .. } = &mut self.mode {
            const STEPS: [f64; 9] = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0];
            let i = STEPS.iter().position(|s| *s >= *speed).unwrap_or(STEPS.len() - 1);
            let j = if faster { (i + 1).min(STEPS.len() - 1) } else { i.saturating_sub(1) };
            *speed = STEPS[j];
            let s = *speed;
            self.effects.push(Effect::SetSpeed(s));
            self.set_status(format!("simulated time ×{s}"), Level::Ok);
        } else {
            self.set_status("speed applies to the demo only", Level::Unknown);
        }
    }

    fn next_theme(&mut self) {
        let i = self.theme_names.iter().position(|n| *n == self.theme.name).unwrap_or(0);
        let next = self.theme_names[(i + 1) % self.theme_names.len()].clone();
        match Theme::load(&next, self.user_dir.as_deref()) {
            Ok(t) => {
                self.theme = t;
                self.set_status(format!("theme {next}"), Level::Ok);
            }
            Err(e) => self.set_status(e.to_string(), Level::Crit),
        }
    }
}

fn apply(v: usize, delta: i64) -> usize {
    (v as i64).saturating_add(delta).clamp(0, i64::MAX / 4) as usize
}

fn step_pane(p: PaneId, d: i32) -> PaneId {
    let all = PaneId::ALL;
    let i = all.iter().position(|x| *x == p).unwrap_or(0) as i32;
    all[((i + d).rem_euclid(all.len() as i32)) as usize]
}

fn takes_text(k: &KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    let plain = !k.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    plain && (matches!(k.code, KeyCode::Char(c) if !c.is_control() && c != ' ') || k.code == KeyCode::Backspace)
}

/// "14:02:31" local time when the clock's zero is known, else "00:12:30" since the start.
pub fn time_label(epoch: Option<&jiff::Zoned>, at: f64) -> String {
    match epoch.and_then(|e| e.checked_add(jiff::SignedDuration::from_secs_f64(at.max(0.0))).ok()) {
        Some(t) => t.strftime("%H:%M:%S").to_string(),
        None => crate::model::units::clock(at),
    }
}
