//! A robust trend: the Theil–Sen slope (the median of the slopes between every pair of days),
//! its 95% confidence interval from Kendall's rank statistic (Sen 1968), and where the line
//! (and the lines at the interval's ends) cross a limit. One bad day moves it little, where a
//! least-squares line (or the runbook's "growth rate" between two points) follows it.

use serde::Serialize;

/// Seconds in a day: the series are daily.
pub const DAY: f64 = 86_400.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Units per day.
    pub slope: f64,
    /// The 95% interval of the slope.
    pub slope_low: f64,
    pub slope_high: f64,
    /// The line's value at `t0`.
    pub at_t0: f64,
    /// The low and high slopes' lines at `t0` (each through the median point).
    pub at_t0_low: f64,
    pub at_t0_high: f64,
    /// Seconds since the epoch the line is anchored at (the first day).
    pub t0: f64,
    /// Days of data it was fitted on.
    pub days: usize,
}

/// The fewest days a trend is fitted on: with fewer, the interval is wider than the data.
pub const MIN_DAYS: usize = 7;

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// The Theil–Sen fit of `points` (t in seconds, value); None with fewer than [`MIN_DAYS`]
/// finite points.
pub fn theil_sen(points: &[(f64, f64)]) -> Option<Trend> {
    let p: Vec<(f64, f64)> = points.iter().copied().filter(|(t, v)| t.is_finite() && v.is_finite()).collect();
    if p.len() < MIN_DAYS {
        return None;
    }
    let t0 = p.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
    let xs: Vec<(f64, f64)> = p.iter().map(|(t, v)| ((t - t0) / DAY, *v)).collect();
    let mut slopes = Vec::with_capacity(xs.len() * (xs.len() - 1) / 2);
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            let dx = xs[j].0 - xs[i].0;
            if dx.abs() > f64::EPSILON {
                slopes.push((xs[j].1 - xs[i].1) / dx);
            }
        }
    }
    let slope = median(&mut slopes)?;
    // Sen's interval: the slopes at ranks (N ∓ C)/2 of the sorted N, C = z·√Var(S).
    let n = xs.len() as f64;
    let c = 1.96 * (n * (n - 1.0) * (2.0 * n + 5.0) / 18.0).sqrt();
    let big_n = slopes.len() as f64;
    let rank = |r: f64| slopes[(r.round().max(1.0) as usize - 1).min(slopes.len() - 1)];
    let (slope_low, slope_high) = (rank((big_n - c) / 2.0), rank((big_n + c) / 2.0 + 1.0));
    let intercept = |b: f64| {
        let mut r: Vec<f64> = xs.iter().map(|(x, y)| y - b * x).collect();
        median(&mut r).unwrap_or(0.0)
    };
    Some(Trend {
        slope,
        slope_low,
        slope_high,
        at_t0: intercept(slope),
        at_t0_low: intercept(slope_low),
        at_t0_high: intercept(slope_high),
        t0,
        days: xs.len(),
    })
}

impl Trend {
    fn days_at(&self, t: f64) -> f64 {
        (t - self.t0) / DAY
    }

    /// The line's value at `t`, and the interval's (low, high) there.
    pub fn at(&self, t: f64) -> (f64, f64, f64) {
        let d = self.days_at(t);
        let a = self.at_t0 + self.slope * d;
        let lo = self.at_t0_low + self.slope_low * d;
        let hi = self.at_t0_high + self.slope_high * d;
        (a, lo.min(hi).min(a), hi.max(lo).max(a))
    }

    /// When the line reaches `limit`, rising to it: None when it does not rise (or is there
    /// already at `now`, which the caller tells apart).
    pub fn crossing(&self, limit: f64, now: f64) -> Option<f64> {
        Self::cross(self.at_t0, self.slope, self.t0, limit, now)
    }

    /// The earliest the interval allows (the steep end of it).
    pub fn crossing_earliest(&self, limit: f64, now: f64) -> Option<f64> {
        Self::cross(self.at_t0_high, self.slope_high, self.t0, limit, now)
            .into_iter()
            .chain(Self::cross(self.at_t0_low, self.slope_low, self.t0, limit, now))
            .reduce(f64::min)
    }

    fn cross(a: f64, b: f64, t0: f64, limit: f64, now: f64) -> Option<f64> {
        if b <= 0.0 || !b.is_finite() {
            return None;
        }
        let t = t0 + (limit - a) / b * DAY;
        Some(t.max(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        (0..n).map(|i| (1_700_000_000.0 + i as f64 * DAY, f(i))).collect()
    }

    #[test]
    fn a_known_slope_is_found_and_projected() {
        let s = series(90, |i| 200.0 + 3.0 * i as f64);
        let t = theil_sen(&s).expect("fit");
        assert!((t.slope - 3.0).abs() < 1e-9, "{t:?}");
        assert!((t.at_t0 - 200.0).abs() < 1e-9);
        let last = s[89].0;
        let (v, lo, hi) = t.at(last + 30.0 * DAY);
        assert!((v - (200.0 + 3.0 * 119.0)).abs() < 1e-6, "{v}");
        assert!(lo <= v && v <= hi);
        // 200 + 3d = 500 at d = 100.
        let cross = t.crossing(500.0, last).expect("rises");
        assert!((cross - (s[0].0 + 100.0 * DAY)).abs() < 1.0, "{cross}");
    }

    #[test]
    fn noise_and_outliers_leave_the_slope_and_the_interval_holds_it() {
        // Slope 2/day, noise ±5 from a fixed pattern, and three absurd days (a broken export).
        let s = series(60, |i| {
            let noise = [-5.0, 3.0, -1.0, 4.0, -2.0, 5.0, 0.0][i % 7];
            let spike = if i % 20 == 7 { 900.0 } else { 0.0 };
            100.0 + 2.0 * i as f64 + noise + spike
        });
        let t = theil_sen(&s).expect("fit");
        assert!((t.slope - 2.0).abs() < 0.15, "{t:?}");
        assert!(t.slope_low < 2.0 && 2.0 < t.slope_high, "{t:?}");
        assert!(t.slope_high - t.slope_low < 0.6, "a tight interval on 60 days: {t:?}");
        // Least squares would be pulled up by the spikes; the median is not.
    }

    #[test]
    fn a_flat_or_falling_series_never_crosses() {
        let flat = theil_sen(&series(30, |_| 42.0)).expect("fit");
        assert_eq!(flat.slope, 0.0);
        assert_eq!(flat.crossing(100.0, 1_800_000_000.0), None);
        let falling = theil_sen(&series(30, |i| 100.0 - i as f64)).expect("fit");
        assert_eq!(falling.crossing(200.0, 1_800_000_000.0), None);
    }

    #[test]
    fn too_few_days_give_no_trend() {
        assert!(theil_sen(&series(MIN_DAYS - 1, |i| i as f64)).is_none());
        let with_nan = series(MIN_DAYS, |i| if i == 3 { f64::NAN } else { i as f64 });
        assert!(theil_sen(&with_nan).is_none(), "a NaN day does not count");
    }
}
