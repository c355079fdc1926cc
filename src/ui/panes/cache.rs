//! Cache: Redis memory, clients, hit rate against the runbook's > 80% target, operations per
//! second, shards and cluster state.

use super::{PaneCx, deploy, pane_level, stale_note};
use crate::config::keymap::PaneId;
use crate::config::theme::Role;
use crate::model::units::{bytes, si};
use crate::model::{Level, MetricId};
use crate::ui::widgets::{self, pad};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(f: &mut Frame, area: Rect, cx: &PaneCx) {
    let (b, t) = (cx.board, cx.theme);
    f.render_widget(
        widgets::pane_block(t, PaneId::Cache.title(), pane_level(b, PaneId::Cache), cx.focused, &cx.hint),
        area,
    );
    let inner = widgets::inner(area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(note) = stale_note(b, PaneId::Cache) {
        lines.push(Line::styled(widgets::ellipsize(&note, w), t.style(Role::Stale)));
    }
    let Some(r) = b.state.redis.as_ref() else {
        lines.push(Line::styled("no Redis data yet", t.style(Role::Unknown)));
        widgets::draw_lines(f, inner, &lines, 0);
        return;
    };
    let mut mem = deploy::metric(t, b, MetricId::RedisMemory, "Memory", w.saturating_sub(22));
    mem.spans.push(Span::styled(
        format!("  {} / {}", bytes(r.used_memory as f64), bytes(r.max_memory as f64)),
        t.style(Role::Muted),
    ));
    lines.push(mem);
    let mut cl = widgets::metric_line(t, b, MetricId::RedisClients, "Clients", 10);
    cl.spans.push(Span::styled(
        format!("  {} of {}", si(r.clients as f64), si(r.max_clients as f64)),
        t.style(Role::Muted),
    ));
    lines.push(cl);
    let mut hr = deploy::metric(t, b, MetricId::RedisHitRate, "Hit rate", w.saturating_sub(16));
    hr.spans.push(Span::styled("  target > 80%", t.style(Role::Muted)));
    lines.push(hr);
    lines.push(deploy::metric(t, b, MetricId::RedisOps, "Ops", w));
    let cluster = match &r.cluster_state {
        Some(s) => {
            let l = if s == "ok" { Level::Ok } else { Level::Crit };
            vec![
                Span::styled(pad("Cluster", 10), t.style(Role::Muted)),
                Span::styled(format!("{} ", l.symbol()), t.level(l)),
                Span::styled(format!("state {s}  {} shards", r.shards), widgets::quiet(t, l)),
                Span::styled(
                    format!(
                        "  (runbook {}..{})",
                        b.settings.limits.redis_shards.min, b.settings.limits.redis_shards.max
                    ),
                    t.style(Role::Muted),
                ),
            ]
        }
        None => vec![
            Span::styled(pad("Topology", 10), t.style(Role::Muted)),
            Span::styled("single node", t.style(Role::Text)),
        ],
    };
    lines.push(Line::from(cluster));
    lines.push(Line::from(vec![
        Span::styled(pad("Queue RTT", 10), t.style(Role::Muted)),
        Span::styled(format!("{:.1}ms", r.round_trip_ms), t.style(Role::Text)),
    ]));
    // Per-shard memory, as bars against the shard's share of maxmemory.
    let per_shard_max = if r.shards > 0 { r.max_memory as f64 / r.shards as f64 } else { 0.0 };
    for (node, used) in &r.shard_memory {
        let pct = if per_shard_max > 0.0 { *used as f64 * 100.0 / per_shard_max } else { 0.0 };
        let l = b.threshold(MetricId::RedisMemory).level(pct);
        let bar_w = w.saturating_sub(14 + 8 + 12).min(30);
        let filled = ((pct / 100.0) * bar_w as f64).round().clamp(0.0, bar_w as f64) as usize;
        lines.push(Line::from(vec![
            Span::styled(pad(&format!("  {node} "), 14), t.style(Role::Muted)),
            Span::styled(format!("{}{}", "█".repeat(filled), "░".repeat(bar_w - filled)), widgets::quiet(t, l)),
            Span::styled(format!(" {pct:>3.0}% {}", bytes(*used as f64)), widgets::quiet(t, l)),
        ]));
    }
    let off = widgets::clamp_scroll(cx.scroll.offset, lines.len(), inner.height);
    widgets::draw_lines(f, inner, &lines, off as usize);
}
