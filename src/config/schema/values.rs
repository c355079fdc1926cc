//! Schemas of the values the loader reads by hand: colours and roles of a theme, the bounds of a
//! threshold, the CloudWatch statistic, `record`.

use super::super::theme::{Role, StyleSpec};
use crate::model::level::{Bound, Threshold};
use crate::model::{MetricId, units::Unit};
use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value};

/// The text modifiers a style may name, as `StyleSpec::to_style` reads them.
pub const MODIFIERS: &[&str] = &["bold", "dim", "italic", "underlined", "reversed", "crossed_out", "slow_blink"];

/// The CloudWatch statistics named by word; a percentile is "p" and a number.
pub const STATISTICS: &[&str] = &["Average", "Maximum", "Minimum", "Sum", "SampleCount"];

pub fn colour(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A colour: a palette name (of this theme or one it inherits), \"#rrggbb\", an ANSI name (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white), an index 0-255, or \"reset\" (the terminal's own).",
        "type": "string",
        "examples": ["#ff5f5f", "red", "lightblue", "208", "reset"]
    })
}

pub fn palette(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": colour(generator),
        "default": {}
    })
}

pub fn modifiers(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": { "enum": MODIFIERS },
        "default": []
    })
}

/// What each role styles, for the editor to show.
fn role_description(r: Role) -> &'static str {
    match r {
        Role::Text => "Ordinary text (its bg, when set, paints the whole screen).",
        Role::Muted => "Secondary text: units, hints, labels.",
        Role::Accent => "Highlights: the focused item, links between panes.",
        Role::Border => "Pane borders.",
        Role::BorderFocus => "The focused pane's border.",
        Role::Title => "Pane titles.",
        Role::Header => "The header line.",
        Role::Footer => "The footer line of key hints.",
        Role::Key => "Key names in hints and help.",
        Role::Selection => "The selected row.",
        Role::Banner => "The emergency banner.",
        Role::Popup => "Popups: help, action forms, plans.",
        Role::Ok => "A metric within its thresholds.",
        Role::Warn => "A metric past its warning threshold.",
        Role::Crit => "A metric past its critical threshold.",
        Role::Unknown => "A metric with no value (a blind spot).",
        Role::Stale => "A source that stopped answering: its values are old.",
    }
}

pub fn roles(generator: &mut SchemaGenerator) -> Schema {
    let style = generator.subschema_for::<StyleSpec>();
    let mut properties = Map::new();
    for r in Role::ALL {
        let mut s = style.clone();
        s.insert("description".into(), role_description(*r).into());
        properties.insert(r.key().into(), s.to_value());
    }
    json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "default": {}
    })
}

/// A number as `Bound::from_str` reads it once its comparison is off: Rust's float syntax,
/// `_` anywhere, and `%` at the end. Only numbers the validator takes (0 or more).
fn number(mantissa: &str) -> String {
    format!(r"^\s*(?:>=|<=|>|<)\s*_*\+?(?:{mantissa})\s*%*\s*$")
}

/// Any non-negative decimal: "70", "0.5", ".5", "1_000", "1e3".
const ANY: &str = r"_*(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]*[0-9][0-9_]*)(?:[eE]_*[+-]?_*[0-9][0-9_]*)?";

/// A bound on a count or a time: a comparison and a number of 0 or more.
pub fn bound_pattern() -> String {
    number(ANY)
}

/// A bound on a percentage of a maximum: at most 100. A number written with an exponent is let
/// through whatever its value (the validator still checks it).
pub fn percent_bound_pattern() -> String {
    let up_to_99 = r"_*(?:[0_]*[1-9]_*(?:[0-9]_*)?|[0_]*0_*)(?:\.[0-9_]*)?|_*\.[0-9_]*[0-9][0-9_]*";
    let hundred = r"_*[0_]*1_*0_*0_*(?:\.[0_]*)?";
    let with_exponent = r"_*(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]*[0-9][0-9_]*)[eE]_*[+-]?_*[0-9][0-9_]*";
    number(&format!("{up_to_99}|{hundred}|{with_exponent}"))
}

fn bound(metric: MetricId, which: &str, example: Option<Bound>) -> Value {
    let (pattern, number) = if super::super::validate::of_a_maximum(metric) {
        (percent_bound_pattern(), "a percentage from 0 to 100".to_string())
    } else if metric.unit() == Unit::Percent {
        (bound_pattern(), "a percentage, 0 or more".to_string())
    } else {
        (bound_pattern(), format!("a number of {}, 0 or more", unit_words(metric.unit())))
    };
    let example = example.map(|b| b.to_string()).unwrap_or_else(|| "> 100".into());
    serde_json::json!({
        "description": format!("The {which} bound: a comparison (>, >=, <, <=) and {number}, e.g. \"{example}\"."),
        "type": "string",
        "pattern": pattern,
    })
}

fn unit_words(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "percent",
        Unit::Millis => "milliseconds",
        Unit::Seconds => "seconds",
        Unit::Tasks => "tasks",
        Unit::TasksPerMin => "tasks per minute",
        Unit::ReqPerSec => "requests per second",
        Unit::OpsPerSec => "operations per second",
        Unit::Count => "items",
        Unit::Pods => "pods",
        Unit::Bytes => "bytes",
    }
}

/// `[thresholds]`: a table per metric the cockpit knows, each with its runbook default.
pub fn thresholds(_: &mut SchemaGenerator) -> Schema {
    let mut properties = Map::new();
    for m in MetricId::ALL {
        let d: Threshold = m.default_threshold();
        let mut default = Map::new();
        if let Some(w) = d.warn {
            default.insert("warn".into(), w.to_string().into());
        }
        if let Some(c) = d.crit {
            default.insert("crit".into(), c.to_string().into());
        }
        properties.insert(
            m.key().into(),
            serde_json::json!({
                "description": format!("{}, in {}. Default: {}. crit must point the same way as warn and be at or beyond it.", m.label(), unit_words(m.unit()), d.describe()),
                "type": "object",
                "properties": { "warn": bound(*m, "warning", d.warn), "crit": bound(*m, "critical", d.crit) },
                "additionalProperties": false,
                "default": default,
            }),
        );
    }
    json_schema!({
        "description": "Thresholds per metric, replacing the runbook's: queue_depth = { warn = \"> 1000\", crit = \"> 5000\" }. Either bound may be left out.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false
    })
}

pub fn latency_statistic(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "anyOf": [
            { "enum": STATISTICS },
            { "pattern": r"^p\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$" }
        ],
        "default": "p99",
        "examples": ["p99", "p95", "Maximum"]
    })
}

/// `record`: a switch, or a table of the retention.
pub fn record(_: &mut SchemaGenerator) -> Schema {
    let d = crate::record::settings::RecordConfig::default();
    json_schema!({
        "description": "Recording of what the screen shows (gzipped day files under the state dir, read by `cockpit report`): false turns it off; a [record] table sets how long and how much is kept.",
        "anyOf": [
            { "type": "boolean" },
            {
                "type": "object",
                "properties": {
                    "enabled": {
                        "description": "Record at all.",
                        "type": "boolean",
                        "default": d.enabled
                    },
                    "keep_days": {
                        "description": "Day files older than this many days are deleted.",
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 3660,
                        "default": d.keep_days
                    },
                    "max_mib": {
                        "description": "The recordings of one context are kept under this many MiB (the oldest days go first).",
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 1_048_576,
                        "default": d.max_mib
                    }
                },
                "additionalProperties": false
            }
        ],
        "default": { "enabled": d.enabled, "keep_days": d.keep_days, "max_mib": d.max_mib }
    })
}
