//! The RDS source: class, status and pending class change of the primary and its replicas,
//! in one DescribeDBInstances call.

use super::poll::Poller;
use crate::config::sources::AwsConfig;
use crate::live::aws::AwsTarget;
use crate::live::classify;
use crate::model::state::{DbInstance, RdsState};
use crate::model::{SourceData, SourceFailure, SourceId};
use aws_sdk_rds::types::Filter;

pub fn instance(i: &aws_sdk_rds::types::DbInstance, replicas: &[String]) -> DbInstance {
    let id = i.db_instance_identifier().unwrap_or_default().to_string();
    DbInstance {
        is_replica: i.read_replica_source_db_instance_identifier().is_some() || replicas.contains(&id),
        id,
        class: i.db_instance_class().unwrap_or_default().to_string(),
        status: i.db_instance_status().unwrap_or_default().to_string(),
        pending_class: i.pending_modified_values().and_then(|p| p.db_instance_class()).map(str::to_string),
    }
}

/// The configured instances in one call (a `db-instance-id` filter: absent ones are left out).
pub async fn describe(client: &aws_sdk_rds::Client, cfg: &AwsConfig) -> Result<RdsState, SourceFailure> {
    let mut ids = vec![cfg.rds_primary.clone()];
    ids.extend(cfg.rds_replicas.iter().cloned());
    let filter = Filter::builder().name("db-instance-id").set_values(Some(ids)).build();
    let out = client
        .describe_db_instances()
        .filters(filter)
        .send()
        .await
        .map_err(|e| classify::aws("RDS DescribeDBInstances", &e))?;
    let all: Vec<DbInstance> = out.db_instances().iter().map(|i| instance(i, &cfg.rds_replicas)).collect();
    let primary = all.iter().find(|i| i.id == cfg.rds_primary).cloned();
    let replicas = cfg.rds_replicas.iter().filter_map(|r| all.iter().find(|i| i.id == *r).cloned()).collect();
    Ok(RdsState { primary, replicas })
}

pub struct RdsSource {
    client: aws_sdk_rds::Client,
    cfg: AwsConfig,
}

impl RdsSource {
    pub fn new(target: &AwsTarget, cfg: &AwsConfig) -> RdsSource {
        RdsSource { client: aws_sdk_rds::Client::new(&target.sdk), cfg: cfg.clone() }
    }
}

impl Poller for RdsSource {
    fn id(&self) -> SourceId {
        SourceId::Rds
    }

    fn reset(&mut self) {}

    async fn refresh(&mut self) -> Result<SourceData, SourceFailure> {
        Ok(SourceData::Rds(describe(&self.client, &self.cfg).await?))
    }
}
