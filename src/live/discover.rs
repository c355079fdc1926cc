//! Discovery of the AWS resources the CloudWatch and RDS sources read, so that a newcomer with
//! ordinary credentials needs no config:
//!
//! - the API's load balancer: the hostname in the status of the Ingress (or LoadBalancer
//!   Service) in front of the API deployment's Service, matched to an Application Load Balancer
//!   by its DNS name (ELBv2 DescribeLoadBalancers); its ARN's `app/NAME/ID` suffix is
//!   CloudWatch's `LoadBalancer` dimension;
//! - the RDS primary: the instance whose endpoint is the database host (postgres.url,
//!   DATABASE_URL or PGHOST), from DescribeDBInstances; else the runbook's name, if an instance
//!   has it.
//!
//! An explicit setting (`aws.load_balancer`, `aws.rds_primary`) always wins and costs no request.
//! Discovery runs on a task of its own under a deadline, once for every source that asks (the
//! CloudWatch and RDS sources, the live platform, `check`), and again after a while: a missing
//! load balancer may appear once the Ingress controller has written its status. What it cannot
//! find is a [`Gap`] naming why and the setting that would supply it.

use super::classify;
use crate::config::sources::{AwsConfig, RUNBOOK_RDS_PRIMARY};
use crate::model::{Gap, GapKind};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use kube::Api;
use kube::api::ListParams;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The longest a discovery may take; what it has not found by then is a gap.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// A found value is trusted this long before it is looked up again.
const FOUND_TTL: Duration = Duration::from_secs(30 * 60);
/// Nothing found: look again after this long (an Ingress status may be written meanwhile).
const MISSING_TTL: Duration = Duration::from_secs(120);
/// Pages of DescribeLoadBalancers / DescribeDBInstances read at most.
const MAX_PAGES: usize = 20;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Set in the config (the key).
    Config(&'static str),
    /// Discovered, e.g. "Ingress production/api".
    Discovered(String),
    /// The runbook's name, nothing having been discovered (why not).
    Runbook(String),
}

impl Origin {
    /// "discovered from Ingress production/api", "set by aws.load_balancer", ...
    pub fn describe(&self) -> String {
        match self {
            Origin::Config(key) => format!("set by {key}"),
            Origin::Discovered(from) => format!("discovered from {from}"),
            Origin::Runbook(why) => format!("the runbook's name: {why}"),
        }
    }
}

/// A resolved name and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub value: String,
    pub origin: Origin,
}

impl Found {
    /// "app/agentos/123 (discovered from Ingress production/api)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.value, self.origin.describe())
    }
}

/// A name, or why there is none.
pub type Named = Result<Found, Gap>;

/// What discovery found (or the config set), for both names.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub load_balancer: Named,
    pub rds_primary: Named,
}

impl Resolved {
    pub fn new(load_balancer: Named, rds_primary: Named) -> Resolved {
        Resolved { load_balancer, rds_primary }
    }
}

/// The Kubernetes side of load balancer discovery.
#[derive(Clone)]
pub struct KubeSide {
    pub client: kube::Client,
    pub namespace: String,
    pub api_deployment: String,
}

/// What discovery looks from: the Kubernetes client (or why there is none) and the database
/// host with the setting it came from.
#[derive(Clone, Default)]
pub struct Inputs {
    pub kube: Option<Result<KubeSide, String>>,
    /// (host, "DATABASE_URL" / "postgres.url" / "PGHOST").
    pub db_host: Option<(String, &'static str)>,
}

struct Inner {
    cfg: AwsConfig,
    inputs: Inputs,
    region: String,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    rds: aws_sdk_rds::Client,
    load_balancer: Slot,
    rds_primary: Slot,
}

/// One name's latest answer (with when it came), and whether a discovery of it is under way.
struct Slot {
    latest: watch::Sender<Option<(Instant, Named)>>,
    running: AtomicBool,
}

impl Slot {
    fn new() -> Slot {
        Slot { latest: watch::channel(None).0, running: AtomicBool::new(false) }
    }

    fn current(&self) -> Option<Named> {
        self.latest.borrow().as_ref().map(|(_, n)| n.clone())
    }

    /// No answer yet, or an old one: a discovery should run.
    fn due(&self) -> bool {
        match &*self.latest.borrow() {
            None => true,
            Some((at, n)) => at.elapsed() >= if n.is_ok() { FOUND_TTL } else { MISSING_TTL },
        }
    }

    async fn wait(&self, limit: Duration) -> Option<Named> {
        let mut rx = self.latest.subscribe();
        match tokio::time::timeout(limit, rx.wait_for(Option::is_some)).await {
            Ok(Ok(v)) => v.as_ref().map(|(_, n)| n.clone()),
            _ => None,
        }
    }
}

/// The shared discovery of one AWS target; clones share the results.
#[derive(Clone)]
pub struct Discovery {
    inner: Arc<Inner>,
}

/// How long a first reader waits for a discovery under way: its deadline and a margin, so that
/// it gets the answer (found, or a gap) rather than "discovering".
pub const WAIT: Duration = Duration::from_secs(DEADLINE.as_secs() + 1);

impl Discovery {
    pub fn new(sdk: &aws_config::SdkConfig, region: &str, cfg: &AwsConfig, inputs: Inputs) -> Discovery {
        Discovery {
            inner: Arc::new(Inner {
                cfg: cfg.clone(),
                inputs,
                region: region.to_string(),
                elb: aws_sdk_elasticloadbalancingv2::Client::new(sdk),
                rds: aws_sdk_rds::Client::new(sdk),
                load_balancer: Slot::new(),
                rds_primary: Slot::new(),
            }),
        }
    }

    /// The names, waiting up to `wait` for a discovery under way when a name has no answer yet
    /// ("discovering" after that). An old answer is returned at once while a new discovery
    /// runs behind it. A name set in the config costs no request.
    pub async fn resolved(&self, wait: Duration) -> Resolved {
        let (lb, db) = (Which::LoadBalancer, Which::RdsPrimary);
        let (load_balancer, rds_primary) = tokio::join!(self.name(lb, wait), self.name(db, wait));
        Resolved { load_balancer, rds_primary }
    }

    /// The answers so far, without starting or waiting for anything (None: not asked yet).
    pub fn latest(&self) -> Option<Resolved> {
        let lb = self.explicit(Which::LoadBalancer).or_else(|| self.inner.load_balancer.current())?;
        let db = self.explicit(Which::RdsPrimary).or_else(|| self.inner.rds_primary.current())?;
        Some(Resolved { load_balancer: lb, rds_primary: db })
    }

    fn explicit(&self, which: Which) -> Option<Named> {
        let c = &self.inner.cfg;
        let (value, key) = match which {
            Which::LoadBalancer => (c.load_balancer.clone()?, "aws.load_balancer"),
            Which::RdsPrimary => (c.rds_primary.clone()?, "aws.rds_primary"),
        };
        Some(Ok(Found { value, origin: Origin::Config(key) }))
    }

    async fn name(&self, which: Which, wait: Duration) -> Named {
        if let Some(n) = self.explicit(which) {
            return n;
        }
        let slot = which.slot(&self.inner);
        if slot.due() {
            self.start(which);
        }
        if let Some(n) = slot.current() {
            return n;
        }
        slot.wait(wait)
            .await
            .unwrap_or_else(|| Err(Gap::new(GapKind::Waiting, format!("discovering {}", which.what()))))
    }

    fn start(&self, which: Which) {
        if which.slot(&self.inner).running.swap(true, Ordering::SeqCst) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let named = match which {
                Which::LoadBalancer => bounded(which, load_balancer(&inner)).await,
                Which::RdsPrimary => bounded(which, rds_primary(&inner)).await,
            };
            match &named {
                Ok(f) => tracing::info!("{}: {}", which.what(), f.describe()),
                Err(g) => tracing::warn!("{}: {g}", which.what()),
            }
            let slot = which.slot(&inner);
            slot.latest.send_replace(Some((Instant::now(), named)));
            slot.running.store(false, Ordering::SeqCst);
        });
    }
}

#[derive(Debug, Clone, Copy)]
enum Which {
    LoadBalancer,
    RdsPrimary,
}

impl Which {
    fn slot(self, inner: &Inner) -> &Slot {
        match self {
            Which::LoadBalancer => &inner.load_balancer,
            Which::RdsPrimary => &inner.rds_primary,
        }
    }
    fn what(self) -> &'static str {
        match self {
            Which::LoadBalancer => "the load balancer",
            Which::RdsPrimary => "the RDS primary",
        }
    }
    fn setting(self) -> &'static str {
        match self {
            Which::LoadBalancer => "aws.load_balancer",
            Which::RdsPrimary => "aws.rds_primary",
        }
    }
}

async fn bounded(which: Which, f: impl Future<Output = Named>) -> Named {
    match tokio::time::timeout(DEADLINE, f).await {
        Ok(n) => n,
        Err(_) => Err(Gap::new(
            GapKind::NotFound,
            format!("discovering {} took longer than {}s (the API did not answer)", which.what(), DEADLINE.as_secs()),
        )
        .setting(which.setting())),
    }
}

fn not_found(reason: impl Into<String>, setting: &str) -> Gap {
    Gap::new(GapKind::NotFound, reason).setting(setting)
}

async fn load_balancer(inner: &Inner) -> Named {
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
        if hosts.is_empty() {
            no_status.push(format!("{from} has no load balancer hostname in its status yet"));
        }
        out.extend(hosts.into_iter().map(|h| (h, from.clone())));
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
        if hosts.is_empty() {
            no_status.push(format!("{from} has no load balancer hostname in its status yet"));
        }
        out.extend(hosts.into_iter().map(|h| (h, from.clone())));
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

/// A DNS name as compared: lower case, no trailing dot, no "dualstack." prefix.
fn dns_key(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    h.strip_prefix("dualstack.").map(str::to_string).unwrap_or(h)
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

async fn rds_primary(inner: &Inner) -> Named {
    const KEY: &str = "aws.rds_primary";
    if let Some(v) = &inner.cfg.rds_primary {
        return Ok(Found { value: v.clone(), origin: Origin::Config(KEY) });
    }
    let instances = match describe_instances(&inner.rds).await {
        Ok(i) => i,
        Err(why) => {
            // The RDS source reports the same failure; read CloudWatch with the runbook's name.
            let value = RUNBOOK_RDS_PRIMARY.to_string();
            return Ok(Found { value, origin: Origin::Runbook(format!("nothing could be discovered: {why}")) });
        }
    };
    let why_not = match &inner.inputs.db_host {
        Some((host, from)) => {
            let key = dns_key(host);
            if let Some((id, _)) = instances.iter().find(|(_, endpoint)| dns_key(endpoint) == key) {
                return Ok(Found { value: id.clone(), origin: Origin::Discovered(format!("{from}'s host {host}")) });
            }
            format!("{from}'s host {host} is the endpoint of no RDS instance in {}", inner.region)
        }
        None => "no database host (postgres.url, DATABASE_URL or PGHOST) to discover it from".to_string(),
    };
    if instances.iter().any(|(id, _)| id == RUNBOOK_RDS_PRIMARY) {
        return Ok(Found { value: RUNBOOK_RDS_PRIMARY.to_string(), origin: Origin::Runbook(why_not) });
    }
    Err(not_found(format!("{why_not}, and no instance has the runbook's name {RUNBOOK_RDS_PRIMARY}"), KEY))
}

/// Every DB instance of the region: (identifier, endpoint address).
async fn describe_instances(rds: &aws_sdk_rds::Client) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = rds
            .describe_db_instances()
            .set_marker(marker.take())
            .max_records(100)
            .send()
            .await
            .map_err(|e| classify::aws("RDS DescribeDBInstances", &e).to_string())?;
        for i in page.db_instances() {
            if let Some(id) = i.db_instance_identifier() {
                let endpoint = i.endpoint().and_then(|e| e.address()).unwrap_or_default();
                out.push((id.to_string(), endpoint.to_string()));
            }
        }
        match page.marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
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
