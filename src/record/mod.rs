//! Recording: every run keeps its samples, events and actions, so that what happened outlives
//! the incident (`cockpit report`). Locally in day files under the state dir; when sharing, in
//! the war room's stream.

pub mod entry;
pub mod recorder;
pub mod report;
pub mod session;
pub mod settings;
pub mod store;

pub use entry::{Entry, Replicas, Start};
pub use recorder::{Recorder, Sink};
pub use store::{FileStore, Retention};
