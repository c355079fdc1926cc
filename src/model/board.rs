//! The board: everything the dashboard knows, updated from source events. Pure data, no I/O.

use super::capacity::{self, CapacityParams, ConnectionPlan, Limits, WorkerPlan};
use super::derive::{QueueRates, RateTracker};
use super::gap::{Gap, GapKind};
use super::history::{Point, Ring, Trend, trend};
use super::level::{Level, Threshold};
use super::metric::MetricId;
use super::reading::{EmergencyRules, Reading};
use super::source::{SourceFailure, SourceId, SourceStatus};
use super::state::{PlatformState, SourceData};
use super::timeline::{Category, TimelineEntry};
use std::collections::BTreeMap;

/// One refresh of one source, as it arrives in the app channel.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceUpdate {
    pub source: SourceId,
    /// Seconds on the app clock.
    pub at: f64,
    pub result: Result<SourceData, SourceFailure>,
}

/// What the board needs from the configuration.
#[derive(Debug, Clone, PartialEq)]
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

    /// The current value of a metric, or why it has none.
    fn value_of(&self, id: MetricId) -> Result<f64, Gap> {
        let s = &self.state;
        use MetricId as M;
        let src = |source: SourceId| self.source_gap(source);
        match id {
            M::WorkerCpu | M::WorkerMemory | M::ApiCpu | M::ApiMemory => {
                let k = s.kube.as_ref().ok_or_else(|| src(SourceId::Kube))?;
                let w = if matches!(id, M::WorkerCpu | M::WorkerMemory) {
                    super::state::Workload::Workers
                } else {
                    super::state::Workload::Api
                };
                let ws = k.workload(w);
                let u = ws.usage.ok_or_else(|| {
                    let name = ws.deployment.as_ref().map(|d| d.name.as_str()).unwrap_or(w.label());
                    Gap::new(
                        GapKind::NoData,
                        format!("metrics.k8s.io served no pod metrics for {name} (is metrics-server installed?)"),
                    )
                })?;
                Ok(if matches!(id, M::WorkerCpu | M::ApiCpu) { u.cpu_pct } else { u.memory_pct })
            }
            M::QueueDepth => s.redis.as_ref().map(|r| r.depth() as f64).ok_or_else(|| src(SourceId::Redis)),
            M::InFlight => s.redis.as_ref().map(|r| r.in_flight as f64).ok_or_else(|| src(SourceId::Redis)),
            M::AgentWait | M::Throughput | M::DrainTime => {
                s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                let v = match id {
                    M::AgentWait => self.rates.wait_secs,
                    M::Throughput => self.rates.throughput.map(|t| t * 60.0),
                    _ => self.rates.drain_secs,
                };
                v.ok_or_else(|| Gap::new(GapKind::Waiting, "a rate needs two samples of the queue"))
            }
            M::RedisMemory => {
                let r = s.redis.as_ref();
                if let Some(r) = r.filter(|r| r.max_memory > 0) {
                    return Ok(r.used_memory as f64 * 100.0 / r.max_memory as f64);
                }
                if let Some(v) = s.cloud.as_ref().and_then(|c| c.cache_memory_pct) {
                    return Ok(v);
                }
                let r = r.ok_or_else(|| src(SourceId::Redis))?;
                Err(Gap::new(
                    GapKind::NoLimit,
                    format!(
                        "maxmemory is 0 (no limit): {} used, and a share of no limit means nothing",
                        super::units::bytes(r.used_memory as f64)
                    ),
                )
                .setting("maxmemory on the Redis server, or aws.elasticache_nodes for ElastiCache's own percentage"))
            }
            M::RedisClients => {
                let r = s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                if r.max_clients == 0 {
                    return Err(Gap::new(GapKind::NoLimit, format!("maxclients is 0: {} clients", r.clients)));
                }
                Ok(r.clients as f64 * 100.0 / r.max_clients as f64)
            }
            M::RedisHitRate => {
                s.redis.as_ref().ok_or_else(|| src(SourceId::Redis))?;
                self.rates.hit_rate.ok_or_else(|| {
                    Gap::new(GapKind::NoTraffic, "no keyspace hits or misses in the last minute: nothing to rate")
                })
            }
            M::RedisOps => s.redis.as_ref().map(|r| r.ops_per_sec).ok_or_else(|| src(SourceId::Redis)),
            M::ApiP99 | M::ApiErrorRate | M::ApiRps | M::DbCpu => {
                let c = s.cloud.as_ref().ok_or_else(|| src(SourceId::CloudWatch))?;
                let v = match id {
                    M::ApiP99 => c.api_p99_ms,
                    M::ApiErrorRate => c.api_5xx_pct,
                    M::ApiRps => c.api_rps,
                    _ => c.db_cpu_pct,
                };
                v.ok_or_else(|| {
                    c.gaps.get(&id).cloned().unwrap_or_else(|| {
                        Gap::new(GapKind::NoData, "CloudWatch returned no datapoint in the last 10 minutes")
                    })
                })
            }
            M::DbConnections => {
                let p = s.postgres.as_ref().ok_or_else(|| src(SourceId::Postgres))?;
                if p.max_connections == 0 {
                    return Err(Gap::new(GapKind::NoData, "the server did not tell its max_connections"));
                }
                Ok(p.total as f64 * 100.0 / p.max_connections as f64)
            }
            M::ReplicaLag => {
                let p = s.postgres.as_ref().ok_or_else(|| src(SourceId::Postgres))?;
                p.replica_lag.iter().map(|(_, l)| *l).reduce(f64::max).ok_or_else(|| {
                    Gap::new(GapKind::NoReplicas, "no replica reports lag (pg_stat_replication is empty here)")
                })
            }
            M::DbRoundTrip => s.postgres.as_ref().map(|p| p.round_trip_ms).ok_or_else(|| src(SourceId::Postgres)),
        }
    }

    /// A queue that does not drain is never OK. While it holds no more than the ready workers
    /// clear in the target queue time it is flow more than backlog (a warning: it grows); past
    /// that, it is a backlog that will not clear (the threshold's critical level).
    fn never_draining_level(&self, th: Threshold) -> Level {
        let depth = self.state.redis.as_ref().map(|r| r.depth() as f64).unwrap_or(0.0);
        let flow = self.rates.throughput.unwrap_or(0.0) * self.settings.capacity.target_queue_secs;
        let backlog = th.level(f64::INFINITY).max(Level::Warn);
        if depth <= flow { Level::Warn } else { backlog }
    }

    /// Why a source has given no data: not configured, not answered yet, or failing.
    fn source_gap(&self, source: SourceId) -> Gap {
        match self.status.get(&source) {
            Some(SourceStatus::NotConfigured) | None => {
                Gap::new(GapKind::NotConfigured, format!("{source} is not configured")).setting(source.setting())
            }
            Some(SourceStatus::Connecting) | Some(SourceStatus::Live { .. }) => {
                Gap::new(GapKind::Waiting, format!("no answer from {source} yet"))
            }
            Some(SourceStatus::Stale { failure, .. }) => {
                Gap::new(GapKind::NoData, format!("{source} has not answered since the start: {failure}"))
            }
        }
    }

    /// The runbook's emergency conditions that hold now, worded for a banner.
    pub fn emergency_reasons(&self) -> Vec<String> {
        let e = &self.settings.emergency;
        let mut out = Vec::new();
        let q = self.reading(MetricId::QueueDepth);
        let growing = self.rates.depth_slope.is_some_and(|s| s > 0.0);
        if let Some(v) = q.value.filter(|v| *v > e.queue_depth && growing) {
            out.push(format!("queue {} > {} and growing", q.id.unit().format(v), e.queue_depth));
        }
        if let Some(v) = self.reading(MetricId::ApiP99).value.filter(|v| *v > e.api_latency_ms) {
            out.push(format!(
                "API p99 {} > {}",
                MetricId::ApiP99.unit().format(v),
                MetricId::ApiP99.unit().format(e.api_latency_ms)
            ));
        }
        if let Some(v) = self.reading(MetricId::ApiErrorRate).value.filter(|v| *v > e.error_rate_pct) {
            out.push(format!("error rate {v:.1}% > {}%", e.error_rate_pct));
        }
        out
    }

    pub fn current_replicas(&self, w: super::state::Workload) -> Option<u32> {
        self.state.kube.as_ref().and_then(|k| k.workload(w).deployment.as_ref()).map(|d| d.desired)
    }

    /// The worker formula on the current queue and arrival rate.
    pub fn worker_plan(&self) -> WorkerPlan {
        let q = self.reading(MetricId::QueueDepth).value.unwrap_or(0.0);
        let lambda = self.rates.arrival_rate.unwrap_or(0.0);
        capacity::workers(q, lambda, &self.settings.capacity, &self.settings.limits)
    }

    /// The connection formula at the given pod counts.
    pub fn connection_plan(&self, api_pods: u32, workers: u32) -> ConnectionPlan {
        let max = self.state.postgres.as_ref().map(|p| p.max_connections).unwrap_or(0);
        capacity::connections(api_pods, workers, max, &self.settings.capacity)
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
