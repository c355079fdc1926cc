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

mod load_balancer;
mod rds_primary;

pub use load_balancer::dimension;

use crate::config::sources::AwsConfig;
use crate::model::{Gap, GapKind};
use load_balancer::load_balancer;
use rds_primary::rds_primary;
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

/// A DNS name as compared: lower case, no trailing dot, no "dualstack." prefix.
fn dns_key(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    h.strip_prefix("dualstack.").map(str::to_string).unwrap_or(h)
}
