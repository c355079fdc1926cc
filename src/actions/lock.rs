//! The action lock (a Kubernetes Lease on the live platform): taken before the first write,
//! renewed at safe points well before its TTL runs out, released at the end. A second cockpit
//! sees who holds it and since when.

use super::error::ActionError;
use crate::platform::{LockOutcome, Platform};
use std::time::Duration;

pub struct LockKeeper {
    pub holder: String,
    ttl: Duration,
    last: f64,
    held: bool,
}

impl LockKeeper {
    pub fn new(holder: String, ttl: Duration) -> Self {
        LockKeeper { holder, ttl: ttl.max(Duration::from_secs(3)), last: 0.0, held: false }
    }

    /// The holder's name: who, and which action (stable across a resume of the same action).
    pub fn holder_name(user: &str, action_id: &str) -> String {
        format!("{user} · action {action_id}")
    }

    pub fn held(&self) -> bool {
        self.held
    }

    pub async fn acquire(&mut self, p: &dyn Platform, action: &str) -> Result<(), ActionError> {
        match p.acquire_lock(&self.holder, action, self.ttl).await? {
            LockOutcome::Acquired => {
                self.held = true;
                self.last = p.now();
                Ok(())
            }
            // Our own lease from before a crash: it is ours to keep renewing.
            LockOutcome::HeldBy(h) if h.holder == self.holder => {
                p.renew_lock(&self.holder, self.ttl).await?;
                self.held = true;
                self.last = p.now();
                Ok(())
            }
            LockOutcome::HeldBy(h) => Err(ActionError::LockHeld(h)),
        }
    }

    /// Renew when a third of the TTL has passed. Ok(Some(note)) when a renewal failed but the
    /// lease is still valid (it is tried again at the next safe point).
    pub async fn keep(&mut self, p: &dyn Platform) -> Result<Option<String>, ActionError> {
        if !self.held {
            return Ok(None);
        }
        let now = p.now();
        let ttl = self.ttl.as_secs_f64();
        if now - self.last < ttl / 3.0 {
            return Ok(None);
        }
        match p.renew_lock(&self.holder, self.ttl).await {
            Ok(()) => {
                self.last = now;
                Ok(None)
            }
            Err(e) if e.is_transient() && now - self.last < ttl => {
                Ok(Some(format!("lock renewal failed, retrying: {e}")))
            }
            Err(e) => {
                self.held = false;
                Err(ActionError::LockLost(e.to_string()))
            }
        }
    }

    /// Give the lock back. Failure only delays the next action until the TTL runs out.
    pub async fn release(&mut self, p: &dyn Platform) -> Option<String> {
        if !self.held {
            return None;
        }
        self.held = false;
        match p.release_lock(&self.holder).await {
            Ok(()) => None,
            Err(e) => {
                Some(format!("could not release the lock ({e}); it expires by itself after {}s", self.ttl.as_secs()))
            }
        }
    }
}
