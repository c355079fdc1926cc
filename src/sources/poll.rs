//! The loop of a polled source (Redis, PostgreSQL, CloudWatch, RDS): refresh under a timeout,
//! send the result (an `Err` on every failed refresh, so the board shows the stale age and
//! the reason), wait the interval, or back off after a failure.

use super::backoff::Backoff;
use crate::live::Clock;
use crate::model::{FailureKind, SourceData, SourceFailure, SourceId, SourceUpdate};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One source that is read by polling.
pub trait Poller: Send + 'static {
    fn id(&self) -> SourceId;
    /// One refresh. Connections are made on demand and kept.
    fn refresh(&mut self) -> impl Future<Output = Result<SourceData, SourceFailure>> + Send;
    /// Forget the connections after a failure, so that the next refresh makes new ones.
    fn reset(&mut self);
}

/// One refresh under a timeout; a timeout is a failure like any other.
pub async fn refresh_once<P: Poller>(p: &mut P, timeout: Duration) -> Result<SourceData, SourceFailure> {
    match tokio::time::timeout(timeout, p.refresh()).await {
        Ok(Ok(data)) => Ok(data),
        Ok(Err(f)) => {
            p.reset();
            Err(f)
        }
        Err(_) => {
            p.reset();
            Err(SourceFailure::new(FailureKind::Timeout, format!("{}: no answer within {:.0?}", p.id(), timeout)))
        }
    }
}

/// Refresh every `every` until the receiver is gone.
pub async fn run<P: Poller>(
    mut p: P,
    every: Duration,
    timeout: Duration,
    clock: Clock,
    tx: mpsc::Sender<SourceUpdate>,
) {
    let mut backoff = Backoff::new(every);
    loop {
        let started = Instant::now();
        let result = refresh_once(&mut p, timeout).await;
        let wait = match &result {
            Ok(_) => {
                backoff.reset();
                every.saturating_sub(started.elapsed())
            }
            Err(f) => {
                tracing::debug!(source = %p.id(), "refresh failed: {f}");
                backoff.next_delay(f.kind)
            }
        };
        if tx.send(SourceUpdate { source: p.id(), at: clock.now(), result }).await.is_err() {
            return;
        }
        tokio::time::sleep(wait).await;
    }
}

/// A configured source whose settings are wrong: say why at every refresh.
pub async fn run_broken(
    source: SourceId,
    failure: SourceFailure,
    every: Duration,
    clock: Clock,
    tx: mpsc::Sender<SourceUpdate>,
) {
    loop {
        let update = SourceUpdate { source, at: clock.now(), result: Err(failure.clone()) };
        if tx.send(update).await.is_err() {
            return;
        }
        tokio::time::sleep(every.max(Duration::from_secs(5))).await;
    }
}
