//! Overview: the runbook's key scaling metrics against its thresholds, each with a sparkline of
//! recent history and a trend, and the scale action the runbook names for it.

use super::{PaneCx, pane_level, stale_note};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::MetricId;
use crate::ui::widgets::{self, pad};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const ROWS: [(MetricId, &str); 5] = [
    (MetricId::WorkerCpu, "CPU (workers)"),
    (MetricId::WorkerMemory, "Memory (workers)"),
    (MetricId::QueueDepth, "Queue depth"),
    (MetricId::ApiP99, "API latency p99"),
    (MetricId::AgentWait, "Agent wait time"),
];

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let b = cx.board;
    let t = cx.theme;
    let level = pane_level(b, PaneId::Overview);
    f.render_widget(widgets::pane_block(t, PaneId::Overview.title(), level, cx.focused, &cx.hint), area);
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    if w == 0 || inner.height == 0 {
        return;
    }
    // Columns: badge 7, label, value 8, trend 2, sparkline, thresholds, action.
    let label_w = if w >= 60 { 17 } else { 12 };
    let show_thr = w >= 72;
    let show_action = w >= 110;
    let thr_w = if show_thr { 20 } else { 0 };
    let act_w = if show_action { 16 } else { 0 };
    let fixed = 7 + label_w + 8 + 2 + thr_w + act_w;
    let spark_w = w.saturating_sub(fixed + 1).min(120);

    let mut lines: Vec<Line> = Vec::new();
    for (id, label) in ROWS {
        let r = b.reading(id);
        let l = r.shown_level();
        let mut spans = vec![
            widgets::badge(t, l),
            Span::raw(" "),
            Span::styled(pad(label, label_w), t.style(Role::Text)),
            Span::styled(format!("{:>7} ", r.formatted()), widgets::quiet(t, l)),
            widgets::trend(t, b, id),
            Span::raw(" "),
        ];
        if spark_w > 0 {
            spans.extend(widgets::sparkline_spans(t, b, id, spark_w));
        }
        if show_thr {
            let thr = format!(
                " {} / {}",
                r.threshold.warn.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
                r.threshold.crit.map(|b| b.to_string()).unwrap_or_else(|| "-".into())
            );
            spans.push(Span::styled(pad(&thr, thr_w), t.style(Role::Muted)));
        }
        if show_action {
            let act = if l.is_alarm() { id.scale_action().unwrap_or("") } else { "" };
            spans.push(Span::styled(pad(&format!(" {act}"), act_w), t.style(Role::Accent)));
        }
        lines.push(Line::from(spans));
    }
    if let Some(note) = stale_note(b, PaneId::Overview) {
        lines.push(Line::styled(widgets::ellipsize(&note, w), t.style(Role::Stale)));
    } else if inner.height as usize > lines.len() {
        let reasons = b.emergency_reasons();
        if !reasons.is_empty() {
            let text = format!("runbook emergency conditions: {}", reasons.join("; "));
            lines.push(Line::styled(widgets::ellipsize(&text, w), t.style(Role::Crit)));
        }
    }
    // With room to spare (a wall screen), list everything else that needs attention.
    let room = (inner.height as usize).saturating_sub(lines.len() + 1);
    if room >= 2 {
        let mut alarms: Vec<_> = MetricId::ALL
            .iter()
            .filter(|id| !ROWS.iter().any(|(r, _)| r == *id))
            .map(|id| b.reading(*id))
            .filter(|r| r.shown_level().is_alarm())
            .collect();
        alarms.sort_by_key(|r| std::cmp::Reverse(r.shown_level()));
        lines.push(Line::raw(""));
        if alarms.is_empty() {
            lines.push(Line::styled("Nothing else needs attention.", t.style(Role::Muted)));
        } else {
            lines.push(Line::styled("Also needs attention", t.style(Role::Title)));
        }
        for r in alarms.into_iter().take(room - 1) {
            let l = r.shown_level();
            let bound = match l {
                crate::model::Level::Crit => r.threshold.crit,
                _ => r.threshold.warn,
            }
            .map(|b| format!(" ({b})"))
            .unwrap_or_default();
            let act = r.id.scale_action().map(|a| format!(" → {a}")).unwrap_or_default();
            let text = format!("{} {}{bound}{act}", r.id.label(), r.formatted());
            lines.push(Line::from(vec![
                widgets::badge(t, l),
                Span::raw(" "),
                Span::styled(widgets::ellipsize(&text, w.saturating_sub(8)), widgets::quiet(t, l)),
            ]));
        }
    }
    widgets::draw_lines(f, inner, &lines, 0);
}
