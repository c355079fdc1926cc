//! The dashboard's panes, one file each. A pane draws from the board (the model owns the data)
//! and its own view state (scroll) only. A pane's level is the worst level of what it shows;
//! every row keeps its level, value, status and address whole at any width (see
//! `widgets::flow`), and every row without a value says why (its gap) and, in a footnote when
//! there is room and always when zoomed, which setting would give it one.

mod api;
mod cache;
mod capacity;
mod database;
mod deploy;
pub mod events;
mod overview;
mod workers;

use super::app::Scroll;
use super::widgets::{self, paragraph};
use crate::config::keymap::PaneId;
use crate::config::theme::{Role, Theme};
use crate::model::gap::GapKind;
use crate::model::{Board, Level, MetricId, SourceId, SourceStatus, Workload};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub use deploy::condition_level;

/// What a pane needs to draw itself.
pub struct PaneCx<'a> {
    pub board: &'a Board,
    pub theme: &'a Theme,
    pub focused: bool,
    pub scroll: Scroll,
    /// "2" etc.: the key that focuses it, shown in the title.
    pub hint: String,
    /// The wall-clock moment of the data clock's zero (live); None in the demo.
    pub epoch: Option<&'a jiff::Zoned>,
    /// The pane fills the screen: footnotes are always shown.
    pub zoomed: bool,
}

pub fn render(f: &mut Frame, area: Rect, pane: PaneId, cx: &PaneCx) {
    if area.width < 3 || area.height < 2 {
        return;
    }
    match pane {
        PaneId::Overview => overview::render(f, area, cx),
        PaneId::Api => api::render(f, area, cx),
        PaneId::Workers => workers::render(f, area, cx),
        PaneId::Cache => cache::render(f, area, cx),
        PaneId::Database => database::render(f, area, cx),
        PaneId::Capacity => capacity::render(f, area, cx),
        PaneId::Events => events::render(f, area, cx),
    }
}

/// The metrics each pane shows as rows.
pub fn metrics_of(p: PaneId) -> &'static [MetricId] {
    use MetricId as M;
    match p {
        PaneId::Overview => &MetricId::KEY,
        PaneId::Api => &[M::ApiP99, M::ApiErrorRate, M::ApiCpu, M::ApiMemory, M::ApiRps],
        PaneId::Workers => {
            &[M::QueueDepth, M::AgentWait, M::InFlight, M::Throughput, M::DrainTime, M::WorkerCpu, M::WorkerMemory]
        }
        PaneId::Cache => &[M::RedisMemory, M::RedisClients, M::RedisHitRate, M::RedisOps],
        PaneId::Database => &[M::DbConnections, M::DbCpu, M::ReplicaLag, M::DbRoundTrip],
        PaneId::Capacity | PaneId::Events => &[],
    }
}

/// The sources a pane's data comes from.
pub fn sources_of(p: PaneId) -> &'static [SourceId] {
    match p {
        PaneId::Overview => &[SourceId::Kube, SourceId::Redis, SourceId::CloudWatch],
        PaneId::Api => &[SourceId::Kube, SourceId::CloudWatch],
        PaneId::Workers => &[SourceId::Kube, SourceId::Redis],
        PaneId::Cache => &[SourceId::Redis],
        PaneId::Database => &[SourceId::Postgres, SourceId::Rds, SourceId::CloudWatch],
        PaneId::Capacity => &[SourceId::Redis, SourceId::Postgres, SourceId::Kube],
        PaneId::Events => &[],
    }
}

/// The level a pane shows in its title: the worst level of what it shows (its metrics, its
/// replicas and HPA conditions, its instances and shards, its plans). The Events pane has
/// none: it is a history, and every state in it that still holds is shown, with its level,
/// by the pane that owns it. The Overview adds, when drawn, the lines it lists from other
/// panes (see `overview::render`).
pub fn pane_level(board: &Board, p: PaneId) -> Option<Level> {
    let mut l = board.worst(metrics_of(p));
    match p {
        PaneId::Api => l = l.max(deploy::level(board, Workload::Api)),
        PaneId::Workers => l = l.max(deploy::level(board, Workload::Workers)),
        PaneId::Cache => l = l.max(cache::level(board)),
        PaneId::Database => l = l.max(database::level(board)),
        PaneId::Capacity => l = capacity::level(board),
        PaneId::Events => return None,
        PaneId::Overview => {}
    }
    // A stale source behind the pane shows as stale unless something is already alarming.
    if !l.is_alarm() && sources_of(p).iter().any(|s| board.source_status(*s).is_stale()) {
        l = Level::Stale;
    }
    Some(l)
}

/// Ready below desired is a warning; ready below the HPA's (or runbook's) minimum is critical.
pub fn replica_level(board: &Board, w: Workload) -> Level {
    let Some(k) = board.state.kube.as_ref() else { return Level::Unknown };
    let ws = k.workload(w);
    let Some(d) = ws.deployment.as_ref() else { return Level::Unknown };
    let runbook_min = match w {
        Workload::Api => board.settings.limits.api_pods.min,
        Workload::Workers => board.settings.limits.worker_pods.min,
    };
    // A minimum the cockpit pinned for a scale is a target on its way, not a floor to alarm on.
    let min = ws.hpa.as_ref().filter(|h| !h.pinned).map(|h| h.min).unwrap_or(runbook_min);
    if d.ready < min.min(d.desired) {
        Level::Crit
    } else if d.ready < d.desired || ws.pods.oom_killed > 0 {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// "redis stale (last good 42s ago): connection refused" for the first stale source of a pane.
pub fn stale_note(board: &Board, p: PaneId) -> Option<String> {
    sources_of(p).iter().find_map(|s| match board.source_status(*s) {
        SourceStatus::Stale { last_ok, failure, .. } => Some(match last_ok {
            Some(t) => format!(
                "{} stale (last good {} ago): {failure}",
                s.name(),
                crate::model::units::duration_short((board.now - t).max(0.0))
            ),
            None => format!("{} stale (no good sample since the start): {failure}", s.name()),
        }),
        _ => None,
    })
}

/// The stale note as lines wrapped to the pane's width.
pub fn stale_lines(theme: &Theme, board: &Board, p: PaneId, w: usize) -> Vec<Line<'static>> {
    stale_note(board, p).map(|n| paragraph(&n, theme.style(Role::Stale), w, 2)).unwrap_or_default()
}

/// Footnotes for the rows among `ids` that have no value: why, and which setting would give
/// them one ("? not set: no load balancer is known … (set aws.load_balancer)"). Rows that share
/// a reason share a note; a transient wait for a first sample gets none.
pub fn gap_notes(theme: &Theme, board: &Board, ids: &[MetricId], w: usize) -> Vec<Line<'static>> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for id in ids {
        let Some(g) = board.gap(*id) else { continue };
        if g.kind == GapKind::Waiting || board.reading(*id).value.is_some() {
            continue;
        }
        let text = g.describe();
        if seen.contains(&text) {
            continue;
        }
        seen.push(text.clone());
        let (sym, style) = if g.kind.is_blind() {
            (Level::Unknown.symbol(), theme.level(Level::Unknown))
        } else {
            ("·", theme.style(Role::Muted))
        };
        // The setting stays whole with its "(set …)".
        let mut pieces = widgets::words(&format!("{}: {}", g.kind.short(), g.reason), theme.style(Role::Muted));
        if let Some(setting) = &g.setting {
            let set = format!(" (set {setting})");
            if widgets::width(&set) + 2 < w {
                pieces.push(vec![Span::styled(set, theme.style(Role::Muted))]);
            } else {
                pieces.extend(widgets::flow::spaced(set.trim_start(), theme.style(Role::Muted)));
            }
        }
        out.extend(widgets::flow(vec![Span::styled(format!("{sym} "), style)], pieces, w, 2));
    }
    out
}

/// A pane's content with its footnotes: always when zoomed, else when they fit below it.
pub fn with_notes(
    cx: &PaneCx,
    mut lines: Vec<Line<'static>>,
    notes: Vec<Line<'static>>,
    height: u16,
) -> Vec<Line<'static>> {
    if cx.zoomed || lines.len() + notes.len() <= height as usize {
        lines.extend(notes);
    }
    lines
}

/// The label column of a pane's rows: 9 cells ("In flight"), 5 in a narrow pane.
pub fn label_width(w: usize) -> usize {
    if w >= 40 { 9 } else { 5 }
}
