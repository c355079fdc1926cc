//! The strip a running action shrinks to, under the dashboard: its current step, the live
//! value, the time the step has taken, and the keys that show it full or abort it. It takes
//! as many lines as the width needs (words are never cut), at most three.

use super::run::mark;
use super::wrap;
use crate::actions::step::StepState;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::model::Level;
use crate::model::units::duration_short;
use crate::ui::app::App;
use crate::ui::desk::Stage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

const MAX_LINES: usize = 3;

/// The strip's lines at this width; none unless an action is shrunk to it.
pub fn strip_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let Stage::Run(v) = &app.desk.stage else { return Vec::new() };
    if !app.desk.minimized || width == 0 {
        return Vec::new();
    }
    let t = &app.theme;
    let n = v.plan.steps.len();
    let mut parts: Vec<(String, Style)> = Vec::new();
    let (sym, style) = match (&v.summary, v.current()) {
        (Some(s), _) => (s.level().symbol().to_string(), t.level(s.level())),
        (None, Some((_, state))) => mark(app, state),
        (None, None) => ("·".to_string(), t.style(Role::Muted)),
    };
    parts.push((format!("{sym} {}", v.plan.action), style));
    match (&v.summary, v.current()) {
        (Some(s), _) => parts.push((s.headline(), t.level(s.level()))),
        (None, Some((i, state))) => {
            let title = v.plan.steps.get(i).map(|s| s.title.as_str()).unwrap_or_default();
            parts.push((format!("step {}/{n} {title}", i + 1), t.style(Role::Text)));
            match state {
                StepState::Running { elapsed, live } => {
                    parts.push((duration_short(*elapsed), t.style(Role::Accent)));
                    if let Some(l) = live {
                        parts.push((l.clone(), t.style(Role::Text)));
                    }
                }
                other => parts.push((other.describe(), t.level(other.level()))),
            }
        }
        (None, None) => parts.push(("starting".into(), t.style(Role::Muted))),
    }
    if v.abort_requested && v.summary.is_none() {
        parts.push(("aborting at the next safe point".into(), t.level(Level::Warn)));
    }
    let keys: Vec<(Command, &str)> = if v.summary.is_some() {
        vec![(Command::ShowAction, "summary")]
    } else {
        vec![(Command::ShowAction, "show"), (Command::Abort, "twice: abort")]
    };
    for (cmd, what) in keys {
        if let Some(k) = app.keymap.hint(Context::Strip, &cmd) {
            parts.push((format!("{k} {what}"), t.style(Role::Key)));
        }
    }
    layout(parts, width as usize, t.style(Role::Muted))
}

/// Lay the parts out " · "-separated, a part going to the next line when it does not fit (and
/// wrapped by words if it is wider than a line).
fn layout(parts: Vec<(String, Style)>, width: usize, sep: Style) -> Vec<Line<'static>> {
    let mut lines: Vec<Vec<Span<'static>>> = vec![vec![Span::raw(" ")]];
    let mut used = 1;
    for (text, style) in parts {
        let w = text.width();
        let sep_w = if used > 1 { 3 } else { 0 };
        if used + sep_w + w <= width {
            if let Some(l) = lines.last_mut() {
                if sep_w > 0 {
                    l.push(Span::styled(" · ", sep));
                }
                l.push(Span::styled(text, style));
            }
            used += sep_w + w;
            continue;
        }
        for piece in wrap(&text, width.saturating_sub(2), 0) {
            if used > 1 {
                lines.push(vec![Span::raw(" ")]);
                used = 1;
            }
            used += piece.width();
            if let Some(l) = lines.last_mut() {
                l.push(Span::styled(piece, style));
            }
        }
    }
    lines.truncate(MAX_LINES);
    lines.into_iter().map(Line::from).collect()
}

/// The rows the strip needs at this width (0: no strip).
pub fn strip_height(app: &App, width: u16) -> u16 {
    strip_lines(app, width).len() as u16
}

pub fn draw_strip(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let lines = strip_lines(app, area.width);
    f.render_widget(Paragraph::new(lines).style(app.theme.style(Role::Popup)), area);
}
