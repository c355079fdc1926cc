//! Events: a scrolling timeline of scaling events, level changes, source health and actions.
//! Follows the newest line unless scrolled up (End follows again).

use super::{PaneCx, pane_level};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::ui::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let hint = if cx.scroll.follow { cx.hint.clone() } else { format!("{} scrolled: End follows", cx.hint) };
    f.render_widget(
        widgets::pane_block(t, PaneId::Events.title(), pane_level(b, PaneId::Events), cx.focused, &hint),
        area,
    );
    let inner = widgets::inner(area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    if h == 0 || w == 0 {
        return;
    }
    let n = b.timeline.len();
    // Offset counts lines up from the newest.
    let up = if cx.scroll.follow { 0 } else { cx.scroll.offset.min(n.saturating_sub(h)) };
    let end = n - up;
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = b
        .timeline
        .iter()
        .skip(start)
        .take(end - start)
        .map(|e| {
            let head = format!("{} {:<6} ", crate::ui::app::time_label(cx.epoch, e.at), e.category.tag());
            let room = w.saturating_sub(head.chars().count() + 2);
            Line::from(vec![
                Span::styled(head, t.style(Role::Muted)),
                Span::styled(format!("{} ", e.level.symbol()), t.level(e.level)),
                Span::styled(widgets::ellipsize(&e.text, room), widgets::quiet(t, e.level)),
            ])
        })
        .collect();
    if lines.is_empty() {
        f.render_widget(Paragraph::new(Line::styled("no events yet", t.style(Role::Muted))), inner);
    } else {
        widgets::draw_lines(f, inner, &lines, 0);
    }
}
