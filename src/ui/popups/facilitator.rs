//! The facilitator's menu of a team drill (`cockpit drill --host`, key `F`): the injections,
//! numbered. What is chosen happens to the simulated platform at once; the team watching the
//! stream sees only its effects.

use super::centered;
use crate::config::theme::Role;
use crate::drill::inject::MENU;
use crate::ui::app::{App, Facilitator, Mode};
use crate::ui::widgets::{flow, words};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, app: &App) {
    let Mode::Drill { host: Some(Facilitator { menu: Some(selected) }), .. } = &app.mode else { return };
    let t = &app.theme;
    let full = f.area();
    let w = 64.min(full.width);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, (_, what)) in MENU.iter().enumerate() {
        let style = if i == *selected { t.style(Role::Selection) } else { t.style(Role::Text) };
        let head = vec![Span::styled(format!(" {} ", i + 1), t.style(Role::Key))];
        lines.extend(flow(head, words(what, style), inner_w, 4));
    }
    let hint = "the team sees only the effects; the debrief lists each injection";
    lines.extend(flow(vec![Span::raw(" ")], words(hint, t.style(Role::Muted)), inner_w, 1));
    lines.push(Line::styled(" 1-6 or ↑↓ Enter inject · Esc close", t.style(Role::Muted)));
    let area = centered(full, w, lines.len() as u16 + 2);
    if area.width < 6 || area.height < 3 {
        return;
    }
    let inner = super::boxed(f, t, area, " Facilitator: inject ");
    f.render_widget(Paragraph::new(lines), inner);
}
