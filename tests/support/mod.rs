//! Real test peers for integration tests: each starts on a free loopback port in a temp dir,
//! is waited for until it answers (20 s at most), and is stopped with its dir removed on drop.
//! Peers run through tests/support/peer_guard.py, which also stops them if the test process
//! dies without dropping them. A missing peer fails with the command that installs it:
//! `scripts/install-test-peers.sh`.
//!
//! ```ignore
//! mod support;
//! use support::{Kmock, Moto, Postgres, RedisServer};
//!
//! #[tokio::test]
//! async fn reads_the_queue() -> anyhow::Result<()> {
//!     let redis = RedisServer::start()?;                  // redis-server on 127.0.0.1:P
//!     let client = redis::Client::open(redis.url())?;
//!     // ... the cockpit reads redis.url() ...
//!     Ok(())                                               // killed and removed here
//! }
//! ```
#![allow(dead_code, unused_imports)]

pub mod kmock_peer;
pub mod moto_peer;
pub mod pg_peer;
pub mod process;
pub mod redis_peer;

pub use kmock_peer::{Fault, Kmock, KmockOptions};
pub use moto_peer::Moto;
pub use pg_peer::{Postgres, PostgresOptions};
pub use process::INSTALL_HINT;
pub use redis_peer::{RedisCluster, RedisOptions, RedisServer};
