//! The `record` keys of `config.toml`: `record = false` turns recording off; a `[record]` table
//! sets the retention (`keep_days`, `max_mib`) and may turn it off with `enabled = false`.

use super::store::Retention;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecordConfig {
    pub enabled: bool,
    /// Day files older than this are deleted.
    pub keep_days: u32,
    /// The recordings of one context are kept under this many MiB (the oldest days go first).
    pub max_mib: u64,
}

impl Default for RecordConfig {
    fn default() -> Self {
        let r = Retention::default();
        RecordConfig { enabled: true, keep_days: r.keep_days, max_mib: r.max_bytes / (1024 * 1024) }
    }
}

impl RecordConfig {
    pub fn retention(&self) -> Retention {
        Retention { keep_days: self.keep_days, max_bytes: self.max_mib.saturating_mul(1024 * 1024) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Table {
    enabled: bool,
    keep_days: u32,
    max_mib: u64,
}

impl Default for Table {
    fn default() -> Self {
        let d = RecordConfig::default();
        Table { enabled: d.enabled, keep_days: d.keep_days, max_mib: d.max_mib }
    }
}

impl<'de> Deserialize<'de> for RecordConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RecordConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false, or a table with enabled, keep_days and max_mib")
            }
            fn visit_bool<E: de::Error>(self, enabled: bool) -> Result<RecordConfig, E> {
                Ok(RecordConfig { enabled, ..RecordConfig::default() })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RecordConfig, A::Error> {
                // The table's own errors (an unknown key, a wrong type) are kept whole.
                let t = Table::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RecordConfig { enabled: t.enabled, keep_days: t.keep_days, max_mib: t.max_mib })
            }
        }
        d.deserialize_any(V)
    }
}
