//! The action lock: an in-memory lease on the simulated clock, kept with the simulated cluster
//! (like a Kubernetes Lease), so every `SimPlatform` over the same simulator sees the same one.

use super::engine::Simulator;
use crate::platform::{ErrorKind, LockHolder, LockOutcome, PResult, PlatformError};

#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub holder: LockHolder,
    /// Seconds after the last renewal that the lease expires.
    pub ttl: f64,
}

impl Lease {
    fn live(&self, now: f64) -> bool {
        now < self.holder.renewed + self.ttl
    }
}

impl Simulator {
    /// Take the lock unless someone else holds a live lease. Taking it again renews it.
    pub fn acquire_lock(&mut self, holder: &str, action: &str, ttl_secs: f64) -> LockOutcome {
        let now = self.time();
        let since = match &self.lease {
            Some(l) if l.live(now) && l.holder.holder != holder => return LockOutcome::HeldBy(l.holder.clone()),
            Some(l) if l.live(now) => l.holder.since,
            _ => now,
        };
        let holder = LockHolder {
            holder: holder.to_string(),
            since,
            renewed: now,
            action: action.to_string(),
            since_wall: None,
        };
        self.lease = Some(Lease { holder, ttl: ttl_secs.max(0.0) });
        LockOutcome::Acquired
    }

    /// Renew the lock: only its holder may, and only while nobody else has taken it.
    pub fn renew_lock(&mut self, holder: &str, ttl_secs: f64) -> PResult<()> {
        let now = self.time();
        match &mut self.lease {
            Some(l) if l.holder.holder == holder => {
                l.holder.renewed = now;
                l.ttl = ttl_secs.max(0.0);
                Ok(())
            }
            Some(l) => Err(PlatformError::new(
                ErrorKind::Conflict,
                format!(
                    "the lock is held by {} ({}) since {}",
                    l.holder.holder,
                    l.holder.action,
                    l.holder.since_text()
                ),
            )),
            None => Err(PlatformError::new(ErrorKind::Conflict, format!("{holder} does not hold the lock"))),
        }
    }

    /// Release the lock. Releasing a lock nobody holds is fine; someone else's live one is not.
    pub fn release_lock(&mut self, holder: &str) -> PResult<()> {
        let now = self.time();
        match &self.lease {
            Some(l) if l.holder.holder == holder => {
                self.lease = None;
                Ok(())
            }
            Some(l) if l.live(now) => Err(PlatformError::new(
                ErrorKind::Conflict,
                format!("the lock is held by {}, not {holder}", l.holder.holder),
            )),
            _ => Ok(()),
        }
    }

    /// The current holder, if the lease is live.
    pub fn lock_holder(&self) -> Option<LockHolder> {
        self.lease.as_ref().filter(|l| l.live(self.time())).map(|l| l.holder.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::lease::LeaseView;
    use crate::sim::{Scenario, SimSettings, Simulator};

    #[test]
    fn the_dashboard_sees_the_lock_while_it_is_held_and_free_once_it_expires() {
        let mut sim = Simulator::new(Scenario::Baseline, 1, SimSettings::default());
        assert_eq!(sim.kube_state().lease, LeaseView::Free);
        sim.acquire_lock("ana@bastion · action 1-scale-api", "scale-api", 30.0);
        sim.advance(10.0);
        match sim.kube_state().lease {
            LeaseView::Held(h) => assert_eq!((h.who(), h.action.as_str(), h.since), ("ana@bastion", "scale-api", 0.0)),
            other => panic!("{other:?}"),
        }
        sim.advance(30.0);
        assert_eq!(sim.kube_state().lease, LeaseView::Free, "not renewed within its ttl");
    }
}
