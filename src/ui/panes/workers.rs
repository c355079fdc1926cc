//! Workers: replicas and HPA, queue depth, in flight, throughput, time to drain, agent wait time,
//! and whether a drain is in progress.

use super::{PaneCx, deploy, pane_level, stale_note};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::model::{MetricId, Workload};
use crate::ui::widgets::{self, pad};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let level = pane_level(b, PaneId::Workers);
    let name = deploy::title(b, Workload::Workers, PaneId::Workers);
    f.render_widget(widgets::pane_block(t, &name, level, cx.focused, &cx.hint), area);
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(note) = stale_note(b, PaneId::Workers) {
        lines.push(Line::styled(widgets::ellipsize(&note, w), t.style(Role::Stale)));
    }
    lines.extend(deploy::lines(t, b, Workload::Workers, w));
    lines.push(deploy::metric(t, b, MetricId::QueueDepth, "Queue", w));
    lines.push(deploy::metric(t, b, MetricId::AgentWait, "Wait", w));
    // In flight against the slots of the ready workers.
    let slots = b
        .state
        .kube
        .as_ref()
        .and_then(|k| k.workers.deployment.as_ref())
        .map(|d| d.ready as f64 * b.settings.capacity.tasks_per_worker);
    let mut inflight = widgets::metric_line(t, b, MetricId::InFlight, "In flight", 10);
    if let Some(s) = slots {
        inflight.spans.push(Span::styled(format!("  of {s:.0} slots"), t.style(Role::Muted)));
    }
    lines.push(inflight);
    let mut thr = widgets::metric_line(t, b, MetricId::Throughput, "Done", 10);
    if let Some(a) = b.rates.arrival_rate {
        thr.spans.push(Span::styled(format!("  arriving {:.0}/min", a * 60.0), t.style(Role::Muted)));
    }
    lines.push(thr);
    let drain = match b.reading(MetricId::DrainTime).value {
        Some(v) if v.is_infinite() => "never at this rate: the queue is growing".to_string(),
        Some(0.0) => "empty".to_string(),
        Some(v) => duration_short(v),
        None => "—".into(),
    };
    let grows = b.reading(MetricId::DrainTime).value.is_some_and(f64::is_infinite)
        && b.reading(MetricId::QueueDepth).value.unwrap_or(0.0) > 0.0;
    lines.push(Line::from(vec![
        Span::styled(pad("Drain in", 10), t.style(Role::Muted)),
        Span::styled(drain, if grows { t.style(Role::Warn) } else { t.style(Role::Text) }),
    ]));
    lines.push(deploy::metric(t, b, MetricId::WorkerCpu, "CPU", w));
    lines.push(deploy::metric(t, b, MetricId::WorkerMemory, "Memory", w));
    let room = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(deploy::problems(t, b, Workload::Workers, room, w));
    let off = widgets::clamp_scroll(cx.scroll.offset, lines.len(), inner.height);
    widgets::draw_lines(f, inner, &lines, off as usize);
}
