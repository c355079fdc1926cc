//! Keymaps: per-context lists of `{ on = "<key or chord>", run = "<command>", desc = "…" }`.
//! Code matches on `Command`, never on key codes. Built-ins are embedded from `keymaps/`; a user
//! file `<config dir>/keymaps/NAME.toml` is layered on top: its `prepend_keymap` and
//! `append_keymap` add to a context, its `keymap` replaces the context.

use super::error::{ConfigError, parse_toml};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use toml::Spanned;

pub use super::key::Key;

pub const BUILTIN: &[(&str, &str)] =
    &[("default", include_str!("../../keymaps/default.toml")), ("vim", include_str!("../../keymaps/vim.toml"))];

/// Where keys are read. `global` applies everywhere, after the more specific context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Dashboard,
    Help,
    Menu,
    Form,
    Plan,
    Run,
}

impl Context {
    pub const ALL: [Context; 7] =
        [Context::Global, Context::Dashboard, Context::Help, Context::Menu, Context::Form, Context::Plan, Context::Run];
    pub fn key(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Dashboard => "dashboard",
            Context::Help => "help",
            Context::Menu => "menu",
            Context::Form => "form",
            Context::Plan => "plan",
            Context::Run => "run",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Dashboard => "Dashboard",
            Context::Help => "Help",
            Context::Menu => "Action menu",
            Context::Form => "Action form",
            Context::Plan => "Plan and confirmation",
            Context::Run => "Running action",
        }
    }
}

/// A pane of the dashboard, for `focus <pane>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PaneId {
    Overview,
    Api,
    Workers,
    Cache,
    Database,
    Capacity,
    Events,
}

impl PaneId {
    pub const ALL: [PaneId; 7] = [
        PaneId::Overview,
        PaneId::Api,
        PaneId::Workers,
        PaneId::Cache,
        PaneId::Database,
        PaneId::Capacity,
        PaneId::Events,
    ];
    pub fn key(self) -> &'static str {
        match self {
            PaneId::Overview => "overview",
            PaneId::Api => "api",
            PaneId::Workers => "workers",
            PaneId::Cache => "cache",
            PaneId::Database => "database",
            PaneId::Capacity => "capacity",
            PaneId::Events => "events",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            PaneId::Overview => "Overview",
            PaneId::Api => "API pods",
            PaneId::Workers => "Workers",
            PaneId::Cache => "Cache",
            PaneId::Database => "Database",
            PaneId::Capacity => "Capacity",
            PaneId::Events => "Events",
        }
    }
}

/// The guided actions (runbook procedures) a key can start.
pub const ACTION_NAMES: &[&str] =
    &["scale-api", "scale-workers", "drain-workers", "emergency", "reenable-hpa", "resize-workers", "resize-db"];

/// What a key does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Close,
    FocusNext,
    FocusPrev,
    Focus(PaneId),
    Zoom,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Pause,
    SpeedUp,
    SpeedDown,
    ThemeNext,
    ActionsMenu,
    Start(String),
    Confirm,
    Abort,
    NextField,
    PrevField,
    Increment,
    Decrement,
    Toggle,
}

impl FromStr for Command {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split_whitespace();
        let head = parts.next().unwrap_or("");
        let arg = parts.next();
        if parts.next().is_some() {
            return Err(format!("too many words in command {s:?}"));
        }
        let simple =
            |c: Command| if arg.is_some() { Err(format!("command {head:?} takes no argument")) } else { Ok(c) };
        match head {
            "quit" => simple(Command::Quit),
            "help" => simple(Command::Help),
            "close" => simple(Command::Close),
            "focus_next" => simple(Command::FocusNext),
            "focus_prev" => simple(Command::FocusPrev),
            "focus" => {
                let a = arg.ok_or("focus needs a pane name")?;
                PaneId::ALL.iter().find(|p| p.key() == a).map(|p| Command::Focus(*p)).ok_or_else(|| {
                    let names: Vec<&str> = PaneId::ALL.iter().map(|p| p.key()).collect();
                    format!("unknown pane {a:?}; expected one of: {}", names.join(", "))
                })
            }
            "zoom" => simple(Command::Zoom),
            "up" => simple(Command::Up),
            "down" => simple(Command::Down),
            "page_up" => simple(Command::PageUp),
            "page_down" => simple(Command::PageDown),
            "top" => simple(Command::Top),
            "bottom" => simple(Command::Bottom),
            "left" => simple(Command::Left),
            "right" => simple(Command::Right),
            "pause" => simple(Command::Pause),
            "speed_up" => simple(Command::SpeedUp),
            "speed_down" => simple(Command::SpeedDown),
            "theme_next" => simple(Command::ThemeNext),
            "actions" => simple(Command::ActionsMenu),
            "start" => {
                let a = arg.ok_or("start needs an action name")?;
                if ACTION_NAMES.contains(&a) {
                    Ok(Command::Start(a.to_string()))
                } else {
                    Err(format!("unknown action {a:?}; expected one of: {}", ACTION_NAMES.join(", ")))
                }
            }
            "confirm" => simple(Command::Confirm),
            "abort" => simple(Command::Abort),
            "next_field" => simple(Command::NextField),
            "prev_field" => simple(Command::PrevField),
            "increment" => simple(Command::Increment),
            "decrement" => simple(Command::Decrement),
            "toggle" => simple(Command::Toggle),
            _ => Err(format!(
                "unknown command {head:?}; expected one of: quit, help, close, focus_next, focus_prev, focus <pane>, zoom, up, down, page_up, page_down, top, bottom, left, right, pause, speed_up, speed_down, theme_next, actions, start <action>, confirm, abort, next_field, prev_field, increment, decrement, toggle"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub command: Command,
    pub desc: String,
}

impl Binding {
    pub fn keys_text(&self) -> String {
        self.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
    }
}

/// The result of looking up the keys typed so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    None,
    /// The keys start a longer chord: wait for the next key.
    Prefix,
    Found(Command),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keymap {
    pub name: String,
    pub contexts: BTreeMap<Context, Vec<Binding>>,
}

impl Keymap {
    pub fn bindings(&self, c: Context) -> &[Binding] {
        self.contexts.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Look the typed keys up in `ctx`, then in `global`. The first matching binding wins.
    pub fn lookup(&self, ctx: Context, typed: &[Key]) -> Lookup {
        let mut prefix = false;
        for c in [ctx, Context::Global] {
            for b in self.bindings(c) {
                if b.keys == typed {
                    return Lookup::Found(b.command.clone());
                }
                if b.keys.len() > typed.len() && b.keys.starts_with(typed) {
                    prefix = true;
                }
            }
            if ctx == Context::Global {
                break;
            }
        }
        if prefix { Lookup::Prefix } else { Lookup::None }
    }

    /// The first key bound to a command in a context (or global), for hints: "? help".
    pub fn hint(&self, ctx: Context, cmd: &Command) -> Option<String> {
        [ctx, Context::Global].iter().flat_map(|c| self.bindings(*c)).find(|b| &b.command == cmd).map(|b| b.keys_text())
    }

    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Keymap, ConfigError> {
        let builtin = BUILTIN.iter().find(|(n, _)| *n == name);
        let user = match user_dir.map(|d| d.join("keymaps").join(format!("{name}.toml"))) {
            Some(p) => match std::fs::read_to_string(&p) {
                Ok(t) => Some((p, t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(ConfigError::whole_file(&p, format!("cannot read: {e}"))),
            },
            None => None,
        };
        let (base_name, base_text) = match (builtin, &user) {
            (Some((n, t)), _) => (*n, *t),
            (None, Some(_)) => BUILTIN[0],
            (None, None) => {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                return Err(ConfigError::whole_file(
                    "--keymap",
                    format!(
                        "no keymap named {name:?}; built-in keymaps: {} (or put {name}.toml in the config dir's keymaps/)",
                        names.join(", ")
                    ),
                ));
            }
        };
        let base_path = PathBuf::from(format!("<built-in keymaps/{base_name}.toml>"));
        let mut map = Keymap { name: name.to_string(), contexts: BTreeMap::new() };
        if base_name != BUILTIN[0].0 {
            // Built-ins other than the default are written as layers over it.
            map.layer(&PathBuf::from("<built-in keymaps/default.toml>"), BUILTIN[0].1)?;
        }
        map.layer(&base_path, base_text)?;
        if let Some((p, t)) = &user {
            map.layer(p, t)?;
        }
        Ok(map)
    }

    /// Parse one file and layer it over what is there.
    pub fn layer(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let file: BTreeMap<Spanned<String>, Section> = parse_toml(path, text)?;
        for (ctx_name, section) in file {
            let ctx = Context::ALL.iter().copied().find(|c| c.key() == ctx_name.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.key()).collect();
                ConfigError::at(
                    path,
                    text,
                    ctx_name.span().start,
                    format!("unknown context {:?}; expected one of: {}", ctx_name.get_ref(), names.join(", ")),
                )
            })?;
            let conv = |v: &Option<Vec<RawBinding>>| -> Result<Option<Vec<Binding>>, ConfigError> {
                v.as_ref().map(|bs| bs.iter().map(|b| b.resolve(path, text)).collect()).transpose()
            };
            let list = self.contexts.entry(ctx).or_default();
            if let Some(full) = conv(&section.keymap)? {
                *list = full;
            }
            if let Some(mut pre) = conv(&section.prepend_keymap)? {
                pre.append(list);
                *list = pre;
            }
            if let Some(app) = conv(&section.append_keymap)? {
                list.extend(app);
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    keymap: Option<Vec<RawBinding>>,
    prepend_keymap: Option<Vec<RawBinding>>,
    append_keymap: Option<Vec<RawBinding>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    on: Spanned<OneOrMany>,
    run: Spanned<String>,
    #[serde(default)]
    desc: String,
}

impl RawBinding {
    fn resolve(&self, path: &Path, text: &str) -> Result<Binding, ConfigError> {
        let at = self.on.span().start;
        let keys: Vec<&String> = match self.on.get_ref() {
            OneOrMany::One(k) => vec![k],
            OneOrMany::Many(ks) => ks.iter().collect(),
        };
        if keys.is_empty() {
            return Err(ConfigError::at(path, text, at, "`on` is empty: expected a key or a list of keys"));
        }
        let keys = keys
            .into_iter()
            .map(|k| k.parse::<Key>().map_err(|m| ConfigError::at(path, text, at, m)))
            .collect::<Result<Vec<_>, _>>()?;
        let command =
            self.run.get_ref().parse::<Command>().map_err(|m| ConfigError::at(path, text, self.run.span().start, m))?;
        Ok(Binding { keys, command, desc: self.desc.clone() })
    }
}
