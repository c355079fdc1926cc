//! The RDS source: class, status and pending class change of the primary and its replicas,
//! in one DescribeDBInstances call. The primary is the configured or discovered one
//! (`live::discover`); an instance that does not exist is named as not found, never left out.

use super::poll::Poller;
use crate::config::sources::AwsConfig;
use crate::live::aws::AwsTarget;
use crate::live::classify;
use crate::live::discover::{self, Discovery, Resolved};
use crate::model::state::{DbInstance, RdsState};
use crate::model::{Gap, GapKind, SourceData, SourceFailure, SourceId};
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

/// The primary (as resolved) and the configured replicas in one call (a `db-instance-id`
/// filter: absent ones are left out of the answer and named in `missing`).
pub async fn describe(
    client: &aws_sdk_rds::Client,
    cfg: &AwsConfig,
    names: &Resolved,
    region: &str,
) -> Result<RdsState, SourceFailure> {
    let mut ids: Vec<String> = names.rds_primary.iter().map(|p| p.value.clone()).collect();
    ids.extend(cfg.rds_replicas.iter().cloned());
    let all: Vec<DbInstance> = if ids.is_empty() {
        Vec::new()
    } else {
        let filter = Filter::builder().name("db-instance-id").set_values(Some(ids)).build();
        let out = client
            .describe_db_instances()
            .filters(filter)
            .send()
            .await
            .map_err(|e| classify::aws("RDS DescribeDBInstances", &e))?;
        out.db_instances().iter().map(|i| instance(i, &cfg.rds_replicas)).collect()
    };
    let mut missing = Vec::new();
    let primary = match &names.rds_primary {
        Err(gap) => {
            missing.push(gap.clone());
            None
        }
        Ok(p) => {
            let found = all.iter().find(|i| i.id == p.value).cloned();
            if found.is_none() {
                missing.push(
                    Gap::new(
                        GapKind::NotFound,
                        format!("RDS primary {} ({}) does not exist in {region}", p.value, p.origin.describe()),
                    )
                    .setting("aws.rds_primary"),
                );
            }
            found
        }
    };
    let mut replicas = Vec::new();
    for r in &cfg.rds_replicas {
        match all.iter().find(|i| i.id == *r) {
            Some(i) => replicas.push(i.clone()),
            None => missing.push(
                Gap::new(GapKind::NotFound, format!("RDS replica {r} does not exist in {region}"))
                    .setting("aws.rds_replicas"),
            ),
        }
    }
    Ok(RdsState { primary, replicas, missing })
}

pub struct RdsSource {
    client: aws_sdk_rds::Client,
    discovery: Discovery,
    region: String,
    cfg: AwsConfig,
}

impl RdsSource {
    pub fn new(target: &AwsTarget, cfg: &AwsConfig) -> RdsSource {
        RdsSource {
            client: aws_sdk_rds::Client::new(&target.sdk),
            discovery: target.discovery.clone(),
            region: target.region.clone(),
            cfg: cfg.clone(),
        }
    }
}

impl Poller for RdsSource {
    fn id(&self) -> SourceId {
        SourceId::Rds
    }

    fn reset(&mut self) {}

    async fn refresh(&mut self) -> Result<SourceData, SourceFailure> {
        let names = self.discovery.resolved(discover::WAIT).await;
        Ok(SourceData::Rds(describe(&self.client, &self.cfg, &names, &self.region).await?))
    }
}
