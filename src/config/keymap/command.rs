//! What a key does: the commands a keymap's `run` names, parsed with a clear error.

use super::PaneId;
use std::str::FromStr;

/// The guided actions (runbook procedures) a key can start.
pub const ACTION_NAMES: &[&str] = &[
    "scale-api",
    "scale-workers",
    "drain-workers",
    "emergency",
    "reenable-hpa",
    "resize-workers",
    "resize-db",
    // Read replicas (issue 9)
    "add-replica",
    "remove-replica",
    // Redis cluster (issue 9)
    "scale-redis",
];

/// What a key does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Close,
    FocusNext,
    FocusPrev,
    Focus(PaneId),
    Zoom,
    /// The war-room wall view, or back to the dashboard.
    Wall,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Pause,
    SpeedUp,
    SpeedDown,
    ThemeNext,
    ActionsMenu,
    Start(String),
    Confirm,
    Abort,
    NextField,
    PrevField,
    Increment,
    Decrement,
    Toggle,
    /// Shrink the running action to a strip under the dashboard.
    HideAction,
    /// Show the running action full again.
    ShowAction,
    /// Plan the undo of what a finished action applied.
    Undo,
    /// Abandon the unfinished action offered at start.
    Abandon,
}

impl FromStr for Command {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split_whitespace();
        let head = parts.next().unwrap_or("");
        let arg = parts.next();
        if parts.next().is_some() {
            return Err(format!("too many words in command {s:?}"));
        }
        let simple =
            |c: Command| if arg.is_some() { Err(format!("command {head:?} takes no argument")) } else { Ok(c) };
        match head {
            "quit" => simple(Command::Quit),
            "help" => simple(Command::Help),
            "close" => simple(Command::Close),
            "focus_next" => simple(Command::FocusNext),
            "focus_prev" => simple(Command::FocusPrev),
            "focus" => {
                let a = arg.ok_or("focus needs a pane name")?;
                PaneId::ALL.iter().find(|p| p.key() == a).map(|p| Command::Focus(*p)).ok_or_else(|| {
                    let names: Vec<&str> = PaneId::ALL.iter().map(|p| p.key()).collect();
                    format!("unknown pane {a:?}; expected one of: {}", names.join(", "))
                })
            }
            "zoom" => simple(Command::Zoom),
            "wall" => simple(Command::Wall),
            "up" => simple(Command::Up),
            "down" => simple(Command::Down),
            "page_up" => simple(Command::PageUp),
            "page_down" => simple(Command::PageDown),
            "top" => simple(Command::Top),
            "bottom" => simple(Command::Bottom),
            "left" => simple(Command::Left),
            "right" => simple(Command::Right),
            "pause" => simple(Command::Pause),
            "speed_up" => simple(Command::SpeedUp),
            "speed_down" => simple(Command::SpeedDown),
            "theme_next" => simple(Command::ThemeNext),
            "actions" => simple(Command::ActionsMenu),
            "start" => {
                let a = arg.ok_or("start needs an action name")?;
                if ACTION_NAMES.contains(&a) {
                    Ok(Command::Start(a.to_string()))
                } else {
                    Err(format!("unknown action {a:?}; expected one of: {}", ACTION_NAMES.join(", ")))
                }
            }
            "confirm" => simple(Command::Confirm),
            "abort" => simple(Command::Abort),
            "next_field" => simple(Command::NextField),
            "prev_field" => simple(Command::PrevField),
            "increment" => simple(Command::Increment),
            "decrement" => simple(Command::Decrement),
            "toggle" => simple(Command::Toggle),
            "hide_action" => simple(Command::HideAction),
            "show_action" => simple(Command::ShowAction),
            "undo" => simple(Command::Undo),
            "abandon" => simple(Command::Abandon),
            _ => Err(format!(
                "unknown command {head:?}; expected one of: quit, help, close, focus_next, focus_prev, focus <pane>, zoom, wall, up, down, page_up, page_down, top, bottom, left, right, pause, speed_up, speed_down, theme_next, actions, start <action>, confirm, abort, next_field, prev_field, increment, decrement, toggle, hide_action, show_action, undo, abandon"
            )),
        }
    }
}
