//! Where the cockpit finds its files: config dir (user themes, keymaps, config.toml) and state
//! dir (log, journal). `COCKPIT_CONFIG_DIR` and `COCKPIT_STATE_DIR` override both, for tests and
//! for people who keep dotfiles elsewhere.

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("io", "agentos", "cockpit")
}

pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("COCKPIT_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    project().map(|p| p.config_dir().to_path_buf())
}

pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("COCKPIT_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    project()
        .map(|p| p.state_dir().unwrap_or_else(|| p.data_local_dir()).to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("cockpit"))
}

pub fn default_config_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}
