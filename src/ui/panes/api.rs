//! API pods: replicas and HPA, CPU and memory, p99, error rate, requests per second.

use super::{PaneCx, deploy, gap_notes, metrics_of, pane_level, stale_lines, with_notes};
use crate::config::keymap::PaneId;
use crate::model::{MetricId, Workload};
use crate::ui::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let titles = deploy::titles(b, Workload::Api, PaneId::Api);
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    f.render_widget(
        widgets::pane_block(t, &titles, pane_level(b, PaneId::Api), cx.focused, &cx.hint, area.width),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = stale_lines(t, b, PaneId::Api, w);
    lines.extend(deploy::lines(t, b, Workload::Api, w));
    for (id, label) in [
        (MetricId::ApiP99, "p99"),
        (MetricId::ApiErrorRate, "Errors"),
        (MetricId::ApiCpu, "CPU"),
        (MetricId::ApiMemory, "Memory"),
        (MetricId::ApiRps, "Requests"),
    ] {
        lines.extend(deploy::metric(t, b, id, label, w));
    }
    lines.extend(deploy::problems(t, b, Workload::Api, w));
    let lines = with_notes(cx, lines, gap_notes(t, b, metrics_of(PaneId::Api), w), inner.height);
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}
