//! The embedded AgentOS simulator: the default backend of `cockpit demo`.
//!
//! A deterministic model of the platform the runbook describes (API pods, agent workers and
//! their queue, Redis, PostgreSQL/RDS, the two HPAs), advanced in fixed 1-second steps. The
//! same seed, scenario and sequence of operations give the same observations. `observe()`
//! reports what each live source would; `SimPlatform` implements the actions' `Platform`.

mod api;
mod cache;
mod cloud;
mod db;
pub mod driver;
mod engine;
mod events;
mod hpa;
pub mod hpa_spec;
mod lease;
mod observe;
mod ops;
pub mod outage;
pub mod overlay;
pub mod platform;
mod pods;
pub mod quantity;
mod queue;
// Redis cluster (issue 9)
pub mod rds;
pub mod rng;
pub mod scenario;
pub mod settings;
mod shards;
mod workers;

pub use driver::{run_for, spawn_driver};
pub use engine::{Counters, Simulator};
pub use lease::Lease;
pub use ops::MAX_SIM_REPLICAS;
pub use overlay::{Burst, Overlay};
pub use platform::{Clock, SimPlatform};
pub use scenario::{PROFILES, Profile, Scenario, ScenarioParseError};
pub use settings::SimSettings;
