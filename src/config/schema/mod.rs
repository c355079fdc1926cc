//! JSON Schemas (draft 2020-12) of `config.toml`, of a theme file and of a keymap file, generated
//! from the types the loader reads (schemars). What a type parses by hand (thresholds, colours,
//! keys and commands, `record`) has its schema written here, so that the schema accepts what the
//! loader accepts; the validator's ranges (`validate.rs`) are on the fields. `cockpit config
//! schema` prints them; `schemas/` ships them (a test keeps the two the same).

pub mod keys;
pub mod model;
pub mod values;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// config.toml.
    Config,
    /// A theme file (themes/NAME.toml).
    Theme,
    /// A keymap file (keymaps/NAME.toml).
    Keymap,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Config, Kind::Theme, Kind::Keymap];

    /// The name on the command line and of the shipped file (`schemas/NAME.schema.json`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Theme => "theme",
            Kind::Keymap => "keymap",
        }
    }

    /// The shipped file, relative to the repository.
    pub fn file(self) -> String {
        format!("schemas/{}.schema.json", self.name())
    }
}

/// The schema of `kind`, as a JSON value.
pub fn generate(kind: Kind) -> Value {
    let mut v = match kind {
        Kind::Config => root::<super::Config>(),
        Kind::Theme => root::<super::theme::ThemeFile>(),
        Kind::Keymap => root::<keys::KeymapFile>(),
    };
    tidy(&mut v);
    v
}

/// The schema of `kind` as printed and shipped: pretty JSON and a final newline.
pub fn text(kind: Kind) -> String {
    let mut s = serde_json::to_string_pretty(&generate(kind)).expect("a JSON value serializes");
    s.push('\n');
    s
}

fn root<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>().to_value()
}

/// Tidy what schemars makes for what an editor shows. TOML has no null: an absent key is how a
/// file leaves an optional value unset, so the `null` that schemars adds to every `Option` goes,
/// and so do the unset options of a default. Doc comments' line breaks within a paragraph become
/// spaces (an editor wraps the text itself); `format` (Rust's "uint64", "double") says nothing a
/// TOML editor can check.
fn tidy(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("format");
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(d) = map.get_mut("default") {
                drop_null_members(d);
            }
            if let Some(Value::String(d)) = map.get_mut("description") {
                *d = unwrap_lines(d);
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|t| !t.is_null());
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type") != Some(&Value::from("null")));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, val) in inner {
                            map.entry(k).or_insert(val);
                        }
                    }
                }
            }
            for (key, val) in map.iter_mut() {
                // Defaults and examples are values, not schemas.
                if key != "default" && key != "examples" && key != "enum" && key != "const" {
                    tidy(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

fn drop_null_members(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, m| !m.is_null());
            map.values_mut().for_each(drop_null_members);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_members),
        _ => {}
    }
}

/// "one\ntwo\n\nthree" -> "one two\n\nthree".
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_reads_as_one_line() {
        assert_eq!(unwrap_lines("one\ntwo\n\nthree\nfour"), "one two\n\nthree four");
    }

    #[test]
    fn no_schema_allows_null_which_toml_cannot_write() {
        for kind in Kind::ALL {
            let text = text(kind);
            assert!(!text.contains("\"null\""), "{}: {text}", kind.name());
            assert!(!text.contains(": null"), "{}: {text}", kind.name());
        }
    }

    /// The schemas of the model's tables have the model's fields and defaults.
    #[test]
    fn the_model_tables_schemas_match_the_model() {
        use crate::model::capacity::{CapacityParams, Limits};
        use crate::model::reading::EmergencyRules;
        let same = |a: Value, b: Value| assert_eq!(a, b);
        same(
            serde_json::to_value(model::LimitsSchema::default()).unwrap(),
            serde_json::to_value(Limits::default()).unwrap(),
        );
        same(
            serde_json::to_value(model::CapacitySchema::default()).unwrap(),
            serde_json::to_value(CapacityParams::default()).unwrap(),
        );
        same(
            serde_json::to_value(model::EmergencySchema::default()).unwrap(),
            serde_json::to_value(EmergencyRules::default()).unwrap(),
        );
    }

    /// Every table of the schema has the keys of the config's defaults, and no other.
    #[test]
    fn every_key_of_the_config_is_in_the_schema() {
        let schema = generate(Kind::Config);
        let defaults = serde_json::to_value(crate::config::Config::default()).unwrap();
        let resolve = |s: &Value| -> Value {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => schema["$defs"][r.trim_start_matches("#/$defs/")].clone(),
                None => s.clone(),
            }
        };
        let top = schema["properties"].as_object().unwrap();
        let keys: Vec<&String> = top.keys().collect();
        let want: Vec<&String> = defaults.as_object().unwrap().keys().collect();
        assert_eq!(keys, want);
        for (name, value) in defaults.as_object().unwrap() {
            let Value::Object(fields) = value else { continue };
            if name == "thresholds" || name == "contexts" || name == "record" {
                continue;
            }
            let table = resolve(&top[name]);
            let mut have: Vec<&String> = table["properties"].as_object().unwrap().keys().collect();
            let mut want: Vec<&String> = fields.keys().collect();
            have.sort();
            want.sort();
            assert_eq!(have, want, "[{name}]");
            assert_eq!(table["additionalProperties"], Value::Bool(false), "[{name}]");
        }
    }

    /// The lists written here are the ones the loader's error messages give.
    #[test]
    fn commands_and_modifiers_are_the_loaders() {
        let e = "nonsense".parse::<crate::config::keymap::Command>().unwrap_err();
        let listed = e.split("expected one of: ").nth(1).unwrap();
        let mine: Vec<String> = keys::SIMPLE_COMMANDS.iter().map(|c| c.to_string()).collect();
        let theirs: Vec<String> = listed.split(", ").filter(|c| !c.contains('<')).map(|c| c.to_string()).collect();
        assert_eq!(mine, theirs);
        for c in keys::commands() {
            assert!(c.parse::<crate::config::keymap::Command>().is_ok(), "{c}");
        }
        for k in keys::KEY_NAMES {
            assert!(format!("<{k}>").parse::<crate::config::keymap::Key>().is_ok(), "{k}");
        }
        let text = "[roles]\nok = { modifiers = [\"blinking\"] }";
        let dir = std::env::temp_dir().join(format!("cockpit-schema-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("themes")).unwrap();
        std::fs::write(dir.join("themes/m.toml"), text).unwrap();
        let e = crate::config::theme::Theme::load("m", Some(&dir)).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        let listed = e.message.split("expected ").nth(1).unwrap().replace(" or ", ", ");
        assert_eq!(listed.split(", ").collect::<Vec<_>>(), values::MODIFIERS);
    }
}
