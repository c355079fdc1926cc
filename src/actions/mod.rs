//! Guided actions: the runbook's scaling procedures as plans of checked, verified, journaled
//! steps, run against any `Platform` (the simulator or the live platform).
//!
//! - `procs/`: one file per procedure behind the `Procedure` trait; `registry` lists them.
//! - `step`, `effect`, `verify`, `check`: what a plan is made of, as data (so it can be
//!   journaled and resumed).
//! - `runner/`: carries a plan out on a task, streaming `RunEvent`s; holds the lock, writes the
//!   journal before and after every effect, honours abort at safe points.
//! - `journal`: JSON lines under the state dir; finds unfinished actions for resume/abandon.
//! - `jobs`: planning and runs as jobs a front end starts, their results as typed events (the
//!   action screen that shows them is the UI's, `ui::desk`; nothing here imports `ui`).

pub mod blind;
pub mod check;
pub mod effect;
pub mod error;
pub mod form;
pub mod jobs;
pub mod journal;
pub mod lock;
pub mod procedure;
pub mod procs;
pub mod quantity;
pub mod registry;
pub mod rollback;
pub mod runner;
pub mod settings;
pub mod step;
pub mod text;
pub mod verify;

pub use error::ActionError;
pub use form::{Field, FieldValue, Form};
pub use jobs::{JobEvent, Jobs};
pub use procedure::{FormCx, PlanCx, Procedure};
pub use runner::{AbortHandle, RunHandle, RunOpts, Runner};
pub use settings::ActionSettings;
pub use step::{Finding, Outcome, Plan, RunEvent, Severity, Step, StepState, Summary};

/// The annotation on an HPA that holds its spec as it was before the cockpit pinned it.
pub const SAVED_SPEC_KEY: &str = "cockpit.agentos.io/saved-spec";
/// The annotation that tells workers to take no new tasks (the runbook's `drain=true`).
pub const DRAIN_KEY: &str = "drain";
