//! Logs go to a file under the state dir (or `--log-file`), never to the terminal the UI draws on.

use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Start logging to a file. Keep the guard alive until exit so the last lines are written.
pub fn init(file: Option<&Path>, level: &str) -> anyhow::Result<(WorkerGuard, PathBuf)> {
    let path = match file {
        Some(p) => p.to_path_buf(),
        None => crate::config::paths::state_dir().join("cockpit.log"),
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create the log directory {}: {e}", dir.display()))?;
    let name = path.file_name().ok_or_else(|| anyhow::anyhow!("--log-file {} names no file", path.display()))?;
    let appender = tracing_appender::rolling::never(&dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_new(level).map_err(|e| {
        anyhow::anyhow!("--log-level {level:?}: {e} (expected error, warn, info, debug, trace or a filter)")
    })?;
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok();
    Ok((guard, path))
}
