//! The replica and HPA lines that the API and Workers panes share.

use super::replica_level;
use crate::config::theme::{Role, Theme};
use crate::model::units;
use crate::model::{Board, Level, MetricId, Workload};
use crate::ui::widgets::{self, pad};
use ratatui::text::{Line, Span};

/// Replicas, HPA, conditions and pod problems of one workload.
pub fn lines(theme: &Theme, board: &Board, w: Workload, width: usize) -> Vec<Line<'static>> {
    let t = theme;
    let mut out = Vec::new();
    let Some(k) = board.state.kube.as_ref() else {
        out.push(Line::styled("no Kubernetes data yet", t.style(Role::Unknown)));
        return out;
    };
    let ws = k.workload(w);
    let rl = replica_level(board, w);
    match &ws.deployment {
        Some(d) => {
            let mut spans = vec![
                Span::styled(pad("Replicas", 10), t.style(Role::Muted)),
                Span::styled(format!("{} ", rl.symbol()), t.level(rl)),
                Span::styled(format!("ready {}/{}", d.ready, d.desired), widgets::quiet(t, rl)),
            ];
            if let Some(h) = &ws.hpa {
                spans.push(Span::styled(format!("  min {} max {}", h.min, h.max), t.style(Role::Text)));
            }
            if d.draining() {
                spans.push(Span::styled("  DRAINING", t.style(Role::Warn)));
            }
            if d.rolling_out() {
                spans.push(Span::styled(
                    format!("  rollout {}/{} updated", d.updated, d.desired),
                    t.style(Role::Accent),
                ));
            }
            out.push(Line::from(spans));
        }
        None => out.push(Line::styled("deployment not found", t.style(Role::Crit))),
    }
    match &ws.hpa {
        Some(h) => {
            let mut spans = vec![
                Span::styled(pad("HPA", 10), t.style(Role::Muted)),
                Span::styled(format!("{} → {}", h.current, h.desired), t.style(Role::Text)),
            ];
            for tg in &h.targets {
                let cur =
                    tg.current.map(|c| units::trim_number((c * 10.0).round() / 10.0)).unwrap_or_else(|| "?".into());
                let unit = if tg.kind == "Utilization" { "%" } else { "" };
                let name = short_metric(&tg.name);
                let over = tg.current.is_some_and(|c| c > tg.target);
                let style = if over { t.style(Role::Warn) } else { t.style(Role::Text) };
                spans
                    .push(Span::styled(format!("  {name} {cur}{unit}/{}{unit}", units::trim_number(tg.target)), style));
            }
            if h.pinned {
                spans.push(Span::styled("  PINNED", t.style(Role::Warn)));
            }
            out.push(Line::from(spans));
            let mut cond = vec![Span::styled(pad("", 10), t.style(Role::Muted))];
            for kind in ["AbleToScale", "ScalingActive", "ScalingLimited"] {
                if let Some(c) = h.condition(kind) {
                    // ScalingLimited true is the alarming state; for the others, false is.
                    let bad = if kind == "ScalingLimited" { c.status } else { !c.status };
                    let l = if bad { Level::Warn } else { Level::Ok };
                    let txt =
                        if bad && !c.reason.is_empty() { format!("{kind}:{} ", c.reason) } else { format!("{kind} ") };
                    cond.push(Span::styled(format!("{} ", l.symbol()), t.level(l)));
                    cond.push(Span::styled(txt, if bad { t.style(Role::Warn) } else { t.style(Role::Muted) }));
                }
            }
            if let Some(at) = h.last_scale_at {
                cond.push(Span::styled(
                    format!("last scale {} ago", units::duration_short((board.now - at).max(0.0))),
                    t.style(Role::Muted),
                ));
            }
            if cond.len() > 1 {
                out.push(Line::from(cond));
            }
        }
        None => out.push(Line::from(vec![
            Span::styled(pad("HPA", 10), t.style(Role::Muted)),
            Span::styled("none: nothing scales this deployment automatically", t.style(Role::Warn)),
        ])),
    }
    let p = &ws.pods;
    if p.restarts > 0 || p.oom_killed > 0 || p.pending > 0 || p.terminating > 0 {
        let l = if p.oom_killed > 0 { Level::Warn } else { Level::Ok };
        out.push(Line::from(vec![
            Span::styled(pad("Pods", 10), t.style(Role::Muted)),
            Span::styled(
                format!(
                    "{} total  {} pending  {} terminating  {} restarts  {} OOMKilled",
                    p.total, p.pending, p.terminating, p.restarts, p.oom_killed
                ),
                widgets::quiet(t, l),
            ),
        ]));
    }
    let _ = width;
    out
}

/// The pod problems, one per line, at most `max`.
pub fn problems(theme: &Theme, board: &Board, w: Workload, max: usize, width: usize) -> Vec<Line<'static>> {
    let Some(k) = board.state.kube.as_ref() else { return vec![] };
    k.workload(w)
        .pods
        .problems
        .iter()
        .take(max)
        .map(|p| {
            let reason = p.reason.clone().unwrap_or_else(|| p.phase.clone());
            let l = if reason == "OOMKilled" || reason == "CrashLoopBackOff" { Level::Warn } else { Level::Unknown };
            let text = format!("{} {} ({} restarts)", p.name, reason, p.restarts);
            Line::from(vec![
                Span::styled(format!("  {} ", l.symbol()), theme.level(l)),
                Span::styled(widgets::ellipsize(&text, width.saturating_sub(4)), theme.style(Role::Muted)),
            ])
        })
        .collect()
}

/// A metric line with a sparkline filling the rest of the width.
pub fn metric(theme: &Theme, board: &Board, id: MetricId, label: &str, width: usize) -> Line<'static> {
    let mut line = widgets::metric_line(theme, board, id, label, 10);
    let used = 10 + 2 + 7 + 2;
    let spark_w = width.saturating_sub(used + 1).min(60);
    if spark_w >= 4 {
        line.spans.push(Span::raw(" "));
        line.spans.extend(widgets::sparkline_spans(theme, board, id, spark_w));
    }
    line
}

fn short_metric(name: &str) -> &str {
    match name {
        "redis_queue_depth" => "queue",
        other => other,
    }
}

/// "API pods (api-server)": the pane title with the deployment's name once it is known.
pub fn title(board: &Board, w: Workload, pane: crate::config::keymap::PaneId) -> String {
    board
        .state
        .kube
        .as_ref()
        .and_then(|k| k.workload(w).deployment.as_ref())
        .map(|d| format!("{} ({})", pane.title(), d.name))
        .unwrap_or_else(|| pane.title().to_string())
}
