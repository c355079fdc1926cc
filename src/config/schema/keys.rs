//! The keymap file's schema: its contexts, the keys of `on` and the commands of `run`, written by
//! hand because the loader parses them by hand (`key.rs`, `keymap/command.rs`).

use super::super::keymap::{ACTION_NAMES, Context, PaneId, Section};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// The key names `<Name>` may hold, besides one character and F1 to F12.
pub const KEY_NAMES: &[&str] = &[
    "Enter",
    "Esc",
    "Tab",
    "Space",
    "Backspace",
    "Delete",
    "Up",
    "Down",
    "Left",
    "Right",
    "PageUp",
    "PageDown",
    "Home",
    "End",
];

/// The commands that take no argument, in the order of the loader's error message.
pub const SIMPLE_COMMANDS: &[&str] = &[
    "quit",
    "help",
    "close",
    "focus_next",
    "focus_prev",
    "zoom",
    "wall",
    "up",
    "down",
    "page_up",
    "page_down",
    "top",
    "bottom",
    "left",
    "right",
    "pause",
    "speed_up",
    "speed_down",
    "theme_next",
    "actions",
    "confirm",
    "abort",
    "next_field",
    "prev_field",
    "increment",
    "decrement",
    "toggle",
    "hide_action",
    "show_action",
    "undo",
    "abandon",
];

/// A key as `Key::from_str` reads it: one character, or `<Name>` with `C-`, `A-`, `S-` prefixes.
pub fn key_pattern() -> String {
    // F1 to F12: the number is read as a u8, so "F01" and "F+1" are F1 too.
    format!(r"^(?:[\s\S]|<(?:[CAS]-)*(?:{}|F\+?0*(?:1[0-2]|[1-9])|[\s\S])>)$", KEY_NAMES.join("|"))
}

/// A command as `Command::from_str` reads it: a name, and the pane or action it takes.
pub fn command_pattern() -> String {
    let panes: Vec<&str> = PaneId::ALL.iter().map(|p| p.key()).collect();
    format!(
        r"^\s*(?:(?:{})|focus\s+(?:{})|start\s+(?:{}))\s*$",
        SIMPLE_COMMANDS.join("|"),
        panes.join("|"),
        ACTION_NAMES.join("|")
    )
}

/// Every command in its usual spelling, for an editor to offer.
pub fn commands() -> Vec<String> {
    let mut all: Vec<String> = SIMPLE_COMMANDS.iter().map(|c| c.to_string()).collect();
    all.extend(PaneId::ALL.iter().map(|p| format!("focus {}", p.key())));
    all.extend(ACTION_NAMES.iter().map(|a| format!("start {a}")));
    all
}

pub fn key(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A key: one character (\"q\", \"G\", \"?\") or a name in angle brackets, <Enter>, <Esc>, <Tab>, <Space>, <Backspace>, <Delete>, <Up>, <Down>, <Left>, <Right>, <PageUp>, <PageDown>, <Home>, <End>, <F1> to <F12>, with C- (Ctrl), A- (Alt) and S- (Shift) prefixes: \"<C-c>\", \"<S-Tab>\".",
        "type": "string",
        "pattern": key_pattern(),
        "examples": ["q", "?", "<C-c>", "<S-Tab>", "<Enter>", "<F1>"]
    })
}

/// `on`: a key, or a chord of keys typed one after the other.
pub fn on(generator: &mut SchemaGenerator) -> Schema {
    let one = key(generator);
    json_schema!({
        "description": "The key, or a list of keys typed one after the other (a chord: [\"g\", \"g\"]).",
        "anyOf": [
            one,
            { "type": "array", "items": one, "minItems": 1 }
        ]
    })
}

pub fn run(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The command the key runs: quit, help, close, focus_next, focus_prev, focus <pane>, zoom, wall, up, down, page_up, page_down, top, bottom, left, right, pause, speed_up, speed_down, theme_next, actions, start <action>, confirm, abort, next_field, prev_field, increment, decrement, toggle, hide_action, show_action, undo, abandon.",
        "type": "string",
        "anyOf": [
            { "enum": commands() },
            { "pattern": command_pattern() }
        ]
    })
}

/// The root of a keymap file: a table per context (parsed by hand, to place an unknown one).
pub struct KeymapFile;

impl JsonSchema for KeymapFile {
    fn schema_name() -> Cow<'static, str> {
        "KeymapFile".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let section = generator.subschema_for::<Section>();
        let mut properties = serde_json::Map::new();
        for c in Context::ALL {
            let mut s = section.clone();
            s.insert("description".into(), format!("{}.", c.title()).into());
            properties.insert(c.key().into(), s.to_value());
        }
        json_schema!({
            "title": "cockpit keymap",
            "description": "A cockpit keymap: per context, a list of { on = \"<key or chord>\", run = \"<command>\", desc = \"…\" }. A file <config dir>/keymaps/NAME.toml is layered over the built-in keymap of that name (the default keymap when there is none): prepend_keymap and append_keymap add to a context, keymap replaces it. A key is looked up in its context first, then in global.",
            "type": "object",
            "properties": properties,
            "additionalProperties": false
        })
    }
}
