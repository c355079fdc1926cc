//! The collector's lock: `SET key id NX PX ttl`, renewed by its holder with a compare-and-
//! expire script, so that only one collector per stream publishes. A standby that finds it
//! free after the holder died takes it; the ttl and the retry period make that happen within
//! two refresh intervals.

use super::bus::Bus;
use crate::model::SourceFailure;
use std::time::Duration;

pub struct Lock {
    key: String,
    id: String,
    ttl: Duration,
}

/// What a try gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// This collector holds it (now or still).
    Mine,
    /// Another holds it: its id.
    Other(String),
}

const RENEW: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
    return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
    return redis.call('DEL', KEYS[1]) else return 0 end";

impl Lock {
    /// The lock of `key` for the collector `id`, refreshed every `refresh`: it expires after
    /// 1.5 refresh intervals (at least 1.5 s), and is tried or renewed three times per ttl.
    pub fn new(key: &str, id: &str, refresh: Duration) -> Lock {
        let ttl = refresh.mul_f64(1.5).max(Duration::from_millis(1500));
        Lock { key: key.to_string(), id: id.to_string(), ttl }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// How often to try or renew.
    pub fn period(&self) -> Duration {
        self.ttl / 3
    }

    /// Take the lock if it is free, or keep it if it is ours; say who holds it otherwise.
    pub async fn try_hold(&self, bus: &mut Bus, held: bool) -> Result<Held, SourceFailure> {
        let ms = self.ttl.as_millis() as u64;
        if held {
            let renewed: i64 =
                bus.query(redis::cmd("EVAL").arg(RENEW).arg(1).arg(&self.key).arg(&self.id).arg(ms)).await?;
            if renewed == 1 {
                return Ok(Held::Mine);
            }
        }
        let set: Option<String> =
            bus.query(redis::cmd("SET").arg(&self.key).arg(&self.id).arg("NX").arg("PX").arg(ms)).await?;
        if set.is_some() {
            return Ok(Held::Mine);
        }
        let holder: Option<String> = bus.query(redis::cmd("GET").arg(&self.key)).await?;
        match holder {
            Some(h) if h == self.id => Ok(Held::Mine),
            Some(h) => Ok(Held::Other(h)),
            // Expired between the two commands: the next try takes it.
            None => Ok(Held::Other("nobody (it just expired)".into())),
        }
    }

    /// Let the lock go at once (on a clean exit), if it is still ours.
    pub async fn release(&self, bus: &mut Bus) {
        let r: Result<i64, _> = bus.query(redis::cmd("EVAL").arg(RELEASE).arg(1).arg(&self.key).arg(&self.id)).await;
        if let Err(e) = r {
            tracing::warn!("collector lock not released: {e}");
        }
    }
}
