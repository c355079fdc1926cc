//! `cockpit report --load-test`: the runbook's "Post-Test Analysis" over a recorded window:
//! response time percentiles, error rates, throughput achieved, resource utilisation, the
//! bottleneck (the first resource to cross its warning threshold, and when) and the scaling
//! recommendation from the capacity formulas at the peak.

use crate::model::MetricId;
use crate::model::capacity::{CapacityParams, Limits};
use crate::model::level::{Level, Threshold};
use crate::record::entry::{Entry, Start};
use serde::Serialize;
use std::collections::BTreeMap;

/// Resources whose utilisation the runbook asks about, in the order they are listed.
pub const RESOURCES: [MetricId; 8] = [
    MetricId::ApiCpu,
    MetricId::ApiMemory,
    MetricId::WorkerCpu,
    MetricId::WorkerMemory,
    MetricId::RedisMemory,
    MetricId::RedisClients,
    MetricId::DbConnections,
    MetricId::DbCpu,
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadTest {
    pub context: String,
    pub from: f64,
    pub to: f64,
    pub samples: usize,
    /// Percentiles over the window of the recorded API p99 latency (ms): the cockpit samples
    /// CloudWatch's p99, so these are percentiles of the p99, not of every request.
    pub latency: Option<Percentiles>,
    /// API 5xx rate (%): mean and worst.
    pub errors: Option<Stat>,
    /// API requests per second and worker throughput (tasks per minute): mean and peak.
    pub api_rps: Option<Stat>,
    pub worker_throughput: Option<Stat>,
    pub resources: Vec<Resource>,
    /// The first resource to cross its warning threshold; None when none did.
    pub bottleneck: Option<Crossing>,
    pub recommendation: Recommendation,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    pub mean: f64,
    pub peak: f64,
    pub peak_t: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    pub metric: String,
    pub label: String,
    pub stat: Option<Stat>,
    pub threshold: Threshold,
    /// The worst level it reached.
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    pub metric: String,
    pub label: String,
    pub t: f64,
    pub value: f64,
    pub threshold: Threshold,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The worker formula at the peak queue depth, with the peak throughput as the arrival rate.
    pub workers: Option<crate::model::capacity::WorkerPlan>,
    /// API pods to bring the peak API CPU to its warning threshold, from the pods that ran then.
    pub api_pods: Option<ApiPods>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ApiPods {
    pub at_peak: u32,
    pub peak_cpu: f64,
    pub target_cpu: f64,
    pub needed: u32,
    pub recommended: u32,
}

/// The analysis of `entries` (one context, one window).
pub fn build(entries: &[Entry], context: &str, from: f64, to: f64, p: &CapacityParams, limits: &Limits) -> LoadTest {
    let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut thresholds: BTreeMap<String, Threshold> = BTreeMap::new();
    let mut api_pods: Vec<(f64, u32)> = Vec::new();
    let mut start: Option<&Start> = None;
    let mut samples = 0;
    for e in entries {
        match e {
            Entry::Start(s) => {
                start = Some(s);
                thresholds.extend(s.thresholds.iter().map(|(k, v)| (k.clone(), *v)));
            }
            Entry::Sample { t, v, .. } if *t >= from && *t <= to => {
                let Some(s) = start else { continue };
                samples += 1;
                for (key, value) in s.metrics.iter().zip(v) {
                    if let Some(x) = value.map(f64::from).filter(|x| x.is_finite()) {
                        series.entry(key.clone()).or_default().push((*t, x));
                    }
                }
            }
            Entry::Replicas { t, api, .. } => {
                if let Some(d) = api.desired {
                    api_pods.push((*t, d));
                }
            }
            _ => {}
        }
    }
    let of = |id: MetricId| series.get(id.key()).map(Vec::as_slice).unwrap_or(&[]);
    let threshold = |id: MetricId| thresholds.get(id.key()).copied().unwrap_or_else(|| id.default_threshold());
    let resources: Vec<Resource> = RESOURCES
        .iter()
        .map(|id| {
            let th = threshold(*id);
            let level = of(*id).iter().map(|(_, v)| th.level(*v)).max().unwrap_or(Level::Unknown);
            Resource { metric: id.key().into(), label: id.label().into(), stat: stat(of(*id)), threshold: th, level }
        })
        .collect();
    let bottleneck = RESOURCES
        .iter()
        .filter_map(|id| {
            let th = threshold(*id);
            of(*id).iter().find(|(_, v)| th.level(*v) >= Level::Warn).map(|(t, v)| Crossing {
                metric: id.key().into(),
                label: id.label().into(),
                t: *t,
                value: *v,
                threshold: th,
            })
        })
        .min_by(|a, b| a.t.total_cmp(&b.t));
    let mut notes = Vec::new();
    let worker_throughput = stat(of(MetricId::Throughput));
    let workers = stat(of(MetricId::QueueDepth)).map(|q| {
        let lambda = worker_throughput.map(|s| s.peak / 60.0).unwrap_or(0.0);
        crate::model::capacity::workers(q.peak, lambda, p, limits)
    });
    if workers.as_ref().is_some_and(|w| w.exceeds_max) {
        notes.push(format!(
            "the peak needs more workers than the runbook's maximum {}: raise the limit or the workers' capacity",
            limits.worker_pods.max
        ));
    }
    let api_pods = stat(of(MetricId::ApiCpu)).and_then(|cpu| {
        let at_peak = api_pods.iter().rev().find(|(t, _)| *t <= cpu.peak_t).or(api_pods.first()).map(|(_, n)| *n)?;
        let target = threshold(MetricId::ApiCpu).warn.map(|b| b.value).unwrap_or(70.0);
        let needed = ((f64::from(at_peak) * cpu.peak / target).ceil() as u32).max(1);
        Some(ApiPods {
            at_peak,
            peak_cpu: cpu.peak,
            target_cpu: target,
            needed,
            recommended: limits.api_pods.clamp(needed),
        })
    });
    if api_pods.is_some_and(|a| a.needed > limits.api_pods.max) {
        notes.push(format!("the peak needs more API pods than the runbook's maximum {}", limits.api_pods.max));
    }
    LoadTest {
        context: context.into(),
        from,
        to,
        samples,
        latency: percentiles(of(MetricId::ApiP99)),
        errors: stat(of(MetricId::ApiErrorRate)),
        api_rps: stat(of(MetricId::ApiRps)),
        worker_throughput,
        resources,
        bottleneck,
        recommendation: Recommendation { workers, api_pods, notes },
    }
}

fn stat(points: &[(f64, f64)]) -> Option<Stat> {
    let (peak_t, peak) = points.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let mean = points.iter().map(|(_, v)| v).sum::<f64>() / points.len() as f64;
    Some(Stat { mean, peak, peak_t })
}

/// Nearest-rank percentiles.
fn percentiles(points: &[(f64, f64)]) -> Option<Percentiles> {
    let mut v: Vec<f64> = points.iter().map(|(_, x)| *x).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Some(Percentiles { p50: rank(0.50), p90: rank(0.90), p99: rank(0.99), max: v[v.len() - 1] })
}

/// The analysis as markdown (the text format is the same: it reads as plain text).
pub fn markdown(r: &LoadTest, tz: &jiff::tz::TimeZone) -> String {
    use std::fmt::Write;
    let c = |t: f64| super::clock(t, tz);
    let unit = |id: MetricId, v: f64| id.unit().format(v);
    let mut o = String::new();
    let _ = writeln!(o, "# Load test: {}\n", r.context);
    let _ = writeln!(o, "{} to {} · {} samples\n", super::date_time(r.from, tz), super::date_time(r.to, tz), r.samples);
    o.push_str("## Response time\n\n");
    match r.latency {
        Some(p) => {
            let ms = |v| unit(MetricId::ApiP99, v);
            let _ = writeln!(
                o,
                "Of the recorded API p99 (CloudWatch's p99 at each sample): p50 {} · p90 {} · p99 {} · max {}\n",
                ms(p.p50),
                ms(p.p90),
                ms(p.p99),
                ms(p.max)
            );
        }
        None => o.push_str("No API latency was recorded (CloudWatch not configured, or no load balancer).\n\n"),
    }
    o.push_str("## Errors and throughput\n\n| | Mean | Peak | When |\n|---|---:|---:|---|\n");
    for (id, s) in
        [(MetricId::ApiErrorRate, r.errors), (MetricId::ApiRps, r.api_rps), (MetricId::Throughput, r.worker_throughput)]
    {
        match s {
            Some(s) => {
                let _ =
                    writeln!(o, "| {} | {} | {} | {} |", id.label(), unit(id, s.mean), unit(id, s.peak), c(s.peak_t));
            }
            None => {
                let _ = writeln!(o, "| {} | not recorded | | |", id.label());
            }
        }
    }
    o.push_str("\n## Resource utilisation\n\n| Resource | Mean | Peak | When | Worst level | Thresholds |\n|---|---:|---:|---|---|---|\n");
    for res in &r.resources {
        let id = MetricId::ALL.iter().copied().find(|m| m.key() == res.metric);
        let f = |v: f64| id.map(|m| unit(m, v)).unwrap_or_else(|| format!("{v:.1}"));
        match res.stat {
            Some(s) => {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} {} | {} |",
                    res.label,
                    f(s.mean),
                    f(s.peak),
                    c(s.peak_t),
                    res.level.symbol(),
                    res.level.word(),
                    res.threshold.describe()
                );
            }
            None => {
                let _ = writeln!(o, "| {} | not recorded | | | ? N/A | {} |", res.label, res.threshold.describe());
            }
        }
    }
    o.push_str("\n## Bottleneck\n\n");
    match &r.bottleneck {
        Some(b) => {
            let id = MetricId::ALL.iter().copied().find(|m| m.key() == b.metric);
            let v = id.map(|m| unit(m, b.value)).unwrap_or_else(|| format!("{:.1}", b.value));
            let _ = writeln!(
                o,
                "**{}** was the first resource to cross its warning threshold: {v} at {} ({}).\n",
                b.label,
                c(b.t),
                b.threshold.describe()
            );
        }
        None => o.push_str("No resource crossed its warning threshold in the window.\n\n"),
    }
    o.push_str("## Scaling recommendation\n\n");
    if let Some(w) = &r.recommendation.workers {
        let _ = writeln!(
            o,
            "- Workers at the peak queue: {}; {} {} → needed {}, **recommended {}** (held to the runbook's limits).",
            w.formula, w.plugged, w.arrivals, w.needed, w.recommended
        );
    }
    if let Some(a) = &r.recommendation.api_pods {
        let _ = writeln!(
            o,
            "- API pods: {} pods ran at a peak CPU of {:.0}%; to stay under {:.0}%: ⌈{} × {:.0} / {:.0}⌉ = {}, **recommended {}**.",
            a.at_peak, a.peak_cpu, a.target_cpu, a.at_peak, a.peak_cpu, a.target_cpu, a.needed, a.recommended
        );
    }
    if r.recommendation.workers.is_none() && r.recommendation.api_pods.is_none() {
        o.push_str("- Not enough was recorded (queue depth, API CPU and replicas) to apply the formulas.\n");
    }
    for n in &r.recommendation.notes {
        let _ = writeln!(o, "- {n}");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let pts: Vec<(f64, f64)> = (1..=100).map(|i| (f64::from(i), f64::from(i))).collect();
        let p = percentiles(&pts).expect("values");
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(percentiles(&[]), None);
        let s = stat(&[(1.0, 2.0), (2.0, 6.0), (3.0, 4.0)]).expect("values");
        assert_eq!((s.mean, s.peak, s.peak_t), (4.0, 6.0, 2.0));
    }
}
