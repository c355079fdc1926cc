//! The app in `cockpit drill`: the kubectl prompt (`:`), and in a team drill (`--host`) the
//! facilitator's menu (`F`) of injections. Both hand a line to the drill (`Effect::Command`).

use super::{App, Effect, Mode};
use crate::config::keymap::Context;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The facilitator's side of a team drill: whether the menu is open, and its selected line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facilitator {
    pub menu: Option<usize>,
}

impl App {
    /// The drill's prompt and the facilitator's menu: true when the key was theirs.
    pub(super) fn drill_key(&mut self, k: &KeyEvent) -> bool {
        let free = self.popup.is_none() && matches!(self.desk.context(), None | Some(Context::Strip));
        let pending = !self.pending.is_empty();
        let Mode::Drill { prompt, host, .. } = &mut self.mode else { return false };
        if let Some(Facilitator { menu: Some(sel) }) = host {
            let n = crate::drill::inject::MENU.len();
            let mut run = None;
            match k.code {
                KeyCode::Esc | KeyCode::Char('F') => *host = Some(Facilitator::default()),
                KeyCode::Up => *sel = sel.saturating_sub(1),
                KeyCode::Down => *sel = (*sel + 1).min(n - 1),
                KeyCode::Enter => run = Some(*sel),
                KeyCode::Char(c) => {
                    run = c.to_digit(10).map(|d| d as usize).filter(|d| (1..=n).contains(d)).map(|d| d - 1)
                }
                _ => {}
            }
            if let Some(i) = run {
                *host = Some(Facilitator::default());
                self.effects.push(Effect::Command(crate::drill::inject::MENU[i].0.to_string()));
            }
            return true;
        }
        let Some(line) = prompt else {
            if free && !pending {
                match k.code {
                    KeyCode::Char(':') => {
                        *prompt = Some(String::new());
                        return true;
                    }
                    KeyCode::Char('F') if host.is_some() => {
                        *host = Some(Facilitator { menu: Some(0) });
                        return true;
                    }
                    _ => {}
                }
            }
            return false;
        };
        match k.code {
            KeyCode::Esc => *prompt = None,
            KeyCode::Enter => {
                let l = std::mem::take(line);
                *prompt = None;
                if !l.trim().is_empty() {
                    self.effects.push(Effect::Command(l));
                }
            }
            KeyCode::Backspace => {
                line.pop();
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => line.push(c),
            _ => {}
        }
        true
    }
}
