//! Redis cluster (issue 9): the ElastiCache replication group behind the Redis
//! (DescribeReplicationGroups) and its shard count (ModifyReplicationGroupShardConfiguration,
//! online resharding). The group is `aws.elasticache_group` (the runbook's "agentos-redis" by
//! default); when no group of that name exists, the one whose endpoints include the configured
//! Redis address is used, and none found is blind with the setting that names it.

use super::errors;
use crate::platform::shards::{NodeGroup, ReplicationGroup};
use crate::platform::{ErrorKind, PResult, PlatformError};
use aws_sdk_elasticache::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_elasticache::types;

pub struct ElastiCacheOps {
    pub client: aws_sdk_elasticache::Client,
    /// aws.elasticache_group.
    pub group: String,
    /// host:port of the configured Redis nodes, to find the group that serves them.
    pub redis_addrs: Vec<String>,
}

fn endpoint(e: Option<&types::Endpoint>) -> Option<String> {
    let e = e?;
    Some(format!("{}:{}", e.address()?, e.port()?))
}

fn group_of(g: &types::ReplicationGroup) -> ReplicationGroup {
    ReplicationGroup {
        id: g.replication_group_id().unwrap_or_default().to_string(),
        status: g.status().unwrap_or("unknown").to_string(),
        node_groups: g
            .node_groups()
            .iter()
            .map(|n| NodeGroup {
                id: n.node_group_id().unwrap_or_default().to_string(),
                primary: endpoint(n.primary_endpoint()).or_else(|| {
                    n.node_group_members()
                        .iter()
                        .find(|m| m.current_role().is_none_or(|r| r == "primary"))
                        .and_then(|m| endpoint(m.read_endpoint()))
                }),
            })
            .collect(),
    }
}

/// Every endpoint a group answers on.
fn endpoints(g: &types::ReplicationGroup) -> Vec<String> {
    let mut out: Vec<String> = endpoint(g.configuration_endpoint()).into_iter().collect();
    for n in g.node_groups() {
        out.extend(endpoint(n.primary_endpoint()));
        out.extend(n.node_group_members().iter().filter_map(|m| endpoint(m.read_endpoint())));
    }
    out
}

fn error<E, R>(context: &str, e: &SdkError<E, R>) -> PlatformError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let SdkError::ServiceError(se) = e {
        let code = se.err().code().unwrap_or("");
        let kind = match code {
            "ReplicationGroupNotFoundFault" => Some(ErrorKind::NotFound),
            "InvalidReplicationGroupState" | "InvalidReplicationGroupStateFault" => Some(ErrorKind::Conflict),
            "InvalidParameterValue" | "InvalidParameterCombination" | "MissingParameter" => Some(ErrorKind::Invalid),
            "InsufficientCacheClusterCapacity" | "InsufficientCacheClusterCapacityFault" => {
                Some(ErrorKind::Unavailable)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            return PlatformError::new(kind, format!("{context}: {code}: {}", se.err().message().unwrap_or("")));
        }
    }
    errors::aws(context, e)
}

impl ElastiCacheOps {
    pub async fn group(&self) -> PResult<ReplicationGroup> {
        let named = self.client.describe_replication_groups().replication_group_id(&self.group).send().await;
        let err = match named {
            Ok(out) => {
                if let Some(g) = out.replication_groups().first() {
                    return Ok(group_of(g));
                }
                None
            }
            Err(e) => Some(error(&format!("ElastiCache DescribeReplicationGroups {}", self.group), &e)),
        };
        if let Some(e) = err.filter(|e| e.kind != ErrorKind::NotFound) {
            return Err(e);
        }
        // Not found by name: the group that serves the configured Redis.
        let all = self
            .client
            .describe_replication_groups()
            .send()
            .await
            .map_err(|e| error("ElastiCache DescribeReplicationGroups", &e))?;
        let serving: Vec<&types::ReplicationGroup> = all
            .replication_groups()
            .iter()
            .filter(|g| endpoints(g).iter().any(|e| self.redis_addrs.contains(e)))
            .collect();
        match serving.as_slice() {
            [g] => Ok(group_of(g)),
            _ => Err(PlatformError::new(
                ErrorKind::Blind,
                format!(
                    "the ElastiCache replication group is unknown: no group {} and {} of {} groups serve {}; \
                     set aws.elasticache_group",
                    self.group,
                    serving.len(),
                    all.replication_groups().len(),
                    self.redis_addrs.join(", ")
                ),
            )),
        }
    }

    pub async fn modify_shards(&self, group: &str, shards: u32, remove: &[String]) -> PResult<ReplicationGroup> {
        let count = i32::try_from(shards).map_err(|_| PlatformError::new(ErrorKind::Invalid, "too many shards"))?;
        let mut req = self
            .client
            .modify_replication_group_shard_configuration()
            .replication_group_id(group)
            .node_group_count(count)
            .apply_immediately(true);
        for r in remove {
            req = req.node_groups_to_remove(r);
        }
        let out = req
            .send()
            .await
            .map_err(|e| error(&format!("ElastiCache ModifyReplicationGroupShardConfiguration {group}"), &e))?;
        let g = out.replication_group().ok_or_else(|| {
            PlatformError::new(ErrorKind::Other, "ModifyReplicationGroupShardConfiguration: no group in the answer")
        })?;
        Ok(group_of(g))
    }
}
