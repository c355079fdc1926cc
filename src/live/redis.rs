//! The Redis client: a URL from the config or `REDIS_URL` (`rediss://` for TLS; several
//! comma-separated URLs for the seeds of a cluster), the password from the URL, an environment
//! variable (`password_env`, else `REDISCLI_AUTH`) or a file. A single node or a cluster: the
//! config says so, or the node does (`INFO cluster`) at connect time.

use super::Env;
use super::classify;
use super::redact;
use crate::config::sources::RedisConfig;
use crate::model::{FailureKind, SourceFailure};
use redis::aio::MultiplexedConnection;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, ConnectionInfo, IntoConnectionInfo};
use std::time::Duration;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct RedisTarget {
    /// Every seed node, with the password applied.
    pub nodes: Vec<ConnectionInfo>,
    /// Talk to a cluster without asking the node first.
    pub cluster: bool,
    /// The URLs with their credentials taken out, for messages.
    pub display: String,
}

/// A live connection: one node, or the cluster.
#[derive(Clone)]
pub enum RedisConn {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

/// The client settings, `None` when no URL is configured.
pub fn resolve(cfg: &RedisConfig, env: &Env) -> Option<Result<RedisTarget, SourceFailure>> {
    let urls = cfg.url.clone().or_else(|| env.get("REDIS_URL").map(str::to_string))?;
    Some(build(cfg, env, &urls))
}

fn build(cfg: &RedisConfig, env: &Env, urls: &str) -> Result<RedisTarget, SourceFailure> {
    let bad = |detail: String| classify::failure(FailureKind::Other, "redis", &detail);
    let source = if cfg.url.is_some() { "redis.url" } else { "REDIS_URL" };
    let password = match (&cfg.password_env, &cfg.password_file) {
        (Some(var), _) => {
            Some(env.get(var).map(str::to_string).ok_or_else(|| bad(format!("password_env {var} is not set")))?)
        }
        (None, Some(file)) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| bad(format!("password_file {}: {e}", file.display())))?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        ),
        (None, None) => env.get("REDISCLI_AUTH").map(str::to_string),
    };
    if let Some(pw) = &password {
        redact::register(pw);
    }
    let list: Vec<&str> = urls.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
    let mut nodes = Vec::new();
    for (i, url) in list.iter().enumerate() {
        redact::register_url(url, false);
        // Never echo a URL that does not parse: its password may be anywhere in it.
        let which = if list.len() > 1 { format!("{source} (URL {} of {})", i + 1, list.len()) } else { source.into() };
        if let Some(problem) = redact::url_problem(url) {
            return Err(bad(format!(
                "{which} is not a valid URL: {problem}; expected a URL that starts with redis://, rediss:// or unix://"
            )));
        }
        let mut info = url.into_connection_info().map_err(|e| bad(format!("{which}: {}", classify::chain(&e))))?;
        let explicit = cfg.password_env.is_some() || cfg.password_file.is_some();
        if let Some(pw) = password.as_ref().filter(|_| explicit || info.redis_settings().password().is_none()) {
            let settings = info.redis_settings().clone().set_password(pw);
            info = info.set_redis_settings(settings);
        }
        nodes.push(info);
    }
    if nodes.is_empty() {
        return Err(bad(format!("{source} is empty")));
    }
    let cluster = cfg.cluster || nodes.len() > 1;
    let display = nodes.iter().map(shown).collect::<Vec<_>>().join(", ");
    Ok(RedisTarget { nodes, cluster, display })
}

/// A node as messages show it: scheme, host, port and database, nothing else.
pub fn shown(info: &ConnectionInfo) -> String {
    let db = match info.redis_settings().db() {
        0 => String::new(),
        n => format!("/{n}"),
    };
    match info.addr() {
        redis::ConnectionAddr::Tcp(h, p) => format!("redis://{h}:{p}{db}"),
        redis::ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{host}:{port}{db}"),
        redis::ConnectionAddr::Unix(path) => format!("unix://{}{db}", path.display()),
        _ => "redis".into(),
    }
}

impl RedisTarget {
    fn conn_config() -> AsyncConnectionConfig {
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
    }

    /// One node's connection.
    pub async fn connect_node(info: &ConnectionInfo) -> Result<MultiplexedConnection, SourceFailure> {
        let client = redis::Client::open(info.clone()).map_err(|e| classify::redis("redis client", &e))?;
        client
            .get_multiplexed_async_connection_with_config(&Self::conn_config())
            .await
            .map_err(|e| classify::redis("connecting to redis", &e))
    }

    async fn connect_cluster(&self) -> Result<ClusterConnection, SourceFailure> {
        let client = ClusterClient::builder(self.nodes.clone())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .retries(1)
            .build()
            .map_err(|e| classify::redis("redis cluster client", &e))?;
        client.get_async_connection().await.map_err(|e| classify::redis("connecting to the redis cluster", &e))
    }

    /// Connect: to the cluster when configured so, else to the first node, switching to the
    /// cluster client when the node says it is part of one.
    pub async fn connect(&self) -> Result<RedisConn, SourceFailure> {
        if self.cluster {
            return Ok(RedisConn::Cluster(self.connect_cluster().await?));
        }
        let mut con = Self::connect_node(&self.nodes[0]).await?;
        let info: String = redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut con)
            .await
            .map_err(|e| classify::redis("redis INFO cluster", &e))?;
        if info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            return Ok(RedisConn::Cluster(self.connect_cluster().await?));
        }
        Ok(RedisConn::Single(con))
    }

    /// The settings of one node at this address, with the seed's password and TLS.
    pub fn node_info(&self, host: &str, port: u16) -> ConnectionInfo {
        let seed = &self.nodes[0];
        let addr = match seed.addr() {
            redis::ConnectionAddr::TcpTls { insecure, tls_params, .. } => redis::ConnectionAddr::TcpTls {
                host: host.to_string(),
                port,
                insecure: *insecure,
                tls_params: tls_params.clone(),
            },
            _ => redis::ConnectionAddr::Tcp(host.to_string(), port),
        };
        seed.clone().set_addr(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_url_is_described_never_echoed() {
        for (url, words) in [
            ("redis//:SECRET-r1-x@host:6379", "a \":\" is missing"),
            ("redis:/:SECRET-r1-x@host", "a \"/\" is missing"),
            ("redis://:SECRET-r1-x@host:63x9", "port"),
            ("SECRET-r1-x", "does not start with a scheme"),
        ] {
            let cfg = RedisConfig { url: Some(url.into()), ..RedisConfig::default() };
            let err = resolve(&cfg, &Env::empty()).and_then(Result::err).map(|f| f.message).unwrap_or_default();
            assert!(err.contains("redis.url is not a valid URL") && err.contains(words), "{url}: {err}");
            assert!(!err.contains("SECRET-r1"), "{err}");
        }
        let env = Env::empty().with("REDIS_URL", "redis//:SECRET-r1-x@host:6379");
        let err = resolve(&RedisConfig::default(), &env).and_then(Result::err).map(|f| f.message).unwrap_or_default();
        assert!(err.contains("REDIS_URL is not a valid URL") && !err.contains("SECRET-r1"), "{err}");
    }

    #[test]
    fn nodes_are_shown_without_their_password() {
        let cfg = RedisConfig {
            url: Some("rediss://:SECRET-r2-x@cache.internal:6380/2, redis://h2".into()),
            ..RedisConfig::default()
        };
        let target = resolve(&cfg, &Env::empty()).and_then(Result::ok).map(|t| t.display).unwrap_or_default();
        assert_eq!(target, "rediss://cache.internal:6380/2, redis://h2:6379");
    }
}
