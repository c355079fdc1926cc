//! The Kubernetes events the simulator emits (rescales, readiness, OOMKilled, annotations).

use crate::model::state::KubeEvent;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq)]
pub struct EventLog {
    cap: usize,
    items: VecDeque<KubeEvent>,
    /// Every event ever pushed, also those rotated out.
    pub total: u64,
}

impl EventLog {
    pub fn new(cap: usize) -> Self {
        EventLog { cap: cap.max(1), items: VecDeque::with_capacity(cap.max(1)), total: 0 }
    }

    pub fn push(&mut self, at: f64, object: String, reason: &str, message: String, warning: bool) {
        if self.items.len() == self.cap {
            self.items.pop_front();
        }
        self.items.push_back(KubeEvent { at, object, reason: reason.to_string(), message, warning });
        self.total += 1;
    }

    pub fn normal(&mut self, at: f64, object: String, reason: &str, message: String) {
        self.push(at, object, reason, message, false);
    }

    pub fn warning(&mut self, at: f64, object: String, reason: &str, message: String) {
        self.push(at, object, reason, message, true);
    }

    /// The newest `n`, oldest first.
    pub fn recent(&self, n: usize) -> Vec<KubeEvent> {
        let skip = self.items.len().saturating_sub(n);
        self.items.iter().skip(skip).cloned().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &KubeEvent> {
        self.items.iter()
    }
}
