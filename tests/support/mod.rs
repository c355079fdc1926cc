//! Real test peers for integration tests: each starts on a free loopback port in a temp dir,
//! is waited for until it answers (20 s at most), and is stopped with its dir removed on drop,
//! so tests run in parallel and leave nothing behind. Peers run through peer_guard.py, which
//! also stops them (and a per-process janitor removes their dirs) if the test process dies
//! without dropping them. A missing peer fails the test with the command that installs it:
//! `scripts/install-test-peers.sh`. `start()` blocks (up to 20 s): call it from sync or async
//! tests alike.
//!
//! - [`RedisServer`]: `url()`, `port()`, `kill()`/`restart()` on the same port, a password.
//! - [`RedisCluster`]: 3 masters, `urls()`, `node(i)` to kill/restart one.
//! - [`Postgres`]: PostgreSQL 15, password login over TCP, `url()`, pg_stat_statements,
//!   `kill()`/`restart()` with the data kept, `psql(&[..])`.
//! - [`Moto`]: `endpoint()`, `sdk_config()` for aws-sdk-* clients, `reset()`.
//! - [`elasticache_peer::ElastiCachePeer`]: an ElastiCache API over a real 3-master cluster and
//!   spare nodes; its shard-count change really reshards; `kill()`/`restart()` the API alone.
//! - [`Kmock`]: a Kubernetes API (kmock_server.py), `kubeconfig_path()`, `client()`,
//!   `apply(json)`, `kubectl(&[..])`, `stats()`, `inject_fault(Fault::status(500)...)`, `deny()`.
//!
//! ```ignore
//! mod support;
//! use support::{Kmock, RedisServer};
//!
//! #[tokio::test]
//! async fn reads_the_queue() -> anyhow::Result<()> {
//!     let redis = RedisServer::start()?;                  // redis-server on 127.0.0.1:P
//!     let client = redis::Client::open(redis.url())?;
//!     let kube = Kmock::start()?;                         // kube.kubeconfig_path() for the cockpit
//!     // ... run the cockpit against redis.url() and kube, check with kube.kubectl(&[...]) ...
//!     Ok(())                                              // both stopped and removed here
//! }
//! ```
//!
//! (live.rs holds helpers of the live-source tests, tests/live_*.rs.)
#![allow(dead_code, unused_imports)]

pub mod bench;
// Redis cluster (issue 9)
pub mod elasticache_peer;
pub mod kmock_peer;
pub mod live;
pub mod moto_peer;
pub mod pg_peer;
pub mod process;
pub mod redis_peer;

pub use kmock_peer::{Fault, Kmock, KmockOptions};
pub use moto_peer::Moto;
pub use pg_peer::{Postgres, PostgresOptions};
pub use process::INSTALL_HINT;
pub use redis_peer::{RedisCluster, RedisOptions, RedisServer};
