//! A late joiner's past: the stream's history entries laid into a fresh board, so that its
//! sparklines, trends and events show the last hour at once.

use crate::model::history::Point;
use crate::model::timeline::TimelineEntry;
use crate::model::{Board, MetricId};
use crate::record::entry::Entry;

/// Lay `entries` (oldest first) into `board`, whose clock's zero is the wall-clock `epoch`.
pub fn apply(board: &mut Board, epoch: f64, entries: &[Entry]) {
    // Samples list values in the order of the run's Start entry.
    let mut order: Vec<Option<MetricId>> = MetricId::ALL.iter().map(|m| Some(*m)).collect();
    for e in entries {
        match e {
            Entry::Start(s) => order = s.metrics.iter().map(|k| MetricId::from_key(k)).collect(),
            Entry::Sample { t, v, .. } => {
                let at = t - epoch;
                for (id, value) in order.iter().zip(v) {
                    if let (Some(id), Some(value)) = (id, value) {
                        board.backfill_point(*id, Point { at, value: *value as f64 });
                    }
                }
                board.now = board.now.max(at);
            }
            Entry::Event { t, cat, lvl, text } => {
                board.backfill_event(TimelineEntry { at: t - epoch, category: *cat, level: *lvl, text: text.clone() })
            }
            Entry::Replicas { .. } | Entry::Emergency { .. } => {}
        }
    }
}
