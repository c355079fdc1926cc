//! Workers: replicas and HPA, queue depth, in flight, throughput, time to drain, agent wait time,
//! and whether a drain is in progress.

use super::{PaneCx, deploy, gap_notes, label_width, metrics_of, pane_level, stale_lines, with_notes};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::{MetricId, Workload};
use crate::ui::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let titles = deploy::titles(b, Workload::Workers, PaneId::Workers);
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    f.render_widget(
        widgets::pane_block(t, &titles, pane_level(b, PaneId::Workers), cx.focused, &cx.hint, area.width),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let lw = label_width(w);
    let muted = |s: String| vec![Span::styled(s, t.style(Role::Muted))];
    let mut lines: Vec<Line> = stale_lines(t, b, PaneId::Workers, w);
    lines.extend(deploy::lines(t, b, Workload::Workers, w));
    lines.extend(deploy::metric(t, b, MetricId::QueueDepth, "Queue", w));
    lines.extend(deploy::metric(t, b, MetricId::AgentWait, "Wait", w));
    // In flight against the slots of the ready workers.
    let slots = b
        .state
        .kube
        .as_ref()
        .and_then(|k| k.workers.deployment.as_ref())
        .map(|d| d.ready as f64 * b.settings.capacity.tasks_per_worker);
    let extras = slots.map(|s| muted(format!("  of {s:.0} slots"))).into_iter().collect();
    lines.extend(widgets::metric_row(t, b, MetricId::InFlight, ("In flight", lw), extras, w, false));
    let extras = b.rates.arrival_rate.map(|a| muted(format!("  arriving {:.0}/min", a * 60.0))).into_iter().collect();
    lines.extend(widgets::metric_row(t, b, MetricId::Throughput, ("Done", lw), extras, w, false));
    // Time to drain: its level is the model's (a queue that grows never drains).
    let drain = b.reading(MetricId::DrainTime);
    let depth = b.reading(MetricId::QueueDepth).value.unwrap_or(0.0);
    let note = match drain.value {
        Some(v) if v.is_infinite() && depth > 0.0 => Some("never at this rate: the queue is growing"),
        Some(v) if v.is_infinite() => Some("never at this rate: nothing is done"),
        Some(0.0) => Some("the queue is empty"),
        _ => None,
    };
    let st = widgets::quiet(t, widgets::row_level(b, MetricId::DrainTime));
    let extras = note.map(|n| widgets::flow::spaced(n, st)).unwrap_or_default();
    lines.extend(widgets::metric_row(t, b, MetricId::DrainTime, ("Drain in", lw), extras, w, false));
    lines.extend(deploy::metric(t, b, MetricId::WorkerCpu, "CPU", w));
    lines.extend(deploy::metric(t, b, MetricId::WorkerMemory, "Memory", w));
    lines.extend(deploy::problems(t, b, Workload::Workers, w));
    let lines = with_notes(cx, lines, gap_notes(t, b, metrics_of(PaneId::Workers), w), inner.height);
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}
