//! The RDS primary: the instance whose endpoint is the database host (postgres.url,
//! DATABASE_URL or PGHOST), from RDS DescribeDBInstances; else the runbook's name, if an
//! instance has it.

use super::{Found, Inner, MAX_PAGES, Named, Origin, dns_key, not_found};
use crate::config::sources::RUNBOOK_RDS_PRIMARY;
use crate::live::classify;

pub(super) async fn rds_primary(inner: &Inner) -> Named {
    const KEY: &str = "aws.rds_primary";
    if let Some(v) = &inner.cfg.rds_primary {
        return Ok(Found { value: v.clone(), origin: Origin::Config(KEY) });
    }
    let instances = match describe_instances(&inner.rds).await {
        Ok(i) => i,
        Err(why) => {
            // The RDS source reports the same failure; read CloudWatch with the runbook's name.
            let value = RUNBOOK_RDS_PRIMARY.to_string();
            return Ok(Found { value, origin: Origin::Runbook(format!("nothing could be discovered: {why}")) });
        }
    };
    let why_not = match &inner.inputs.db_host {
        Some((host, from)) => {
            let key = dns_key(host);
            if let Some((id, _)) = instances.iter().find(|(_, endpoint)| dns_key(endpoint) == key) {
                return Ok(Found { value: id.clone(), origin: Origin::Discovered(format!("{from}'s host {host}")) });
            }
            format!("{from}'s host {host} is the endpoint of no RDS instance in {}", inner.region)
        }
        None => "no database host (postgres.url, DATABASE_URL or PGHOST) to discover it from".to_string(),
    };
    if instances.iter().any(|(id, _)| id == RUNBOOK_RDS_PRIMARY) {
        return Ok(Found { value: RUNBOOK_RDS_PRIMARY.to_string(), origin: Origin::Runbook(why_not) });
    }
    Err(not_found(format!("{why_not}, and no instance has the runbook's name {RUNBOOK_RDS_PRIMARY}"), KEY))
}

/// Every DB instance of the region: (identifier, endpoint address).
async fn describe_instances(rds: &aws_sdk_rds::Client) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = rds
            .describe_db_instances()
            .set_marker(marker.take())
            .max_records(100)
            .send()
            .await
            .map_err(|e| classify::aws("RDS DescribeDBInstances", &e).to_string())?;
        for i in page.db_instances() {
            if let Some(id) = i.db_instance_identifier() {
                let endpoint = i.endpoint().and_then(|e| e.address()).unwrap_or_default();
                out.push((id.to_string(), endpoint.to_string()));
            }
        }
        match page.marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}
