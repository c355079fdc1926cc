//! The menu of guided actions: one line per runbook procedure with its key.

use super::centered;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::{ellipsize, pad};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, app: &App, selected: usize) {
    let h = (app.actions.len() as u16 + 4).max(5);
    let area = centered(f.area(), 76, h);
    if area.width < 6 || area.height < 3 {
        return;
    }
    let t = &app.theme;
    let title = if app.actions.is_empty() { " Guided actions: none available " } else { " Guided actions " };
    let inner = super::boxed(f, t, area, title);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, (name, desc)) in app.actions.iter().enumerate() {
        let key = app.keymap.hint(Context::Dashboard, &Command::Start(name.clone())).unwrap_or_default();
        let style = if i == selected { t.style(Role::Selection) } else { t.style(Role::Text) };
        lines.push(Line::from(vec![
            Span::styled(pad(&format!(" {key}"), 4), t.style(Role::Key)),
            Span::styled(pad(name, 16), style),
            Span::styled(ellipsize(desc, w.saturating_sub(20)), t.style(Role::Muted)),
        ]));
    }
    lines.push(Line::styled(" ↑↓ choose · Enter open · Esc close", t.style(Role::Muted)));
    f.render_widget(Paragraph::new(lines), inner);
}
