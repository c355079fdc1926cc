//! Capacity: the runbook's capacity-planning formulas on the current values, with the formula and
//! the numbers plugged in, the recommendation held to the component limits, and a clear warning
//! when demand exceeds what those limits allow.

use super::PaneCx;
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::capacity::{ConnectionPlan, runbook_shell_recipe};
use crate::model::{Board, Level, SourceId, SourceStatus, Workload};
use crate::ui::widgets::{self, flow, paragraph, words};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The level of the worker recommendation: critical when demand exceeds the runbook's
/// maximum, a warning when more workers are needed than run now.
fn worker_level(board: &Board) -> Level {
    let plan = board.worker_plan();
    let cur = board.current_replicas(Workload::Workers).unwrap_or(0);
    if plan.exceeds_max {
        Level::Crit
    } else if plan.recommended > cur {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// A connection plan's level: the formula's estimate over max_connections is a warning (the
/// Database pane shows the real count); without max_connections it is unknown.
fn connection_level(c: &ConnectionPlan) -> Level {
    if c.max_connections == 0 {
        Level::Unknown
    } else if c.exceeds_max {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// The plans the pane shows now and after the recommended scale.
fn plans(board: &Board) -> [(&'static str, ConnectionPlan); 2] {
    let plan = board.worker_plan();
    let cur_w = board.current_replicas(Workload::Workers).unwrap_or(0);
    let cur_a = board.current_replicas(Workload::Api).unwrap_or(0);
    [("now", board.connection_plan(cur_a, cur_w)), ("after", board.connection_plan(cur_a, plan.recommended.max(cur_w)))]
}

/// The worst level of the pane's lines; unknown until the queue depth is known.
pub fn level(board: &Board) -> Level {
    if board.state.redis.is_none() {
        return Level::Unknown;
    }
    plans(board).iter().map(|(_, c)| connection_level(c)).fold(worker_level(board), Level::max)
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(t, &[PaneId::Capacity.title()], Some(level(b)), cx.focused, &cx.hint, area.width),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if b.state.redis.is_none() {
        let text = match b.source_status(SourceId::Redis) {
            SourceStatus::NotConfigured => {
                format!(
                    "the formulas need the queue depth: Redis is not configured (set {})",
                    SourceId::Redis.setting()
                )
            }
            _ => "waiting for the queue depth".to_string(),
        };
        lines.extend(paragraph(&text, t.style(Role::Unknown), w, 2));
        widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
        return;
    }
    let plan = b.worker_plan();
    let limits = b.settings.limits;
    let cur_w = b.current_replicas(Workload::Workers).unwrap_or(0);
    let text = t.style(Role::Text);
    lines.extend(paragraph(&plan.formula, t.style(Role::Title), w, 2));
    lines.extend(flow(vec![Span::raw("  ")], words(&plan.plugged, text), w, 4));
    lines.extend(flow(vec![Span::raw("  ")], words(&plan.arrivals, text), w, 4));
    let l = worker_level(b);
    let rec = format!(
        "needed {} → recommended {} (runbook limits {}..{}), now {}",
        plan.needed, plan.recommended, limits.worker_pods.min, limits.worker_pods.max, cur_w
    );
    lines.extend(flow(
        vec![Span::styled(format!("  {} {} ", l.symbol(), l.word()), t.level(l))],
        words(&rec, widgets::quiet(t, l)),
        w,
        4,
    ));
    if plan.exceeds_max {
        let text = format!(
            "DEMAND EXCEEDS THE RUNBOOK MAXIMUM by {} workers: scaling alone will not catch up",
            plan.needed - limits.worker_pods.max
        );
        lines.extend(flow(vec![Span::styled("  ✖ ", t.style(Role::Crit))], words(&text, t.style(Role::Crit)), w, 4));
    }
    let depth = b.state.redis.as_ref().map(|r| r.depth()).unwrap_or(0);
    let shell = runbook_shell_recipe(depth, cur_w, &b.settings.capacity);
    let text = format!("(the runbook's shell recipe gives {shell}: integer division, arrivals ignored)");
    lines.extend(flow(vec![Span::raw("  ")], words(&text, t.style(Role::Muted)), w, 3));
    let p = &b.settings.capacity;
    let title = format!(
        "DB connections = ((API pods × {}) + (workers × {})) × {}",
        crate::model::units::trim_number(p.conns_per_api_pod),
        crate::model::units::trim_number(p.conns_per_worker),
        crate::model::units::trim_number(1.0 + p.connection_buffer)
    );
    lines.extend(paragraph(&title, t.style(Role::Title), w, 2));
    for (name, c) in plans(b) {
        let l = connection_level(&c);
        let note = if c.max_connections == 0 {
            "max_connections unknown".to_string()
        } else if c.exceeds_max {
            format!("exceeds max_connections {}", c.max_connections)
        } else {
            format!("of max_connections {}", c.max_connections)
        };
        let head = vec![
            Span::styled(format!("  {} {} ", l.symbol(), l.word()), t.level(l)),
            Span::styled(format!("{name:<6}"), t.style(Role::Muted)),
        ];
        lines.extend(flow(head, words(&format!("{} {note}", c.plugged), widgets::quiet(t, l)), w, 4));
    }
    // At the runbook's maxima: a hazard of the configuration, not a state, so no level.
    let c = b.connection_plan(limits.api_pods.max, limits.worker_pods.max);
    if c.max_connections > 0 {
        let verb = if c.exceeds_max { "would exceed" } else { "within" };
        let text = format!("at max {} {verb} max_connections {}", c.plugged, c.max_connections);
        let style = if c.exceeds_max { t.style(Role::Warn) } else { t.style(Role::Muted) };
        lines.extend(flow(vec![Span::raw("  ")], words(&text, style), w, 4));
    }
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}
