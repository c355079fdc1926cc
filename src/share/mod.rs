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
pub mod history;
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

/// The stream to follow: `--context` or `share.name`; else the only one the Redis holds; else
/// the kubeconfig's current context if it is among them.
pub async fn stream_name(config: &crate::config::Config, bus: &mut Bus) -> Result<String, String> {
    if let Some(n) = config.kubernetes.context.clone().or_else(|| config.share.name.clone()) {
        return Ok(n);
    }
    let keys: Vec<String> = match bus.query(redis::cmd("KEYS").arg(Keys::HELLO_PATTERN)).await {
        Ok(k) => k,
        // The feed says the Redis is down, and retries.
        Err(_) => return Ok("default".into()),
    };
    let mut names: Vec<String> = keys.iter().filter_map(|k| Keys::name_of_hello(k)).map(str::to_string).collect();
    names.sort();
    match names.len() {
        0 => Ok("default".into()),
        1 => Ok(names.remove(0)),
        _ => {
            let current = kube::config::Kubeconfig::read().ok().and_then(|k| k.current_context);
            match current.filter(|c| names.contains(c)) {
                Some(c) => Ok(c),
                None => Err(format!(
                    "{} streams on {}: {}; choose one with --context NAME (or share.name)",
                    names.len(),
                    bus.display(),
                    names.join(", ")
                )),
            }
        }
    }
}
