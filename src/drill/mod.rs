//! `cockpit drill`: the cockpit on the simulator with the situation not announced, scored
//! against the runbook. `scenario` says what happens, `platform` watches what the trainee
//! writes, `observer` what they look at and ask for, `catalogue` the mistakes and their
//! passages, `score` the judgement, `session` the drill's loop (headless or on a terminal),
//! `script` the keystroke scripts, `kubectl` the raw-command prompt.

pub mod catalogue;
pub mod inject;
pub mod kubectl;
pub mod observer;
pub mod platform;
pub mod replay;
pub mod scenario;
pub mod score;
pub mod script;
pub mod session;

pub use catalogue::Mistake;
pub use scenario::DrillScenario;
pub use score::Score;
