//! The `record` keys of `config.toml`: `record = false` turns recording off; a `[record]` table
//! sets the retention (`keep_days`, `max_mib`) and may turn it off with `enabled = false`.

use super::store::Retention;
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

#[derive(Deserialize)]
#[serde(untagged, expecting = "true, false, or a table with enabled, keep_days and max_mib")]
enum Either {
    Switch(bool),
    Table(Table),
}

impl<'de> Deserialize<'de> for RecordConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::Switch(enabled) => RecordConfig { enabled, ..RecordConfig::default() },
            Either::Table(t) => RecordConfig { enabled: t.enabled, keep_days: t.keep_days, max_mib: t.max_mib },
        })
    }
}
