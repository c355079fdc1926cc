//! Overview: the runbook's key scaling metrics against its thresholds, each with a sparkline of
//! recent history and a trend, and the scale action the runbook names for it; with room to
//! spare, everything else that needs attention.

use super::{PaneCx, gap_notes, pane_level, stale_lines, with_notes};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::{Level, MetricId, Reading};
use crate::ui::widgets::{self, Piece, flow, labels, pad, width, words};
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

/// The other metrics in alarm, worst first: what the pane lists when it has room.
fn alarms(cx: &PaneCx) -> Vec<Reading> {
    let b = cx.board;
    let mut out: Vec<Reading> = MetricId::ALL
        .iter()
        .filter(|id| !ROWS.iter().any(|(r, _)| r == *id))
        .map(|id| b.reading(*id))
        .filter(|r| r.counted_level().is_alarm())
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.counted_level()));
    out
}

fn threshold_text(r: &Reading) -> String {
    format!(
        " {} / {}",
        r.threshold.warn.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
        r.threshold.crit.map(|b| b.to_string()).unwrap_or_else(|| "-".into())
    )
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let b = cx.board;
    let t = cx.theme;
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    // Columns: badge 7, label, value 8, trend 2, sparkline, thresholds, action. The label takes
    // the longest of its forms that leaves the value, the trend and a short sparkline room.
    let label_w = if w >= 60 {
        17
    } else {
        ROWS.iter().map(|(_, l)| labels::fit_width(l, w.saturating_sub(7 + 8 + 2 + 4 + 1).min(12))).max().unwrap_or(4)
    };
    let show_thr = w >= 72;
    let show_action = w >= 110;
    let thr_w = if show_thr {
        ROWS.iter().map(|(id, _)| width(&threshold_text(&b.reading(*id)))).max().unwrap_or(0) + 1
    } else {
        0
    };
    let act_w = if show_action { 16 } else { 0 };

    let mut lines: Vec<Line> = Vec::new();
    for (id, label) in ROWS {
        let r = b.reading(id);
        let l = r.counted_level();
        let value = format!("{:>7} ", r.formatted());
        let mut spans = vec![
            Span::styled(format!("{} ", widgets::badge_text(l)), t.level(l)),
            Span::styled(pad(&labels::fit(label, label_w), label_w), t.style(Role::Text)),
            Span::styled(value, widgets::quiet(t, l)),
            widgets::trend(t, b, id),
            Span::raw(" "),
        ];
        let fixed = widgets::flow::spans_width(&spans) + thr_w + act_w;
        let spark_w = w.saturating_sub(fixed).min(120);
        if spark_w >= 4 {
            spans.extend(widgets::sparkline_spans(t, b, id, spark_w));
        }
        let thr = threshold_text(&r);
        if show_thr && width(&thr) + widgets::flow::spans_width(&spans) <= w {
            spans.push(Span::styled(pad(&thr, thr_w), t.style(Role::Muted)));
        }
        if show_action {
            let act = if l.is_alarm() { id.scale_action().unwrap_or("") } else { "" };
            spans.push(Span::styled(pad(&format!(" {act}"), act_w), t.style(Role::Accent)));
        }
        lines.push(Line::from(spans));
    }
    lines.extend(stale_lines(t, b, PaneId::Overview, w));
    let height = inner.height as usize;
    // The emergency conditions, when they fit whole (the banner above always shows them).
    let reasons = b.emergency_reasons();
    if !reasons.is_empty() {
        let mut pieces: Vec<Piece> = words("runbook emergency conditions:", t.style(Role::Crit));
        for (i, r) in reasons.iter().enumerate() {
            let sep = if i + 1 < reasons.len() { ";" } else { "" };
            pieces.push(vec![Span::styled(format!(" {r}{sep}"), t.style(Role::Crit))]);
        }
        let block = flow(Vec::new(), pieces, w, 2);
        if lines.len() + block.len() <= height {
            lines.extend(block);
        }
    }
    // With room to spare (a wall screen), list everything else that needs attention.
    let mut level = pane_level(b, PaneId::Overview).unwrap_or(Level::Unknown);
    let room = height.saturating_sub(lines.len() + 1);
    if room >= 2 || cx.zoomed {
        let alarms = alarms(cx);
        lines.push(Line::raw(""));
        if alarms.is_empty() {
            lines.push(Line::styled("Nothing else needs attention.", t.style(Role::Muted)));
        } else {
            lines.push(Line::styled("Also needs attention", t.style(Role::Title)));
        }
        for r in alarms {
            let l = r.counted_level();
            let block = alarm_lines(cx, &r, w);
            if !cx.zoomed && lines.len() + block.len() > height {
                break;
            }
            level = level.max(l);
            lines.extend(block);
        }
    }
    let lines = with_notes(cx, lines, gap_notes(t, b, &MetricId::KEY, w), inner.height);
    // The title's level is the worst of what the pane shows, listed lines included.
    f.render_widget(
        widgets::pane_block(t, &[PaneId::Overview.title()], Some(level), cx.focused, &cx.hint, area.width),
        area,
    );
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}

/// "✖ CRIT  API CPU 100% (> 85) → scale API pods", each piece whole.
fn alarm_lines(cx: &PaneCx, r: &Reading, w: usize) -> Vec<Line<'static>> {
    let t = cx.theme;
    let l = r.counted_level();
    let bound = match l {
        Level::Crit => r.threshold.crit,
        _ => r.threshold.warn,
    };
    let st = widgets::quiet(t, l);
    let mut pieces: Vec<Piece> = words(r.id.label(), st);
    pieces.push(vec![Span::styled(format!(" {}", r.formatted()), st)]);
    if let Some(b) = bound {
        pieces.push(vec![Span::styled(format!(" ({b})"), t.style(Role::Muted))]);
    }
    if let Some(a) = r.id.scale_action() {
        pieces.push(vec![Span::styled(format!(" → {a}"), t.style(Role::Accent))]);
    }
    flow(vec![Span::styled(format!("{} ", widgets::badge_text(l)), t.level(l))], pieces, w, 8)
}
