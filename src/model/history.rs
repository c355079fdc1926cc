//! Fixed-size history rings and trends.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A ring of the last `cap` values; pushing past capacity drops the oldest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ring<T> {
    cap: usize,
    items: VecDeque<T>,
    /// Items ever pushed, so a reader can tell which are new since it last looked.
    #[serde(default)]
    pushed: u64,
}

impl<T> Ring<T> {
    pub fn new(cap: usize) -> Self {
        let cap = cap.max(1);
        Ring { cap, items: VecDeque::with_capacity(cap), pushed: 0 }
    }
    pub fn push(&mut self, v: T) {
        if self.items.len() == self.cap {
            self.items.pop_front();
        }
        self.items.push_back(v);
        self.pushed += 1;
    }

    /// How many items were ever pushed (the newest `pushed - seen` are new to a reader who had
    /// seen `seen`).
    pub fn pushed(&self) -> u64 {
        self.pushed
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn capacity(&self) -> usize {
        self.cap
    }
    pub fn last(&self) -> Option<&T> {
        self.items.back()
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }
    /// The newest `n` items, oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = &T> {
        let skip = self.items.len().saturating_sub(n);
        self.items.iter().skip(skip)
    }
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// One sample of a metric: when (app clock seconds) and the value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub at: f64,
    pub value: f64,
}

/// Which way a metric is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Rising,
    Falling,
    Steady,
    Unknown,
}

impl Trend {
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Rising => "↑",
            Trend::Falling => "↓",
            Trend::Steady => "→",
            Trend::Unknown => " ",
        }
    }
}

/// Least-squares slope of the points, per second. None with fewer than two distinct times.
pub fn slope(points: &[Point]) -> Option<f64> {
    let pts: Vec<&Point> = points.iter().filter(|p| p.value.is_finite()).collect();
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let mt = pts.iter().map(|p| p.at).sum::<f64>() / n;
    let mv = pts.iter().map(|p| p.value).sum::<f64>() / n;
    let mut num = 0.0;
    let mut den = 0.0;
    for p in &pts {
        num += (p.at - mt) * (p.value - mv);
        den += (p.at - mt) * (p.at - mt);
    }
    if den <= f64::EPSILON {
        return None;
    }
    Some(num / den)
}

/// The trend of a series over its last `window` seconds. `scale` is the size of a change that
/// matters (a threshold, or the value itself): a move of less than 5% of it over the window is
/// steady.
pub fn trend(points: &[Point], window: f64, scale: f64) -> Trend {
    let Some(last) = points.last() else { return Trend::Unknown };
    let recent: Vec<Point> = points.iter().copied().filter(|p| p.at >= last.at - window).collect();
    let Some(s) = slope(&recent) else { return Trend::Unknown };
    let span = recent.last().map(|p| p.at).unwrap_or(0.0) - recent.first().map(|p| p.at).unwrap_or(0.0);
    let change = s * span.max(1.0);
    let scale = scale.abs().max(1e-9);
    if change > 0.05 * scale {
        Trend::Rising
    } else if change < -0.05 * scale {
        Trend::Falling
    } else {
        Trend::Steady
    }
}
