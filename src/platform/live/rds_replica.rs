//! Read replicas on the live platform (issue 9): the primary's replicas as RDS lists them
//! (ReadReplicaDBInstanceIdentifiers: configured in aws.rds_replicas or not),
//! CreateDBInstanceReadReplica and DeleteDBInstance, the replica's lag from CloudWatch (the
//! `ReplicaLag` metric RDS publishes every minute), and `SELECT 1` and the client connections
//! on the replica's own endpoint (or the address `postgres.replica_hosts` gives for it: a
//! tunnel, a bastion's forward).

use super::data_ops::AwsOps;
use super::errors;
use crate::live::postgres::{PgTarget, connect};
use crate::model::state::DbInstance;
use crate::platform::{ErrorKind, PResult, PlatformError};
use crate::sources::rds;
use aws_sdk_rds::types::Filter;
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

/// How far back a ReplicaLag datapoint still counts as the lag now (RDS publishes it each
/// minute; older than this, the replica is not reporting).
const LAG_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Client connections on a server, other than this one and RDS's own management sessions.
const CLIENTS: &str = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' \
     AND pid <> pg_backend_pid() AND coalesce(usename, '') <> 'rdsadmin'";

impl AwsOps {
    async fn primary_id(&self) -> PResult<String> {
        let names = self.discovery.resolved(crate::live::discover::WAIT).await;
        match &names.rds_primary {
            Ok(p) => Ok(p.value.clone()),
            Err(gap) => Err(errors::blind(gap)),
        }
    }

    async fn describe_ids(&self, ids: Vec<String>) -> PResult<Vec<aws_sdk_rds::types::DbInstance>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let filter = Filter::builder().name("db-instance-id").set_values(Some(ids)).build();
        let out = self
            .rds
            .describe_db_instances()
            .filters(filter)
            .send()
            .await
            .map_err(|e| errors::aws("RDS DescribeDBInstances", &e))?;
        Ok(out.db_instances().to_vec())
    }

    /// The primary and the replicas RDS lists for it, each with its endpoint (host, port).
    async fn replica_set_with_endpoints(&self) -> PResult<(DbInstance, Vec<(DbInstance, Option<(String, u16)>)>)> {
        let id = self.primary_id().await?;
        let found = self.describe_ids(vec![id.clone()]).await?;
        let p = found.iter().find(|i| i.db_instance_identifier() == Some(id.as_str())).ok_or_else(|| {
            PlatformError::new(ErrorKind::NotFound, format!("the RDS primary {id} does not exist in {}", self.region))
        })?;
        let primary = rds::instance(p, &self.cfg.rds_replicas);
        let ids: Vec<String> = p.read_replica_db_instance_identifiers().to_vec();
        let mut replicas = Vec::new();
        for i in self.describe_ids(ids.clone()).await? {
            let endpoint = i.endpoint().and_then(|e| Some((e.address()?.to_string(), u16::try_from(e.port()?).ok()?)));
            let mut d = rds::instance(&i, &self.cfg.rds_replicas);
            d.is_replica = true;
            replicas.push((d, endpoint));
        }
        // Keep RDS's order (the order they were created in).
        replicas.sort_by_key(|(d, _)| ids.iter().position(|x| *x == d.id).unwrap_or(usize::MAX));
        Ok((primary, replicas))
    }

    pub async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
        let (primary, replicas) = self.replica_set_with_endpoints().await?;
        Ok((primary, replicas.into_iter().map(|(d, _)| d).collect()))
    }

    pub async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
        let source = self.primary_id().await?;
        let out = self
            .rds
            .create_db_instance_read_replica()
            .db_instance_identifier(id)
            .source_db_instance_identifier(&source)
            .db_instance_class(class)
            .send()
            .await
            .map_err(|e| errors::aws(&format!("RDS CreateDBInstanceReadReplica {id}"), &e))?;
        let i = out.db_instance().ok_or_else(|| {
            PlatformError::new(ErrorKind::Other, "RDS CreateDBInstanceReadReplica: no instance in the answer")
        })?;
        let mut d = rds::instance(i, &self.cfg.rds_replicas);
        d.is_replica = true;
        Ok(d)
    }

    pub async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
        let (primary, replicas) = self.db_replica_set().await?;
        if primary.id == id || !replicas.iter().any(|r| r.id == id) {
            return Err(PlatformError::new(
                ErrorKind::Invalid,
                format!("{id} is not a read replica of {}: only a replica is deleted", primary.id),
            ));
        }
        // A read replica has no final snapshot (RDS refuses one).
        let out = self
            .rds
            .delete_db_instance()
            .db_instance_identifier(id)
            .skip_final_snapshot(true)
            .send()
            .await
            .map_err(|e| errors::aws(&format!("RDS DeleteDBInstance {id}"), &e))?;
        let i = out
            .db_instance()
            .ok_or_else(|| PlatformError::new(ErrorKind::Other, "RDS DeleteDBInstance: no instance in the answer"))?;
        let mut d = rds::instance(i, &self.cfg.rds_replicas);
        d.is_replica = true;
        Ok(d)
    }

    /// The latest `ReplicaLag` (AWS/RDS, DBInstanceIdentifier) of the last ten minutes.
    pub async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        use aws_sdk_cloudwatch::primitives::DateTime;
        use aws_sdk_cloudwatch::types::{Dimension, Statistic};
        let now = SystemTime::now();
        let out = self
            .cw
            .get_metric_statistics()
            .namespace("AWS/RDS")
            .metric_name("ReplicaLag")
            .dimensions(Dimension::builder().name("DBInstanceIdentifier").value(id).build())
            .start_time(DateTime::from(now - LAG_WINDOW))
            .end_time(DateTime::from(now + Duration::from_secs(60)))
            .period(60)
            .statistics(Statistic::Maximum)
            .send()
            .await
            .map_err(|e| errors::aws(&format!("CloudWatch GetMetricStatistics ReplicaLag {id}"), &e))?;
        Ok(out
            .datapoints()
            .iter()
            .filter_map(|d| Some((d.timestamp()?.as_secs_f64(), d.maximum()?)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, v)| v))
    }

    /// Where to connect to a replica: `postgres.replica_hosts` for it, else its RDS endpoint.
    async fn replica_address(&self, id: &str, hosts: &BTreeMap<String, String>) -> PResult<(String, u16)> {
        if let Some(h) = hosts.get(id) {
            return parse_host_port(h).ok_or_else(|| {
                PlatformError::new(
                    ErrorKind::Invalid,
                    format!("postgres.replica_hosts.{id} = {h:?}: expected HOST:PORT"),
                )
            });
        }
        let (_, replicas) = self.replica_set_with_endpoints().await?;
        match replicas.into_iter().find(|(d, _)| d.id == id) {
            Some((_, Some(e))) => Ok(e),
            Some((d, None)) => Err(PlatformError::new(
                ErrorKind::Unavailable,
                format!("{id} has no endpoint yet (RDS status {})", d.status),
            )),
            None => Err(PlatformError::new(ErrorKind::NotFound, format!("no read replica {id}"))),
        }
    }

    /// A connection to the replica with the primary's user, password, database and TLS.
    async fn replica_client(
        &self,
        id: &str,
        primary: Option<&PgTarget>,
        hosts: &BTreeMap<String, String>,
    ) -> PResult<tokio_postgres::Client> {
        let Some(primary) = primary else {
            return Err(PlatformError::new(
                ErrorKind::Blind,
                "the database is not configured (postgres.url, DATABASE_URL or PGHOST): its user, password and \
                 database are what a replica is reached with",
            ));
        };
        let (host, port) = self.replica_address(id, hosts).await?;
        let target = with_host(primary, &host, port);
        connect(&target).await.map_err(errors::from_failure)
    }

    pub async fn db_replica_ping(
        &self,
        id: &str,
        primary: Option<&PgTarget>,
        hosts: &BTreeMap<String, String>,
    ) -> PResult<f64> {
        let client = self.replica_client(id, primary, hosts).await?;
        let start = Instant::now();
        client.simple_query("SELECT 1").await.map_err(|e| {
            errors::from_failure(crate::live::classify::postgres(&format!("replica {id}: SELECT 1"), &e))
        })?;
        Ok(start.elapsed().as_secs_f64() * 1000.0)
    }

    pub async fn db_replica_connections(
        &self,
        id: &str,
        primary: Option<&PgTarget>,
        hosts: &BTreeMap<String, String>,
    ) -> PResult<u32> {
        let client = self.replica_client(id, primary, hosts).await?;
        let rows = client.simple_query(CLIENTS).await.map_err(|e| {
            errors::from_failure(crate::live::classify::postgres(&format!("replica {id}: pg_stat_activity"), &e))
        })?;
        rows.into_iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse().ok()),
                _ => None,
            })
            .ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("replica {id}: no connection count")))
    }
}

/// "host:port" (a bracketed IPv6 address too).
fn parse_host_port(s: &str) -> Option<(String, u16)> {
    let (host, port) = s.trim().rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then(|| Some((host.to_string(), port.parse().ok()?))).flatten()
}

/// The primary's connection settings pointed at another server.
fn with_host(primary: &PgTarget, host: &str, port: u16) -> PgTarget {
    let p = &primary.config;
    let mut c = tokio_postgres::Config::new();
    c.host(host).port(port).ssl_mode(p.get_ssl_mode());
    if let Some(u) = p.get_user() {
        c.user(u);
    }
    if let Some(pw) = p.get_password() {
        c.password(pw);
    }
    if let Some(d) = p.get_dbname() {
        c.dbname(d);
    }
    if let Some(t) = p.get_connect_timeout() {
        c.connect_timeout(*t);
    }
    if let Some(a) = p.get_application_name() {
        c.application_name(a);
    }
    PgTarget {
        config: c,
        tls: primary.tls,
        root_cert: primary.root_cert.clone(),
        display: format!("{host}:{port}/{}", p.get_dbname().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_host_port;

    #[test]
    fn host_port_is_split_at_the_last_colon() {
        assert_eq!(parse_host_port("127.0.0.1:5433"), Some(("127.0.0.1".into(), 5433)));
        assert_eq!(parse_host_port("[::1]:5433"), Some(("::1".into(), 5433)));
        assert_eq!(parse_host_port("db.internal"), None);
        assert_eq!(parse_host_port(":5432"), None);
    }
}
