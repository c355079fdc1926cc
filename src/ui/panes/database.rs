//! Database: connections active / total / max, instance class and status, replicas and lag,
//! CPU, round trip, the longest-running queries and the top statements.

use super::{PaneCx, deploy, gap_notes, label_width, metrics_of, pane_level, stale_lines, with_notes};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::model::{Board, DbInstance, Level, MetricId};
use crate::ui::widgets::{self, Piece, ellipsize, flow, row_head, width};
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

/// The level of an RDS instance's status: available is OK; a change under way is a warning;
/// anything else (failed, stopped, storage-full, …) is critical.
pub fn status_level(status: &str) -> Level {
    match status {
        "available" => Level::Ok,
        "modifying"
        | "rebooting"
        | "upgrading"
        | "backing-up"
        | "storage-optimization"
        | "configuring-enhanced-monitoring"
        | "maintenance"
        | "creating"
        | "renaming"
        | "resetting-master-credentials"
        | "starting" => Level::Warn,
        _ => Level::Crit,
    }
}

/// The worst level of the instance lines.
pub fn level(board: &Board) -> Level {
    board
        .state
        .rds
        .as_ref()
        .map(|r| r.primary.iter().chain(r.replicas.iter()).map(|i| status_level(&i.status)).fold(Level::Ok, Level::max))
        .unwrap_or(Level::Ok)
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(
            t,
            &[PaneId::Database.title()],
            pane_level(b, PaneId::Database),
            cx.focused,
            &cx.hint,
            area.width,
        ),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let lw = label_width(w);
    let mut lines: Vec<Line> = stale_lines(t, b, PaneId::Database, w);
    let muted = |s: String| -> Piece { vec![Span::styled(s, t.style(Role::Muted))] };
    let conns = b
        .state
        .postgres
        .as_ref()
        .map(|p| {
            vec![
                muted(format!("  active {}", p.active())),
                muted(format!(" / total {}", p.total)),
                muted(format!(" / max {}", p.max_connections)),
            ]
        })
        .unwrap_or_default();
    lines.extend(widgets::metric_row(t, b, MetricId::DbConnections, ("Conns", lw), conns, w, false));
    lines.extend(deploy::metric(t, b, MetricId::DbCpu, "CPU", w));
    lines.extend(deploy::metric(t, b, MetricId::ReplicaLag, "Lag", w));
    lines.extend(deploy::metric(t, b, MetricId::DbRoundTrip, "RTT", w));
    if let Some(rds) = &b.state.rds {
        for inst in rds.primary.iter().chain(rds.replicas.iter()) {
            lines.extend(instance(cx, inst, w, lw));
        }
        // An instance looked for and not found is said, not left out: the state and the setting
        // first, then the reason wrapped under it (never cut).
        for gap in &rds.missing {
            let l = Level::Unknown;
            let mut pieces: Vec<Piece> = vec![vec![Span::styled(gap.kind.short().to_string(), widgets::quiet(t, l))]];
            if let Some(s) = &gap.setting {
                pieces.push(vec![Span::styled(format!(" (set {s})"), t.style(Role::Muted))]);
            }
            pieces.push(vec![Span::styled(": ".to_string(), t.style(Role::Muted))]);
            pieces.extend(widgets::words(&gap.reason, t.style(Role::Muted)));
            lines.extend(flow(row_head(t, "RDS", lw, l), pieces, w, lw + 8));
        }
    }
    if let Some(p) = &b.state.postgres {
        if !p.longest.is_empty() {
            lines.push(Line::styled("Longest running", t.style(Role::Title)));
            for q in p.longest.iter().take(3) {
                let head = format!("  {:>6} {:<8} ", duration_short(q.seconds), q.state);
                lines.extend(query_line(cx, head, &q.query, w));
            }
        }
        match &p.top_statements {
            Some(s) if !s.is_empty() => {
                lines.push(Line::styled("Top statements (total time)", t.style(Role::Title)));
                for st in s.iter().take(5) {
                    let head = format!("  {:>8.1}ms avg {:>7} calls  ", st.mean_ms, st.calls);
                    lines.extend(query_line(cx, head, &st.query, w));
                }
            }
            Some(_) => {}
            None => lines.push(Line::styled("pg_stat_statements: not available", t.style(Role::Muted))),
        }
    }
    let lines = with_notes(cx, lines, gap_notes(t, b, metrics_of(PaneId::Database), w), inner.height);
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}

/// "primary ✓ OK agentos-primary db.r6g.xlarge (4 vCPU, 32 GB) available": every piece whole.
fn instance(cx: &PaneCx, inst: &DbInstance, w: usize, lw: usize) -> Vec<Line<'static>> {
    let (b, t) = (cx.board, cx.theme);
    let l = status_level(&inst.status);
    let role = if inst.is_replica { "replica" } else { "primary" };
    let st = widgets::quiet(t, l);
    let text = |s: String| -> Piece { vec![Span::styled(s, t.style(Role::Text))] };
    // The class's size is the runbook's table, not the instance's state: shown when it costs no
    // line (always when zoomed).
    let mut pieces: Vec<(Piece, bool)> =
        vec![(text(inst.id.clone()), false), (text(format!(" {}", inst.class)), false)];
    if let Some((c, m)) = class_size(&inst.class) {
        pieces.push((vec![Span::styled(format!(" ({c} vCPU, {m} GB)"), t.style(Role::Muted))], !cx.zoomed));
    }
    pieces.push((vec![Span::styled(format!(" {}", inst.status), st)], false));
    if let Some(c) = &inst.pending_class {
        pieces.push((vec![Span::styled(format!(" → {c} pending"), t.style(Role::Warn))], false));
    }
    if inst.is_replica
        && let Some((_, lag)) =
            b.state.postgres.as_ref().and_then(|p| p.replica_lag.iter().find(|(n, _)| *n == inst.id))
    {
        pieces.push((text(format!(" lag {}", duration_short(*lag))), false));
    }
    widgets::flow_optional(row_head(t, role, lw, l), pieces, w, lw + 8)
}

/// A query with its numbers in front: the numbers whole, the query's text cut to the line (or
/// wrapped on up to three lines when the pane is zoomed).
fn query_line(cx: &PaneCx, head: String, query: &str, w: usize) -> Vec<Line<'static>> {
    let t = cx.theme;
    let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let head_w = width(&head);
    let room = w.saturating_sub(head_w);
    if cx.zoomed || room < 12 {
        let mut out = flow(
            vec![Span::styled(head, t.style(Role::Text))],
            widgets::words(&query, t.style(Role::Text)),
            w,
            if room < 12 { 4 } else { head_w },
        );
        if out.len() > 3 {
            out.truncate(3);
            if let Some(last) = out.last_mut() {
                last.spans.push(Span::styled(" …", t.style(Role::Muted)));
            }
        }
        return out;
    }
    vec![Line::from(vec![
        Span::styled(head, t.style(Role::Text)),
        Span::styled(ellipsize(&query, room), t.style(Role::Text)),
    ])]
}

