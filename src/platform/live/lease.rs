//! The action lock: a coordination.k8s.io/v1 Lease with the holder, acquire and renew times
//! and the duration, written with optimistic concurrency (a write at a stale
//! resourceVersion fails with 409, so two cockpits can never both take it). A lease whose
//! renew time plus duration has passed is free to take over.

use super::errors;
use super::kube_ops::KubeOps;
use crate::live::Clock;
use crate::platform::{ErrorKind, LockHolder, LockOutcome, PResult, PlatformError};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::Api;
use kube::api::PostParams;
use std::collections::BTreeMap;
use std::time::Duration;

/// The annotation naming the action the holder runs.
pub const ACTION_KEY: &str = "cockpit.agentos.io/action";

fn now() -> MicroTime {
    MicroTime(jiff::Timestamp::now())
}

fn secs(ttl: Duration) -> i32 {
    i32::try_from(ttl.as_secs().max(1)).unwrap_or(i32::MAX)
}

/// Who the Lease names as its holder, expired or not.
pub fn holder_of(l: &Lease, clock: &Clock) -> Option<LockHolder> {
    let spec = l.spec.as_ref()?;
    let holder = spec.holder_identity.clone().filter(|h| !h.is_empty())?;
    let at = |t: &Option<MicroTime>| t.as_ref().map(|t| clock.from_timestamp(&t.0));
    let renewed = at(&spec.renew_time).or(at(&spec.acquire_time)).unwrap_or(f64::NEG_INFINITY);
    Some(LockHolder {
        holder,
        since: at(&spec.acquire_time).unwrap_or(renewed),
        renewed,
        action: l.metadata.annotations.as_ref().and_then(|a| a.get(ACTION_KEY)).cloned().unwrap_or_default(),
        since_wall: spec.acquire_time.as_ref().or(spec.renew_time.as_ref()).map(|t| t.0),
    })
}

/// The holder, if it holds the Lease now (renewed within its duration).
pub fn live_holder(l: &Lease, clock: &Clock) -> Option<LockHolder> {
    let h = holder_of(l, clock)?;
    let duration = l.spec.as_ref().and_then(|s| s.lease_duration_seconds).unwrap_or(0);
    (clock.now() < h.renewed + f64::from(duration)).then_some(h)
}

/// The lock as the dashboard shows it, from the Lease (or its absence).
pub fn view(l: Option<&Lease>, clock: &Clock) -> crate::model::lease::LeaseView {
    use crate::model::lease::LeaseView;
    match l.and_then(|l| live_holder(l, clock)) {
        Some(h) => LeaseView::Held(h.into()),
        None => LeaseView::Free,
    }
}

impl KubeOps {
    fn leases(&self) -> Api<Lease> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    fn holder_of(&self, l: &Lease) -> Option<LockHolder> {
        holder_of(l, &self.clock)
    }

    /// Held by someone and not expired.
    fn live_holder(&self, l: &Lease) -> Option<LockHolder> {
        live_holder(l, &self.clock)
    }

    pub async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
        let name = self.cfg.lease_name.clone();
        let api = self.leases();
        let ctx = format!("lease {name}");
        let current = api.get_opt(&name).await.map_err(|e| errors::kube(&ctx, &e))?;
        let annotations = BTreeMap::from([(ACTION_KEY.to_string(), action.to_string())]);
        let write = match current {
            None => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        annotations: Some(annotations),
                        ..ObjectMeta::default()
                    },
                    spec: Some(LeaseSpec {
                        holder_identity: Some(holder.to_string()),
                        acquire_time: Some(now()),
                        renew_time: Some(now()),
                        lease_duration_seconds: Some(secs(ttl)),
                        lease_transitions: Some(0),
                        ..LeaseSpec::default()
                    }),
                };
                api.create(&PostParams::default(), &lease).await
            }
            Some(l) => {
                if let Some(h) = self.live_holder(&l).filter(|h| h.holder != holder) {
                    return Ok(LockOutcome::HeldBy(h));
                }
                let mut l = l;
                let mut spec = l.spec.clone().unwrap_or_default();
                if spec.holder_identity.as_deref() != Some(holder) {
                    spec.acquire_time = Some(now());
                    spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
                }
                spec.holder_identity = Some(holder.to_string());
                spec.renew_time = Some(now());
                spec.lease_duration_seconds = Some(secs(ttl));
                l.spec = Some(spec);
                l.metadata.annotations.get_or_insert_with(BTreeMap::new).extend(annotations);
                api.replace(&name, &PostParams::default(), &l).await
            }
        };
        match write {
            Ok(_) => Ok(LockOutcome::Acquired),
            // Someone else wrote it first: say who holds it now.
            Err(kube::Error::Api(s)) if s.code == 409 => {
                let l = api.get(&name).await.map_err(|e| errors::kube(&ctx, &e))?;
                match self.holder_of(&l) {
                    Some(h) if h.holder != holder => Ok(LockOutcome::HeldBy(h)),
                    _ => Err(PlatformError::new(
                        ErrorKind::Conflict,
                        format!("{ctx}: changed while it was taken; try again"),
                    )),
                }
            }
            Err(e) => Err(errors::kube(&ctx, &e)),
        }
    }

    async fn mine(&self, holder: &str) -> PResult<Option<Lease>> {
        let name = &self.cfg.lease_name;
        let l = self.leases().get_opt(name).await.map_err(|e| errors::kube(&format!("lease {name}"), &e))?;
        match l {
            None => Ok(None),
            Some(l) => match self.holder_of(&l) {
                Some(h) if h.holder != holder => Err(PlatformError::new(
                    ErrorKind::Conflict,
                    format!("the action lock is held by {} ({})", h.holder, h.action),
                )),
                _ => Ok(Some(l)),
            },
        }
    }

    pub async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
        let name = self.cfg.lease_name.clone();
        let Some(mut l) = self.mine(holder).await? else {
            return Err(PlatformError::new(ErrorKind::NotFound, format!("lease {name} is gone: the lock was lost")));
        };
        let spec = l.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.as_deref() != Some(holder) {
            return Err(PlatformError::new(ErrorKind::Conflict, format!("lease {name}: the lock was released")));
        }
        spec.renew_time = Some(now());
        spec.lease_duration_seconds = Some(secs(ttl));
        self.leases()
            .replace(&name, &PostParams::default(), &l)
            .await
            .map_err(|e| errors::kube(&format!("renew lease {name}"), &e))?;
        Ok(())
    }

    pub async fn release_lock(&self, holder: &str) -> PResult<()> {
        let name = self.cfg.lease_name.clone();
        let Some(mut l) = self.mine(holder).await? else { return Ok(()) };
        let spec = l.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.is_none() {
            return Ok(());
        }
        spec.holder_identity = None;
        if let Some(a) = l.metadata.annotations.as_mut() {
            a.remove(ACTION_KEY);
        }
        self.leases()
            .replace(&name, &PostParams::default(), &l)
            .await
            .map_err(|e| errors::kube(&format!("release lease {name}"), &e))?;
        Ok(())
    }
}
