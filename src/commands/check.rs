//! `cockpit check`: connect to every configured source once and say what works, what is not
//! configured and how to configure it, what fails and why; which metrics that feed a threshold
//! or an emergency condition have no value (the same blind spots the screen shows, each with its
//! reason and the setting that gives it); where the load balancer and the RDS primary come from
//! (set, or discovered); for Kubernetes, which permissions the cockpit and its guided actions
//! need that the current identity lacks. Every request has a deadline.
//!
//! Exit status: 1 (EXIT_FAILURE) when a configured source fails; else 3 (EXIT_BLIND) when a
//! configured source answered without a metric that feeds a threshold or an emergency
//! condition; else 0.

use crate::config::Config;
use crate::live::{Clock, Env, Targets};
use crate::model::state::SourceData;
use crate::model::{Board, Gap, GapKind, MetricId, SourceId, SourceUpdate};
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use kube::Api;
use kube::api::PostParams;
use serde_json::json;
use std::time::Duration;

/// A permission: verb, API group, resource, subresource, and what needs it.
pub type Need = (&'static str, &'static str, &'static str, &'static str, &'static str);

/// What the dashboard and the guided actions ask of the API server.
pub const NEEDS: &[Need] = &[
    ("get", "apps", "deployments", "", "read the deployments"),
    ("list", "apps", "deployments", "", "read the deployments"),
    ("watch", "apps", "deployments", "", "read the deployments"),
    ("get", "autoscaling", "horizontalpodautoscalers", "", "read the HPAs"),
    ("list", "autoscaling", "horizontalpodautoscalers", "", "read the HPAs"),
    ("watch", "autoscaling", "horizontalpodautoscalers", "", "read the HPAs"),
    ("get", "", "pods", "", "read the pods"),
    ("list", "", "pods", "", "read the pods"),
    ("watch", "", "pods", "", "read the pods"),
    ("get", "", "events", "", "read the events"),
    ("list", "", "events", "", "read the events"),
    ("watch", "", "events", "", "read the events"),
    ("list", "metrics.k8s.io", "pods", "", "pod CPU and memory"),
    ("patch", "apps", "deployments", "", "drain annotation, resize-workers limits"),
    ("patch", "apps", "deployments", "scale", "scale-api, scale-workers, emergency"),
    ("update", "autoscaling", "horizontalpodautoscalers", "", "emergency (pin HPAs), reenable-hpa"),
    ("get", "", "pods", "proxy", "health checks after a scale"),
    ("get", "coordination.k8s.io", "leases", "", "the action lock, and who holds it"),
    ("list", "coordination.k8s.io", "leases", "", "who holds the action lock"),
    ("watch", "coordination.k8s.io", "leases", "", "who holds the action lock"),
    ("create", "coordination.k8s.io", "leases", "", "the action lock"),
    ("update", "coordination.k8s.io", "leases", "", "the action lock"),
    ("list", "", "services", "", "discover the API's load balancer"),
    ("list", "networking.k8s.io", "ingresses", "", "discover the API's load balancer"),
];

/// How long the access reviews may take, all together.
pub const REVIEW_DEADLINE: Duration = Duration::from_secs(10);
/// Indent of the lines under a source's line.
const INDENT: &str = "            ";

/// The needs that a SelfSubjectAccessReview denies in this namespace (`Err` if the reviews
/// themselves fail).
pub async fn missing_permissions(client: &kube::Client, namespace: &str) -> Result<Vec<Need>, String> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let reviews = NEEDS.iter().map(|need| {
        let api = api.clone();
        async move {
            let (verb, group, resource, sub, _) = *need;
            let body: SelfSubjectAccessReview = serde_json::from_value(json!({"spec": {"resourceAttributes": {
                "namespace": namespace, "verb": verb, "group": group, "resource": resource, "subresource": sub}}}))
            .map_err(|e| e.to_string())?;
            let answer = api
                .create(&PostParams::default(), &body)
                .await
                .map_err(|e| crate::live::classify::kube("access review", &e).to_string())?;
            Ok::<_, String>((*need, answer.status.map(|s| s.allowed).unwrap_or(false)))
        }
    });
    let answers = match tokio::time::timeout(REVIEW_DEADLINE, futures::future::try_join_all(reviews)).await {
        Ok(a) => a?,
        Err(_) => return Err(format!("the API server did not answer within {}s", REVIEW_DEADLINE.as_secs())),
    };
    Ok(answers.into_iter().filter(|(_, allowed)| !allowed).map(|(n, _)| n).collect())
}

fn how_to(s: SourceId) -> &'static str {
    match s {
        SourceId::Kube => "give --kubeconfig, set KUBECONFIG, or have ~/.kube/config (in a pod: a service account)",
        SourceId::Redis => "set redis.url in the config or REDIS_URL (rediss:// for TLS)",
        SourceId::Postgres => {
            "set postgres.url in the config, DATABASE_URL, or PGHOST and the other PG* variables, or PGSERVICE"
        }
        SourceId::CloudWatch | SourceId::Rds => {
            "give AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE/--profile, ~/.aws) and a region, or set aws.enabled = true"
        }
    }
}

fn summary(data: &SourceData) -> String {
    match data {
        SourceData::Kube(k) => {
            let dep = |w: &crate::model::state::WorkloadState| {
                w.deployment.as_ref().map(|d| format!("{} {}/{} ready", d.name, d.ready, d.desired))
            };
            let found: Vec<String> = [dep(&k.api), dep(&k.workers)].into_iter().flatten().collect();
            let hpas = [&k.api.hpa, &k.workers.hpa].iter().filter(|h| h.is_some()).count();
            format!(
                "deployments: {}; {hpas} of 2 HPAs; {} pods; pod metrics {}",
                if found.is_empty() { "none of the configured names found".into() } else { found.join(", ") },
                k.api.pods.total + k.workers.pods.total,
                if k.api.usage.is_some() || k.workers.usage.is_some() { "served" } else { "not available" }
            )
        }
        SourceData::Redis(r) => {
            let topo = match &r.cluster_state {
                Some(s) => format!("cluster of {} masters ({s})", r.shards),
                None => "single node".into(),
            };
            let queues: Vec<String> = r.queues.iter().map(|(q, n)| format!("{q} {n}")).collect();
            format!("{topo}, round trip {:.1} ms, queues: {}", r.round_trip_ms, queues.join(", "))
        }
        SourceData::Postgres(p) => format!(
            "{} of {} connections, round trip {:.1} ms, pg_stat_statements {}",
            p.total,
            p.max_connections,
            p.round_trip_ms,
            if p.top_statements.is_some() { "available" } else { "not available" }
        ),
        SourceData::CloudWatch(c) => {
            let n = [
                c.api_p99_ms,
                c.api_5xx_pct,
                c.api_rps,
                c.db_cpu_pct,
                c.db_free_memory,
                c.db_connections,
                c.cache_memory_pct,
                c.cache_cpu_pct,
            ]
            .iter()
            .filter(|v| v.is_some())
            .count();
            format!("{n} of 8 metrics have a recent datapoint")
        }
        SourceData::Rds(r) => {
            let p = r
                .primary
                .as_ref()
                .map(|p| format!("primary {} {} {}", p.id, p.class, p.status))
                .unwrap_or_else(|| "no primary".into());
            let replicas: Vec<String> =
                r.replicas.iter().map(|i| format!("{} {} {}", i.id, i.class, i.status)).collect();
            match replicas.len() {
                0 => format!("{p}, no replica"),
                _ => format!("{p}, replicas {}", replicas.join(", ")),
            }
        }
    }
}

/// The lines under a source: what it did not find (RDS), and where the AWS names come from.
fn details(data: &SourceData, targets: &Targets) -> Vec<String> {
    match data {
        SourceData::CloudWatch(_) => {
            let Some(Ok(aws)) = &targets.aws else { return Vec::new() };
            let Some(names) = aws.discovery.latest() else { return Vec::new() };
            let mut out = Vec::new();
            // A name that is missing shows as the blind spots it causes.
            if let Ok(lb) = &names.load_balancer {
                out.push(format!("load balancer {}", lb.describe()));
            }
            if let Ok(db) = &names.rds_primary {
                out.push(format!("RDS primary {}", db.describe()));
            }
            out
        }
        SourceData::Rds(r) => r.missing.iter().map(|g| g.describe()).collect(),
        _ => Vec::new(),
    }
}

/// The blind spots of the sources that answered, grouped by source and by gap (one line for
/// API p99 and error rate when one unset load balancer hides both).
fn blind_spots(board: &Board, answered: &[SourceId]) -> Vec<(SourceId, Vec<MetricId>, Gap)> {
    let mut out: Vec<(SourceId, Vec<MetricId>, Gap)> = Vec::new();
    for (id, gap) in board.blind_spots() {
        if gap.kind == GapKind::NotConfigured || !answered.contains(&id.source()) {
            continue;
        }
        match out.iter_mut().find(|(s, _, g)| *s == id.source() && g == gap) {
            Some((_, ids, _)) => ids.push(id),
            None => out.push((id.source(), vec![id], gap.clone())),
        }
    }
    out
}

/// Print the check of every source; the exit status (see the module's doc).
pub async fn run(config: &Config, env: &Env) -> anyhow::Result<i32> {
    let targets = Targets::resolve(config, env).await;
    let clock = Clock::start();
    let updates = crate::sources::refresh_all_once(&targets, config, clock).await;
    let mut board = Board::new(config.board_settings(), &targets.configured());
    for u in &updates {
        board.ingest(u.clone());
    }
    let answered: Vec<SourceId> = updates.iter().filter(|u| u.result.is_ok()).map(|u| u.source).collect();
    let blind = blind_spots(&board, &answered);
    let mut failed = 0;
    let mut out = String::new();
    for s in SourceId::ALL {
        let update = updates.iter().find(|u| u.source == s);
        let line = match update {
            None => format!("not configured: {}", how_to(s)),
            Some(SourceUpdate { result: Ok(data), .. }) => format!("ok: {}", summary(data)),
            Some(SourceUpdate { result: Err(f), .. }) => {
                failed += 1;
                format!("FAILED: {f}")
            }
        };
        out.push_str(&format!("{:<11} {line}\n", s.name()));
        if s == SourceId::Kube {
            let answered = update.is_some_and(|u| u.result.is_ok());
            out.push_str(&kube_details(&targets, answered).await);
        }
        if let Some(SourceUpdate { result: Ok(data), .. }) = update {
            for d in details(data, &targets) {
                out.push_str(&format!("{INDENT}{d}\n"));
            }
        }
        for (_, ids, gap) in blind.iter().filter(|(src, _, _)| *src == s) {
            let labels: Vec<&str> = ids.iter().map(|id| id.label()).collect();
            out.push_str(&format!("{INDENT}WARN {}: {}\n", labels.join(", "), gap.describe()));
        }
    }
    print!("{out}");
    if failed > 0 {
        println!("{failed} configured source(s) failed");
        return Ok(crate::commands::EXIT_FAILURE);
    }
    // Sources not configured are not failures, but what they leave unseen is said, counted.
    let configured = targets.configured();
    let unseen: Vec<MetricId> = MetricId::ALL
        .iter()
        .copied()
        .filter(|id| !board.threshold(*id).is_empty() || id.feeds_emergency())
        .filter(|id| !configured.contains(&id.source()))
        .collect();
    if !unseen.is_empty() {
        let sources: Vec<&str> =
            SourceId::ALL.iter().filter(|s| unseen.iter().any(|id| id.source() == **s)).map(|s| s.name()).collect();
        let nothing = configured.is_empty();
        println!(
            "WARN {} metric(s) that feed a threshold or an emergency condition have no source: {} not configured \
             (above: how to configure each){}",
            unseen.len(),
            sources.join(", "),
            if nothing { "; `cockpit demo` shows the whole cockpit on its simulator" } else { "" }
        );
    }
    let n: usize = blind.iter().map(|(_, ids, _)| ids.len()).sum();
    if n > 0 {
        println!(
            "{n} blind spot(s): metric(s) that feed a threshold or an emergency condition have no value (WARN above, \
             each with the setting that gives it)"
        );
        return Ok(crate::commands::EXIT_BLIND);
    }
    Ok(crate::commands::EXIT_OK)
}

async fn kube_details(targets: &Targets, answered: bool) -> String {
    let Some(Ok(k)) = &targets.kube else { return String::new() };
    let mut out = format!("            {} at {}\n", k.describe(), k.server);
    if !answered {
        out.push_str("            identity and permissions: not checked (the API server failed above)\n");
        return out;
    }
    let who = crate::live::kube::identity(&k.client)
        .await
        .unwrap_or_else(|| "not told by the server (no SelfSubjectReview)".into());
    out.push_str(&format!("            identity: {who}\n"));
    match missing_permissions(&k.client, &k.namespace).await {
        Ok(missing) if missing.is_empty() => {
            out.push_str("            permissions: every one the cockpit and its guided actions need\n")
        }
        Ok(missing) => {
            out.push_str(&format!(
                "            permissions missing in namespace {} ({} of {}):\n",
                k.namespace,
                missing.len(),
                NEEDS.len()
            ));
            for (verb, group, resource, sub, why) in missing {
                let res = if sub.is_empty() { resource.to_string() } else { format!("{resource}/{sub}") };
                let group = if group.is_empty() { "core".to_string() } else { group.to_string() };
                out.push_str(&format!("              {verb} {res} ({group}): {why}\n"));
            }
        }
        Err(e) => out.push_str(&format!("            permissions: could not be checked: {e}\n")),
    }
    out
}
