//! What the benches share: seeding kmock with a platform of N pods, and a process's CPU time
//! and memory from /proc.

use anyhow::{Context, Result};
use futures::StreamExt;
use kube::api::{Api, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::Kmock;
use super::live::kube_objects::{deployment, hpa, pod, pod_metrics};

pub const NS: &str = "production";

fn resource(api_version: &str, kind: &str, plural: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// Create many objects fast: create, then write status where the object has one.
async fn create_all(client: &kube::Client, objects: Vec<Value>, plural: &str) -> Result<()> {
    let Some(first) = objects.first() else { return Ok(()) };
    let ar = resource(first["apiVersion"].as_str().unwrap_or("v1"), first["kind"].as_str().unwrap_or(""), plural);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), NS, &ar);
    let results: Vec<Result<()>> = futures::stream::iter(objects)
        .map(|obj| {
            let api = api.clone();
            async move {
                let data: DynamicObject = serde_json::from_value(obj.clone())?;
                let mut stored = api.create(&PostParams::default(), &data).await?;
                if let Some(status) = obj.get("status") {
                    stored.data["status"] = status.clone();
                    let name = stored.metadata.name.clone().unwrap_or_default();
                    api.replace_status(&name, &PostParams::default(), &stored).await?;
                }
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect()
}

pub async fn seed(kmock: &Kmock, pods: usize) -> Result<()> {
    let api_pods = (pods / 10).max(1);
    kmock.apply(deployment(NS, "api-server", api_pods as u32, api_pods as u32)).await?;
    kmock.apply(deployment(NS, "agent-worker", (pods - api_pods) as u32, (pods - api_pods) as u32)).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, api_pods as u32)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, (pods - api_pods) as u32)).await?;
    let client = kmock.client().await?;
    let names: Vec<(String, &str)> = (0..pods)
        .map(|i| {
            if i < api_pods {
                (format!("api-server-7d9f-{i:05}"), "api-server")
            } else {
                (format!("agent-worker-5c4b-{i:05}"), "agent-worker")
            }
        })
        .collect();
    create_all(&client, names.iter().map(|(n, app)| pod(NS, app, n, None)).collect(), "pods").await?;
    create_all(&client, names.iter().map(|(n, app)| pod_metrics(NS, app, n, "120m", "300Mi")).collect(), "pods")
        .await?;
    Ok(())
}

/// utime + stime of a process, in seconds.
pub fn cpu_secs(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).context("/proc/PID/stat")?;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).context("utime")?;
    let sticks: f64 = f.get(12).and_then(|v| v.parse().ok()).context("stime")?;
    Ok((ticks + sticks) / 100.0)
}

/// A field of /proc/PID/status in MiB (VmHWM: peak RSS, VmRSS: now).
pub fn mem_mib(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("{field} in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}
