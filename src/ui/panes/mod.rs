//! The dashboard's panes, one file each. A pane draws from the board (the model owns the data)
//! and its own view state (scroll) only.

mod api;
mod cache;
mod capacity;
mod database;
mod deploy;
mod events;
mod overview;
mod workers;

use super::app::Scroll;
use crate::config::keymap::PaneId;
use crate::config::theme::Theme;
use crate::model::{Board, Level, MetricId, SourceId, Workload};
use ratatui::Frame;
use ratatui::layout::Rect;

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

/// The metrics each pane shows, for its level.
pub fn metrics_of(p: PaneId) -> &'static [MetricId] {
    use MetricId as M;
    match p {
        PaneId::Overview => &MetricId::KEY,
        PaneId::Api => &[M::ApiP99, M::ApiErrorRate, M::ApiCpu, M::ApiMemory, M::ApiRps],
        PaneId::Workers => {
            &[M::QueueDepth, M::AgentWait, M::WorkerCpu, M::WorkerMemory, M::InFlight, M::Throughput, M::DrainTime]
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

/// The worst level a pane shows: its metrics, its replicas, its capacity warnings.
pub fn pane_level(board: &Board, p: PaneId) -> Level {
    let mut l = board.worst(metrics_of(p));
    match p {
        PaneId::Api => l = l.max(replica_level(board, Workload::Api)),
        PaneId::Workers => l = l.max(replica_level(board, Workload::Workers)),
        PaneId::Capacity => {
            if board.state.redis.is_none() {
                l = Level::Unknown;
            } else {
                let plan = board.worker_plan();
                let cur = board.current_replicas(Workload::Workers).unwrap_or(0);
                l = if plan.exceeds_max {
                    Level::Crit
                } else if plan.recommended > cur {
                    Level::Warn
                } else {
                    Level::Ok
                };
                let api = board.current_replicas(Workload::Api).unwrap_or(0);
                if board.connection_plan(api, plan.recommended.max(cur)).exceeds_max {
                    l = l.max(Level::Warn);
                }
            }
        }
        PaneId::Events => {
            l = board.timeline.iter().rev().take(5).map(|e| e.level).filter(|l| l.is_alarm()).max().unwrap_or(Level::Ok)
        }
        _ => {}
    }
    // A stale source behind the pane shows as stale unless something is already alarming.
    if !l.is_alarm() && sources_of(p).iter().any(|s| board.source_status(*s).is_stale()) {
        l = Level::Stale;
    }
    l
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

/// "stale 42s: connection refused" for the first stale source of a pane, to show under its title.
pub fn stale_note(board: &Board, p: PaneId) -> Option<String> {
    sources_of(p).iter().find_map(|s| match board.source_status(*s) {
        crate::model::SourceStatus::Stale { last_ok, failure, .. } => {
            let age =
                last_ok.map(|t| crate::model::units::duration_short(board.now - t)).unwrap_or_else(|| "never".into());
            Some(format!("{} stale (last good {age} ago): {failure}", s.name()))
        }
        crate::model::SourceStatus::NotConfigured => None,
        _ => None,
    })
}
