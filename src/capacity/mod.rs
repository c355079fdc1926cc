//! `cockpit capacity` (issue 9): the runbook's "Monthly Capacity Review" and "Growth
//! Projections", in place of its capacity-report.sh. `history` gathers each metric's days,
//! `trend` fits them (Theil–Sen), `review` builds the runbook's table with limits, crossing
//! dates and the formulas' actions, `render` prints it.

pub mod demo;
pub mod history;
pub mod render;
pub mod review;
pub mod trend;

pub use review::{Inputs, Kind, Review, build};
