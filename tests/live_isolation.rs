//! One peer down marks only its source stale, the others keep refreshing, and the source
//! recovers by itself when the peer is back: on its first refresh after the restart, which
//! the backoff (capped at the refresh interval) brings within one interval.

mod support;

use std::time::Duration;

use anyhow::{Result, ensure};
use cockpit::model::{FailureKind, SourceId, SourceStatus};
use support::live::{Running, config, env};
use support::{Moto, Postgres, RedisServer};

const LIMIT: Duration = Duration::from_secs(30);

/// After `mark`: every source but `down` kept sending good updates.
fn others_fresh(run: &Running, mark: usize, down: &[SourceId]) -> Result<()> {
    for s in [SourceId::Redis, SourceId::Postgres, SourceId::CloudWatch, SourceId::Rds] {
        if down.contains(&s) {
            continue;
        }
        let after = run.since(mark, s);
        ensure!(after.iter().all(|u| u.result.is_ok()), "{s} failed while another peer was down: {after:?}");
        ensure!(run.status(s).is_live(), "{s} is {:?}", run.status(s));
    }
    Ok(())
}

/// Failed refreshes of `s` between the restart (`mark`) and its recovery: at most the one
/// that may have been under way when the peer came back.
fn recovered_at_once(run: &Running, mark: usize, s: SourceId) -> Result<()> {
    let after = run.since(mark, s);
    let failed = after.iter().take_while(|u| u.result.is_err()).count();
    ensure!(failed <= 1, "{s}: {failed} failed refreshes after the peer was back: {after:?}");
    Ok(())
}

#[tokio::test]
async fn each_peer_down_marks_only_its_source_and_recovers() -> Result<()> {
    let mut redis = RedisServer::start()?;
    let mut pg = Postgres::start()?;
    let mut moto = Moto::start()?;
    let home = tempfile::tempdir()?;
    let mut c = config(0.5);
    c.redis.url = Some(redis.url());
    c.postgres.url = Some(pg.url());
    c.aws.enabled = Some(true);
    c.aws.region = Some("us-east-1".into());
    c.aws.endpoint_url = Some(moto.endpoint());
    c.aws.cloudwatch_refresh_secs = 1.0;
    c.aws.rds_refresh_secs = 1.0;
    let e = env(home.path()).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing");
    let mut run = Running::start(&c, &e).await;
    assert_eq!(*run.status(SourceId::Kube), SourceStatus::NotConfigured);
    run.until("every source live", LIMIT, |b| {
        [SourceId::Redis, SourceId::Postgres, SourceId::CloudWatch, SourceId::Rds]
            .iter()
            .all(|s| b.source_status(*s).is_live())
    })
    .await?;

    // Redis down: only redis is stale, with the reason and the age of its last good sample.
    redis.kill()?;
    let mark = run.mark();
    run.until_stale(SourceId::Redis, LIMIT).await?;
    let SourceStatus::Stale { last_ok, failure, .. } = run.status(SourceId::Redis).clone() else { unreachable!() };
    assert_eq!(failure.kind, FailureKind::Refused, "{failure}");
    assert!(last_ok.is_some(), "the last good sample is kept");
    // Let the others refresh a few times while redis is down.
    run.until_updates(SourceId::Postgres, 3, LIMIT).await?;
    others_fresh(&run, mark, &[SourceId::Redis])?;
    redis.restart()?;
    let back = run.mark();
    run.until_live(SourceId::Redis, LIMIT).await?;
    recovered_at_once(&run, back, SourceId::Redis)?;

    // PostgreSQL down.
    pg.kill()?;
    let mark = run.mark();
    run.until_stale(SourceId::Postgres, LIMIT).await?;
    run.until_updates(SourceId::Redis, 3, LIMIT).await?;
    others_fresh(&run, mark, &[SourceId::Postgres])?;
    pg.restart()?;
    let back = run.mark();
    run.until_live(SourceId::Postgres, LIMIT).await?;
    recovered_at_once(&run, back, SourceId::Postgres)?;

    // AWS down: CloudWatch and RDS both.
    moto.kill()?;
    let mark = run.mark();
    run.until("cloudwatch and rds stale", LIMIT, |b| {
        b.source_status(SourceId::CloudWatch).is_stale() && b.source_status(SourceId::Rds).is_stale()
    })
    .await?;
    run.until_updates(SourceId::Postgres, 3, LIMIT).await?;
    others_fresh(&run, mark, &[SourceId::CloudWatch, SourceId::Rds])?;
    moto.restart()?;
    let back = run.mark();
    run.until("cloudwatch and rds live", LIMIT, |b| {
        b.source_status(SourceId::CloudWatch).is_live() && b.source_status(SourceId::Rds).is_live()
    })
    .await?;
    recovered_at_once(&run, back, SourceId::CloudWatch)?;
    recovered_at_once(&run, back, SourceId::Rds)?;
    Ok(())
}
