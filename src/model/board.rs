//! The board: everything the dashboard knows, updated from source events. Pure data, no I/O.

mod plans;
mod values;

use super::capacity::{CapacityParams, Limits};
use super::derive::{QueueRates, RateTracker};
use super::gap::Gap;
use super::history::{Point, Ring, Trend, trend};
use super::level::{Level, Threshold};
use super::metric::MetricId;
use super::reading::{EmergencyRules, Reading};
use super::source::{SourceFailure, SourceId, SourceStatus};
use super::state::{PlatformState, SourceData};
use super::timeline::{Category, TimelineEntry};
use std::collections::BTreeMap;

/// One refresh of one source, as it arrives in the app channel (and on the shared stream).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceUpdate {
    pub source: SourceId,
    /// Seconds on the app clock.
    pub at: f64,
    pub result: Result<SourceData, SourceFailure>,
}

/// What the board needs from the configuration.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoardSettings {
    pub thresholds: BTreeMap<MetricId, Threshold>,
    pub limits: Limits,
    pub capacity: CapacityParams,
    pub emergency: EmergencyRules,
    /// Samples kept per metric.
    pub history_len: usize,
    /// Seconds over which trends and rates are computed.
    pub trend_window: f64,
}

impl Default for BoardSettings {
    fn default() -> Self {
        BoardSettings {
            thresholds: MetricId::ALL.iter().map(|m| (*m, m.default_threshold())).collect(),
            limits: Limits::default(),
            capacity: CapacityParams::default(),
            emergency: EmergencyRules::default(),
            history_len: 600,
            trend_window: 120.0,
        }
    }
}

#[derive(Clone)]
pub struct Board {
    pub settings: BoardSettings,
    pub state: PlatformState,
    pub status: BTreeMap<SourceId, SourceStatus>,
    pub rates: QueueRates,
    pub now: f64,
    readings: BTreeMap<MetricId, Reading>,
    /// Why each metric without a value has none.
    gaps: BTreeMap<MetricId, Gap>,
    history: BTreeMap<MetricId, Ring<Point>>,
    /// Trends, computed when a metric's source reports (not on every frame).
    trends: BTreeMap<MetricId, Trend>,
    pub timeline: Ring<TimelineEntry>,
    tracker: RateTracker,
    last_event_at: f64,
    /// Largest queue depth seen in the history window ("peak queue depth" of the formula).
    pub peak_queue: f64,
    /// Bumped on every change, so the UI knows when to draw.
    pub version: u64,
}

impl Board {
    pub fn new(settings: BoardSettings, configured: &[SourceId]) -> Self {
        let status = SourceId::ALL
            .iter()
            .map(|s| {
                let st = if configured.contains(s) { SourceStatus::Connecting } else { SourceStatus::NotConfigured };
                (*s, st)
            })
            .collect();
        let readings =
            MetricId::ALL.iter().map(|m| (*m, Reading::new(*m, None, threshold_of(&settings, *m), false))).collect();
        let history = MetricId::ALL.iter().map(|m| (*m, Ring::new(settings.history_len))).collect();
        let tracker = RateTracker::new(60.0, settings.capacity.avg_processing_secs);
        let mut board = Board {
            settings,
            state: PlatformState::default(),
            status,
            rates: QueueRates::default(),
            now: 0.0,
            readings,
            gaps: BTreeMap::new(),
            history,
            trends: MetricId::ALL.iter().map(|m| (*m, Trend::Unknown)).collect(),
            timeline: Ring::new(500),
            tracker,
            last_event_at: f64::NEG_INFINITY,
            peak_queue: 0.0,
            version: 0,
        };
        for &id in MetricId::ALL {
            if let Err(g) = board.value_of(id) {
                board.readings.get_mut(&id).expect("every metric has a reading").gap = Some(g.kind);
                board.gaps.insert(id, g);
            }
        }
        board
    }

    /// Why a metric has no value (or why its threshold does not apply), if it has none.
    pub fn gap(&self, id: MetricId) -> Option<&Gap> {
        self.gaps.get(&id)
    }

    /// The blind spots among the metrics that feed a threshold or an emergency condition.
    pub fn blind_spots(&self) -> Vec<(MetricId, &Gap)> {
        MetricId::ALL
            .iter()
            .filter(|id| !self.threshold(**id).is_empty() || id.feeds_emergency())
            .filter_map(|id| self.gaps.get(id).filter(|g| g.kind.is_blind()).map(|g| (*id, g)))
            .collect()
    }

    pub fn reading(&self, id: MetricId) -> Reading {
        self.readings[&id]
    }

    pub fn readings(&self) -> impl Iterator<Item = &Reading> {
        self.readings.values()
    }

    pub fn history(&self, id: MetricId) -> &Ring<Point> {
        &self.history[&id]
    }

    pub fn threshold(&self, id: MetricId) -> Threshold {
        threshold_of(&self.settings, id)
    }

    /// The trend of a metric over the trend window, as of its source's last report.
    pub fn trend(&self, id: MetricId) -> Trend {
        self.trends[&id]
    }

    fn compute_trend(&self, id: MetricId) -> Trend {
        let ring = &self.history[&id];
        let from = ring.last().map(|p| p.at - self.settings.trend_window).unwrap_or(0.0);
        let pts: Vec<Point> = ring.iter().rev().take_while(|p| p.at >= from).copied().collect();
        let th = self.threshold(id);
        let scale = th
            .warn
            .or(th.crit)
            .map(|b| b.value)
            .unwrap_or_else(|| pts.iter().map(|p| p.value.abs()).fold(0.0, f64::max).max(1.0));
        let mut pts = pts;
        pts.reverse();
        trend(&pts, self.settings.trend_window, scale)
    }

    /// True when the metric is moving towards (or deeper into) its bad side.
    pub fn worsening(&self, id: MetricId) -> bool {
        let up = self.threshold(id).higher_is_worse();
        matches!((self.trend(id), up), (Trend::Rising, true) | (Trend::Falling, false))
    }

    /// The worst level among these metrics, as their pane counts it (a state in which the
    /// threshold does not apply, such as no traffic, counts as OK; a blind spot as unknown).
    pub fn worst(&self, ids: &[MetricId]) -> Level {
        ids.iter().map(|m| self.readings[m].counted_level()).max().unwrap_or(Level::Unknown)
    }

    pub fn source_status(&self, s: SourceId) -> &SourceStatus {
        &self.status[&s]
    }

    pub fn push_timeline(&mut self, at: f64, category: Category, level: Level, text: impl Into<String>) {
        self.timeline.push(TimelineEntry { at, category, level, text: text.into() });
        self.version += 1;
    }

    /// Take one source update in.
    pub fn ingest(&mut self, u: SourceUpdate) {
        self.now = self.now.max(u.at);
        self.version += 1;
        let source = u.source;
        match u.result {
            Ok(data) => {
                let was_stale = self.status[&source].is_stale();
                self.status.insert(source, SourceStatus::Live { at: u.at });
                if was_stale {
                    self.push_timeline(u.at, Category::Source, Level::Ok, format!("{source} recovered"));
                }
                if let SourceData::Redis(r) = &data {
                    self.rates = self.tracker.observe(u.at, r);
                }
                if let SourceData::Kube(k) = &data {
                    for e in k.events.iter().filter(|e| e.at > self.last_event_at) {
                        let level = if e.warning { Level::Warn } else { Level::Ok };
                        let text = format!("{} {}: {}", e.object, e.reason, e.message);
                        self.timeline.push(TimelineEntry { at: e.at, category: Category::Cluster, level, text });
                    }
                    if let Some(last) = k.events.iter().map(|e| e.at).reduce(f64::max) {
                        self.last_event_at = self.last_event_at.max(last);
                    }
                }
                self.state.apply(data);
                self.recompute(source, u.at, true);
            }
            Err(failure) => {
                let (since, last_ok) = match &self.status[&source] {
                    SourceStatus::Live { at } => (u.at, Some(*at)),
                    SourceStatus::Stale { since, last_ok, .. } => (*since, *last_ok),
                    _ => (u.at, None),
                };
                let first = !self.status[&source].is_stale();
                if first {
                    self.push_timeline(u.at, Category::Source, Level::Stale, format!("{source} stale: {failure}"));
                }
                self.status.insert(source, SourceStatus::Stale { since, last_ok, failure });
                self.recompute(source, u.at, false);
            }
        }
    }

    /// A past value of a metric, from a recording (a viewer's history at join): into the
    /// sparkline and the trend, not into the reading.
    pub fn backfill_point(&mut self, id: MetricId, p: Point) {
        if p.value.is_finite() {
            self.history.get_mut(&id).expect("every metric has a ring").push(p);
            self.version += 1;
        }
    }

    /// A past timeline entry, from a recording. A Kubernetes event is then not repeated when
    /// the event list that holds it arrives.
    pub fn backfill_event(&mut self, e: TimelineEntry) {
        if e.category == Category::Cluster {
            self.last_event_at = self.last_event_at.max(e.at);
        }
        self.timeline.push(e);
        self.version += 1;
    }

    /// Mark a source as not configured (e.g. after config reload).
    pub fn set_not_configured(&mut self, s: SourceId) {
        self.status.insert(s, SourceStatus::NotConfigured);
        self.version += 1;
    }

    fn recompute(&mut self, source: SourceId, at: f64, fresh: bool) {
        let stale = self.status[&source].is_stale();
        for &id in MetricId::ALL.iter().filter(|m| m.source() == source || derived_from(**m, source)) {
            let (value, gap) = match self.value_of(id) {
                Ok(v) => (Some(v), None),
                Err(g) => (None, Some(g)),
            };
            let th = threshold_of(&self.settings, id);
            let mut r = Reading::new(id, value, th, stale);
            r.gap = gap.as_ref().map(|g| g.kind);
            if id == MetricId::DrainTime && value.is_some_and(f64::is_infinite) {
                r.level = self.never_draining_level(th);
            }
            match gap {
                Some(g) => self.gaps.insert(id, g),
                None => self.gaps.remove(&id),
            };
            let before = self.readings[&id];
            if fresh {
                if let Some(v) = value.filter(|v| v.is_finite()) {
                    self.history.get_mut(&id).expect("every metric has a ring").push(Point { at, value: v });
                } else if value.is_some_and(f64::is_infinite) {
                    self.history
                        .get_mut(&id)
                        .expect("every metric has a ring")
                        .push(Point { at, value: f64::MAX.sqrt() });
                }
            }
            if r.level != before.level && value.is_some() && !th.is_empty() && before.value.is_some() {
                let bound = match r.level {
                    Level::Crit => th.crit.map(|b| format!(" ({b})")),
                    Level::Warn => th.warn.map(|b| format!(" ({b})")),
                    _ => None,
                }
                .unwrap_or_default();
                let text = format!(
                    "{} {} → {} at {}{}",
                    id.label(),
                    before.level.word(),
                    r.level.word(),
                    r.formatted(),
                    bound
                );
                self.timeline.push(TimelineEntry { at, category: Category::Level, level: r.level, text });
            }
            self.readings.insert(id, r);
            if fresh {
                let t = self.compute_trend(id);
                self.trends.insert(id, t);
            }
        }
        if let Some(q) = self.readings[&MetricId::QueueDepth].value {
            let window_start = at - self.settings.trend_window.max(600.0);
            self.peak_queue = self.history[&MetricId::QueueDepth]
                .iter()
                .filter(|p| p.at >= window_start)
                .map(|p| p.value)
                .fold(q, f64::max);
        }
    }
}

fn threshold_of(settings: &BoardSettings, id: MetricId) -> Threshold {
    settings.thresholds.get(&id).copied().unwrap_or_else(|| id.default_threshold())
}

/// Metrics computed from more than their own source's data.
fn derived_from(id: MetricId, source: SourceId) -> bool {
    // Redis memory falls back to CloudWatch's ElastiCache figure.
    matches!((id, source), (MetricId::RedisMemory, SourceId::CloudWatch))
}
