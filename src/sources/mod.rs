//! The live sources. Each runs as a task of its own and only sends `SourceUpdate`s into the
//! app channel: one source that is down, slow or misconfigured never holds up another or the
//! UI. Each owns its timeouts and its backoff, and sends an `Err` on every failed refresh.

pub mod backoff;
pub mod cloudwatch;
pub mod health_log;
pub mod kube;
pub mod poll;
pub mod postgres;
pub mod rds;
pub mod redis;
pub mod redis_info;
// Redis cluster (issue 9)
pub mod redis_shards;

use crate::config::Config;
use crate::live::{Clock, Targets};
use crate::model::{SourceFailure, SourceId, SourceUpdate};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How often each source is read, from the config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intervals {
    pub refresh: Duration,
    pub cloudwatch: Duration,
    pub rds: Duration,
}

impl Intervals {
    pub fn from_config(c: &Config) -> Intervals {
        let secs = |s: f64, min: f64| Duration::from_secs_f64(if s.is_finite() { s.max(min) } else { min });
        Intervals {
            refresh: secs(c.refresh_secs, 0.2),
            cloudwatch: secs(c.aws.cloudwatch_refresh_secs, 1.0),
            rds: secs(c.aws.rds_refresh_secs, 1.0),
        }
    }

    /// The timeout of one refresh: the interval, within 2..10 s.
    pub fn timeout(every: Duration) -> Duration {
        every.clamp(Duration::from_secs(2), Duration::from_secs(10))
    }

    /// The timeout of an AWS source's refresh: its first waits for the discovery of the load
    /// balancer and the RDS primary, itself bounded by its deadline.
    pub fn aws_timeout(every: Duration) -> Duration {
        Self::timeout(every) + crate::live::discover::WAIT
    }
}

/// Start a task per configured source. Dropping the receiver ends them all; so does
/// aborting the handles. Every update passes through the log's account of the sources
/// ([`health_log`]) on its way to `out`.
pub fn spawn_all(
    targets: &Targets,
    config: &Config,
    clock: Clock,
    out: mpsc::Sender<SourceUpdate>,
) -> Vec<JoinHandle<()>> {
    let iv = Intervals::from_config(config);
    let (tx, mut rx) = mpsc::channel::<SourceUpdate>(64);
    let mut tasks = vec![tokio::spawn(async move {
        let mut log = health_log::HealthLog::default();
        while let Some(u) = rx.recv().await {
            log.observe(&u);
            if out.send(u).await.is_err() {
                return;
            }
        }
    })];
    let broken = |tasks: &mut Vec<JoinHandle<()>>, id: SourceId, f: &SourceFailure, every: Duration| {
        tasks.push(tokio::spawn(poll::run_broken(id, f.clone(), every, clock, tx.clone())));
    };
    match &targets.kube {
        Some(Ok(t)) => {
            let source = kube::KubeSource::new(t.clone(), config.kubernetes.clone(), iv.refresh, clock);
            tasks.push(tokio::spawn(source.run(tx.clone())));
        }
        Some(Err(f)) => broken(&mut tasks, SourceId::Kube, f, iv.refresh),
        None => {}
    }
    match &targets.redis {
        Some(Ok(t)) => {
            let p = redis::RedisSource::new(t.clone(), config.redis.clone());
            tasks.push(tokio::spawn(poll::run(p, iv.refresh, Intervals::timeout(iv.refresh), clock, tx.clone())));
        }
        Some(Err(f)) => broken(&mut tasks, SourceId::Redis, f, iv.refresh),
        None => {}
    }
    match &targets.postgres {
        Some(Ok(t)) => {
            let p = postgres::PostgresSource::new(t.clone());
            tasks.push(tokio::spawn(poll::run(p, iv.refresh, Intervals::timeout(iv.refresh), clock, tx.clone())));
        }
        Some(Err(f)) => broken(&mut tasks, SourceId::Postgres, f, iv.refresh),
        None => {}
    }
    match &targets.aws {
        Some(Ok(t)) => {
            let cw = cloudwatch::CloudWatchSource::new(t, &config.aws);
            tasks.push(tokio::spawn(poll::run(
                cw,
                iv.cloudwatch,
                Intervals::aws_timeout(iv.cloudwatch),
                clock,
                tx.clone(),
            )));
            let rds = rds::RdsSource::new(t, &config.aws);
            tasks.push(tokio::spawn(poll::run(rds, iv.rds, Intervals::aws_timeout(iv.rds), clock, tx.clone())));
        }
        Some(Err(f)) => {
            broken(&mut tasks, SourceId::CloudWatch, f, iv.cloudwatch);
            broken(&mut tasks, SourceId::Rds, f, iv.rds);
        }
        None => {}
    }
    tasks
}

/// One refresh of every configured source, all at once, each under its timeout.
pub async fn refresh_all_once(targets: &Targets, config: &Config, clock: Clock) -> Vec<SourceUpdate> {
    let timeout = Duration::from_secs(10);
    let at = |source: SourceId, result| SourceUpdate { source, at: clock.now(), result };
    let kube = async {
        match &targets.kube {
            Some(Ok(t)) => {
                let r = match tokio::time::timeout(timeout, kube::once::refresh(t, &config.kubernetes, &clock)).await {
                    Ok(r) => r.map(crate::model::SourceData::Kube),
                    Err(_) => Err(timed_out(SourceId::Kube, timeout)),
                };
                Some(at(SourceId::Kube, r))
            }
            Some(Err(f)) => Some(at(SourceId::Kube, Err(f.clone()))),
            None => None,
        }
    };
    let redis = async {
        match &targets.redis {
            Some(Ok(t)) => {
                let mut p = redis::RedisSource::new(t.clone(), config.redis.clone());
                Some(at(SourceId::Redis, poll::refresh_once(&mut p, timeout).await))
            }
            Some(Err(f)) => Some(at(SourceId::Redis, Err(f.clone()))),
            None => None,
        }
    };
    let pg = async {
        match &targets.postgres {
            Some(Ok(t)) => {
                let mut p = postgres::PostgresSource::new(t.clone());
                Some(at(SourceId::Postgres, poll::refresh_once(&mut p, timeout).await))
            }
            Some(Err(f)) => Some(at(SourceId::Postgres, Err(f.clone()))),
            None => None,
        }
    };
    let aws = async {
        match &targets.aws {
            Some(Ok(t)) => {
                let mut cw = cloudwatch::CloudWatchSource::new(t, &config.aws);
                let mut rds = rds::RdsSource::new(t, &config.aws);
                let timeout = timeout + crate::live::discover::WAIT;
                let (a, b) = tokio::join!(poll::refresh_once(&mut cw, timeout), poll::refresh_once(&mut rds, timeout));
                vec![at(SourceId::CloudWatch, a), at(SourceId::Rds, b)]
            }
            Some(Err(f)) => vec![at(SourceId::CloudWatch, Err(f.clone())), at(SourceId::Rds, Err(f.clone()))],
            None => Vec::new(),
        }
    };
    let (k, r, p, a) = tokio::join!(kube, redis, pg, aws);
    let updates: Vec<SourceUpdate> = k.into_iter().chain(r).chain(p).chain(a).collect();
    let mut log = health_log::HealthLog::default();
    for u in &updates {
        log.observe(u);
    }
    updates
}

fn timed_out(source: SourceId, t: Duration) -> SourceFailure {
    SourceFailure::new(crate::model::FailureKind::Timeout, format!("{source}: no answer within {t:.0?}"))
}
