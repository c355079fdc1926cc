//! Pod metrics from metrics.k8s.io. It cannot be watched: it is read every
//! `metrics_refresh_secs` (15 s, metrics-server's resolution) with a label selector per workload, and these reads are counted apart from the watches.
//! Each item is decoded into its usage sums only.

use super::slim::PodRecord;
use crate::live::classify;
use crate::model::SourceFailure;
use crate::model::state::Usage;
use serde::Deserialize;
use std::collections::HashMap;

/// One pod's usage, summed over its containers: millicores and bytes. Decoded straight from
/// the list's JSON: no object metadata is kept (at 10,000 pods that is what costs).
#[derive(Debug, Clone)]
pub struct PodUsage {
    pub name: Box<str>,
    pub cpu_m: f64,
    pub memory: f64,
}

#[derive(Deserialize)]
struct UsageList {
    #[serde(default)]
    items: Vec<PodUsage>,
}

#[derive(Deserialize)]
struct RawMetrics {
    #[serde(default)]
    metadata: RawMeta,
    #[serde(default)]
    containers: Vec<RawContainer>,
}

#[derive(Deserialize, Default)]
struct RawMeta {
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawContainer {
    #[serde(default)]
    usage: HashMap<String, String>,
}

impl<'de> Deserialize<'de> for PodUsage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawMetrics::deserialize(d)?;
        let sum = |k: &str| {
            raw.containers
                .iter()
                .filter_map(|c| c.usage.get(k))
                .filter_map(|q| crate::sim::quantity::quantity(q))
                .sum::<f64>()
        };
        Ok(PodUsage {
            cpu_m: sum("cpu") * 1000.0,
            memory: sum("memory"),
            name: raw.metadata.name.unwrap_or_default().into_boxed_str(),
        })
    }
}

/// Percent-encoding of a query value (a label selector has `=`, `,`, `!`, spaces, parens).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Read the usage of the pods matching `selector`: `Ok(None)` when the cluster serves no
/// metrics (404, or 503 from a metrics-server that is down), which is not a failure of the
/// source.
pub async fn read(
    client: &kube::Client,
    namespace: &str,
    selector: &str,
) -> Result<Option<Vec<PodUsage>>, SourceFailure> {
    let url = format!(
        "/apis/metrics.k8s.io/v1beta1/namespaces/{}/pods?labelSelector={}",
        encode(namespace),
        encode(selector)
    );
    let req = http::Request::get(url)
        .body(Vec::new())
        .map_err(|e| SourceFailure::new(crate::model::FailureKind::Other, format!("metrics.k8s.io request: {e}")))?;
    match client.request::<UsageList>(req).await {
        Ok(list) => Ok(Some(list.items)),
        Err(kube::Error::Api(s)) if matches!(s.code, 404 | 503) => Ok(None),
        Err(e) => Err(classify::kube("metrics.k8s.io", &e)),
    }
}

/// Use as a percentage of the requests, over the pods that have both (the HPA's ratio).
pub fn usage(metrics: &[PodUsage], pods: &HashMap<Box<str>, PodRecord>) -> Option<Usage> {
    let (mut cpu, mut cpu_req, mut mem, mut mem_req) = (0.0, 0.0, 0.0, 0.0);
    for m in metrics {
        let Some(p) = pods.get(&m.name) else { continue };
        if p.cpu_request_m > 0 {
            cpu += m.cpu_m;
            cpu_req += f64::from(p.cpu_request_m);
        }
        if p.memory_request > 0 {
            mem += m.memory;
            mem_req += p.memory_request as f64;
        }
    }
    if cpu_req == 0.0 && mem_req == 0.0 {
        return None;
    }
    let pct = |u: f64, r: f64| if r > 0.0 { u * 100.0 / r } else { 0.0 };
    Some(Usage { cpu_pct: pct(cpu, cpu_req), memory_pct: pct(mem, mem_req) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usage_is_the_ratio_of_sums_over_pods_with_requests() {
        let m: PodUsage = serde_json::from_value(json!({"metadata": {"name": "a"}, "containers": [
            {"name": "x", "usage": {"cpu": "150m", "memory": "32Mi"}},
            {"name": "y", "usage": {"cpu": "50000000n", "memory": "32Mi"}}]}))
        .expect("metrics");
        assert!((m.cpu_m - 200.0).abs() < 1e-6);
        let mut pods = HashMap::new();
        pods.insert(
            "a".into(),
            PodRecord { cpu_request_m: 400, memory_request: 128 * 1024 * 1024, ..PodRecord::default() },
        );
        let u = usage(&[m], &pods).expect("usage");
        assert!((u.cpu_pct - 50.0).abs() < 1e-9 && (u.memory_pct - 50.0).abs() < 1e-9, "{u:?}");
        assert_eq!(usage(&[], &pods), None);
    }
}
