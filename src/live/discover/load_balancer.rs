//! The load balancer in front of the API: the hostname in the status of the Ingress (or
//! LoadBalancer Service) in front of the API deployment's Service, matched by DNS name to an
//! Application Load Balancer (ELBv2 DescribeLoadBalancers).

use super::{Found, Inner, KubeSide, MAX_PAGES, Named, Origin, dns_key, not_found};
use crate::live::classify;
use crate::model::{Gap, GapKind};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use kube::Api;
use kube::api::ListParams;
use std::collections::BTreeMap;

pub(super) async fn load_balancer(inner: &Inner) -> Named {
    const KEY: &str = "aws.load_balancer";
    if let Some(v) = &inner.cfg.load_balancer {
        return Ok(Found { value: v.clone(), origin: Origin::Config(KEY) });
    }
    let kube = match &inner.inputs.kube {
        None => {
            return Err(Gap::new(
                GapKind::NotSet,
                "no load balancer is known, and without Kubernetes it cannot be discovered from the API's Ingress",
            )
            .setting(KEY));
        }
        Some(Err(why)) => {
            return Err(not_found(format!("cannot discover the load balancer: Kubernetes is not usable ({why})"), KEY));
        }
        Some(Ok(k)) => k,
    };
    let candidates = hostnames(kube).await?;
    let balancers = describe_load_balancers(&inner.elb).await?;
    let mut reasons = Vec::new();
    for (host, from) in &candidates {
        match balancers.get(&dns_key(host)) {
            Some((arn, kind)) if kind == "application" => match dimension(arn) {
                Some(d) => return Ok(Found { value: d, origin: Origin::Discovered(from.clone()) }),
                None => reasons.push(format!("{from}: unexpected load balancer ARN {arn}")),
            },
            Some((arn, kind)) => reasons.push(format!(
                "{from} is served by a {kind} load balancer ({}), which publishes no latency or 5xx",
                dimension(arn).unwrap_or_else(|| arn.clone())
            )),
            None => reasons
                .push(format!("{from}'s hostname {host} matches no Application Load Balancer in {}", inner.region)),
        }
    }
    Err(not_found(reasons.join("; "), KEY))
}

/// The load balancer hostnames in front of the API deployment, Ingresses first, each with
/// where it was found ("Ingress production/api").
async fn hostnames(k: &KubeSide) -> Result<Vec<(String, String)>, Gap> {
    const KEY: &str = "aws.load_balancer";
    let ns = &k.namespace;
    let failed = |what: &str, e: &kube::Error| {
        not_found(format!("cannot {what} in {ns} to discover the load balancer: {}", classify::kube("", e)), KEY)
    };
    let deployments: Api<Deployment> = Api::namespaced(k.client.clone(), ns);
    let services: Api<Service> = Api::namespaced(k.client.clone(), ns);
    let ingresses: Api<Ingress> = Api::namespaced(k.client.clone(), ns);
    let lp = ListParams::default();
    let (d, s, i) = tokio::join!(deployments.get_opt(&k.api_deployment), services.list(&lp), ingresses.list(&lp));
    let labels: BTreeMap<String, String> = d
        .map_err(|e| failed("read the API deployment", &e))?
        .and_then(|d| d.spec.template.metadata?.labels)
        .unwrap_or_default();
    let services = s.map_err(|e| failed("list Services", &e))?.items;
    // The Services whose selector picks the API deployment's pods (or named after it).
    let api: Vec<&Service> = services
        .iter()
        .filter(|s| {
            let sel = s.spec.as_ref().and_then(|sp| sp.selector.as_ref());
            let selects = sel.is_some_and(|sel| !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)));
            selects || s.metadata.name.as_deref() == Some(k.api_deployment.as_str())
        })
        .collect();
    if api.is_empty() {
        return Err(not_found(format!("no Service in {ns} selects the pods of {}", k.api_deployment), KEY));
    }
    let names: Vec<&str> = api.iter().filter_map(|s| s.metadata.name.as_deref()).collect();
    let mut out = Vec::new();
    let mut no_status = Vec::new();
    let ingresses = match i {
        Ok(list) => list.items,
        // Without Ingresses the LoadBalancer Services may still tell.
        Err(e) => {
            no_status.push(format!("Ingresses not readable ({})", classify::kube("", &e)));
            Vec::new()
        }
    };
    for ing in &ingresses {
        let Some(spec) = &ing.spec else { continue };
        let backends = spec
            .rules
            .iter()
            .flatten()
            .filter_map(|r| r.http.as_ref())
            .flat_map(|h| h.paths.iter().map(|p| &p.backend))
            .chain(spec.default_backend.as_ref());
        let serves_api = backends
            .into_iter()
            .any(|b: &IngressBackend| b.service.as_ref().is_some_and(|s| names.contains(&s.name.as_str())));
        if !serves_api {
            continue;
        }
        let from = format!("Ingress {ns}/{}", ing.metadata.name.as_deref().unwrap_or("?"));
        let hosts: Vec<String> = ing
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|i| i.hostname.clone())
            .collect();
        found(from, hosts, &mut out, &mut no_status);
    }
    for s in &api {
        if s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) != Some("LoadBalancer") {
            continue;
        }
        let from = format!("Service {ns}/{} (type LoadBalancer)", s.metadata.name.as_deref().unwrap_or("?"));
        let hosts: Vec<String> = s
            .status
            .as_ref()
            .and_then(|st| st.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|i| i.hostname.clone())
            .collect();
        found(from, hosts, &mut out, &mut no_status);
    }
    if out.is_empty() {
        let mut reason = format!("no Ingress or LoadBalancer Service for {} in {ns}", k.api_deployment);
        if !no_status.is_empty() {
            reason.push_str(&format!(" ({})", no_status.join("; ")));
        }
        return Err(not_found(reason, KEY));
    }
    Ok(out)
}

/// `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID` -> `app/NAME/ID`.
pub fn dimension(arn: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":loadbalancer/")?;
    (rest.split('/').count() == 3).then(|| rest.to_string())
}

/// Every load balancer of the region by DNS name: (ARN, type).
async fn describe_load_balancers(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<BTreeMap<String, (String, String)>, Gap> {
    let mut out = BTreeMap::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page =
            elb.describe_load_balancers().set_marker(marker.take()).page_size(400).send().await.map_err(|e| {
                not_found(
                    format!("cannot list the load balancers: {}", classify::aws("ELB DescribeLoadBalancers", &e)),
                    "aws.load_balancer",
                )
            })?;
        for lb in page.load_balancers() {
            if let (Some(dns), Some(arn)) = (lb.dns_name(), lb.load_balancer_arn()) {
                let kind = lb.r#type().map(|t| t.as_str().to_string()).unwrap_or_default();
                out.insert(dns_key(dns), (arn.to_string(), kind));
            }
        }
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// The hostnames a resource's status gives, each with where it came from; or that it gives none
/// yet (an Ingress controller writes it after a while).
fn found(from: String, hosts: Vec<String>, out: &mut Vec<(String, String)>, no_status: &mut Vec<String>) {
    if hosts.is_empty() {
        no_status.push(format!("{from} has no load balancer hostname in its status yet"));
    }
    out.extend(hosts.into_iter().map(|h| (h, from.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloudwatch_dimension_is_the_arns_suffix() {
        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/agentos/50dc6c495c0c9188";
        assert_eq!(dimension(arn).as_deref(), Some("app/agentos/50dc6c495c0c9188"));
        assert_eq!(dimension("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1"), None);
    }

    #[test]
    fn dns_names_compare_without_case_trailing_dot_or_dualstack() {
        assert_eq!(
            dns_key("DualStack.K8s-Prod-1.us-east-1.elb.amazonaws.com."),
            "k8s-prod-1.us-east-1.elb.amazonaws.com"
        );
    }
}
