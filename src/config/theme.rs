//! Themes: styles by role (ok, warn, crit, border, ...), a `[palette]` of named colours and
//! `inherits`, so a user theme overrides only what it names. Built-ins are embedded from
//! `themes/`; `<config dir>/themes/NAME.toml` overrides a built-in of the same name.

use super::error::{ConfigError, parse_toml};
use crate::model::Level;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The built-in themes, embedded at build time.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

macro_rules! roles {
    ($($r:ident = $k:literal),* $(,)?) => {
        /// What a piece of the screen is, so the theme can style it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role { $($r),* }
        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$r),*];
            pub fn key(self) -> &'static str { match self { $(Role::$r => $k),* } }
        }
    };
}

roles! {
    Text = "text", Muted = "muted", Accent = "accent", Border = "border", BorderFocus = "border_focus",
    Title = "title", Header = "header", Footer = "footer", Key = "key", Selection = "selection",
    Banner = "banner", Popup = "popup", Ok = "ok", Warn = "warn", Crit = "crit", Unknown = "unknown",
    Stale = "stale",
}

/// A resolved theme: one style per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<&'static str, Style>,
    /// The terminal background a theme that paints none is made for.
    background: Option<Color>,
}

impl Theme {
    pub fn style(&self, r: Role) -> Style {
        self.styles.get(r.key()).copied().unwrap_or_default()
    }
    pub fn level(&self, l: Level) -> Style {
        self.style(match l {
            Level::Ok => Role::Ok,
            Level::Warn => Role::Warn,
            Level::Crit => Role::Crit,
            Level::Unknown => Role::Unknown,
            Level::Stale => Role::Stale,
        })
    }

    /// Load a theme by name: the user's file first, then the built-in.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, ConfigError> {
        let mut chain: Vec<(PathBuf, String, String, ThemeFile)> = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next.take() {
            if chain.len() >= 8 || chain.iter().any(|(_, name, _, _)| *name == n) {
                let (p, _, _, _) = chain.last().expect("non-empty when inheriting");
                return Err(ConfigError::whole_file(p, format!("theme inheritance loops or is too deep at {n:?}")));
            }
            let (path, text) = find(&n, user_dir, chain.last().map(|(p, _, _, _)| p.as_path()))?;
            let file: ThemeFile = parse_toml(&path, &text)?;
            file.check(&path, &text)?;
            next = file.inherits.as_ref().map(|s| s.get_ref().clone());
            chain.push((path, n, text, file));
        }
        // Merge first, resolve after: a child's palette applies to every role, the inherited
        // ones included (resolving each file's roles as it comes would leave an inherited role
        // in its parent's colours: light grey text on a light popup).
        let mut palette: BTreeMap<String, Source<'_>> = BTreeMap::new();
        let mut roles: BTreeMap<&'static str, (&Path, &str, &StyleSpec)> = BTreeMap::new();
        let mut background: Option<Source<'_>> = None;
        for (path, _, text, file) in chain.iter().rev() {
            for (k, v) in &file.palette {
                palette.insert(k.clone(), (path.as_path(), text.as_str(), v));
            }
            for (k, spec) in &file.roles {
                let role = Role::ALL.iter().find(|r| r.key() == k.get_ref()).expect("checked");
                roles.insert(role.key(), (path.as_path(), text.as_str(), spec));
            }
            if let Some(b) = &file.background {
                background = Some((path.as_path(), text.as_str(), b));
            }
        }
        let mut colours: BTreeMap<String, Color> = BTreeMap::new();
        for name in palette.keys() {
            let c = resolve(name, &palette, &mut Vec::new())?;
            colours.insert(name.clone(), c);
        }
        let mut styles: BTreeMap<&'static str, Style> = BTreeMap::new();
        for (key, (path, text, spec)) in roles {
            styles.insert(key, spec.to_style(path, text, &colours)?);
        }
        let background = match background {
            Some((path, text, b)) => Some(
                parse_color(b.get_ref(), &colours)
                    .ok_or_else(|| ConfigError::at(path, text, b.span().start, color_expected(b.get_ref())))?,
            ),
            None => None,
        };
        Ok(Theme { name: name.to_string(), styles, background })
    }

    /// The colour the text is drawn on: the one the text role paints, else the terminal
    /// background the theme is made for (its `background`), if it says.
    pub fn background(&self) -> Option<Color> {
        self.style(Role::Text).bg.or(self.background)
    }
}

/// A palette entry as written: its file, the file's text and the spanned value.
type Source<'a> = (&'a Path, &'a str, &'a Spanned<String>);

/// A palette name's colour; an entry may name another entry (of any file of the chain).
fn resolve(name: &str, palette: &BTreeMap<String, Source<'_>>, seen: &mut Vec<String>) -> Result<Color, ConfigError> {
    let (path, text, v) = palette[name];
    let value = v.get_ref();
    if let Some(other) = palette.get_key_value(value.as_str()).map(|(k, _)| k.clone()).filter(|k| k != name) {
        if seen.contains(&other) {
            return Err(ConfigError::at(
                path,
                text,
                v.span().start,
                format!("palette entry {name:?} loops through {other:?}"),
            ));
        }
        seen.push(name.to_string());
        return resolve(&other, palette, seen);
    }
    parse_color(value, &BTreeMap::new())
        .ok_or_else(|| ConfigError::at(path, text, v.span().start, color_expected(value)))
}

/// A cockpit theme: a style per role of the screen, a palette of named colours, and the theme it
/// inherits, so that a theme names only what it changes. A file <config dir>/themes/NAME.toml
/// is used as --theme NAME or theme = "NAME" (and overrides a built-in of the same name).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cockpit theme")]
pub(super) struct ThemeFile {
    /// The theme this one starts from: a built-in (dark, high-contrast, light, mono) or another
    /// file of the config dir's themes/. Its roles take this file's palette.
    #[schemars(with = "Option<String>", extend("examples" = ["dark", "light", "high-contrast", "mono"]))]
    inherits: Option<Spanned<String>>,
    /// The terminal background the theme is made for, when its text role paints none (the
    /// contrast of its colours is checked against it): "#rrggbb", an ANSI name or an index.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::colour")]
    background: Option<Spanned<String>>,
    /// Named colours, for the roles (and the other palette entries) to use by name:
    /// `red = "#ff5f5f"`. A child theme's palette applies to the roles it inherits.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::palette")]
    palette: BTreeMap<String, Spanned<String>>,
    /// A style per role of the screen: `crit = { fg = "red", modifiers = ["bold"] }`.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::roles")]
    roles: BTreeMap<Spanned<String>, StyleSpec>,
}

impl ThemeFile {
    fn check(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        for k in self.roles.keys() {
            if !Role::ALL.iter().any(|r| r.key() == k.get_ref()) {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                return Err(ConfigError::at(
                    path,
                    text,
                    k.span().start,
                    format!("unknown role {:?}; expected one of: {}", k.get_ref(), known.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// The style of a role: colours and text modifiers. What a role leaves out is the terminal's.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StyleSpec {
    /// The text colour: a palette name, "#rrggbb", an ANSI name such as
    /// "red" or "lightblue", an index 0-255, or "reset" (the terminal's own).
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::colour")]
    fg: Option<Spanned<String>>,
    /// The background colour: a palette name, "#rrggbb", an ANSI name such as
    /// "red" or "lightblue", an index 0-255, or "reset" (the terminal's own).
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::colour")]
    bg: Option<Spanned<String>>,
    /// Text modifiers (a terminal may not show every one).
    #[serde(default)]
    #[schemars(schema_with = "super::schema::values::modifiers")]
    modifiers: Vec<Spanned<String>>,
}

impl StyleSpec {
    fn to_style(&self, path: &Path, text: &str, palette: &BTreeMap<String, Color>) -> Result<Style, ConfigError> {
        let mut s = Style::default();
        let color = |c: &Spanned<String>| {
            parse_color(c.get_ref(), palette)
                .ok_or_else(|| ConfigError::at(path, text, c.span().start, color_expected(c.get_ref())))
        };
        if let Some(fg) = &self.fg {
            s = s.fg(color(fg)?);
        }
        if let Some(bg) = &self.bg {
            s = s.bg(color(bg)?);
        }
        for m in &self.modifiers {
            let md = match m.get_ref().as_str() {
                "bold" => Modifier::BOLD,
                "dim" => Modifier::DIM,
                "italic" => Modifier::ITALIC,
                "underlined" => Modifier::UNDERLINED,
                "reversed" => Modifier::REVERSED,
                "crossed_out" => Modifier::CROSSED_OUT,
                "slow_blink" => Modifier::SLOW_BLINK,
                other => {
                    return Err(ConfigError::at(
                        path,
                        text,
                        m.span().start,
                        format!(
                            "unknown modifier {other:?}; expected bold, dim, italic, underlined, reversed, crossed_out or slow_blink"
                        ),
                    ));
                }
            };
            s = s.add_modifier(md);
        }
        Ok(s)
    }
}

fn color_expected(found: &str) -> String {
    format!(
        "unknown colour {found:?}; expected a palette name, \"#rrggbb\", an ANSI name such as \"red\" or \"lightblue\", an index 0-255, or \"reset\""
    )
}

/// A palette name, "#rrggbb", an ANSI colour name or an index.
pub fn parse_color(s: &str, palette: &BTreeMap<String, Color>) -> Option<Color> {
    if let Some(c) = palette.get(s) {
        return Some(*c);
    }
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return None;
    }
    if let Ok(i) = s.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    Some(match s.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

/// Find a theme's text: the user's file (unless it is the one inheriting from itself), else a
/// built-in.
fn find(name: &str, user_dir: Option<&Path>, from: Option<&Path>) -> Result<(PathBuf, String), ConfigError> {
    if let Some(dir) = user_dir {
        let p = dir.join("themes").join(format!("{name}.toml"));
        if from != Some(p.as_path()) {
            match std::fs::read_to_string(&p) {
                Ok(t) => return Ok((p, t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ConfigError::whole_file(&p, format!("cannot read: {e}"))),
            }
        }
    }
    if let Some((_, t)) = BUILTIN.iter().find(|(n, _)| *n == name) {
        return Ok((builtin_path(name), t.to_string()));
    }
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    Err(ConfigError::whole_file(
        from.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("--theme")),
        format!(
            "no theme named {name:?}; built-in themes: {} (or put {name}.toml in the config dir's themes/)",
            names.join(", ")
        ),
    ))
}

fn builtin_path(name: &str) -> PathBuf {
    PathBuf::from(format!("<built-in themes/{name}.toml>"))
}
