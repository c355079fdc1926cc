//! Peers that die for a while, and load added on the fly: what a drill's facilitator injects
//! (`inject …` at the drill's prompt, or the facilitator's menu of `cockpit drill --host`).
//! While a peer is down its pane goes stale with the error a real cockpit would see, and every
//! operation of the guided actions on it fails as unavailable. Nothing here is used by
//! `cockpit demo`, whose runs are unchanged.

use super::engine::Simulator;
use super::overlay::Burst;
use crate::model::{FailureKind, SourceFailure, SourceId, SourceUpdate};
use crate::platform::{ErrorKind, PlatformError};

/// A peer of the cockpit that can die.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    Kubernetes,
    Redis,
    Postgres,
}

impl Peer {
    pub const ALL: [Peer; 3] = [Peer::Kubernetes, Peer::Redis, Peer::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Peer::Kubernetes => "kubernetes",
            Peer::Redis => "redis",
            Peer::Postgres => "postgres",
        }
    }

    /// What it is, in words.
    pub fn label(self) -> &'static str {
        match self {
            Peer::Kubernetes => "the Kubernetes API server",
            Peer::Redis => "the queue's Redis",
            Peer::Postgres => "PostgreSQL",
        }
    }

    pub fn parse(s: &str) -> Option<Peer> {
        match s {
            "kubernetes" | "kube" | "k8s" | "api-server" => Some(Peer::Kubernetes),
            "redis" | "queue" => Some(Peer::Redis),
            "postgres" | "postgresql" | "pg" | "database" | "db" => Some(Peer::Postgres),
            _ => None,
        }
    }

    fn source(self) -> SourceId {
        match self {
            Peer::Kubernetes => SourceId::Kube,
            Peer::Redis => SourceId::Redis,
            Peer::Postgres => SourceId::Postgres,
        }
    }

    /// What a cockpit reading it sees: as from a live peer that refuses connections.
    fn failure(self) -> SourceFailure {
        let text = match self {
            Peer::Kubernetes => "kubernetes watch: Connection refused (os error 111)",
            Peer::Redis => "redis: Connection refused (os error 111)",
            Peer::Postgres => "postgres: Connection refused (os error 111)",
        };
        SourceFailure::new(FailureKind::Refused, text)
    }

    /// The platform operations (the `Platform` trait's method names) that need this peer.
    fn serves(self, op: &str) -> bool {
        match self {
            Peer::Kubernetes => matches!(
                op,
                "deployment"
                    | "scale"
                    | "annotate"
                    | "set_limits"
                    | "pods"
                    | "pod_health"
                    | "usage"
                    | "hpa"
                    | "replace_hpa"
                    | "acquire_lock"
                    | "renew_lock"
                    | "release_lock"
            ),
            Peer::Redis => matches!(op, "queue_depth" | "in_flight" | "redis_cluster"),
            Peer::Postgres => matches!(op, "db_ping" | "db_max_connections"),
        }
    }
}

impl Simulator {
    /// `peer` dies now, for `secs` of simulated time (a peer already down stays down until the
    /// later of the two ends).
    pub fn kill_peer(&mut self, peer: Peer, secs: f64) {
        let until = self.time() + secs.max(0.0);
        match self.outages.iter_mut().find(|(p, _)| *p == peer) {
            Some((_, u)) => *u = u.max(until),
            None => self.outages.push((peer, until)),
        }
    }

    pub fn peer_down(&self, peer: Peer) -> bool {
        let now = self.time();
        self.outages.iter().any(|(p, until)| *p == peer && now < *until)
    }

    /// An operation of the guided actions on a dead peer fails as unavailable.
    pub fn check_peer(&self, op: &str) -> Result<(), PlatformError> {
        match Peer::ALL.into_iter().find(|p| p.serves(op) && self.peer_down(*p)) {
            Some(p) => Err(PlatformError::new(
                ErrorKind::Unavailable,
                format!("{op}: {} is not answering (connection refused)", p.label()),
            )),
            None => Ok(()),
        }
    }

    /// One update per source, as a cockpit watching the simulated platform receives them: the
    /// observation, or the failure of a dead peer.
    pub fn updates(&self) -> Vec<SourceUpdate> {
        let at = self.time();
        self.observe()
            .into_iter()
            .map(|d| {
                let source = d.source();
                let dead = Peer::ALL.into_iter().find(|p| p.source() == source && self.peer_down(*p));
                SourceUpdate { source, at, result: dead.map_or(Ok(d), |p| Err(p.failure())) }
            })
            .collect()
    }

    /// The API requests per second the users make now (without the drills' extra load).
    pub fn users_rps(&self) -> f64 {
        self.users * self.scenario.profile().rps_per_user
    }

    /// Extra load from now for `secs`: API requests and agent tasks per second.
    pub fn add_load(&mut self, requests_per_sec: f64, tasks_per_sec: f64, secs: f64) {
        let (from, to) = (self.time() + 1.0, self.time() + 1.0 + secs.max(0.0));
        if requests_per_sec > 0.0 {
            self.overlay.requests.push(Burst { from, to, per_sec: requests_per_sec });
        }
        if tasks_per_sec > 0.0 {
            self.overlay.tasks.push(Burst { from, to, per_sec: tasks_per_sec });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Scenario, SimSettings};

    #[test]
    fn a_dead_peer_fails_its_source_and_its_operations_until_it_comes_back() {
        let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
        sim.advance(10.0);
        assert!(sim.updates().iter().all(|u| u.result.is_ok()));
        sim.kill_peer(Peer::Redis, 60.0);
        let u = sim.updates();
        let redis = u.iter().find(|u| u.source == SourceId::Redis).expect("redis");
        assert_eq!(redis.result.as_ref().err().map(|f| f.kind), Some(FailureKind::Refused));
        assert!(u.iter().filter(|u| u.source != SourceId::Redis).all(|u| u.result.is_ok()), "the others live");
        assert!(sim.check_peer("queue_depth").is_err() && sim.check_peer("scale").is_ok());
        sim.advance(60.0);
        assert!(sim.updates().iter().all(|u| u.result.is_ok()) && sim.check_peer("queue_depth").is_ok());
    }

    #[test]
    fn added_load_raises_the_offered_requests_for_its_window_only() {
        let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
        sim.advance(200.0);
        let base = sim.users_rps();
        sim.add_load(base, 0.0, 30.0);
        assert_eq!(sim.overlay.requests_at(sim.time() + 1.0), base);
        assert_eq!(sim.overlay.requests_at(sim.time() + 31.0), 0.0);
    }
}
