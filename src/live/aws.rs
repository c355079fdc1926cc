//! The AWS configuration for CloudWatch and RDS: the default credential and region chain,
//! `--profile`, `--region`, an endpoint from the config or `AWS_ENDPOINT_URL`.
//!
//! AWS counts as configured when `aws.enabled = true`, or (unset) when something points at
//! credentials: `AWS_ACCESS_KEY_ID`, `AWS_PROFILE` or a profile in the config,
//! `~/.aws/credentials` or `~/.aws/config`, a web identity or a container credential
//! endpoint. The instance metadata service is only asked with `enabled = true`, so that a
//! laptop without AWS does not wait for it.

use super::Env;
use super::classify;
use super::discover::{Discovery, Inputs};
use crate::config::sources::AwsConfig;
use crate::model::{FailureKind, SourceFailure};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::path::PathBuf;
use std::time::Duration;

pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct AwsTarget {
    pub sdk: SdkConfig,
    pub region: String,
    pub endpoint: Option<String>,
    /// The load balancer and RDS primary, from the config or discovered (shared by every
    /// clone: one discovery for the sources, the platform and `check`).
    pub discovery: Discovery,
}

impl AwsTarget {
    pub fn describe(&self) -> String {
        match &self.endpoint {
            Some(e) => format!("aws {} at {}", self.region, super::redact(e)),
            None => format!("aws {}", self.region),
        }
    }
}

fn has_credential_hints(cfg: &AwsConfig, env: &Env) -> bool {
    let vars = [
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ];
    if cfg.profile.is_some() || vars.iter().any(|v| env.get(v).is_some()) {
        return true;
    }
    let files =
        [env.get("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from), env.get("AWS_CONFIG_FILE").map(PathBuf::from)];
    if files.iter().flatten().any(|f| f.is_file()) {
        return true;
    }
    env.get("HOME").is_some_and(|h| {
        let dir = PathBuf::from(h).join(".aws");
        dir.join("credentials").is_file() || dir.join("config").is_file()
    })
}

/// The SDK configuration, `None` when AWS is not configured.
pub async fn resolve(cfg: &AwsConfig, env: &Env) -> Option<Result<AwsTarget, SourceFailure>> {
    match cfg.enabled {
        Some(false) => return None,
        None if !has_credential_hints(cfg, env) => return None,
        _ => {}
    }
    Some(build(cfg, env).await)
}

async fn build(cfg: &AwsConfig, env: &Env) -> Result<AwsTarget, SourceFailure> {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(p) = cfg.profile.clone().or_else(|| env.get("AWS_PROFILE").map(str::to_string)) {
        loader = loader.profile_name(p);
    }
    let profile = cfg.profile.clone().or_else(|| env.get("AWS_PROFILE").map(str::to_string));
    let mut region = cfg
        .region
        .clone()
        .or_else(|| env.get("AWS_REGION").or_else(|| env.get("AWS_DEFAULT_REGION")).map(str::to_string));
    if region.is_none() && has_credential_hints(cfg, env) {
        // The profile's region; the SDK would otherwise go on to the instance metadata service.
        let mut provider = aws_config::profile::ProfileFileRegionProvider::builder();
        if let Some(p) = &profile {
            provider = provider.profile_name(p);
        }
        use aws_config::meta::region::ProvideRegion;
        region = provider.build().region().await.map(|r| r.to_string());
    }
    match region {
        Some(r) => loader = loader.region(Region::new(r)),
        // Only with `enabled = true` may the SDK ask the instance metadata service.
        None if cfg.enabled != Some(true) => {
            return Err(classify::failure(
                FailureKind::Other,
                "aws",
                "no region: set aws.region, --region or AWS_REGION",
            ));
        }
        None => {}
    }
    let endpoint = cfg.endpoint_url.clone().or_else(|| env.get("AWS_ENDPOINT_URL").map(str::to_string));
    if let Some(e) = &endpoint {
        loader = loader.endpoint_url(e.clone());
    }
    if let (Some(id), Some(secret)) = (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        let creds = aws_sdk_cloudwatch::config::Credentials::new(
            id,
            secret,
            env.get("AWS_SESSION_TOKEN").map(str::to_string),
            None,
            "environment",
        );
        loader = loader.credentials_provider(creds);
    }
    let sdk = loader.load().await;
    let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
        classify::failure(FailureKind::Other, "aws", "no region: set aws.region, --region or AWS_REGION")
    })?;
    let discovery = Discovery::new(&sdk, &region, cfg, Inputs::default());
    Ok(AwsTarget { sdk, region, endpoint, discovery })
}
