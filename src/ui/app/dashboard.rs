//! The app's dashboard commands: focus, zoom, the wall, scrolling, pause, the demo's speed,
//! the theme.

use super::{App, Effect, Mode, Popup};
use crate::config::keymap::{Command, PaneId};
use crate::config::theme::Theme;
use crate::model::Level;

impl App {
    pub(super) fn dashboard_cmd(&mut self, cmd: Command) {
        match cmd {
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
            Command::Wall => self.wall = !self.wall,
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
            Command::ActionsMenu if self.watch_refuses() => {}
            Command::ActionsMenu => self.popup = Some(Popup::Menu { selected: 0 }),
            Command::Start(name) => {
                self.popup = None;
                self.open_action(&name);
            }
            Command::Confirm => {
                if let Some(Popup::Menu { selected }) = self.popup
                    && let Some((name, _)) = self.actions.get(selected).cloned()
                {
                    self.popup = None;
                    self.open_action(&name);
                }
            }
            Command::ShowAction if self.desk.running() => self.desk.minimized = false,
            Command::Quit | Command::Help | Command::ThemeNext => {}
            Command::Left
            | Command::Right
            | Command::Abort
            | Command::NextField
            | Command::PrevField
            | Command::Increment
            | Command::Decrement
            | Command::Toggle
            | Command::HideAction
            | Command::ShowAction
            | Command::Undo
            | Command::Abandon => {}
        }
    }

    pub(super) fn scroll_cmd(&mut self, cmd: &Command) {
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

    pub(super) fn change_speed(&mut self, faster: bool) {
        if let Mode::Demo { speed, .. } | Mode::Drill { speed, .. } = &mut self.mode {
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

    pub(super) fn next_theme(&mut self) {
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
