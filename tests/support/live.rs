//! Helpers for the tests of the live sources (tests/live_*.rs): configs pointing at the
//! peers, and a board fed by the real source tasks.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use cockpit::config::Config;
use cockpit::live::{Clock, Env, Targets};
use cockpit::model::{Board, SourceId, SourceStatus, SourceUpdate};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A config with nothing configured, refreshing every `refresh` seconds, AWS off.
pub fn config(refresh: f64) -> Config {
    let mut c = Config { refresh_secs: refresh, ..Config::default() };
    c.aws.enabled = Some(false);
    c
}

/// An environment with nothing in it but a HOME that holds no ~/.kube nor ~/.aws.
pub fn env(home: &std::path::Path) -> Env {
    Env::empty().with("HOME", home.display().to_string())
}

/// The source tasks feeding a board, as the cockpit runs them.
pub struct Running {
    pub board: Board,
    rx: mpsc::Receiver<SourceUpdate>,
    tasks: Vec<JoinHandle<()>>,
    /// Every update received, in order.
    pub log: Vec<SourceUpdate>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Running {
    pub async fn start(config: &Config, env: &Env) -> Running {
        let targets = Targets::resolve(config, env).await;
        let clock = Clock::start();
        let board = Board::new(config.board_settings(), &targets.configured());
        let (tx, rx) = mpsc::channel(256);
        let tasks = cockpit::sources::spawn_all(&targets, config, clock, tx);
        Running { board, rx, tasks, log: Vec::new() }
    }

    /// Take updates in until `done` holds for the board (checked after each), within `limit`.
    pub async fn until(&mut self, what: &str, limit: Duration, mut done: impl FnMut(&Board) -> bool) -> Result<()> {
        let deadline = Instant::now() + limit;
        while !done(&self.board) {
            match tokio::time::timeout_at(deadline.into(), self.rx.recv()).await {
                Ok(Some(u)) => {
                    self.board.ingest(u.clone());
                    self.log.push(u);
                }
                Ok(None) => bail!("the sources stopped before {what}"),
                Err(_) => bail!(
                    "no {what} within {limit:?}; last updates: {:#?}",
                    &self.log[self.log.len().saturating_sub(4)..]
                ),
            }
        }
        Ok(())
    }

    pub fn status(&self, s: SourceId) -> &SourceStatus {
        self.board.source_status(s)
    }

    pub async fn until_live(&mut self, s: SourceId, limit: Duration) -> Result<()> {
        self.until(&format!("{s} live"), limit, |b| b.source_status(s).is_live()).await
    }

    pub async fn until_stale(&mut self, s: SourceId, limit: Duration) -> Result<()> {
        self.until(&format!("{s} stale"), limit, |b| b.source_status(s).is_stale()).await
    }

    /// Index of the next update to be logged (to count what came after a point).
    pub fn mark(&self) -> usize {
        self.log.len()
    }

    /// The updates of a source since a mark.
    pub fn since(&self, mark: usize, s: SourceId) -> Vec<&SourceUpdate> {
        self.log[mark..].iter().filter(|u| u.source == s).collect()
    }
}

impl Running {
    /// Take updates in until `n` more of source `s` arrived.
    pub async fn until_updates(&mut self, s: SourceId, n: usize, limit: Duration) -> Result<()> {
        let start = self.mark();
        let deadline = Instant::now() + limit;
        while self.since(start, s).len() < n {
            match tokio::time::timeout_at(deadline.into(), self.rx.recv()).await {
                Ok(Some(u)) => {
                    self.board.ingest(u.clone());
                    self.log.push(u);
                }
                Ok(None) => bail!("the sources stopped"),
                Err(_) => bail!("fewer than {n} updates of {s} within {limit:?}"),
            }
        }
        Ok(())
    }
}

/// Kubernetes objects as the tests and the bench seed them into kmock.
pub mod kube_objects {
    use serde_json::{Value, json};

    pub fn deployment(ns: &str, name: &str, replicas: u32, ready: u32) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "main", "image": "agentos:1",
                                      "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                                                    "limits": {"cpu": "1", "memory": "1Gi"}}}]}}},
            "status": {"replicas": replicas, "readyReplicas": ready, "updatedReplicas": replicas,
                       "availableReplicas": ready, "observedGeneration": 1},
        })
    }

    /// A pod of `app` (500m / 512Mi requested); `trouble` = (restarts, waiting reason,
    /// last termination reason) makes it not ready.
    pub fn pod(ns: &str, app: &str, name: &str, trouble: Option<(u32, &str, &str)>) -> Value {
        let ready = trouble.is_none();
        let (restarts, waiting, last) = trouble.unwrap_or((0, "", ""));
        let mut status = json!({"name": "main", "ready": ready, "restartCount": restarts,
                                "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}});
        if !ready {
            status["state"] = json!({"waiting": {"reason": waiting}});
            status["lastState"] = json!({"terminated": {"reason": last, "exitCode": 137}});
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
            "spec": {"containers": [{"name": "main", "image": "agentos:1",
                "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                       "containerStatuses": [status]},
        })
    }

    /// PodMetrics as metrics-server serves them: with the pod's labels.
    pub fn pod_metrics(ns: &str, app: &str, name: &str, cpu: &str, memory: &str) -> Value {
        json!({"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
               "metadata": {"name": name, "namespace": ns, "labels": {"app": app}}, "timestamp": "2025-01-01T00:00:00Z", "window": "30s",
               "containers": [{"name": "main", "usage": {"cpu": cpu, "memory": memory}}]})
    }

    pub fn hpa(ns: &str, name: &str, target: &str, min: u32, max: u32, current: u32) -> Value {
        json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                     "minReplicas": min, "maxReplicas": max,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                  "target": {"type": "Utilization", "averageUtilization": 70}}}],
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300,
                                  "policies": [{"type": "Percent", "value": 50, "periodSeconds": 120}]}}},
            "status": {"currentReplicas": current, "desiredReplicas": current, "lastScaleTime": "2025-01-01T00:00:00Z",
                       "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 64}}}],
                       "conditions": [
                           {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "ok"},
                           {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound", "message": "ok"},
                           {"type": "ScalingLimited", "status": "False", "reason": "DesiredWithinRange", "message": "ok"}]},
        })
    }

    pub fn event(ns: &str, name: &str, kind: &str, object: &str, reason: &str, message: &str, warning: bool) -> Value {
        json!({"apiVersion": "v1", "kind": "Event",
               "metadata": {"name": name, "namespace": ns},
               "involvedObject": {"kind": kind, "name": object, "namespace": ns},
               "reason": reason, "message": message, "type": if warning { "Warning" } else { "Normal" },
               "lastTimestamp": "2025-01-01T00:00:00Z", "count": 1})
    }
}
