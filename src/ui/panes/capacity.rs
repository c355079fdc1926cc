//! Capacity: the runbook's capacity-planning formulas on the current values, with the formula and
//! the numbers plugged in, the recommendation held to the component limits, and a clear warning
//! when demand exceeds what those limits allow.

use super::{PaneCx, pane_level};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::capacity::{ConnectionPlan, runbook_shell_recipe};
use crate::model::{Level, Workload};
use crate::ui::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(t, PaneId::Capacity.title(), pane_level(b, PaneId::Capacity), cx.focused, &cx.hint),
        area,
    );
    let inner = widgets::inner(area);
    let mut lines: Vec<Line> = Vec::new();
    if b.state.redis.is_none() {
        lines.push(Line::styled("waiting for the queue depth", t.style(Role::Unknown)));
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let plan = b.worker_plan();
    let limits = b.settings.limits;
    let cur_w = b.current_replicas(Workload::Workers).unwrap_or(0);
    let cur_a = b.current_replicas(Workload::Api).unwrap_or(0);
    lines.push(Line::styled(plan.formula.clone(), t.style(Role::Title)));
    lines.push(Line::styled(format!("  {}", plan.plugged), t.style(Role::Text)));
    lines.push(Line::styled(format!("  {}", plan.arrivals), t.style(Role::Text)));
    let l = if plan.exceeds_max {
        Level::Crit
    } else if plan.recommended > cur_w {
        Level::Warn
    } else {
        Level::Ok
    };
    lines.push(Line::from(vec![
        Span::styled(format!("  {} ", l.symbol()), t.level(l)),
        Span::styled(
            format!(
                "needed {} → recommended {} (runbook limits {}..{}), now {}",
                plan.needed, plan.recommended, limits.worker_pods.min, limits.worker_pods.max, cur_w
            ),
            widgets::quiet(t, l),
        ),
    ]));
    if plan.exceeds_max {
        lines.push(Line::styled(
            format!(
                "  ✖ DEMAND EXCEEDS THE RUNBOOK MAXIMUM by {} workers: scaling alone will not catch up",
                plan.needed - limits.worker_pods.max
            ),
            t.style(Role::Crit),
        ));
    }
    let depth = b.state.redis.as_ref().map(|r| r.depth()).unwrap_or(0);
    let shell = runbook_shell_recipe(depth, cur_w, &b.settings.capacity);
    lines.push(Line::styled(
        format!("  (the runbook's shell recipe gives {shell}: integer division, arrivals ignored)"),
        t.style(Role::Muted),
    ));
    lines.push(Line::styled("DB connections = ((API pods × 10) + (workers × 5)) × 1.2", t.style(Role::Title)));
    let after = plan.recommended.max(cur_w);
    let rows: [(&str, ConnectionPlan); 3] = [
        ("now", b.connection_plan(cur_a, cur_w)),
        ("after", b.connection_plan(cur_a, after)),
        ("at max", b.connection_plan(limits.api_pods.max, limits.worker_pods.max)),
    ];
    for (name, c) in rows {
        let (l, note) = if c.max_connections == 0 {
            (Level::Unknown, "max_connections unknown".to_string())
        } else if c.exceeds_max {
            (Level::Crit, format!("exceeds max_connections {}", c.max_connections))
        } else {
            (Level::Ok, format!("of max_connections {}", c.max_connections))
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", l.symbol()), t.level(l)),
            Span::styled(format!("{name:<7}"), t.style(Role::Muted)),
            Span::styled(format!("{} {note}", c.plugged), widgets::quiet(t, l)),
        ]));
    }
    let off = widgets::clamp_scroll(cx.scroll.offset, lines.len(), inner.height);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((off, 0)), inner);
}
