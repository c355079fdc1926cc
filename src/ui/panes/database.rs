//! Database: connections active / total / max, instance class and status, replicas and lag,
//! CPU, round trip, the longest-running queries and the top statements.

use super::{PaneCx, deploy, pane_level, stale_note};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::model::{Level, MetricId};
use crate::ui::widgets::{self, pad};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// vCPU and memory of the runbook's RDS class table.
pub fn class_size(class: &str) -> Option<(u32, u32)> {
    match class {
        "db.r6g.large" => Some((2, 16)),
        "db.r6g.xlarge" => Some((4, 32)),
        "db.r6g.2xlarge" => Some((8, 64)),
        "db.r6g.4xlarge" => Some((16, 128)),
        _ => None,
    }
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(t, PaneId::Database.title(), pane_level(b, PaneId::Database), cx.focused, &cx.hint),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(note) = stale_note(b, PaneId::Database) {
        lines.push(Line::styled(widgets::ellipsize(&note, w), t.style(Role::Stale)));
    }
    let mut conn = widgets::metric_line(t, b, MetricId::DbConnections, "Conns", 10);
    if let Some(p) = &b.state.postgres {
        conn.spans.push(Span::styled(
            format!("  active {} / total {} / max {}", p.active(), p.total, p.max_connections),
            t.style(Role::Muted),
        ));
    }
    lines.push(conn);
    if let Some(rds) = &b.state.rds {
        for inst in rds.primary.iter().chain(rds.replicas.iter()) {
            let l = match inst.status.as_str() {
                "available" => Level::Ok,
                "modifying" | "rebooting" | "upgrading" | "backing-up" | "storage-optimization" => Level::Warn,
                _ => Level::Crit,
            };
            let size = class_size(&inst.class).map(|(c, m)| format!(" ({c} vCPU, {m} GB)")).unwrap_or_default();
            let role = if inst.is_replica { "replica" } else { "primary" };
            let lag = if inst.is_replica {
                b.state
                    .postgres
                    .as_ref()
                    .and_then(|p| {
                        p.replica_lag
                            .iter()
                            .find(|(n, _)| *n == inst.id)
                            .map(|(_, l)| format!(" lag {}", duration_short(*l)))
                    })
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let pending = inst.pending_class.as_ref().map(|c| format!(" → {c} pending")).unwrap_or_default();
            let text = format!("{} {}{size} {}{pending}{lag}", inst.id, inst.class, inst.status);
            lines.push(Line::from(vec![
                Span::styled(pad(role, 10), t.style(Role::Muted)),
                Span::styled(format!("{} ", l.symbol()), t.level(l)),
                Span::styled(widgets::ellipsize(&text, w.saturating_sub(12)), widgets::quiet(t, l)),
            ]));
        }
        // An instance looked for and not found is said, not left out: the state and the setting
        // first, then the reason wrapped under it (never cut).
        for gap in &rds.missing {
            let l = Level::Unknown;
            let head = match &gap.setting {
                Some(s) => format!("{} (set {s})", gap.kind.short()),
                None => gap.kind.short().to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled(pad("RDS", 10), t.style(Role::Muted)),
                Span::styled(format!("{} ", l.symbol()), t.level(l)),
                Span::styled(head, widgets::quiet(t, l)),
            ]));
            for part in wrap(&gap.reason, w.saturating_sub(12).max(20)) {
                lines.push(Line::styled(format!("{}{part}", " ".repeat(12)), t.style(Role::Muted)));
            }
        }
    }
    lines.push(deploy::metric(t, b, MetricId::DbCpu, "CPU", w));
    lines.push(deploy::metric(t, b, MetricId::ReplicaLag, "Lag", w));
    lines.push(deploy::metric(t, b, MetricId::DbRoundTrip, "RTT", w));
    if let Some(p) = &b.state.postgres {
        if !p.longest.is_empty() {
            lines.push(Line::styled("Longest running", t.style(Role::Title)));
            for q in p.longest.iter().take(3) {
                let text = format!("{:>6} {:<8} {}", duration_short(q.seconds), q.state, q.query.replace('\n', " "));
                lines.push(Line::styled(widgets::ellipsize(&format!("  {text}"), w), t.style(Role::Text)));
            }
        }
        match &p.top_statements {
            Some(s) if !s.is_empty() => {
                lines.push(Line::styled("Top statements (total time)", t.style(Role::Title)));
                for st in s.iter().take(5) {
                    let text =
                        format!("{:>8.1}ms avg {:>7} calls  {}", st.mean_ms, st.calls, st.query.replace('\n', " "));
                    lines.push(Line::styled(widgets::ellipsize(&format!("  {text}"), w), t.style(Role::Text)));
                }
            }
            Some(_) => {}
            None => lines.push(Line::styled("pg_stat_statements: not available", t.style(Role::Muted))),
        }
    }
    let off = widgets::clamp_scroll(cx.scroll.offset, lines.len(), inner.height);
    widgets::draw_lines(f, inner, &lines, off as usize);
}

/// Words in lines of at most `w` characters (a longer word on a line of its own).
fn wrap(text: &str, w: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > w {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}
