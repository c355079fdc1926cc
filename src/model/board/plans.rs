//! The runbook's views of the board: its emergency conditions, the replicas running, and the
//! capacity formulas on the current values.

use super::Board;
use crate::model::capacity::{self, ConnectionPlan, WorkerPlan};
use crate::model::metric::MetricId;

impl Board {
    /// The runbook's emergency conditions that hold now, worded for a banner.
    pub fn emergency_reasons(&self) -> Vec<String> {
        let e = &self.settings.emergency;
        let mut out = Vec::new();
        let q = self.reading(MetricId::QueueDepth);
        let growing = self.rates.depth_slope.is_some_and(|s| s > 0.0);
        if let Some(v) = q.value.filter(|v| *v > e.queue_depth && growing) {
            out.push(format!("queue {} > {} and growing", q.id.unit().format(v), e.queue_depth));
        }
        if let Some(v) = self.reading(MetricId::ApiP99).value.filter(|v| *v > e.api_latency_ms) {
            out.push(format!(
                "API p99 {} > {}",
                MetricId::ApiP99.unit().format(v),
                MetricId::ApiP99.unit().format(e.api_latency_ms)
            ));
        }
        if let Some(v) = self.reading(MetricId::ApiErrorRate).value.filter(|v| *v > e.error_rate_pct) {
            out.push(format!("error rate {v:.1}% > {}%", e.error_rate_pct));
        }
        out
    }

    pub fn current_replicas(&self, w: crate::model::state::Workload) -> Option<u32> {
        self.state.kube.as_ref().and_then(|k| k.workload(w).deployment.as_ref()).map(|d| d.desired)
    }

    /// The worker formula on the current queue and arrival rate.
    pub fn worker_plan(&self) -> WorkerPlan {
        let q = self.reading(MetricId::QueueDepth).value.unwrap_or(0.0);
        let lambda = self.rates.arrival_rate.unwrap_or(0.0);
        capacity::workers(q, lambda, &self.settings.capacity, &self.settings.limits)
    }

    /// The connection formula at the given pod counts.
    pub fn connection_plan(&self, api_pods: u32, workers: u32) -> ConnectionPlan {
        let max = self.state.postgres.as_ref().map(|p| p.max_connections).unwrap_or(0);
        capacity::connections(api_pods, workers, max, &self.settings.capacity)
    }
}
