//! One refresh of the Kubernetes source without watches (`cockpit snapshot`, `cockpit
//! check`): a LIST of each kind, folded the same way as the watch events.

use super::metrics;
use super::slim::SlimPod;
use super::state::{Folded, index};
use super::{METRICS_POLLS, fold};
use crate::config::sources::KubeConfig;
use crate::live::Clock;
use crate::live::classify;
use crate::live::kube::KubeTarget;
use crate::model::SourceFailure;
use crate::model::lease::LeaseView;
use crate::model::state::{KubeState, Workload};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Event;
use kube::Api;
use kube::api::ListParams;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::atomic::Ordering;

/// Every page of a list.
async fn list_all<K>(api: &Api<K>, lp: ListParams) -> Result<Vec<K>, SourceFailure>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let mut out = Vec::new();
    let mut lp = lp.limit(500);
    loop {
        let page = api
            .list(&lp)
            .await
            .map_err(|e| classify::kube(&format!("listing {}", K::plural(&Default::default())), &e))?;
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => lp = lp.continue_token(&c),
            None => return Ok(out),
        }
    }
}

pub async fn refresh(target: &KubeTarget, cfg: &KubeConfig, clock: &Clock) -> Result<KubeState, SourceFailure> {
    let (client, ns) = (target.client.clone(), target.namespace.as_str());
    let mut f = Folded::default();
    for d in list_all(&Api::<Deployment>::namespaced(client.clone(), ns), ListParams::default()).await? {
        let (state, selector) = fold::deployment(&d);
        f.deployments.insert(state.name.clone(), (state, selector));
    }
    for h in list_all(&Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), ns), ListParams::default()).await? {
        let state = fold::hpa(&h, clock);
        f.hpas.insert(state.name.clone(), state);
    }
    let deps = [cfg.api_deployment.as_str(), cfg.worker_deployment.as_str()];
    let hpas = [cfg.api_hpa.as_str(), cfg.worker_hpa.as_str()];
    for e in list_all(&Api::<Event>::namespaced(client.clone(), ns), ListParams::default()).await? {
        if fold::relevant(&e, &deps, &hpas) {
            f.put_event(e.metadata.name.clone().unwrap_or_default(), fold::event(&e, clock));
        }
    }
    for w in Workload::BOTH {
        let Some(selector) = f.selector(cfg, w) else { continue };
        for p in
            list_all(&Api::<SlimPod>::namespaced(client.clone(), ns), ListParams::default().labels(&selector)).await?
        {
            if let Some(name) = p.metadata.name {
                f.pods[index(w)].insert(name.into_boxed_str(), p.record);
            }
        }
        METRICS_POLLS.fetch_add(1, Ordering::Relaxed);
        let found = metrics::read(&client, ns, &selector).await.ok().flatten();
        f.usage[index(w)] = found.and_then(|m| metrics::usage(&m, &f.pods[index(w)]));
    }
    let mut state = f.state(cfg);
    state.lease = match Api::<Lease>::namespaced(client, ns).get_opt(&cfg.lease_name).await {
        Ok(l) => crate::platform::live::lease::view(l.as_ref(), clock),
        Err(e) => LeaseView::Unknown {
            reason: super::state::lease_reason(&classify::kube("reading the Lease", &e), &cfg.lease_name),
        },
    };
    Ok(state)
}
