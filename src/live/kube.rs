//! The Kubernetes client: `--kubeconfig`, else `KUBECONFIG` (a `:`-separated list, merged as
//! kubectl does), else `~/.kube/config`, else the in-cluster service account.

use super::Env;
use super::classify;
use crate::config::sources::KubeConfig;
use crate::model::{FailureKind, SourceFailure};
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::PathBuf;
use std::time::Duration;

/// How long a connection to the API server may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct KubeTarget {
    pub client: kube::Client,
    /// The kubeconfig context in use (None in-cluster).
    pub context: Option<String>,
    pub namespace: String,
    /// The API server's URL (no credentials in it).
    pub server: String,
}

impl KubeTarget {
    pub fn describe(&self) -> String {
        match &self.context {
            Some(c) => format!("kubernetes context {c}, namespace {}", self.namespace),
            None => format!("kubernetes in-cluster, namespace {}", self.namespace),
        }
    }
}

/// Where the configuration comes from.
enum Origin {
    Files(Vec<PathBuf>),
    InCluster,
}

fn origin(cfg: &KubeConfig, env: &Env) -> Option<Origin> {
    if let Some(p) = &cfg.kubeconfig {
        return Some(Origin::Files(vec![p.clone()]));
    }
    if let Some(list) = env.get("KUBECONFIG") {
        let files: Vec<PathBuf> = std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()).collect();
        if !files.is_empty() {
            return Some(Origin::Files(files));
        }
    }
    if let Some(home) = env.get("HOME") {
        let default = PathBuf::from(home).join(".kube").join("config");
        if default.is_file() {
            return Some(Origin::Files(vec![default]));
        }
    }
    if env.get("KUBERNETES_SERVICE_HOST").is_some() {
        return Some(Origin::InCluster);
    }
    None
}

/// The client, `None` when nothing configures Kubernetes.
pub async fn resolve(cfg: &KubeConfig, env: &Env) -> Option<Result<KubeTarget, SourceFailure>> {
    let origin = origin(cfg, env)?;
    Some(build(cfg, origin).await)
}

async fn build(cfg: &KubeConfig, origin: Origin) -> Result<KubeTarget, SourceFailure> {
    let bad = |what: &str, e: &dyn std::fmt::Display| classify::failure(FailureKind::Other, what, &e.to_string());
    let (mut config, context) = match origin {
        Origin::Files(files) => {
            let mut merged: Option<Kubeconfig> = None;
            for f in &files {
                if !f.is_file() {
                    if files.len() == 1 {
                        return Err(bad("kubeconfig", &format!("{} does not exist", f.display())));
                    }
                    continue;
                }
                let kc = Kubeconfig::read_from(f).map_err(|e| bad(&format!("kubeconfig {}", f.display()), &e))?;
                super::redact::register_fields(&serde_json::to_value(&kc).unwrap_or_default());
                merged = Some(match merged {
                    Some(m) => m.merge(kc).map_err(|e| bad("kubeconfig", &e))?,
                    None => kc,
                });
            }
            let kc = merged.ok_or_else(|| bad("kubeconfig", &"none of the KUBECONFIG files exists"))?;
            if let Some(missing) = unknown_context(&kc, cfg.context.as_deref()) {
                return Err(bad("kubeconfig", &missing));
            }
            let context = cfg.context.clone().or_else(|| kc.current_context.clone());
            let options = KubeConfigOptions { context: cfg.context.clone(), ..Default::default() };
            let config = kube::Config::from_custom_kubeconfig(kc, &options).await.map_err(|e| bad("kubeconfig", &e))?;
            (config, context)
        }
        Origin::InCluster => {
            let config = kube::Config::incluster().map_err(|e| bad("in-cluster config", &e))?;
            (config, None)
        }
    };
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    // The sources own their retries and backoff.
    config.default_retry = false;
    config.default_namespace = cfg.namespace.clone();
    let server = super::redact(&config.cluster_url.to_string());
    let client = kube::Client::try_from(config).map_err(|e| classify::kube("kubernetes client", &e))?;
    Ok(KubeTarget { client, context, namespace: cfg.namespace.clone(), server })
}

/// `--context NAME` (or `kubernetes.context`) that the kubeconfig lacks: the error, with the
/// contexts it has.
fn unknown_context(kc: &Kubeconfig, wanted: Option<&str>) -> Option<String> {
    let wanted = wanted?;
    let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
    if names.contains(&wanted) {
        return None;
    }
    Some(if names.is_empty() {
        format!("context {wanted:?} is not in the kubeconfig, which has no contexts")
    } else {
        format!("context {wanted:?} is not in the kubeconfig; available contexts: {}", names.join(", "))
    })
}

/// Who the API server says we are (a SelfSubjectReview), when it tells.
pub async fn identity(client: &kube::Client) -> Option<String> {
    use k8s_openapi::api::authentication::v1::SelfSubjectReview;
    let api: kube::Api<SelfSubjectReview> = kube::Api::all(client.clone());
    let review = SelfSubjectReview::default();
    let answer = tokio::time::timeout(Duration::from_secs(5), api.create(&kube::api::PostParams::default(), &review))
        .await
        .ok()?
        .ok()?;
    answer.status?.user_info?.username.filter(|u| !u.is_empty())
}
