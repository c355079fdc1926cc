//! One shard's scaling signals under its memory line (issue 9): slots (and slots on the move),
//! connections against its maxclients, command latency, and each replica's lag. Connections
//! take the runbook's thresholds ("connection count near limit": the Redis clients threshold);
//! the runbook gives latency and lag no number ("increasing"), so they show as values, and a
//! replica that is not online as a warning.

use super::PaneCx;
use crate::config::theme::Role;
use crate::model::units::{bytes, si};
use crate::model::{Board, Level, MetricId, ShardReading};
use crate::ui::widgets::{self, Piece, flow};
use ratatui::text::{Line, Span};

/// The shard's level from connections and replicas (its memory's level is the line above's).
pub fn level(board: &Board, s: &ShardReading) -> Level {
    let clients = s.clients_pct().map(|p| board.threshold(MetricId::RedisClients).level(p)).unwrap_or(Level::Ok);
    let replicas = if s.replicas.iter().all(|r| r.state == "online") { Level::Ok } else { Level::Warn };
    clients.max(replicas)
}

/// "2.5µs", "125µs", "1.2ms".
fn usec(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.1}µs")
    } else if v < 1000.0 {
        format!("{v:.0}µs")
    } else {
        format!("{:.1}ms", v / 1000.0)
    }
}

pub fn lines(cx: &PaneCx, s: &ShardReading, w: usize) -> Vec<Line<'static>> {
    let (b, t) = (cx.board, cx.theme);
    let muted = |x: String| -> Piece { vec![Span::styled(x, t.style(Role::Muted))] };
    let mut pieces: Vec<Piece> = Vec::new();
    if let Some(n) = s.slots {
        pieces.push(muted(format!("{n} slots")));
    }
    if s.moving_slots > 0 {
        pieces.push(vec![Span::styled(format!("  {} moving", s.moving_slots), t.level(Level::Warn))]);
    }
    let sep = |p: &Vec<Piece>| if p.is_empty() { "" } else { "  " };
    match s.clients_pct() {
        Some(p) => {
            let l = b.threshold(MetricId::RedisClients).level(p);
            pieces.push(vec![
                Span::styled(format!("{}conns ", sep(&pieces)), t.style(Role::Muted)),
                Span::styled(format!("{p:.0}%"), widgets::quiet(t, l)),
            ]);
        }
        None => pieces.push(muted(format!("{}{} conns, no limit", sep(&pieces), si(s.clients as f64)))),
    }
    match s.usec_per_call {
        Some(v) => pieces.push(muted(format!("  {}/call", usec(v)))),
        None => pieces.push(muted("  latency: no commands yet".into())),
    }
    // The worst command's p99 (its name is in the state, for the JSON snapshot).
    if let Some((_, p99)) = &s.p99_usec {
        pieces.push(muted(format!("  p99 {}", usec(*p99))));
    }
    if s.replicas.is_empty() {
        pieces.push(muted("  no replica".into()));
    }
    for r in &s.replicas {
        if r.state == "online" {
            pieces.push(muted(format!("  replica lag {}", bytes(r.lag_bytes as f64))));
            if r.lag_secs > 0 {
                pieces.push(muted(format!(" {}s", r.lag_secs)));
            }
        } else {
            pieces.push(vec![Span::styled(format!("  replica {} {}", r.addr, r.state), t.level(Level::Warn))]);
        }
    }
    flow(vec![Span::raw("    ")], pieces, w, 6)
}
