//! `cockpit info`: where the cockpit keeps its files (config dir and file, state dir, log,
//! journals), its version and build, and what the terminal says it can do. It reads no source
//! and needs no valid config: it is what to paste into a bug report.

use crate::cli::{GlobalArgs, InfoFormat};
use crate::config::{Config, paths};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;

/// The build's commit, when the build was given one (`COCKPIT_GIT_COMMIT=$(git rev-parse HEAD)
/// cargo build`; the Dockerfile passes it as a build argument).
pub const GIT_COMMIT: Option<&str> = option_env!("COCKPIT_GIT_COMMIT");

#[derive(Debug, Serialize)]
pub struct Info {
    pub version: &'static str,
    pub git_commit: Option<&'static str>,
    /// Architecture, operating system and C library (e.g. x86_64-linux-gnu).
    pub target: String,
    pub profile: &'static str,
    pub config_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub config_file_exists: bool,
    /// "ok", or the error that `cockpit` would stop with (file, line and column).
    pub config_status: String,
    pub state_dir: PathBuf,
    pub log_file: PathBuf,
    pub journal_dir: PathBuf,
    pub demo_journal_dir: PathBuf,
    pub terminal: Terminal,
}

#[derive(Debug, Serialize)]
pub struct Terminal {
    pub term: Option<String>,
    pub colorterm: Option<String>,
    pub truecolor: bool,
    /// NO_COLOR is set and not empty: the monochrome theme unless --theme names one.
    pub no_color: bool,
    pub stdout_is_tty: bool,
    /// Columns and rows, when stdout is a terminal.
    pub size: Option<(u16, u16)>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn target() -> String {
    let env = if cfg!(target_env = "gnu") {
        "-gnu"
    } else if cfg!(target_env = "musl") {
        "-musl"
    } else if cfg!(target_env = "msvc") {
        "-msvc"
    } else {
        ""
    };
    format!("{}-{}{env}", std::env::consts::ARCH, std::env::consts::OS)
}

pub fn gather(g: &GlobalArgs) -> Info {
    let config_file = g.config.clone().or_else(paths::default_config_file);
    let config_file_exists = config_file.as_ref().is_some_and(|p| p.is_file());
    let config_status = match Config::load(g.config.as_deref()) {
        Ok(_) if config_file_exists => "ok".to_string(),
        Ok(_) => "absent: the defaults apply".to_string(),
        Err(e) => e.to_string(),
    };
    let state_dir = paths::state_dir();
    let colorterm = var("COLORTERM");
    let stdout_is_tty = std::io::stdout().is_terminal();
    Info {
        version: env!("CARGO_PKG_VERSION"),
        git_commit: GIT_COMMIT.filter(|c| !c.is_empty()),
        target: target(),
        profile: if cfg!(debug_assertions) { "debug" } else { "release" },
        config_dir: paths::config_dir(),
        config_file,
        config_file_exists,
        config_status,
        log_file: g.log_file.clone().unwrap_or_else(|| state_dir.join("cockpit.log")),
        journal_dir: crate::actions::journal::Journal::default_dir(),
        demo_journal_dir: state_dir.join("journal-demo"),
        state_dir,
        terminal: Terminal {
            term: var("TERM"),
            truecolor: colorterm.as_deref().is_some_and(|c| c == "truecolor" || c == "24bit"),
            colorterm,
            no_color: var("NO_COLOR").is_some(),
            stdout_is_tty,
            size: if stdout_is_tty { crossterm::terminal::size().ok() } else { None },
        },
    }
}

fn path(p: &Option<PathBuf>) -> String {
    p.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "none (no home directory)".into())
}

pub fn text(i: &Info) -> String {
    let t = &i.terminal;
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".into());
    let lines = [
        ("version", format!("{} ({} build)", i.version, i.profile)),
        ("git commit", i.git_commit.unwrap_or("unknown (built without COCKPIT_GIT_COMMIT)").to_string()),
        ("target", i.target.clone()),
        ("config dir", path(&i.config_dir)),
        (
            "config file",
            format!("{} ({})", path(&i.config_file), if i.config_file_exists { "exists" } else { "does not exist" }),
        ),
        ("config", i.config_status.clone()),
        ("state dir", i.state_dir.display().to_string()),
        ("log file", i.log_file.display().to_string()),
        ("journal dir", i.journal_dir.display().to_string()),
        ("demo journals", i.demo_journal_dir.display().to_string()),
        ("TERM", or_unset(&t.term)),
        ("COLORTERM", format!("{} (truecolor: {})", or_unset(&t.colorterm), if t.truecolor { "yes" } else { "no" })),
        ("NO_COLOR", if t.no_color { "set: monochrome unless --theme" } else { "unset" }.to_string()),
        (
            "terminal",
            match t.size {
                Some((w, h)) => format!("{w}x{h}"),
                None if t.stdout_is_tty => "a terminal of unknown size".into(),
                None => "stdout is not a terminal".into(),
            },
        ),
    ];
    lines.iter().map(|(k, v)| format!("{:<15}{v}\n", format!("{k}:"))).collect()
}

pub fn run(g: &GlobalArgs, format: InfoFormat) -> anyhow::Result<i32> {
    let info = gather(g);
    match format {
        InfoFormat::Text => print!("{}", text(&info)),
        InfoFormat::Json => println!("{}", serde_json::to_string_pretty(&info)?),
    }
    Ok(super::EXIT_OK)
}
