//! One kube-runtime watcher per watched kind, folded as its events arrive: after the first
//! (paged) list it only watches, with bookmarks, and resumes from its resourceVersion; it
//! lists again only when the server says the version expired (410 Gone).

use super::state::{Folded, Health, Shared};
use crate::live::classify;
use crate::model::{FailureKind, SourceFailure};
use crate::sources::backoff::Backoff;
use futures::StreamExt;
use kube::Api;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// A watcher error as a failure; `None` for the 410 Gone that only means "list again".
pub fn failure(e: &watcher::Error) -> Option<SourceFailure> {
    match e {
        watcher::Error::InitialListFailed(k) => Some(classify::kube("kubernetes list", k)),
        watcher::Error::WatchStartFailed(k) | watcher::Error::WatchFailed(k) => {
            Some(classify::kube("kubernetes watch", k))
        }
        watcher::Error::WatchError(status) if status.code == 410 => None,
        watcher::Error::WatchError(status) => {
            let kind = match status.code {
                401 => FailureKind::Authentication,
                403 => FailureKind::Permission,
                429 => FailureKind::Throttled,
                _ => FailureKind::Protocol,
            };
            Some(classify::failure(kind, "kubernetes watch", &format!("{} ({})", status.message, status.code)))
        }
        other => Some(classify::from_error("kubernetes watch", other)),
    }
}

/// Watch `api` and fold every event with `apply`. The task ends when aborted.
pub fn spawn<K, F>(
    name: String,
    api: Api<K>,
    config: watcher::Config,
    shared: Shared,
    refresh: Duration,
    listed: Arc<Notify>,
    mut apply: F,
) -> JoinHandle<()>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
    F: FnMut(&mut Folded, Event<K>) + Send + 'static,
{
    tokio::spawn(async move {
        let mut stream = watcher::watcher(api, config).boxed();
        let mut backoff = Backoff::new(refresh);
        shared.lock().health.insert(name.clone(), Health::Listing);
        while let Some(item) = stream.next().await {
            match item {
                Ok(ev) => {
                    backoff.reset();
                    let health = match &ev {
                        Event::Init | Event::InitApply(_) => Health::Listing,
                        _ => Health::Ready,
                    };
                    let done = matches!(ev, Event::InitDone);
                    let mut g = shared.lock();
                    apply(&mut g.folded, ev);
                    g.health.insert(name.clone(), health);
                    if done {
                        g.ready_once.insert(name.clone());
                    }
                    drop(g);
                    if done {
                        listed.notify_one();
                    }
                }
                Err(e) => {
                    let Some(f) = failure(&e) else { continue };
                    tracing::debug!(stream = %name, "watch failed: {f}");
                    let wait = backoff.next_delay(f.kind);
                    shared.lock().health.insert(name.clone(), Health::Failed(f));
                    tokio::time::sleep(wait).await;
                    let mut g = shared.lock();
                    if matches!(g.health.get(&name), Some(Health::Failed(_))) {
                        g.health.insert(name.clone(), Health::Retrying);
                    }
                }
            }
        }
    })
}
