//! Keymaps: per-context lists of `{ on = "<key or chord>", run = "<command>", desc = "…" }`.
//! Code matches on `Command`, never on key codes. Built-ins are embedded from `keymaps/`; a user
//! file `<config dir>/keymaps/NAME.toml` is layered on top: its `prepend_keymap` and
//! `append_keymap` add to a context, its `keymap` replaces the context.

use super::error::{ConfigError, parse_toml};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub use super::key::Key;
pub use command::{ACTION_NAMES, Command};

mod command;

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
    /// An action running, shown full.
    Run,
    /// An action running, shrunk to a strip under the dashboard: the dashboard's keys work.
    Strip,
    /// A finished action's summary.
    Summary,
    /// The offer, at start, to resume or abandon an unfinished action.
    Resume,
}

impl Context {
    pub const ALL: [Context; 10] = [
        Context::Global,
        Context::Dashboard,
        Context::Help,
        Context::Menu,
        Context::Form,
        Context::Plan,
        Context::Run,
        Context::Strip,
        Context::Summary,
        Context::Resume,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Dashboard => "dashboard",
            Context::Help => "help",
            Context::Menu => "menu",
            Context::Form => "form",
            Context::Plan => "plan",
            Context::Run => "run",
            Context::Strip => "strip",
            Context::Summary => "summary",
            Context::Resume => "resume",
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
            Context::Run => "Running action (any dashboard key shrinks it to a strip and works)",
            Context::Strip => "Running action shrunk to a strip (the dashboard keys work)",
            Context::Summary => "Action summary",
            Context::Resume => "Unfinished action (offered at start)",
        }
    }

    /// The contexts a key is looked up in, in order. A running action's popup falls through
    /// to the dashboard (the key shrinks it to a strip first).
    pub fn chain(self) -> &'static [Context] {
        match self {
            Context::Global => &[Context::Global],
            Context::Dashboard => &[Context::Dashboard, Context::Global],
            Context::Help => &[Context::Help, Context::Global],
            Context::Menu => &[Context::Menu, Context::Global],
            Context::Form => &[Context::Form, Context::Global],
            Context::Plan => &[Context::Plan, Context::Global],
            Context::Run => &[Context::Run, Context::Global, Context::Dashboard],
            Context::Strip => &[Context::Strip, Context::Dashboard, Context::Global],
            Context::Summary => &[Context::Summary, Context::Global],
            Context::Resume => &[Context::Resume, Context::Global],
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

const NO_QUIT: &str = "this keymap leaves no key that quits: bind one in [global] or [dashboard], \
     e.g. { on = \"q\", run = \"quit\", desc = \"Quit\" }";

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

    /// Look the typed keys up in `ctx`'s chain (`ctx`, then `global`; see `Context::chain`).
    /// The first matching binding wins.
    pub fn lookup(&self, ctx: Context, typed: &[Key]) -> Lookup {
        self.lookup_in(ctx.chain(), typed).0
    }

    /// Look the typed keys up in these contexts, in order; also the context that matched.
    pub fn lookup_in(&self, chain: &[Context], typed: &[Key]) -> (Lookup, Option<Context>) {
        let mut prefix = false;
        for c in chain {
            for b in self.bindings(*c) {
                if b.keys == typed {
                    return (Lookup::Found(b.command.clone()), Some(*c));
                }
                if b.keys.len() > typed.len() && b.keys.starts_with(typed) {
                    prefix = true;
                }
            }
        }
        (if prefix { Lookup::Prefix } else { Lookup::None }, None)
    }

    /// The first key that runs `cmd` in `ctx` (looked up along its chain, so a key another
    /// binding shadows is never offered), for hints: "? help".
    pub fn hint(&self, ctx: Context, cmd: &Command) -> Option<String> {
        ctx.chain()
            .iter()
            .flat_map(|c| self.bindings(*c))
            .find(|b| &b.command == cmd && self.lookup(ctx, &b.keys) == Lookup::Found(cmd.clone()))
            .map(|b| b.keys_text())
    }

    /// Some key quits from the dashboard (a binding of `quit` in `dashboard` or `global` that
    /// no other binding shadows).
    pub fn can_quit(&self) -> bool {
        self.hint(Context::Dashboard, &Command::Quit).is_some()
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
        if !map.can_quit() {
            let file = user.as_ref().map(|(p, _)| p.clone()).unwrap_or(base_path);
            return Err(ConfigError::whole_file(file, NO_QUIT));
        }
        Ok(map)
    }

    /// Parse one file and layer it over what is there. A layer that takes the last way to
    /// quit away is refused, at the `[global]` or `[dashboard]` table that did it.
    pub fn layer(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let file: BTreeMap<Spanned<String>, Section> = parse_toml(path, text)?;
        let could_quit = self.can_quit();
        let mut quit_tables = Vec::new();
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
            if matches!(ctx, Context::Global | Context::Dashboard) {
                quit_tables.push(ctx_name.span().start);
            }
        }
        if could_quit && !self.can_quit() {
            // `global` sorts after `dashboard`: point at the last table that could have kept one.
            let at = quit_tables.last().copied().unwrap_or(0);
            return Err(ConfigError::at(path, text, at, NO_QUIT));
        }
        Ok(())
    }
}

/// The bindings of one context.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Section {
    /// Replaces every binding of this context (of the keymap below this file).
    keymap: Option<Vec<RawBinding>>,
    /// Bindings looked up before the context's others: a key here wins.
    prepend_keymap: Option<Vec<RawBinding>>,
    /// Bindings looked up after the context's others.
    append_keymap: Option<Vec<RawBinding>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A key and what it does: { on = "<C-c>", run = "quit", desc = "Quit" }.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    #[schemars(schema_with = "super::schema::keys::on")]
    on: Spanned<OneOrMany>,
    #[schemars(schema_with = "super::schema::keys::run")]
    run: Spanned<String>,
    /// What the help screen and the footer say the key does.
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
