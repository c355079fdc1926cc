//! Pure data: metrics, thresholds, levels, history, the platform state and the capacity formulas.
//! No I/O and no drawing here; most unit tests live beside this code.

pub mod board;
pub mod capacity;
pub mod derive;
pub mod gap;
pub mod history;
pub mod lease;
pub mod level;
pub mod metric;
pub mod reading;
pub mod report;
pub mod source;
pub mod state;
pub mod timeline;
pub mod units;

pub use board::{Board, BoardSettings, SourceUpdate};
pub use gap::{Gap, GapKind};
pub use level::{Bound, Comparison, Level, Threshold};
pub use metric::MetricId;
pub use reading::Reading;
pub use source::{FailureKind, SourceFailure, SourceId, SourceStatus};
pub use state::*;

#[cfg(test)]
mod tests;
