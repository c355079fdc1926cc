//! API pods: replicas and HPA, CPU and memory, p99, error rate, requests per second.

use super::{PaneCx, deploy, pane_level, stale_note};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::{MetricId, Workload};
use crate::ui::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    let level = pane_level(b, PaneId::Api);
    let name = deploy::title(b, Workload::Api, PaneId::Api);
    f.render_widget(widgets::pane_block(t, &name, level, cx.focused, &cx.hint), area);
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(note) = stale_note(b, PaneId::Api) {
        lines.push(Line::styled(widgets::ellipsize(&note, w), t.style(Role::Stale)));
    }
    lines.extend(deploy::lines(t, b, Workload::Api, w));
    for (id, label) in [
        (MetricId::ApiP99, "p99"),
        (MetricId::ApiErrorRate, "Errors"),
        (MetricId::ApiCpu, "CPU"),
        (MetricId::ApiMemory, "Memory"),
        (MetricId::ApiRps, "Requests"),
    ] {
        lines.push(deploy::metric(t, b, id, label, w));
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(deploy::problems(t, b, Workload::Api, room, w));
    let off = widgets::clamp_scroll(cx.scroll.offset, lines.len(), inner.height);
    widgets::draw_lines(f, inner, &lines, off as usize);
}
