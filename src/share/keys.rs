//! The Redis keys of one stream. Every key of a name shares the hash tag `{name}`, so that in a
//! Redis Cluster they live in one slot (Lua and multi-key commands need that).

/// The keys of the stream called `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub name: String,
    /// Every source update, beat, hello and action event, in order (bounded by count).
    pub updates: String,
    /// The compact record entries (samples, events, replicas, emergency), bounded by age.
    pub history: String,
    /// The newest update of each source, for a viewer that joins.
    pub latest: String,
    /// The collector's lock: only its holder publishes.
    pub lock: String,
    /// The current collector's hello: who, since when, on which clock and thresholds.
    pub hello: String,
}

/// Updates kept in the `updates` stream: a joiner reads `latest`, so this only needs to cover
/// a viewer's short absence (a reconnect).
pub const UPDATES_MAXLEN: usize = 512;

impl Keys {
    pub fn new(name: &str) -> Keys {
        let k = |suffix: &str| format!("cockpit:{{{name}}}:{suffix}");
        Keys {
            name: name.to_string(),
            updates: k("updates"),
            history: k("history"),
            latest: k("latest"),
            lock: k("collector"),
            hello: k("hello"),
        }
    }

    /// The name of a stream from its hello key (for listing what a Redis holds).
    pub fn name_of_hello(key: &str) -> Option<&str> {
        key.strip_prefix("cockpit:{")?.strip_suffix("}:hello")
    }

    /// The pattern that finds every stream's hello.
    pub const HELLO_PATTERN: &'static str = "cockpit:{*}:hello";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_shares_the_hash_tag_and_the_name_comes_back() {
        let k = Keys::new("prod-eks");
        for key in [&k.updates, &k.history, &k.latest, &k.lock, &k.hello] {
            assert!(key.starts_with("cockpit:{prod-eks}:"), "{key}");
        }
        assert_eq!(Keys::name_of_hello(&k.hello), Some("prod-eks"));
        assert_eq!(Keys::name_of_hello("cockpit:{x}:updates"), None);
    }
}
