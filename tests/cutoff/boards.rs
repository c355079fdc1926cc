//! Boards as a live cockpit fills them in configurations users have, written by hand.

use cockpit::model::*;
use std::collections::BTreeMap;

fn dep(name: &str, desired: u32, ready: u32) -> DeploymentState {
    DeploymentState {
        name: name.into(),
        desired,
        ready,
        updated: desired,
        available: ready,
        generation: 1,
        observed_generation: 1,
        annotations: BTreeMap::new(),
        cpu_limit: Some("1".into()),
        memory_limit: Some("2Gi".into()),
    }
}

fn cond(kind: &str, status: bool, reason: &str) -> HpaCondition {
    HpaCondition { kind: kind.into(), status, reason: reason.into(), message: String::new() }
}

/// A quiet platform: the API without an HPA, the workers' HPA at its minimum
/// (ScalingLimited=True: TooFewReplicas, which is normal), no metrics-server for the API.
fn kube_quiet() -> KubeState {
    KubeState {
        api: WorkloadState {
            deployment: Some(dep("api-server", 3, 3)),
            hpa: None,
            pods: PodsSummary { total: 3, ready: 3, ..Default::default() },
            usage: None,
        },
        workers: WorkloadState {
            deployment: Some(dep("agent-worker", 5, 5)),
            hpa: Some(HpaState {
                name: "worker-hpa".into(),
                min: 5,
                max: 100,
                current: 5,
                desired: 5,
                targets: vec![HpaTarget {
                    name: "redis_queue_depth".into(),
                    kind: "AverageValue".into(),
                    target: 100.0,
                    current: Some(0.0),
                }],
                conditions: vec![
                    cond("AbleToScale", true, "ReadyForNewScale"),
                    cond("ScalingActive", false, "FailedGetExternalMetric"),
                    cond("ScalingLimited", true, "TooFewReplicas"),
                ],
                last_scale_at: None,
                pinned: false,
            }),
            pods: PodsSummary { total: 5, ready: 5, ..Default::default() },
            usage: Some(Usage { cpu_pct: 3.0, memory_pct: 20.0 }),
        },
        events: vec![KubeEvent {
            at: 1.0,
            object: "hpa/worker-hpa".into(),
            reason: "FailedGetExternalMetric".into(),
            message: "unable to get external metric production/redis_queue_depth/&LabelSelector{MatchLabels:map[string]string{queue: agent-default,},MatchExpressions:[]LabelSelectorRequirement{},}: no metrics returned from external metrics API".into(),
            warning: true,
        }],
        lease: Default::default(),
    }
}

/// An idle Redis on one node: no hits, no misses, maxmemory 0 and maxclients 0.
fn redis_idle() -> RedisState {
    RedisState {
        queues: vec![("agent:queue:default".into(), 0)],
        in_flight: 0,
        completed_total: None,
        used_memory: 999_041,
        max_memory: 0,
        clients: 3,
        max_clients: 0,
        hits: 0,
        misses: 0,
        ops_per_sec: 0.0,
        shards: 1,
        cluster_state: None,
        shard_memory: Vec::new(),
        round_trip_ms: 0.2,
        shard_readings: Vec::new(),
    }
}

/// PostgreSQL without replicas and without pg_stat_statements.
fn postgres_alone() -> PostgresState {
    PostgresState {
        by_state: [("active".to_string(), 1), ("idle".to_string(), 4)].into_iter().collect(),
        total: 5,
        max_connections: 100,
        replica_lag: Vec::new(),
        top_statements: None,
        round_trip_ms: 0.8,
        ..Default::default()
    }
}

fn feed(b: &mut Board, at: f64, data: SourceData) {
    b.ingest(SourceUpdate { source: data.source(), at, result: Ok(data) });
}

/// Kubernetes, Redis and PostgreSQL; no CloudWatch, no RDS.
pub fn bare_board() -> Board {
    let mut b = Board::new(BoardSettings::default(), &[SourceId::Kube, SourceId::Redis, SourceId::Postgres]);
    for i in 0..30 {
        let at = i as f64 * 2.0;
        feed(&mut b, at, SourceData::Kube(kube_quiet()));
        feed(&mut b, at, SourceData::Redis(redis_idle()));
        feed(&mut b, at, SourceData::Postgres(postgres_alone()));
    }
    b
}

/// CloudWatch answers without a load balancer (API p99 and 5xx blind); PostgreSQL has refused
/// since the start; the queue grows and never drains (with a threshold on the drain time, as a
/// user may configure it); a worker was OOMKilled; the RDS primary is being resized.
pub fn blind_board() -> Board {
    let mut settings = BoardSettings::default();
    settings.thresholds.insert(MetricId::DrainTime, Threshold::new(Bound::above(600.0), Bound::above(1800.0)));
    let mut b = Board::new(settings, &SourceId::ALL);
    let mut cloud = CloudState { db_cpu_pct: Some(35.0), ..Default::default() };
    for id in [MetricId::ApiP99, MetricId::ApiErrorRate, MetricId::ApiRps] {
        cloud.gaps.insert(
            id,
            Gap::new(GapKind::NotSet, "no load balancer is known, so API p99, 5xx rate and requests are not read")
                .setting("aws.load_balancer"),
        );
    }
    let mut kube = kube_quiet();
    kube.workers.deployment = Some(dep("agent-worker", 5, 5));
    kube.workers.hpa.as_mut().unwrap().conditions = vec![
        cond("AbleToScale", true, "ReadyForNewScale"),
        cond("ScalingActive", true, "ValidMetricFound"),
        cond("ScalingLimited", true, "TooManyReplicas"),
    ];
    kube.workers.pods = PodsSummary {
        total: 6,
        ready: 5,
        restarts: 3,
        oom_killed: 2,
        pending: 1,
        problems: vec![PodProblem {
            name: "agent-worker-7c9d5b6f4-x2k8p".into(),
            phase: "Running".into(),
            ready: false,
            restarts: 3,
            reason: Some("OOMKilled".into()),
        }],
        ..Default::default()
    };
    // Merge-safe: RdsState gains fields elsewhere (the instances not found).
    #[allow(clippy::needless_update)]
    let rds = RdsState {
        primary: Some(DbInstance {
            id: "agentos-production-primary".into(),
            class: "db.r6g.2xlarge".into(),
            status: "storage-optimization".into(),
            pending_class: Some("db.r6g.4xlarge".into()),
            is_replica: false,
        }),
        replicas: vec![DbInstance {
            id: "agentos-replica-1".into(),
            class: "db.r6g.2xlarge".into(),
            status: "available".into(),
            pending_class: None,
            is_replica: true,
        }],
        ..Default::default()
    };
    for i in 0..40 {
        let at = i as f64 * 2.0;
        feed(&mut b, at, SourceData::Kube(kube.clone()));
        b.ingest(SourceUpdate {
            source: SourceId::Postgres,
            at,
            result: Err(SourceFailure::new(FailureKind::Refused, "10.0.9.12:5432")),
        });
        feed(&mut b, at, SourceData::CloudWatch(cloud.clone()));
        feed(&mut b, at, SourceData::Rds(rds.clone()));
    }
    // Redis: a growing queue that nothing takes from.
    for i in 0..40u64 {
        let mut r = redis_idle();
        r.queues = vec![("agent:queue:default".into(), 2_000 + i * 40)];
        r.completed_total = Some(100);
        r.max_memory = 4 << 30;
        r.used_memory = 3_500 << 20;
        r.max_clients = 10_000;
        r.clients = 420;
        r.shards = 3;
        r.cluster_state = Some("ok".into());
        r.shard_memory = vec![
            ("10.0.1.21:6379".into(), 1_200 << 20),
            ("10.0.2.21:6379".into(), 1_150 << 20),
            ("redis-node-3.cache.internal:6379".into(), 1_150 << 20),
        ];
        feed(&mut b, i as f64 * 2.0, SourceData::Redis(r));
    }
    b
}
