//! Cache: Redis memory, clients, hit rate against the runbook's > 80% target, operations per
//! second, shards and cluster state. maxmemory 0 reads "no limit" and an idle cache "no
//! traffic": states, not percentages.

// Redis cluster (issue 9): each shard's signals.
mod shard_signals;

use super::{PaneCx, gap_notes, label_width, metrics_of, pane_level, stale_lines, with_notes};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::level::Comparison;
use crate::model::units::{bytes, si};
use crate::model::{Board, Level, MetricId, RedisState};
use crate::ui::widgets::{self, Piece, flow, pad, row_head};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The level of the cluster and shard lines.
pub fn level(board: &Board) -> Level {
    let Some(r) = board.state.redis.as_ref() else { return Level::Ok };
    let cluster = match r.cluster_state.as_deref() {
        Some("ok") | None => Level::Ok,
        Some(_) => Level::Crit,
    };
    shard_levels(board, r).into_iter().fold(cluster, Level::max)
}

/// Each shard's share of its part of maxmemory, and its level; None without a limit. With
/// per-shard readings (issue 9), each shard's own maxmemory.
fn shard_pcts(board: &Board, r: &RedisState) -> Vec<Option<(f64, Level)>> {
    let per_shard_max = if r.shards > 0 { r.max_memory as f64 / r.shards as f64 } else { 0.0 };
    r.shard_memory
        .iter()
        .map(|(addr, used)| {
            let max = match shard_reading(r, addr) {
                Some(s) => s.max_memory as f64,
                None => per_shard_max,
            };
            (max > 0.0).then(|| {
                let pct = *used as f64 * 100.0 / max;
                (pct, board.threshold(MetricId::RedisMemory).level(pct))
            })
        })
        .collect()
}

fn shard_levels(board: &Board, r: &RedisState) -> Vec<Level> {
    let memory = shard_pcts(board, r).into_iter().map(|p| p.map(|(_, l)| l).unwrap_or(Level::Ok));
    memory.chain(r.shard_readings.iter().map(|s| shard_signals::level(board, s))).collect()
}

fn shard_reading<'a>(r: &'a RedisState, addr: &str) -> Option<&'a crate::model::ShardReading> {
    r.shard_readings.iter().find(|s| s.addr == addr)
}

/// "target > 80%": the side of the warning bound that is good.
fn target(board: &Board) -> Option<String> {
    let b = board.threshold(MetricId::RedisHitRate).warn?;
    let cmp = match b.cmp {
        Comparison::AtMost => ">",
        Comparison::Below => ">=",
        Comparison::Above => "<=",
        Comparison::AtLeast => "<",
    };
    Some(format!("target {cmp} {}%", crate::model::units::trim_number(b.value)))
}

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(
            t,
            &[PaneId::Cache.title()],
            pane_level(b, PaneId::Cache),
            cx.focused,
            &cx.hint,
            area.width,
        ),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let lw = label_width(w);
    let muted = |s: String| -> Piece { vec![Span::styled(s, t.style(Role::Muted))] };
    let mut lines: Vec<Line> = stale_lines(t, b, PaneId::Cache, w);
    let r = b.state.redis.as_ref();
    let mem = r
        .map(|r| {
            if r.max_memory > 0 {
                format!("  {} / {}", bytes(r.used_memory as f64), bytes(r.max_memory as f64))
            } else {
                format!("  {} used", bytes(r.used_memory as f64))
            }
        })
        .map(muted)
        .into_iter()
        .collect();
    lines.extend(widgets::metric_row(t, b, MetricId::RedisMemory, ("Memory", lw), mem, w, true));
    let clients = r
        .map(|r| {
            if r.max_clients > 0 {
                format!("  {} of {}", si(r.clients as f64), si(r.max_clients as f64))
            } else {
                format!("  {} clients", si(r.clients as f64))
            }
        })
        .map(muted)
        .into_iter()
        .collect();
    lines.extend(widgets::metric_row(t, b, MetricId::RedisClients, ("Clients", lw), clients, w, false));
    let hits = target(b).map(|s| muted(format!("  {s}"))).into_iter().collect();
    lines.extend(widgets::metric_row(t, b, MetricId::RedisHitRate, ("Hit rate", lw), hits, w, true));
    lines.extend(widgets::metric_row(t, b, MetricId::RedisOps, ("Ops", lw), Vec::new(), w, true));
    if let Some(r) = r {
        lines.extend(topology(cx, r, w, lw));
    }
    let lines = with_notes(cx, lines, gap_notes(t, b, metrics_of(PaneId::Cache), w), inner.height);
    widgets::draw_body(f, t, inner, &lines, cx.scroll.offset);
}

/// The cluster line, the queue's round trip and one line per shard.
fn topology(cx: &PaneCx, r: &RedisState, w: usize, lw: usize) -> Vec<Line<'static>> {
    let (b, t) = (cx.board, cx.theme);
    let mut lines = Vec::new();
    match &r.cluster_state {
        Some(s) => {
            let l = if s == "ok" { Level::Ok } else { Level::Crit };
            let limits = b.settings.limits.redis_shards;
            let pieces: Vec<Piece> = vec![
                vec![Span::styled(format!("state {s}"), widgets::quiet(t, l))],
                vec![Span::styled(format!("  {} shards", r.shards), widgets::quiet(t, l))],
                vec![Span::styled(format!("  (runbook {}..{})", limits.min, limits.max), t.style(Role::Muted))],
            ];
            lines.extend(flow(row_head(t, "Cluster", lw, l), pieces, w, lw + 8));
        }
        None => lines.push(Line::from(vec![
            Span::styled(pad(&widgets::labels::fit("Topology", lw), lw + 1), t.style(Role::Muted)),
            Span::styled("single node", t.style(Role::Text)),
        ])),
    }
    lines.push(Line::from(vec![
        Span::styled(pad(&widgets::labels::fit("Queue RTT", lw), lw + 1), t.style(Role::Muted)),
        Span::styled(format!("{:.1}ms", r.round_trip_ms), t.style(Role::Text)),
    ]));
    // Per-shard memory: the address whole, then the share of the shard's part of maxmemory as a
    // level, the bytes, and a bar when there is room.
    for ((node, used), pct) in r.shard_memory.iter().zip(shard_pcts(b, r)) {
        let mut pieces: Vec<Piece> = vec![vec![Span::styled(node.clone(), t.style(Role::Text))]];
        if let Some((p, l)) = pct {
            pieces.push(vec![
                Span::styled(format!("  {} ", l.symbol()), t.level(l)),
                Span::styled(format!("{p:.0}%"), widgets::quiet(t, l)),
            ]);
        }
        pieces.push(vec![Span::styled(format!("  {}", bytes(*used as f64)), t.style(Role::Muted))]);
        // maxmemory 0 (issue 9): a state, not a percentage.
        if pct.is_none() && shard_reading(r, node).is_some_and(|s| s.max_memory == 0) {
            pieces.push(vec![Span::styled("  no limit (maxmemory 0)", t.style(Role::Muted))]);
        }
        let mut out = flow(vec![Span::raw("  ")], pieces, w, 4);
        if let (1, Some((p, l))) = (out.len(), pct) {
            let used_w = out[0].width();
            let bar_w = w.saturating_sub(used_w + 2).min(30);
            if bar_w >= 6 {
                let filled = ((p / 100.0) * bar_w as f64).round().clamp(0.0, bar_w as f64) as usize;
                out[0].spans.push(Span::raw("  "));
                out[0].spans.push(Span::styled(
                    format!("{}{}", "█".repeat(filled), "░".repeat(bar_w - filled)),
                    widgets::quiet(t, l),
                ));
            }
        }
        lines.extend(out);
        if let Some(s) = shard_reading(r, node) {
            lines.extend(shard_signals::lines(cx, s, w));
        }
    }
    // A single node: its latency and replicas (its memory and clients are the rows above).
    if r.shard_memory.is_empty()
        && let Some(s) = r.shard_readings.first()
    {
        lines.extend(shard_signals::lines(cx, s, w));
    }
    lines
}
