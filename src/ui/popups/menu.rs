//! The menu of guided actions: one line per runbook procedure with its key.

use super::centered;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::{flow, pad, words};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, app: &App, selected: usize) {
    let t = &app.theme;
    let full = f.area();
    let w = 76.min(full.width);
    let (lines, sel_line) = lines(app, selected, w.saturating_sub(2) as usize);
    let area = centered(full, w, (lines.len() as u16 + 2).max(5));
    if area.width < 6 || area.height < 3 {
        return;
    }
    let title = if app.actions.is_empty() { " Guided actions: none available " } else { " Guided actions " };
    let inner = super::boxed(f, t, area, title);
    // The selected action stays in view on a short screen.
    let off = sel_line.saturating_sub(inner.height.saturating_sub(2) as usize);
    f.render_widget(Paragraph::new(lines).scroll((off.min(u16::MAX as usize) as u16, 0)), inner);
}

/// One entry per procedure, its description wrapped under itself (never cut), then the keys.
fn lines(app: &App, selected: usize, w: usize) -> (Vec<Line<'static>>, usize) {
    let t = &app.theme;
    let mut lines: Vec<Line> = Vec::new();
    let mut sel_line = 0;
    for (i, (name, desc)) in app.actions.iter().enumerate() {
        let key = app.keymap.hint(Context::Dashboard, &Command::Start(name.clone())).unwrap_or_default();
        let style = if i == selected { t.style(Role::Selection) } else { t.style(Role::Text) };
        if i == selected {
            sel_line = lines.len();
        }
        let head =
            vec![Span::styled(pad(&format!(" {key}"), 4), t.style(Role::Key)), Span::styled(pad(name, 16), style)];
        lines.extend(flow(head, words(desc, t.style(Role::Muted)), w, 20));
    }
    lines.push(Line::styled(" ↑↓ choose · Enter open · Esc close", t.style(Role::Muted)));
    (lines, sel_line)
}
