//! The Kubernetes source: watches (kube-runtime watchers, folded into compact state) of the
//! deployments, the HPAs, the pods of both deployments and the events of the namespace; pod
//! metrics read every `metrics_refresh_secs` (15 s by default, never more often than the refresh). It sends the folded state at every refresh, or an
//! `Err` while a watch or the API server fails.
//!
//! Load on the API server in steady state: one open WATCH per kind (renewed every ~5 min,
//! resumed from its resourceVersion), and every `metrics_refresh_secs` one LIST of
//! metrics.k8s.io PodMetrics per workload, which cannot be watched. A LIST of a watched kind happens at the start and
//! only again when a watch expires (410 Gone).

pub mod fold;
pub mod metrics;
pub mod once;
pub mod slim;
pub mod state;
pub mod watch;

use self::slim::SlimPod;
use self::state::{Shared, index};
use crate::config::sources::KubeConfig;
use crate::live::Clock;
use crate::live::kube::KubeTarget;
use crate::model::state::Workload;
use crate::model::{FailureKind, SourceData, SourceFailure, SourceId, SourceUpdate};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Event as KEvent;
use kube::Api;
use kube::runtime::watcher::{self, Event};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// The watch of the guided actions' Lease (one object, by name). It is not among the streams
/// whose failure fails the source.
const LEASE_STREAM: &str = "leases";

/// Reads of metrics.k8s.io made by this process (they are polls, not watches).
pub static METRICS_POLLS: AtomicU64 = AtomicU64::new(0);

/// The watcher's settings: bookmarks on (the default), pages of 500 on a list.
fn watch_config() -> watcher::Config {
    watcher::Config::default().page_size(500)
}

struct PodWatch {
    selector: String,
    task: JoinHandle<()>,
}

pub struct KubeSource {
    target: KubeTarget,
    cfg: KubeConfig,
    refresh: Duration,
    clock: Clock,
    shared: Shared,
    listed: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
    pods: [Option<PodWatch>; 2],
    metrics: MetricsPace,
}

/// When pod metrics are read next, and the last failure while backing off.
struct MetricsPace {
    due: Instant,
    failure: Option<SourceFailure>,
    backoff: crate::sources::backoff::Backoff,
}

impl Drop for KubeSource {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for p in self.pods.iter().flatten() {
            p.task.abort();
        }
    }
}

impl KubeSource {
    pub fn new(target: KubeTarget, cfg: KubeConfig, refresh: Duration, clock: Clock) -> KubeSource {
        KubeSource {
            target,
            cfg,
            refresh,
            clock,
            shared: Shared::default(),
            listed: Arc::new(Notify::new()),
            tasks: Vec::new(),
            pods: [None, None],
            metrics: MetricsPace {
                due: Instant::now(),
                failure: None,
                backoff: crate::sources::backoff::Backoff::new(refresh),
            },
        }
    }

    fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.target.client.clone(), &self.target.namespace)
    }

    fn start_watches(&mut self) {
        let (shared, refresh, listed) = (self.shared.clone(), self.refresh, self.listed.clone());
        let clock = self.clock;
        self.tasks.push(watch::spawn(
            "deployments".into(),
            self.api::<Deployment>(),
            watch_config(),
            shared.clone(),
            refresh,
            listed.clone(),
            {
                let mut relist = Relist::default();
                move |f, ev| match ev {
                    Event::Apply(d) | Event::InitApply(d) => {
                        let (state, selector) = fold::deployment(&d);
                        relist.saw(&state.name);
                        f.deployments.insert(state.name.clone(), (state, selector));
                    }
                    Event::Delete(d) => {
                        f.deployments.remove(d.metadata.name.as_deref().unwrap_or(""));
                    }
                    Event::Init => relist.start(),
                    Event::InitDone => relist.finish(|keep| f.deployments.retain(|k, _| keep(k))),
                }
            },
        ));
        self.tasks.push(watch::spawn(
            "horizontalpodautoscalers".into(),
            self.api::<HorizontalPodAutoscaler>(),
            watch_config(),
            shared.clone(),
            refresh,
            listed.clone(),
            {
                let mut relist = Relist::default();
                move |f, ev| match ev {
                    Event::Apply(h) | Event::InitApply(h) => {
                        let state = fold::hpa(&h, &clock);
                        relist.saw(&state.name);
                        f.hpas.insert(state.name.clone(), state);
                    }
                    Event::Delete(h) => {
                        f.hpas.remove(h.metadata.name.as_deref().unwrap_or(""));
                    }
                    Event::Init => relist.start(),
                    Event::InitDone => relist.finish(|keep| f.hpas.retain(|k, _| keep(k))),
                }
            },
        ));
        self.tasks.push(watch::spawn(
            LEASE_STREAM.into(),
            self.api::<Lease>(),
            watch_config().fields(&format!("metadata.name={}", self.cfg.lease_name)),
            shared.clone(),
            refresh,
            listed.clone(),
            {
                let name = self.cfg.lease_name.clone();
                // As with the other kinds, a relist keeps the last state until it is complete.
                let mut relist = Relist::default();
                move |f, ev| match ev {
                    Event::Apply(l) | Event::InitApply(l) if l.metadata.name.as_deref() == Some(&name) => {
                        relist.saw(&name);
                        f.lease = Some(l);
                    }
                    Event::Delete(_) => f.lease = None,
                    Event::Init => relist.start(),
                    Event::InitDone => relist.finish(|keep| {
                        if !keep(&name) {
                            f.lease = None
                        }
                    }),
                    _ => {}
                }
            },
        ));
        let deployments = [self.cfg.api_deployment.clone(), self.cfg.worker_deployment.clone()];
        let hpas = [self.cfg.api_hpa.clone(), self.cfg.worker_hpa.clone()];
        let mut relist = Relist::default();
        self.tasks.push(watch::spawn(
            "events".into(),
            self.api::<KEvent>(),
            watch_config(),
            shared,
            refresh,
            listed,
            move |f, ev| {
                let d: Vec<&str> = deployments.iter().map(String::as_str).collect();
                let h: Vec<&str> = hpas.iter().map(String::as_str).collect();
                match ev {
                    Event::Apply(e) | Event::InitApply(e) if fold::relevant(&e, &d, &h) => {
                        let name = e.metadata.name.clone().unwrap_or_default();
                        relist.saw(&name);
                        f.put_event(name, fold::event(&e, &clock));
                    }
                    Event::Delete(e) => {
                        let name = e.metadata.name.clone().unwrap_or_default();
                        f.events.retain(|(n, _)| *n != name);
                    }
                    Event::Init => relist.start(),
                    Event::InitDone => relist.finish(|keep| f.events.retain(|(n, _)| keep(n))),
                    _ => {}
                }
            },
        ));
    }

    /// Start, or restart on a new selector, the pod watch of each workload whose deployment
    /// is known; stop it when the deployment is gone.
    fn sync_pod_watches(&mut self) {
        for w in Workload::BOTH {
            let i = index(w);
            let selector = self.shared.lock().folded.selector(&self.cfg, w);
            if self.pods[i].as_ref().map(|p| &p.selector) == selector.as_ref() {
                continue;
            }
            if let Some(old) = self.pods[i].take() {
                old.task.abort();
                let name = stream_name(w);
                let mut g = self.shared.lock();
                g.folded.pods[i].clear();
                g.health.remove(&name);
                g.ready_once.remove(&name);
            }
            let Some(selector) = selector else { continue };
            let config = watch_config().labels(&selector);
            let task = watch::spawn(
                stream_name(w),
                self.api::<SlimPod>(),
                config,
                self.shared.clone(),
                self.refresh,
                self.listed.clone(),
                {
                    let mut relist = Relist::default();
                    move |f, ev| {
                        let pods = &mut f.pods[i];
                        match ev {
                            Event::Apply(p) | Event::InitApply(p) => {
                                if let Some(name) = p.metadata.name {
                                    relist.saw(&name);
                                    pods.insert(name.into_boxed_str(), p.record);
                                }
                            }
                            Event::Delete(p) => {
                                pods.remove(p.metadata.name.as_deref().unwrap_or(""));
                            }
                            Event::Init => relist.start(),
                            Event::InitDone => {
                                relist.finish(|keep| pods.retain(|k, _| keep(k)));
                                pods.shrink_to_fit();
                            }
                        }
                    }
                },
            );
            self.pods[i] = Some(PodWatch { selector, task });
        }
    }

    fn streams(&self) -> Vec<String> {
        let mut s: Vec<String> = ["deployments", "horizontalpodautoscalers", "events"].map(String::from).to_vec();
        for w in Workload::BOTH {
            if self.pods[index(w)].is_some() {
                s.push(stream_name(w));
            }
        }
        s
    }

    /// Read pod metrics for each workload with pods; a failure that says the API server
    /// cannot be reached (or refuses us) fails the refresh.
    /// Read pod metrics when due; after a failure, back off (throttling backs off longest)
    /// and keep reporting that failure until a read succeeds.
    async fn read_metrics(&mut self) -> Result<(), SourceFailure> {
        let now = Instant::now();
        if now < self.metrics.due {
            return self.metrics.failure.clone().map_or(Ok(()), Err);
        }
        let every = self.refresh.max(Duration::from_secs_f64(self.cfg.metrics_refresh_secs.clamp(0.1, 3600.0)));
        match self.read_metrics_now().await {
            Ok(()) => {
                self.metrics.backoff.reset();
                self.metrics.failure = None;
                self.metrics.due = now + every;
                Ok(())
            }
            Err(f) => {
                self.metrics.due = Instant::now() + self.metrics.backoff.next_delay(f.kind);
                self.metrics.failure = Some(f.clone());
                Err(f)
            }
        }
    }

    async fn read_metrics_now(&self) -> Result<(), SourceFailure> {
        for w in Workload::BOTH {
            let Some(selector) = self.pods[index(w)].as_ref().map(|p| p.selector.clone()) else { continue };
            METRICS_POLLS.fetch_add(1, Ordering::Relaxed);
            let read = tokio::time::timeout(
                self.refresh.max(Duration::from_secs(2)),
                metrics::read(&self.target.client, &self.target.namespace, &selector),
            )
            .await;
            let found = match read {
                Ok(Ok(found)) => found,
                Ok(Err(f)) if stops_source(&f) => return Err(f),
                Ok(Err(f)) => {
                    tracing::debug!("pod metrics not read: {f}");
                    None
                }
                Err(_) => {
                    return Err(SourceFailure::new(
                        FailureKind::Timeout,
                        "kubernetes: metrics.k8s.io did not answer in time",
                    ));
                }
            };
            let mut g = self.shared.lock();
            let usage = found.and_then(|m| metrics::usage(&m, &g.folded.pods[index(w)]));
            g.folded.usage[index(w)] = usage;
        }
        Ok(())
    }

    /// Run until the receiver is gone.
    pub async fn run(mut self, tx: mpsc::Sender<SourceUpdate>) {
        self.start_watches();
        let mut tick = tokio::time::interval(self.refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut sent_once = false;
        loop {
            let on_tick = tokio::select! {
                _ = tick.tick() => true,
                _ = self.listed.notified() => false,
            };
            self.sync_pod_watches();
            let streams = self.streams();
            let result = match self.shared.health_of(&streams) {
                Err(f) => Err(f),
                // Wait for every first list before the first update; then only on ticks.
                Ok(all_listed) if !all_listed || (sent_once && !on_tick) => continue,
                Ok(_) => match self.read_metrics().await {
                    Err(f) => Err(f),
                    // A watch may have failed meanwhile.
                    Ok(()) => match self.shared.health_of(&streams) {
                        Err(f) => Err(f),
                        Ok(_) => {
                            let mut state = self.shared.lock().folded.state(&self.cfg);
                            state.lease = self.shared.lease_view(LEASE_STREAM, &self.cfg.lease_name, &self.clock);
                            Ok(SourceData::Kube(state))
                        }
                    },
                },
            };
            if result.is_err() && !on_tick {
                continue;
            }
            sent_once |= result.is_ok();
            if tx.send(SourceUpdate { source: SourceId::Kube, at: self.clock.now(), result }).await.is_err() {
                return;
            }
        }
    }
}

/// A (re)list in progress: the objects keep their last state until the list is complete,
/// then those it did not name are dropped, so that no refresh ever shows half a list.
#[derive(Default)]
struct Relist {
    seen: Option<std::collections::HashSet<String>>,
}

impl Relist {
    fn start(&mut self) {
        self.seen = Some(Default::default());
    }

    fn saw(&mut self, name: &str) {
        if let Some(seen) = self.seen.as_mut() {
            seen.insert(name.to_string());
        }
    }

    fn finish(&mut self, retain: impl FnOnce(&dyn Fn(&str) -> bool)) {
        if let Some(seen) = self.seen.take() {
            retain(&|k: &str| seen.contains(k));
        }
    }
}

fn stream_name(w: Workload) -> String {
    match w {
        Workload::Api => "pods/api".into(),
        Workload::Workers => "pods/workers".into(),
    }
}

/// Metrics failures that mean the API server is out of reach or refuses our credentials;
/// others (403 on metrics only, a 500 from the metrics adapter) leave usage unknown.
fn stops_source(f: &SourceFailure) -> bool {
    matches!(
        f.kind,
        FailureKind::Refused
            | FailureKind::Timeout
            | FailureKind::NameResolution
            | FailureKind::Authentication
            | FailureKind::Throttled
    )
}

#[cfg(test)]
mod tests {
    use super::Relist;
    use std::collections::HashMap;

    #[test]
    fn a_relist_keeps_the_old_state_until_it_is_complete_then_drops_the_unnamed() {
        let mut map: HashMap<String, u32> = [("a".to_string(), 1), ("b".to_string(), 2)].into_iter().collect();
        let mut relist = Relist::default();
        relist.saw("a"); // outside a relist: nothing recorded
        relist.start();
        relist.saw("a");
        map.insert("a".into(), 10);
        assert_eq!(map.len(), 2, "b is kept while the list is under way");
        relist.finish(|keep| map.retain(|k, _| keep(k)));
        assert_eq!(map, [("a".to_string(), 10)].into_iter().collect());
        relist.finish(|keep| map.retain(|k, _| keep(k)));
        assert_eq!(map.len(), 1, "finishing twice changes nothing");
    }
}
