//! `cockpit snapshot`: every metric with its value, unit, level and thresholds, as text, JSON or
//! Markdown.

use super::board::Board;
use super::level::Level;
use super::metric::MetricId;
use super::source::{SourceId, SourceStatus};
use super::state::Workload;
use super::units::{self, Unit};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: Option<f64>,
    pub unit: Unit,
    pub display: String,
    pub level: Level,
    pub stale: bool,
    pub warn: Option<String>,
    pub crit: Option<String>,
    pub trend: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub source: SourceId,
    pub status: SourceStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplicaRow {
    pub workload: Workload,
    pub deployment: Option<String>,
    pub desired: Option<u32>,
    pub ready: Option<u32>,
    pub hpa_min: Option<u32>,
    pub hpa_max: Option<u32>,
    pub hpa_desired: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// "demo incident (seed 1)" or "live".
    pub origin: String,
    /// Seconds on the data clock (simulated time in a demo).
    pub at: f64,
    pub sources: Vec<SourceRow>,
    pub metrics: Vec<MetricRow>,
    pub replicas: Vec<ReplicaRow>,
    pub emergency: Vec<String>,
    pub capacity: super::capacity::WorkerPlan,
    pub connections: super::capacity::ConnectionPlan,
}

impl Report {
    pub fn from_board(board: &Board, origin: impl Into<String>) -> Report {
        let metrics = MetricId::ALL
            .iter()
            .map(|&id| {
                let r = board.reading(id);
                MetricRow {
                    key: id.key(),
                    label: id.label(),
                    value: r.value.filter(|v| v.is_finite()),
                    unit: id.unit(),
                    display: r.formatted(),
                    level: r.shown_level(),
                    stale: r.stale,
                    warn: r.threshold.warn.map(|b| b.to_string()),
                    crit: r.threshold.crit.map(|b| b.to_string()),
                    trend: match board.trend(id) {
                        super::history::Trend::Rising => "rising",
                        super::history::Trend::Falling => "falling",
                        super::history::Trend::Steady => "steady",
                        super::history::Trend::Unknown => "unknown",
                    },
                }
            })
            .collect();
        let replicas = Workload::BOTH
            .iter()
            .map(|&w| {
                let ws = board.state.kube.as_ref().map(|k| k.workload(w).clone()).unwrap_or_default();
                ReplicaRow {
                    workload: w,
                    deployment: ws.deployment.as_ref().map(|d| d.name.clone()),
                    desired: ws.deployment.as_ref().map(|d| d.desired),
                    ready: ws.deployment.as_ref().map(|d| d.ready),
                    hpa_min: ws.hpa.as_ref().map(|h| h.min),
                    hpa_max: ws.hpa.as_ref().map(|h| h.max),
                    hpa_desired: ws.hpa.as_ref().map(|h| h.desired),
                }
            })
            .collect();
        let api = board.current_replicas(Workload::Api).unwrap_or(0);
        let workers = board.current_replicas(Workload::Workers).unwrap_or(0);
        Report {
            origin: origin.into(),
            at: board.now,
            sources: SourceId::ALL
                .iter()
                .map(|&s| SourceRow { source: s, status: board.source_status(s).clone() })
                .collect(),
            metrics,
            replicas,
            emergency: board.emergency_reasons(),
            capacity: board.worker_plan(),
            connections: board.connection_plan(api, workers),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("cockpit snapshot · {} · at {}\n\n", self.origin, units::clock(self.at));
        out.push_str(&format!(
            "{:<30} {:>10}  {:<6} {:<8} {:<12} {}\n",
            "METRIC", "VALUE", "LEVEL", "TREND", "WARN", "CRIT"
        ));
        for m in &self.metrics {
            out.push_str(&format!(
                "{:<30} {:>10}  {} {:<4} {:<8} {:<12} {}\n",
                m.label,
                m.display,
                m.level.symbol(),
                m.level.word(),
                m.trend,
                m.warn.as_deref().unwrap_or("-"),
                m.crit.as_deref().unwrap_or("-")
            ));
        }
        out.push('\n');
        for r in &self.replicas {
            out.push_str(&format!(
                "{:<10} desired {} ready {}  hpa {}..{} -> {}\n",
                r.workload.label(),
                opt(r.desired),
                opt(r.ready),
                opt(r.hpa_min),
                opt(r.hpa_max),
                opt(r.hpa_desired)
            ));
        }
        out.push_str(&format!(
            "\nworkers needed {} (recommended {}{})\nconnections {}{}\n",
            self.capacity.needed,
            self.capacity.recommended,
            if self.capacity.exceeds_max { ", DEMAND EXCEEDS THE RUNBOOK MAXIMUM" } else { "" },
            self.connections.plugged,
            if self.connections.exceeds_max {
                format!(" > max_connections {}", self.connections.max_connections)
            } else {
                String::new()
            }
        ));
        for s in &self.sources {
            out.push_str(&format!("source {:<10} {}\n", s.source.name(), status_text(&s.status)));
        }
        if !self.emergency.is_empty() {
            out.push_str(&format!("\nEMERGENCY: {}\n", self.emergency.join("; ")));
        }
        out
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!("### cockpit snapshot: {} at {}\n\n", self.origin, units::clock(self.at));
        if !self.emergency.is_empty() {
            out.push_str(&format!("**EMERGENCY:** {}\n\n", self.emergency.join("; ")));
        }
        out.push_str("| Metric | Value | Level | Trend | Warning | Critical |\n|---|---:|---|---|---|---|\n");
        for m in &self.metrics {
            out.push_str(&format!(
                "| {} | {} | {} {} | {} | {} | {} |\n",
                m.label,
                m.display.replace('|', "\\|"),
                m.level.symbol(),
                m.level.word(),
                m.trend,
                m.warn.as_deref().unwrap_or("—"),
                m.crit.as_deref().unwrap_or("—")
            ));
        }
        out.push_str(
            "\n| Deployment | Desired | Ready | HPA min | HPA max | HPA desired |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.replicas {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                r.deployment.as_deref().unwrap_or(r.workload.label()),
                opt(r.desired),
                opt(r.ready),
                opt(r.hpa_min),
                opt(r.hpa_max),
                opt(r.hpa_desired)
            ));
        }
        out.push_str(&format!(
            "\nWorkers: {} → recommended **{}**{}\n",
            self.capacity.plugged,
            self.capacity.recommended,
            if self.capacity.exceeds_max { " (demand exceeds the runbook maximum)" } else { "" }
        ));
        out
    }
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

pub fn status_text(s: &SourceStatus) -> String {
    match s {
        SourceStatus::NotConfigured => "not configured".into(),
        SourceStatus::Connecting => "connecting".into(),
        SourceStatus::Live { .. } => "live".into(),
        SourceStatus::Stale { failure, .. } => format!("stale: {failure}"),
    }
}
