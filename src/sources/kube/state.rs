//! What the Kubernetes source knows, folded from its watch streams, and the health of each
//! stream.

use super::slim::{PodRecord, summarize};
use crate::config::sources::KubeConfig;
use crate::model::SourceFailure;
use crate::model::lease::LeaseView;
use crate::model::state::{DeploymentState, HpaState, KubeEvent, KubeState, Usage, Workload, WorkloadState};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Why the Lease could not be read, with what would let it be read.
pub fn lease_reason(f: &SourceFailure, lease_name: &str) -> String {
    match f.kind {
        crate::model::FailureKind::Permission => format!(
            "may not read Lease {lease_name}: the cockpit-read Role needs get, list and watch on \
             coordination.k8s.io leases (deploy/role-read.yaml; `cockpit check` lists what is missing)"
        ),
        _ => format!("Lease {lease_name} not read: {f}"),
    }
}

/// Events kept, newest last.
pub const EVENTS_KEPT: usize = 50;

pub fn index(w: Workload) -> usize {
    match w {
        Workload::Api => 0,
        Workload::Workers => 1,
    }
}

/// The folded objects.
#[derive(Debug, Default)]
pub struct Folded {
    /// By name: the state and the pods' label selector.
    pub deployments: HashMap<String, (DeploymentState, String)>,
    pub hpas: HashMap<String, HpaState>,
    /// Per workload (see [`index`]): the compact pod records by pod name.
    pub pods: [HashMap<Box<str>, PodRecord>; 2],
    /// (event name, event), oldest first.
    pub events: VecDeque<(String, KubeEvent)>,
    pub usage: [Option<Usage>; 2],
    /// The guided actions' Lease, when it exists.
    pub lease: Option<k8s_openapi::api::coordination::v1::Lease>,
}

impl Folded {
    pub fn put_event(&mut self, name: String, e: KubeEvent) {
        self.events.retain(|(n, _)| *n != name);
        let at = self.events.iter().position(|(_, old)| old.at > e.at).unwrap_or(self.events.len());
        self.events.insert(at, (name, e));
        while self.events.len() > EVENTS_KEPT {
            self.events.pop_front();
        }
    }

    /// The state the panes show.
    pub fn state(&self, cfg: &KubeConfig) -> KubeState {
        let workload = |w: Workload| {
            let (dep, hpa) = (cfg.deployment(w), cfg.hpa(w));
            WorkloadState {
                deployment: self.deployments.get(dep).map(|(d, _)| d.clone()),
                hpa: self.hpas.get(hpa).cloned(),
                pods: summarize(&self.pods[index(w)]),
                usage: self.usage[index(w)],
            }
        };
        KubeState {
            api: workload(Workload::Api),
            workers: workload(Workload::Workers),
            events: self.events.iter().map(|(_, e)| e.clone()).collect(),
            lease: crate::model::lease::LeaseView::NotRead,
        }
    }

    /// The pods' selector of a workload's deployment, when it is known.
    pub fn selector(&self, cfg: &KubeConfig, w: Workload) -> Option<String> {
        self.deployments.get(cfg.deployment(w)).map(|(_, s)| s.clone()).filter(|s| !s.is_empty())
    }
}

/// The state of one watch stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Health {
    /// Listing (at the start, or again after the watch expired with 410 Gone).
    Listing,
    Ready,
    /// The last request failed; retried after a backoff.
    Failed(SourceFailure),
    /// Retrying after a failure; no new error yet.
    Retrying,
}

#[derive(Debug, Default)]
pub struct Inner {
    pub folded: Folded,
    pub health: BTreeMap<String, Health>,
    /// Streams that have completed their first list.
    pub ready_once: BTreeSet<String>,
}

/// The state shared by the watch tasks and the source's loop (short critical sections only).
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The guided actions' lock as read by the stream `name`: its holder, free, not read yet,
    /// or why it is not known. The lock's stream never fails the source: a cockpit that may not
    /// read Leases still shows everything else.
    pub fn lease_view(&self, name: &str, lease_name: &str, clock: &crate::live::Clock) -> LeaseView {
        let g = self.lock();
        match g.health.get(name) {
            Some(Health::Failed(f)) => LeaseView::Unknown { reason: lease_reason(f, lease_name) },
            _ if !g.ready_once.contains(name) => LeaseView::NotRead,
            _ => crate::platform::live::lease::view(g.folded.lease.as_ref(), clock),
        }
    }

    /// The first failure among these streams, or whether all have listed once.
    pub fn health_of(&self, streams: &[String]) -> Result<bool, SourceFailure> {
        let g = self.lock();
        for s in streams {
            if let Some(Health::Failed(f)) = g.health.get(s) {
                return Err(f.clone());
            }
        }
        Ok(streams.iter().all(|s| g.ready_once.contains(s)))
    }
}
