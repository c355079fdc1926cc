//! The connection to the stream's Redis: the platform's own (`redis.url`, `REDIS_URL`) or
//! another (`share.url`, `--share-url`), a single node or a cluster. Connects lazily and again
//! after a failure; every failure is a `SourceFailure` whose message never holds a password.

use crate::config::Config;
use crate::live::Env;
use crate::live::redis::{RedisConn, RedisTarget};
use crate::model::{FailureKind, SourceFailure};
use redis::{Cmd, FromRedisValue};

pub struct Bus {
    target: RedisTarget,
    conn: Option<RedisConn>,
}

/// Why there is no bus: nothing names a Redis for it, or its settings are wrong.
pub const NO_URL: &str = "no Redis for the shared stream: set share.url (or --share-url, COCKPIT_SHARE_URL), or \
     redis.url / REDIS_URL to share the platform's own";

impl Bus {
    /// The stream's Redis from the config (with `share.url` already overridden by the flag).
    pub fn resolve(config: &Config, env: &Env) -> Result<Bus, String> {
        let mut cfg = config.redis.clone();
        let url = config.share.url.clone().or_else(|| env.get("COCKPIT_SHARE_URL").map(str::to_string));
        if let Some(url) = &url {
            // Another server: the platform Redis's password settings are not its.
            cfg.url = Some(url.clone());
            cfg.password_env = None;
            cfg.password_file = None;
            cfg.cluster = config.share.cluster;
        } else {
            cfg.cluster |= config.share.cluster;
        }
        match crate::live::redis::resolve(&cfg, env) {
            None => Err(NO_URL.to_string()),
            Some(Err(f)) => Err(format!("the shared stream's Redis: {}", f.message)),
            Some(Ok(target)) => Ok(Bus { target, conn: None }),
        }
    }

    /// The server(s), without credentials, for messages.
    pub fn display(&self) -> &str {
        &self.target.display
    }

    async fn conn(&mut self) -> Result<RedisConn, SourceFailure> {
        if let Some(c) = &self.conn {
            return Ok(c.clone());
        }
        let c = self.target.connect().await?;
        self.conn = Some(c.clone());
        Ok(c)
    }

    /// Run one command; a failure drops the connection so that the next command reconnects.
    pub async fn query<T: FromRedisValue>(&mut self, cmd: &Cmd) -> Result<T, SourceFailure> {
        let conn = match self.conn().await {
            Ok(c) => c,
            Err(f) => return Err(SourceFailure::new(f.kind, format!("{} ({})", f.message, self.target.display))),
        };
        let r = match conn {
            RedisConn::Single(mut c) => cmd.query_async(&mut c).await,
            RedisConn::Cluster(mut c) => cmd.query_async(&mut c).await,
        };
        r.map_err(|e| self.failure(e))
    }

    /// Run a pipeline (its replies ignored), in one round trip.
    pub async fn pipe(&mut self, pipe: &redis::Pipeline) -> Result<(), SourceFailure> {
        let conn = match self.conn().await {
            Ok(c) => c,
            Err(f) => return Err(SourceFailure::new(f.kind, format!("{} ({})", f.message, self.target.display))),
        };
        let r: redis::RedisResult<()> = match conn {
            RedisConn::Single(mut c) => pipe.query_async(&mut c).await,
            RedisConn::Cluster(mut c) => pipe.query_async(&mut c).await,
        };
        r.map_err(|e| self.failure(e))
    }

    fn failure(&mut self, e: redis::RedisError) -> SourceFailure {
        if e.is_unrecoverable_error() || e.is_io_error() || e.is_timeout() || e.is_connection_dropped() {
            self.conn = None;
        }
        let f = crate::live::classify::redis("the shared stream's Redis", &e);
        SourceFailure::new(f.kind, format!("{} ({})", f.message, self.target.display))
    }

    /// A failure that is not Redis's own (a decode error, an entry that makes no sense).
    pub fn protocol(&self, what: impl std::fmt::Display) -> SourceFailure {
        SourceFailure::new(FailureKind::Protocol, format!("shared stream at {}: {what}", self.target.display))
    }
}
