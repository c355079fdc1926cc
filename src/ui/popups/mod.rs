//! Popups drawn over the dashboard.

pub mod action;
pub mod facilitator;
pub mod help;
pub mod menu;

use crate::config::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear};

/// Clear `area` and draw a popup's border and title there; the inner area.
pub fn boxed<'a>(f: &mut Frame, theme: &Theme, area: Rect, title: impl Into<Line<'a>>) -> Rect {
    f.render_widget(Clear, area);
    f.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::BorderFocus))
            .title(title)
            .style(theme.style(Role::Popup)),
        area,
    );
    crate::ui::widgets::inner(area)
}

/// A rect of at most `w` x `h` centred in `area`, never outside it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
