//! What the actions need from the configuration, resolved once.

use crate::config::Config;
use crate::config::sources::{ActionsConfig, KubeConfig};
use crate::model::capacity::{CapacityParams, Limits};
use crate::model::reading::EmergencyRules;
use crate::model::state::Workload;
use crate::model::{MetricId, Threshold};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ActionSettings {
    pub limits: Limits,
    pub capacity: CapacityParams,
    pub thresholds: BTreeMap<MetricId, Threshold>,
    pub emergency: EmergencyRules,
    pub actions: ActionsConfig,
    /// Globally or for the configured Kubernetes context.
    pub read_only: bool,
    /// Seconds between two probes of a verification, on the platform clock.
    pub poll_secs: f64,
    pub notify_configured: bool,
    /// The namespace, deployments and HPAs acted on.
    pub kube: KubeConfig,
    pub db_primary: String,
    pub db_replicas: Vec<String>,
    /// Where the journal goes (`<state dir>/journal`).
    pub journal_dir: std::path::PathBuf,
}

impl Default for ActionSettings {
    fn default() -> Self {
        ActionSettings::from_config(&Config::default())
    }
}

impl ActionSettings {
    pub fn from_config(c: &Config) -> Self {
        ActionSettings {
            limits: c.limits,
            capacity: c.capacity,
            thresholds: c.board_settings().thresholds,
            emergency: c.emergency,
            actions: c.actions.clone(),
            read_only: c.read_only_for(c.kubernetes.context.as_deref()),
            poll_secs: 2.0,
            notify_configured: c.notify.command.is_some() || c.notify.webhook.is_some(),
            kube: c.kubernetes.clone(),
            db_primary: c.aws.rds_primary_or_runbook().to_string(),
            db_replicas: c.aws.rds_replicas.clone(),
            journal_dir: super::journal::Journal::default_dir(),
        }
    }

    pub fn deployment(&self, w: Workload) -> &str {
        self.kube.deployment(w)
    }

    pub fn hpa(&self, w: Workload) -> &str {
        self.kube.hpa(w)
    }

    pub fn range(&self, w: Workload) -> crate::model::capacity::Range {
        match w {
            Workload::Api => self.limits.api_pods,
            Workload::Workers => self.limits.worker_pods,
        }
    }

    pub fn threshold(&self, id: MetricId) -> Threshold {
        self.thresholds.get(&id).copied().unwrap_or_else(|| id.default_threshold())
    }

    /// The warning bound of a "higher is worse" metric, as a number.
    pub fn warn_value(&self, id: MetricId) -> Option<f64> {
        self.threshold(id).warn.map(|b| b.value)
    }

    pub fn crit_value(&self, id: MetricId) -> Option<f64> {
        self.threshold(id).crit.map(|b| b.value)
    }
}
