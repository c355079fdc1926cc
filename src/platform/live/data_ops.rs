//! The guided actions' reads and writes outside Kubernetes: the queue (LLEN, SCARD), the
//! database (SELECT 1, SHOW max_connections), RDS (describe, modify the instance class) and
//! CloudWatch (API latency and 5xx rate).

use super::errors;
use crate::config::sources::{AwsConfig, RedisConfig};
use crate::live::discover::{self, Discovery, Resolved};
use crate::live::postgres::PgTarget;
use crate::live::redis::{RedisConn, RedisTarget};
use crate::model::state::DbInstance;
use crate::platform::{ErrorKind, PResult, PlatformError};
use crate::sources::{cloudwatch, rds};
use std::time::Instant;
use tokio::sync::Mutex;

pub struct RedisOps {
    pub target: RedisTarget,
    pub cfg: RedisConfig,
    pub con: Mutex<Option<RedisConn>>,
}

impl RedisOps {
    async fn int(&self, cmd: &str, key: &str) -> PResult<u64> {
        let mut guard = self.con.lock().await;
        let con = match guard.as_ref() {
            Some(c) => c.clone(),
            None => {
                let c = self.target.connect().await.map_err(errors::from_failure)?;
                *guard = Some(c.clone());
                c
            }
        };
        drop(guard);
        let cmd_ = redis::cmd(cmd).arg(key).clone();
        let answer: Result<redis::Value, redis::RedisError> = match con {
            RedisConn::Single(mut c) => cmd_.query_async(&mut c).await,
            RedisConn::Cluster(mut c) => cmd_.query_async(&mut c).await,
        };
        match answer {
            Ok(v) => crate::sources::redis_info::int(&v)
                .ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("redis {cmd} {key}: not a number"))),
            Err(e) => {
                *self.con.lock().await = None;
                Err(errors::from_failure(crate::live::classify::redis(&format!("redis {cmd} {key}"), &e)))
            }
        }
    }

    /// The summed length of the configured queues.
    pub async fn queue_depth(&self) -> PResult<u64> {
        let mut total = 0;
        for q in &self.cfg.queues {
            total += self.int("LLEN", q).await?;
        }
        Ok(total)
    }

    pub async fn in_flight(&self) -> PResult<u64> {
        self.int("SCARD", &self.cfg.processing_set).await
    }
}

pub struct PgOps {
    pub target: PgTarget,
    pub client: Mutex<Option<tokio_postgres::Client>>,
}

impl PgOps {
    async fn with<T>(
        &self,
        sql: &str,
        read: impl FnOnce(Vec<tokio_postgres::SimpleQueryMessage>) -> Option<T>,
    ) -> PResult<T> {
        let mut guard = self.client.lock().await;
        if guard.as_ref().is_none_or(tokio_postgres::Client::is_closed) {
            *guard = Some(crate::live::postgres::connect(&self.target).await.map_err(errors::from_failure)?);
        }
        let Some(client) = guard.as_ref() else {
            return Err(PlatformError::new(ErrorKind::Unavailable, "postgres: no connection"));
        };
        match client.simple_query(sql).await {
            Ok(m) => read(m)
                .ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("postgres: unexpected answer to {sql}"))),
            Err(e) => {
                let f = crate::live::classify::postgres(&format!("postgres {sql}"), &e);
                *guard = None;
                Err(errors::from_failure(f))
            }
        }
    }

    pub async fn ping(&self) -> PResult<f64> {
        // Connect first, so that the time is the query's round trip only.
        self.with("SELECT 1", |_| Some(())).await?;
        let start = Instant::now();
        self.with("SELECT 1", |_| Some(())).await?;
        Ok(start.elapsed().as_secs_f64() * 1000.0)
    }

    pub async fn max_connections(&self) -> PResult<u32> {
        self.with("SHOW max_connections", |m| {
            m.into_iter().find_map(|x| match x {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse().ok()),
                _ => None,
            })
        })
        .await
    }
}

pub struct AwsOps {
    pub rds: aws_sdk_rds::Client,
    pub cw: aws_sdk_cloudwatch::Client,
    pub cfg: AwsConfig,
    pub discovery: Discovery,
    pub region: String,
}

impl AwsOps {
    async fn names(&self) -> Resolved {
        self.discovery.resolved(discover::WAIT).await
    }

    pub async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        let names = self.names().await;
        let state = rds::describe(&self.rds, &self.cfg, &names, &self.region).await.map_err(errors::from_failure)?;
        let primary = state.primary.ok_or_else(|| {
            let why = state.missing.first().map(|g| g.describe()).unwrap_or_else(|| "not found".into());
            PlatformError::new(ErrorKind::NotFound, format!("the RDS primary: {why}"))
        })?;
        Ok((primary, state.replicas))
    }

    pub async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
        let out = self
            .rds
            .modify_db_instance()
            .db_instance_identifier(id)
            .db_instance_class(class)
            .apply_immediately(apply_now)
            .send()
            .await
            .map_err(|e| errors::aws(&format!("RDS ModifyDBInstance {id}"), &e))?;
        let i = out
            .db_instance()
            .ok_or_else(|| PlatformError::new(ErrorKind::Other, "RDS ModifyDBInstance: no instance in the answer"))?;
        Ok(rds::instance(i, &self.cfg.rds_replicas))
    }

    /// The load balancer's metrics; `Blind` (with the reason and the setting) when no load
    /// balancer is set or discovered.
    async fn api_metrics(&self) -> PResult<crate::model::state::CloudState> {
        let names = self.names().await;
        if let Err(gap) = &names.load_balancer {
            return Err(errors::blind(gap));
        }
        let queries: Vec<_> = cloudwatch::queries(&self.cfg, &names)
            .into_iter()
            .filter(|q| q.namespace == "AWS/ApplicationELB")
            .collect();
        let latest = cloudwatch::fetch(&self.cw, &queries).await.map_err(errors::from_failure)?;
        Ok(cloudwatch::state_from(&latest))
    }

    pub async fn api_latency_p99(&self) -> PResult<Option<f64>> {
        Ok(self.api_metrics().await?.api_p99_ms)
    }

    pub async fn api_error_rate(&self) -> PResult<Option<f64>> {
        Ok(self.api_metrics().await?.api_5xx_pct)
    }
}
