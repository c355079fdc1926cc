//! Events: a scrolling timeline of scaling events, level changes, source health and actions.
//! Follows the newest line unless scrolled up (End follows again). Each event is shown whole,
//! wrapped under its text. The pane has no level of its own: it is a history, and each state in
//! it that still holds is shown with its level by the pane that owns it (and counts in the
//! header). Its title counts the alarms of the last ten minutes instead, so none goes unseen.

use super::PaneCx;
use crate::config::theme::Role;
use crate::model::Level;
use crate::model::timeline::TimelineEntry;
use crate::ui::widgets::{self, flow, width, words};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The window the title counts alarms in, in seconds of the data clock.
pub const WINDOW: f64 = 600.0;

/// Kubernetes writes the external metric's whole label selector into an HPA's messages
/// ("redis_queue_depth(&LabelSelector{MatchLabels:map[string]string{…},MatchExpressions:[]…})",
/// "production/redis_queue_depth/&LabelSelector{…}"); the metric's name says what the selector
/// does. Shortened by that rule, nothing else.
pub fn shorten(text: &str) -> String {
    let Some(at) = text.find("&LabelSelector{") else { return text.to_string() };
    // The selector, with the "(" or "/" that introduces it.
    let (start, open_paren) = match text[..at].chars().next_back() {
        Some('(') => (at - 1, true),
        Some('/') => (at - 1, false),
        _ => (at, false),
    };
    let mut depth = 0i32;
    let mut end = None;
    for (i, c) in text[at..].char_indices() {
        match c {
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(at + i + c.len_utf8());
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(mut end) = end else { return text.to_string() };
    if open_paren && text[end..].starts_with(')') {
        end += 1;
    }
    format!("{}{}", &text[..start], shorten(&text[end..]))
}

/// The counts of warnings and critical events in the window ending at `now`.
pub fn recent_alarms<'a>(entries: impl Iterator<Item = &'a TimelineEntry>, now: f64) -> (usize, usize) {
    let mut crit = 0;
    let mut warn = 0;
    for e in entries.filter(|e| e.at >= now - WINDOW) {
        match e.level {
            Level::Crit => crit += 1,
            Level::Warn => warn += 1,
            _ => {}
        }
    }
    (crit, warn)
}

fn title(cx: &PaneCx, w: u16, hint: &str) -> Line<'static> {
    let t = cx.theme;
    let b = cx.board;
    let (crit, warn) = recent_alarms(b.timeline.iter(), b.now);
    let mut forms: Vec<Vec<Span<'static>>> = Vec::new();
    let count = |l: Level, n: usize, long: bool| {
        let s = if long { format!("{} {n} {} ", l.symbol(), l.word()) } else { format!("{}{n} ", l.symbol()) };
        Span::styled(s, t.level(l))
    };
    for long in [true, false] {
        // Alarms raised recently, not the platform's state: the other panes carry the levels.
        let mut spans = Vec::new();
        if crit + warn == 0 {
            let words = if long { "no alarm raised in 10m " } else { "10m: none raised " };
            spans.push(Span::styled(words, t.style(Role::Muted)));
        } else {
            spans.push(Span::styled(if long { "raised in 10m: " } else { "10m: " }, t.style(Role::Muted)));
        }
        if crit > 0 {
            spans.push(count(Level::Crit, crit, long));
        }
        if warn > 0 {
            spans.push(count(Level::Warn, warn, long));
        }
        forms.push(spans);
    }
    let room = (w as usize).saturating_sub(2);
    let name = " Events ";
    for with_hint in [true, false] {
        for f in &forms {
            let need = width(name) + widgets::flow::spans_width(f) + if with_hint { width(hint) + 1 } else { 0 };
            if need <= room {
                let mut spans = vec![Span::styled(name, t.style(Role::Title))];
                spans.extend(f.iter().cloned());
                if with_hint && !hint.is_empty() {
                    spans.push(Span::styled(format!("{hint} "), t.style(Role::Muted)));
                }
                return Line::from(spans);
            }
        }
    }
    Line::styled(name, t.style(Role::Title))
}

/// One event as lines: time, (category), level symbol, then its text wrapped under itself.
fn entry_lines(cx: &PaneCx, e: &TimelineEntry, w: usize) -> Vec<Line<'static>> {
    let t = cx.theme;
    let time = crate::ui::app::time_label(cx.epoch, e.at);
    let head = if w >= 90 { format!("{time} {:<6} ", e.category.tag()) } else { format!("{time} ") };
    let indent = width(&head) + 2;
    let first = vec![
        Span::styled(head, t.style(Role::Muted)),
        Span::styled(format!("{} ", e.level.symbol()), t.level(e.level)),
    ];
    let style: Style = widgets::quiet(t, e.level);
    flow(first, words(&shorten(&e.text), style), w, indent)
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let hint = if cx.scroll.follow { cx.hint.clone() } else { format!("{} scrolled: End follows", cx.hint) };
    f.render_widget(widgets::bordered(t, cx.focused, title(cx, area.width, &hint)), area);
    let inner = widgets::inner(area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    if h == 0 || w == 0 {
        return;
    }
    let n = b.timeline.len();
    if n == 0 {
        widgets::draw_lines(f, inner, &[Line::styled("no events yet", t.style(Role::Muted))], 0);
        return;
    }
    // Offset counts events up from the newest.
    let up = if cx.scroll.follow { 0 } else { cx.scroll.offset.min(n - 1) };
    let end = n - up;
    let entries: Vec<&TimelineEntry> = b.timeline.iter().take(end).collect();
    // Newest at the bottom: take whole events from the newest back until the pane is full.
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    for e in entries.iter().rev() {
        let lines = entry_lines(cx, e, w);
        if used + lines.len() > h && !blocks.is_empty() {
            break;
        }
        used += lines.len();
        blocks.push(lines);
    }
    let shown = blocks.len();
    let lines: Vec<Line> = blocks.into_iter().rev().flatten().collect();
    // An event taller than the pane shows its start.
    widgets::draw_lines(f, inner, &lines, 0);
    widgets::more_marker(f, inner, end - shown, up, t.style(Role::Muted));
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn the_label_selector_goes_and_nothing_else() {
        assert_eq!(
            shorten(
                "New size: 100; reason: external metric redis_queue_depth(&LabelSelector{MatchLabels:map[string]string{queue: agent-default,},MatchExpressions:[]LabelSelectorRequirement{},}) above target"
            ),
            "New size: 100; reason: external metric redis_queue_depth above target"
        );
        assert_eq!(
            shorten(
                "unable to get external metric production/redis_queue_depth/&LabelSelector{MatchLabels:map[string]string{queue: agent-default,},MatchExpressions:[]LabelSelectorRequirement{},}: no metrics returned"
            ),
            "unable to get external metric production/redis_queue_depth: no metrics returned"
        );
        assert_eq!(shorten("PodReady: 1 pod became ready (9/12 ready)"), "PodReady: 1 pod became ready (9/12 ready)");
        assert_eq!(shorten("broken &LabelSelector{ never closed"), "broken &LabelSelector{ never closed");
    }
}
