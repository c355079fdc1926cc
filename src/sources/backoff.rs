//! Exponential backoff with jitter, bounded so that a source that comes back is seen again
//! within one refresh interval. Throttling and refused credentials back off further: asking
//! again soon does not help and adds load.

use crate::model::FailureKind;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

/// The longest wait after throttling or a refused credential.
pub const SLOW_CAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Backoff {
    attempt: u32,
    base: Duration,
    cap: Duration,
    seed: u64,
}

impl Backoff {
    /// For a source refreshed every `interval`: starts at a quarter of it (at most 0.5 s)
    /// and doubles up to the interval itself.
    pub fn new(interval: Duration) -> Backoff {
        let base = (interval / 4).clamp(Duration::from_millis(50), Duration::from_millis(500));
        Backoff { attempt: 0, base, cap: interval.max(base), seed: RandomState::new().hash_one(0u8) }
    }

    /// Back to the first delay after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next try after a failure of this kind: base·2^n, capped, then
    /// "equal jitter" (a uniform draw between half and all of it).
    pub fn next_delay(&mut self, kind: FailureKind) -> Duration {
        let cap = match kind {
            FailureKind::Throttled | FailureKind::Authentication | FailureKind::Permission => self.cap.max(SLOW_CAP),
            _ => self.cap,
        };
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(16));
        self.attempt = self.attempt.saturating_add(1);
        let full = exp.min(cap);
        full.mul_f64(0.5 + 0.5 * self.unit())
    }

    /// A number in [0, 1) (xorshift over a random seed: jitter needs no more).
    fn unit(&mut self) -> f64 {
        let mut x = self.seed | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_stay_within_the_interval() {
        let mut b = Backoff::new(Duration::from_secs(2));
        let delays: Vec<Duration> = (0..8).map(|_| b.next_delay(FailureKind::Refused)).collect();
        assert!(delays[0] >= Duration::from_millis(250) && delays[0] <= Duration::from_millis(500), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)), "{delays:?}");
        assert!(delays[7] >= Duration::from_secs(1), "capped at 2 s, jitter keeps at least half: {delays:?}");
        b.reset();
        assert!(b.next_delay(FailureKind::Timeout) <= Duration::from_millis(500));
    }

    #[test]
    fn throttling_backs_off_past_the_interval() {
        let mut b = Backoff::new(Duration::from_secs(2));
        let last = (0..12).map(|_| b.next_delay(FailureKind::Throttled)).last().unwrap_or_default();
        assert!(last >= SLOW_CAP / 2 && last <= SLOW_CAP, "{last:?}");
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let mut b = Backoff::new(Duration::from_secs(60));
        let delays: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| {
                b.reset();
                b.next_delay(FailureKind::Refused)
            })
            .collect();
        assert!(delays.len() > 10, "{delays:?}");
    }
}
