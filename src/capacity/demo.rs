//! `cockpit capacity --demo`: the review over the simulator's soak scenario, which grows by
//! `growth_users_per_day` users a day. Each day of the lookback is a short run of the real
//! simulator at that day's load (the day's extra users laid over the soak as extra requests and
//! tasks): 10 minutes to settle, then 15 minutes sampled each minute. The simulator models no
//! storage, and its Redis is not ElastiCache: those rows say so.

use super::review::{History, Inputs, Kind};
use super::trend::DAY;
use crate::model::{Board, MetricId, SourceId};
use crate::sim::{Burst, Overlay, Scenario, SimSettings, Simulator};

const SETTLE: f64 = 600.0;
const SAMPLE: u32 = 15;

/// One day's values: (rps mean, in flight max, queue mean, throughput mean/min, connections max,
/// redis memory % max).
fn day(seed: u64, extra_users: f64, board_settings: &crate::model::board::BoardSettings) -> [f64; 6] {
    let p = Scenario::Soak.profile();
    let mut sim = Simulator::new(Scenario::Soak, seed, SimSettings::default());
    let forever = Burst { from: 0.0, to: f64::INFINITY, per_sec: 0.0 };
    sim.set_overlay(Overlay {
        requests: vec![Burst { per_sec: extra_users * p.rps_per_user, ..forever }],
        tasks: vec![Burst { per_sec: extra_users * p.tasks_per_user, ..forever }],
    });
    let mut board = Board::new(board_settings.clone(), &SourceId::ALL);
    crate::sim::run_for(&mut sim, &mut board, SETTLE, 60.0);
    let mut acc = [0.0f64; 6];
    for _ in 0..SAMPLE {
        crate::sim::run_for(&mut sim, &mut board, 60.0, 60.0);
        let v = |m: MetricId| board.reading(m).value.unwrap_or(0.0);
        acc[0] += v(MetricId::ApiRps) / SAMPLE as f64;
        acc[1] = acc[1].max(v(MetricId::InFlight));
        acc[2] += v(MetricId::QueueDepth) / SAMPLE as f64;
        acc[3] += v(MetricId::Throughput) / SAMPLE as f64;
        acc[4] = acc[4].max(board.state.postgres.as_ref().map(|p| p.total as f64).unwrap_or(0.0));
        acc[5] = acc[5].max(v(MetricId::RedisMemory));
    }
    acc
}

/// The inputs of the review: `days` days ending at `to`.
pub fn inputs(days: u32, to: f64, seed: u64, board_settings: &crate::model::board::BoardSettings) -> Inputs {
    let growth = Scenario::Soak.profile().growth_users_per_day;
    let from = to - days as f64 * DAY;
    let mut series: [Vec<(f64, f64)>; 6] = Default::default();
    for d in 0..days {
        let values = day(seed.wrapping_add(d as u64), growth * d as f64, board_settings);
        for (s, v) in series.iter_mut().zip(values) {
            s.push((from + d as f64 * DAY, v));
        }
    }
    let source =
        |what: &str| format!("simulator, soak scenario (+{growth} users a day): {what} of 15 simulated minutes a day");
    let [rps, in_flight, queue, throughput, conns, redis] = series;
    let mut inputs = Inputs {
        max_connections: Some(Ok(SimSettings::default().max_connections as f64)),
        allocated_gb: Some(Err("the simulator models no storage".into())),
        ..Inputs::with_thresholds(board_settings)
    };
    let mut put = |k: Kind, points: Vec<(f64, f64)>, what: &str| {
        inputs.history.insert(k, History { points, source: source(what) });
    };
    put(Kind::DailyExecutions, throughput.into_iter().map(|(t, v)| (t, v * 1440.0)).collect(), "throughput × 1440 min");
    put(Kind::PeakConcurrent, in_flight, "the most tasks in flight");
    put(Kind::QueueDepth, queue, "the mean queue");
    put(Kind::ApiRps, rps, "the mean request rate");
    put(Kind::DbConnections, conns, "the most connections");
    put(Kind::RedisMemory, redis, "the fullest Redis memory");
    inputs.missing.insert(Kind::StorageGb, "the simulator models no storage".into());
    inputs
}
