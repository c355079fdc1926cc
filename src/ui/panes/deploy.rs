//! The replica, HPA and pod lines that the API and Workers panes share.

use super::replica_level;
use crate::config::keymap::PaneId;
use crate::config::theme::{Role, Theme};
use crate::model::state::HpaCondition;
use crate::model::units;
use crate::model::{Board, Level, MetricId, SourceId, SourceStatus, Workload};
use crate::ui::widgets::{self, Piece, flow, pad, paragraph, row_head};
use ratatui::text::{Line, Span};

/// The level of an HPA condition as kubectl reads it: AbleToScale and ScalingActive are good
/// when True; ScalingLimited=True is a warning when the HPA wants more than it may have
/// (TooManyReplicas, ScaleUpLimit) and normal when it sits at its minimum (TooFewReplicas).
pub fn condition_level(c: &HpaCondition) -> Level {
    match (c.kind.as_str(), c.status) {
        ("ScalingLimited", false) => Level::Ok,
        ("ScalingLimited", true) => match c.reason.as_str() {
            "TooFewReplicas" | "ScaleDownLimit" => Level::Ok,
            _ => Level::Warn,
        },
        (_, true) => Level::Ok,
        (_, false) => Level::Warn,
    }
}

/// "ScalingLimited=True: TooManyReplicas", "AbleToScale=True": the condition as kubectl shows
/// it, with its reason when the condition is not in its usual state.
pub fn condition_text(c: &HpaCondition) -> String {
    let status = if c.status { "True" } else { "False" };
    let unusual = if c.kind == "ScalingLimited" { c.status } else { !c.status };
    if unusual && !c.reason.is_empty() {
        format!("{}={status}: {}", c.kind, c.reason)
    } else {
        format!("{}={status}", c.kind)
    }
}

/// The level of a pod problem line.
fn problem_level(reason: &str) -> Level {
    match reason {
        "OOMKilled" | "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "Error" | "Failed" => Level::Warn,
        _ => Level::Unknown,
    }
}

fn problem_reason(p: &crate::model::PodProblem) -> String {
    match &p.reason {
        Some(r) => r.clone(),
        None if p.phase == "Running" && !p.ready => "Running, not ready".into(),
        None => p.phase.clone(),
    }
}

/// The worst level of the replica, HPA and pod lines of a workload.
pub fn level(board: &Board, w: Workload) -> Level {
    let mut l = replica_level(board, w);
    if let Some(ws) = board.state.kube.as_ref().map(|k| k.workload(w)) {
        if let Some(h) = &ws.hpa {
            l = h.conditions.iter().map(condition_level).fold(l, Level::max);
        }
        l = ws.pods.problems.iter().map(|p| problem_level(&problem_reason(p))).fold(l, Level::max);
    }
    l
}

/// Replicas, HPA, conditions and pod problems of one workload, each piece whole.
pub fn lines(theme: &Theme, board: &Board, w: Workload, width: usize) -> Vec<Line<'static>> {
    let t = theme;
    let lw = super::label_width(width);
    let indent = lw + 1;
    let mut out = Vec::new();
    let Some(k) = board.state.kube.as_ref() else {
        let text = match board.source_status(SourceId::Kube) {
            SourceStatus::NotConfigured => format!("Kubernetes is not configured (set {})", SourceId::Kube.setting()),
            _ => "no Kubernetes data yet".to_string(),
        };
        out.extend(paragraph(&text, t.style(Role::Unknown), width, 2));
        return out;
    };
    let ws = k.workload(w);
    let rl = replica_level(board, w);
    let muted = |s: String| vec![Span::styled(s, t.style(Role::Muted))];
    match &ws.deployment {
        Some(d) => {
            let mut pieces: Vec<Piece> =
                vec![vec![Span::styled(format!("ready {}/{}", d.ready, d.desired), widgets::quiet(t, rl))]];
            if let Some(h) = &ws.hpa {
                pieces.push(vec![Span::styled(format!("  min {} max {}", h.min, h.max), t.style(Role::Text))]);
            }
            if d.draining() {
                pieces.push(vec![Span::styled("  DRAINING", t.style(Role::Warn))]);
            }
            if d.rolling_out() {
                pieces.push(vec![Span::styled(
                    format!("  rollout {}/{} updated", d.updated, d.desired),
                    t.style(Role::Accent),
                )]);
            }
            out.extend(flow(row_head(t, "Replicas", lw, rl), pieces, width, indent + 7));
        }
        None => out.push(Line::from(
            [row_head(t, "Replicas", lw, Level::Crit), vec![Span::styled("deployment not found", t.style(Role::Crit))]]
                .concat(),
        )),
    }
    match &ws.hpa {
        Some(h) => {
            let mut pieces: Vec<Piece> =
                vec![vec![Span::styled(format!("{} → {}", h.current, h.desired), t.style(Role::Text))]];
            for tg in &h.targets {
                let cur =
                    tg.current.map(|c| units::trim_number((c * 10.0).round() / 10.0)).unwrap_or_else(|| "?".into());
                let unit = if tg.kind == "Utilization" { "%" } else { "" };
                let over = tg.current.is_some_and(|c| c > tg.target);
                let style = if over { t.style(Role::Warn) } else { t.style(Role::Text) };
                pieces.push(vec![Span::styled(
                    format!("  {} {cur}{unit}/{}{unit}", short_metric(&tg.name), units::trim_number(tg.target)),
                    style,
                )]);
            }
            if h.pinned {
                pieces.push(vec![Span::styled("  PINNED", t.style(Role::Warn))]);
            }
            let head = vec![Span::styled(pad("HPA", indent), t.style(Role::Muted))];
            out.extend(flow(head, pieces, width, indent));
            let mut conds: Vec<Piece> = Vec::new();
            for kind in ["AbleToScale", "ScalingActive", "ScalingLimited"] {
                if let Some(c) = h.condition(kind) {
                    let l = condition_level(c);
                    let sep = if conds.is_empty() { "" } else { "  " };
                    let style = if l.is_alarm() { t.style(Role::Warn) } else { t.style(Role::Muted) };
                    conds.push(vec![
                        Span::styled(format!("{sep}{} ", l.symbol()), t.level(l)),
                        Span::styled(condition_text(c), style),
                    ]);
                }
            }
            if let Some(at) = h.last_scale_at {
                let sep = if conds.is_empty() { "" } else { "  " };
                conds.push(muted(format!("{sep}last scale {} ago", units::duration_short((board.now - at).max(0.0)))));
            }
            if !conds.is_empty() {
                out.extend(flow(vec![Span::raw(" ".repeat(indent))], conds, width, indent));
            }
        }
        None => out.extend(flow(
            vec![Span::styled(pad("HPA", indent), t.style(Role::Muted))],
            widgets::words("none: nothing scales this deployment automatically", t.style(Role::Warn)),
            width,
            indent,
        )),
    }
    let p = &ws.pods;
    if p.restarts > 0 || p.oom_killed > 0 || p.pending > 0 || p.terminating > 0 {
        let l = if p.oom_killed > 0 { Level::Warn } else { Level::Ok };
        let st = widgets::quiet(t, l);
        let pieces: Vec<Piece> = [
            format!("{} total", p.total),
            format!("  {} pending", p.pending),
            format!("  {} terminating", p.terminating),
            format!("  {} restarts", p.restarts),
            format!("  {} OOMKilled", p.oom_killed),
        ]
        .into_iter()
        .map(|s| vec![Span::styled(s, st)])
        .collect();
        out.extend(flow(row_head(t, "Pods", lw, l), pieces, width, indent + 7));
    }
    out
}

/// The pod problems, one per pod, each piece whole.
pub fn problems(theme: &Theme, board: &Board, w: Workload, width: usize) -> Vec<Line<'static>> {
    let Some(k) = board.state.kube.as_ref() else { return vec![] };
    let mut out = Vec::new();
    for p in &k.workload(w).pods.problems {
        let reason = problem_reason(p);
        let l = problem_level(&reason);
        let head = vec![Span::styled(format!("  {} ", l.symbol()), theme.level(l))];
        let st = theme.style(Role::Muted);
        let pieces = vec![
            vec![Span::styled(p.name.clone(), st)],
            vec![Span::styled(format!(" {reason}"), widgets::quiet(theme, l))],
            vec![Span::styled(format!(" ({} restarts)", p.restarts), st)],
        ];
        out.extend(flow(head, pieces, width, 4));
    }
    out
}

/// A metric row with a sparkline filling the rest of the width.
pub fn metric(theme: &Theme, board: &Board, id: MetricId, label: &str, width: usize) -> Vec<Line<'static>> {
    widgets::metric_row(theme, board, id, (label, super::label_width(width)), Vec::new(), width, true)
}

fn short_metric(name: &str) -> &str {
    match name {
        "redis_queue_depth" => "queue",
        other => other,
    }
}

/// The pane's title forms, longest first: "API pods (api-server)", then "API pods".
pub fn titles(board: &Board, w: Workload, pane: PaneId) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = board.state.kube.as_ref().and_then(|k| k.workload(w).deployment.as_ref()) {
        out.push(format!("{} ({})", pane.title(), d.name));
    }
    out.push(pane.title().to_string());
    out
}
