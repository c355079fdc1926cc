//! The war room's shared stream (Redis Streams): one collector polls the platform and
//! publishes what it sees; any number of viewers (`cockpit watch`) follow it without a single
//! request to the platform. See the README's "War room" section.
//!
//! - [`keys`]: the keys of one stream, all in one cluster slot;
//! - [`wire`]: what an entry holds;
//! - [`bus`]: the connection to the stream's Redis;
//! - [`lock`]: only one collector per stream publishes; a standby takes over;
//! - [`publish`]: the collector's side;
//! - [`feed`], [`backfill`]: the viewer's side.

pub mod backfill;
pub mod bus;
pub mod feed;
pub mod keys;
pub mod lock;
pub mod publish;
pub mod reply;
pub mod settings;
pub mod wire;

pub use bus::Bus;
pub use keys::Keys;

/// Wall-clock seconds now.
pub fn wall_now() -> f64 {
    crate::record::session::wall_now()
}

/// This run's identity on the stream: `user@host pid N`.
pub fn collector_id() -> String {
    format!("{} pid {}", crate::actions::journal::local_user(), std::process::id())
}
