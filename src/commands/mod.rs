//! The subcommands. Each returns the process exit status.

pub mod capacity;
pub mod check;
pub mod collect;
pub mod completions;
pub mod config_schema;
pub mod config_show;
pub mod demo;
pub mod drill;
pub mod host;
pub mod info;
pub mod live;
pub mod man;
pub mod plan_run;
pub mod report;
pub mod share;
pub mod snapshot;
pub mod watch;

use crate::cli::GlobalArgs;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::config::{Config, ConfigError, paths};
use std::path::PathBuf;

// Exit statuses, the same for every command (the README's "Exit statuses" lists them).
/// Everything asked for was done and nothing calls for attention.
pub const EXIT_OK: i32 = 0;
/// A failure: a configured source failed, an action failed or was refused, or the program did.
pub const EXIT_FAILURE: i32 = 1;
/// Bad input: a config, theme or keymap file (with its file, line and column), or the flags.
pub const EXIT_USAGE: i32 = crate::config::EXIT_CONFIG;
/// `check`, `snapshot`: every configured source answered, but a metric that feeds a threshold
/// or an emergency condition has no value (a blind spot, named with the setting that fixes it).
pub const EXIT_BLIND: i32 = 3;
/// `snapshot --fail-on`: the worst level is WARN (4), CRIT (5), or an emergency condition of
/// the runbook holds (6).
pub const EXIT_WARN: i32 = 4;
pub const EXIT_CRIT: i32 = 5;
pub const EXIT_EMERGENCY: i32 = 6;
/// `run`: the action completed, but its notification could not be sent.
pub const EXIT_NOTIFY_FAILED: i32 = 7;

/// Take the terminal, run the event loop until it ends, give the terminal back, and turn the way
/// it ended into an exit status (128 + the signal's number for a signal, as a shell would).
pub async fn run_ui<H: crate::ui::event_loop::Host>(
    app: &mut crate::ui::app::App,
    sources: tokio::sync::mpsc::Receiver<crate::model::SourceUpdate>,
    host: &mut H,
) -> anyhow::Result<i32> {
    use crate::ui::event_loop::{self, Exit};
    let mut guard = crate::ui::terminal::TerminalGuard::enter()?;
    let exit = event_loop::run(&mut guard.terminal, app, sources, host).await;
    drop(guard);
    match exit? {
        Exit::Quit | Exit::InputClosed => Ok(0),
        Exit::Signal(s) => {
            tracing::info!("stopped by {s}");
            eprintln!("cockpit: stopped by {s}; terminal restored");
            Ok(128
                + match s {
                    "SIGHUP" => 1,
                    "SIGINT" => 2,
                    "SIGQUIT" => 3,
                    _ => 15,
                })
        }
    }
}

/// Everything loaded from files before the UI starts.
pub struct Setup {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub user_dir: Option<PathBuf>,
    /// `--wall`: start in the war-room wall view.
    pub wall: bool,
    /// `--share`: also publish to the war room's stream.
    pub share: bool,
}

/// Load the config, theme and keymap; any error names its file, line and column.
pub fn setup(g: &GlobalArgs) -> Result<Setup, ConfigError> {
    let loaded = Config::load(g.config.as_deref())?;
    let mut config = loaded.config.clone();
    if g.read_only {
        config.read_only = true;
    }
    if let Some(secs) = g.refresh {
        config.refresh_secs = secs;
    }
    if g.no_record {
        config.record.enabled = false;
    }
    // The flag, then the environment, then the file.
    let share_env = std::env::var("COCKPIT_SHARE_URL").ok().filter(|v| !v.is_empty());
    if let Some(url) = g.share_url.clone().or(share_env) {
        config.share.url = Some(url);
    }
    if let Some(ns) = &g.namespace {
        config.kubernetes.namespace = ns.clone();
    }
    if let Some(c) = &g.context {
        config.kubernetes.context = Some(c.clone());
    }
    if let Some(k) = &g.kubeconfig {
        config.kubernetes.kubeconfig = Some(k.clone());
    }
    if let Some(p) = &g.profile {
        config.aws.profile = Some(p.clone());
    }
    if let Some(r) = &g.region {
        config.aws.region = Some(r.clone());
    }
    let user_dir = paths::config_dir();
    let (theme_name, theme_from_file) = match &g.theme {
        Some(t) => (t.clone(), false),
        // NO_COLOR (no-color.org) picks the monochrome theme unless one is asked for.
        None if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => ("mono".into(), false),
        None => (config.theme.clone(), true),
    };
    // A name that no file answers to is blamed where it was written: the flag, or the config
    // file's line and column.
    let blame = |key: &str, from_file: bool, e: ConfigError| -> ConfigError {
        let unnamed = e.line == 0 && e.file == std::path::Path::new(&format!("--{key}"));
        match (from_file && unnamed).then(|| loaded.error_at(key, e.message.clone())).flatten() {
            Some(located) => located,
            None => e,
        }
    };
    let theme = Theme::load(&theme_name, user_dir.as_deref()).map_err(|e| blame("theme", theme_from_file, e))?;
    let keymap_name = g.keymap.clone().unwrap_or_else(|| config.keymap.clone());
    let keymap = Keymap::load(&keymap_name, user_dir.as_deref()).map_err(|e| blame("keymap", g.keymap.is_none(), e))?;
    Ok(Setup { config, config_path: loaded.path, theme, keymap, user_dir, wall: g.wall, share: g.share })
}
