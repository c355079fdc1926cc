//! Connections to the live platform, built from the config and the usual conventions
//! (kubeconfig, `REDIS_URL`, `DATABASE_URL` and the `PG*` variables, the AWS chain).
//! A source that nothing configures is `None` ("not configured"), never an error.

pub mod aws;
pub mod classify;
pub mod discover;
pub mod kube;
pub mod pg_files;
pub mod pg_tls;
pub mod postgres;
pub mod redact;
pub mod redis;

use crate::config::Config;
use crate::model::{SourceFailure, SourceId};
use std::collections::BTreeMap;
use std::time::Instant;

/// The environment variables the live sources read, captured once, so that a test can hand
/// its own set instead of changing the process's.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The process's environment (non-UTF-8 values are skipped).
    pub fn process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An empty environment, to fill with [`Env::with`].
    pub fn empty() -> Env {
        Env::default()
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Env {
        self.vars.insert(key.to_string(), value.into());
        self
    }

    /// Every variable, name and value.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value, if set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// The app clock: seconds since the cockpit started, shared by every source.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    start_wall: f64,
}

impl Clock {
    pub fn start() -> Clock {
        let wall =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        Clock { start: Instant::now(), start_wall: wall }
    }

    /// A clock whose zero is the wall-clock `epoch` (Unix seconds, in the past): a collector
    /// that takes over keeps its predecessor's times.
    pub fn at_epoch(epoch: f64) -> Clock {
        let now = Clock::start();
        let behind = (now.start_wall - epoch).max(0.0);
        match now.start.checked_sub(std::time::Duration::from_secs_f64(behind)) {
            Some(start) => Clock { start, start_wall: epoch },
            None => now,
        }
    }

    /// Seconds since the start.
    pub fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// A wall-clock time (seconds since the Unix epoch) on the app clock; negative before the
    /// start.
    pub fn from_unix(&self, unix_secs: f64) -> f64 {
        unix_secs - self.start_wall
    }

    /// The app-clock time of a Kubernetes/RFC 3339 timestamp.
    pub fn from_timestamp(&self, t: &jiff::Timestamp) -> f64 {
        self.from_unix(t.as_millisecond() as f64 / 1000.0)
    }

    /// Wall-clock seconds since the Unix epoch now.
    pub fn unix_now(&self) -> f64 {
        self.start_wall + self.now()
    }
}

/// Every configured connection. What is `None` is not configured.
pub struct Targets {
    pub kube: Option<Result<kube::KubeTarget, SourceFailure>>,
    pub redis: Option<Result<redis::RedisTarget, SourceFailure>>,
    pub postgres: Option<Result<postgres::PgTarget, SourceFailure>>,
    pub aws: Option<Result<aws::AwsTarget, SourceFailure>>,
}

impl Targets {
    /// Resolve every source from the config and the environment. A source whose settings are
    /// present but wrong (an unreadable kubeconfig, a bad URL) is `Some(Err(..))`.
    pub async fn resolve(config: &Config, env: &Env) -> Targets {
        install_crypto_provider();
        let (kube, mut aws) = tokio::join!(kube::resolve(&config.kubernetes, env), aws::resolve(&config.aws, env));
        let postgres = postgres::resolve(&config.postgres, env);
        if let Some(Ok(t)) = &mut aws {
            let inputs = discover::Inputs {
                kube: kube.as_ref().map(|k| match k {
                    Ok(k) => Ok(discover::KubeSide {
                        client: k.client.clone(),
                        namespace: k.namespace.clone(),
                        api_deployment: config.kubernetes.api_deployment.clone(),
                    }),
                    Err(f) => Err(f.to_string()),
                }),
                db_host: postgres.as_ref().and_then(|p| p.as_ref().ok()).and_then(|p| {
                    let from = if config.postgres.url.is_some() {
                        "postgres.url"
                    } else if env.get("DATABASE_URL").is_some() {
                        "DATABASE_URL"
                    } else {
                        "PGHOST"
                    };
                    let host = p.config.get_hosts().iter().find_map(|h| match h {
                        tokio_postgres::config::Host::Tcp(h) => Some(h.clone()),
                        _ => None,
                    })?;
                    Some((host, from))
                }),
            };
            t.discovery = discover::Discovery::new(&t.sdk, &t.region, &config.aws, inputs);
        }
        Targets { kube, redis: redis::resolve(&config.redis, env), postgres, aws }
    }

    /// The sources that are configured (CloudWatch and RDS both come with AWS).
    pub fn configured(&self) -> Vec<SourceId> {
        let mut out = Vec::new();
        if self.kube.is_some() {
            out.push(SourceId::Kube);
        }
        if self.redis.is_some() {
            out.push(SourceId::Redis);
        }
        if self.postgres.is_some() {
            out.push(SourceId::Postgres);
        }
        if self.aws.is_some() {
            out.extend([SourceId::CloudWatch, SourceId::Rds]);
        }
        out
    }

    /// "kubernetes context X, namespace Y" or what else is watched, for the header.
    pub fn describe(&self) -> String {
        match &self.kube {
            Some(Ok(k)) => k.describe(),
            _ => {
                let names: Vec<&str> = self.configured().iter().map(|s| s.name()).collect();
                if names.is_empty() { "nothing configured".into() } else { names.join(", ") }
            }
        }
    }
}

/// One process-wide rustls provider (aws-lc-rs), as kube and the AWS SDK use: installed before
/// the first TLS client, so that no library has to guess.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

pub use redact::redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_ignores_empty_values() {
        let env = Env::empty().with("A", "").with("B", "b");
        assert_eq!((env.get("A"), env.get("B")), (None, Some("b")));
    }
}
