//! Logs go to a file under the state dir (or `--log-file`), never to the terminal the UI draws
//! on. The file rotates daily (`cockpit.log.2025-06-01`, with `cockpit.log` a link to the
//! current one) and only the newest `log_max_files` are kept: every file beside it whose name
//! starts with the log's name counts, so a log is best kept in a directory of its own. Every line passes through
//! [`crate::live::redact`] on its way to the file.
//!
//! A log that cannot be opened never stops the cockpit with a panic: `--log-file` that cannot
//! be written is a usage error (the person asked for that file); the default file that cannot
//! be written is a warning on stderr, and the cockpit runs without a log.

use std::io::Write;
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Why logging could not start as asked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// `--log-level` is not a level or filter.
    #[error("--log-level {level:?}: {reason} (expected error, warn, info, debug, trace or a filter)")]
    Level { level: String, reason: String },
    /// `--log-file` cannot be written.
    #[error("--log-file {}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
}

/// The running log: keep it alive until exit so that the last lines are written.
pub struct Log {
    _guard: WorkerGuard,
    /// The file as named (a link to the current day's file).
    pub path: PathBuf,
}

/// Start logging. `Ok(None)`: the default log file cannot be written; a warning was printed on
/// stderr and the cockpit runs without a log.
pub fn init(file: Option<&Path>, level: &str, max_files: usize) -> Result<Option<Log>, LogError> {
    let filter =
        EnvFilter::try_new(level).map_err(|e| LogError::Level { level: level.into(), reason: e.to_string() })?;
    let path = match file {
        Some(p) => p.to_path_buf(),
        None => crate::config::paths::state_dir().join("cockpit.log"),
    };
    let appender = match open(&path, max_files) {
        Ok(a) => a,
        Err(reason) if file.is_some() => return Err(LogError::File { path, reason }),
        Err(reason) => {
            eprintln!(
                "cockpit: warning: running without a log: {}: {reason} (give --log-file to log elsewhere)",
                path.display()
            );
            return Ok(None);
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt().with_writer(Redacted(writer)).with_ansi(false).with_env_filter(filter).try_init().ok();
    Ok(Some(Log { _guard: guard, path }))
}

/// The daily appender for `path`: files `<name>.<date>` beside it, `path` itself a link to the
/// current one. Err: why it cannot be written, in words.
pub fn open(path: &Path, max_files: usize) -> Result<RollingFileAppender, String> {
    if path.is_dir() {
        return Err(format!("is a directory; name a file in it, such as {}", path.join("cockpit.log").display()));
    }
    let name = path.file_name().and_then(|n| n.to_str()).ok_or("names no file (or not in UTF-8)")?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    adopt_plain_file(path, dir, name)?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(name)
        .max_log_files(max_files.max(1))
        .latest_symlink(name)
        .build(dir)
        .map_err(|e| crate::live::classify::chain(&e))
}

/// A log file at `path` written before rotation (or by hand) would be replaced by the link to
/// the current file: it joins the rotation under its own date instead, after a check that it
/// can be written at all (a read-only log is an error, not a file quietly moved aside).
fn adopt_plain_file(path: &Path, dir: &Path, name: &str) -> Result<(), String> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if !meta.is_file() {
        return Ok(());
    }
    std::fs::OpenOptions::new().append(true).open(path).map_err(|e| format!("cannot be written: {e}"))?;
    let date = meta
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "0000-00-00".into());
    let dated = |n: usize| dir.join(if n == 0 { format!("{name}.{date}") } else { format!("{name}.{date}-{n}") });
    let target = (0..100).map(dated).find(|p| !p.exists()).unwrap_or_else(|| dated(100));
    std::fs::rename(path, &target).map_err(|e| format!("cannot move it to {}: {e}", target.display()))
}

/// A writer that takes every credential out of each line on its way to the file.
struct Redacted<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacted<W> {
    type Writer = RedactedWriter<W::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactedWriter(self.0.make_writer())
    }
}

pub struct RedactedWriter<W>(W);

impl<W: Write> Write for RedactedWriter<W> {
    /// One call per event (the formatter writes a whole line at once): the line is redacted
    /// whole and written whole.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::live::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_redacts_each_line() {
        let mut out = Vec::new();
        RedactedWriter(&mut out).write_all(b"connecting to redis://:pw-in-line-1@h:1 password=abc\n").ok();
        assert_eq!(String::from_utf8_lossy(&out), "connecting to redis://h:1 password=***\n");
    }

    #[test]
    fn a_plain_log_file_joins_the_rotation_and_the_name_becomes_a_link() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("cockpit.log");
        std::fs::write(&path, "old line\n").map_err(|e| e.to_string())?;
        let mut appender = open(&path, 3)?;
        appender.write_all(b"new line\n").map_err(|e| e.to_string())?;
        appender.flush().map_err(|e| e.to_string())?;
        assert!(std::fs::symlink_metadata(&path).map_err(|e| e.to_string())?.file_type().is_symlink());
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("cockpit.log")), "{names:?}");
        let all: String = names
            .iter()
            .filter(|n| *n != "cockpit.log")
            .map(|n| std::fs::read_to_string(dir.path().join(n)).unwrap_or_default())
            .collect();
        assert_eq!(all, "old line\nnew line\n", "nothing lost: the old file became today's file");
        Ok(())
    }

    #[test]
    fn old_files_beyond_the_limit_are_removed() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("cockpit.log.2020-01-0{day}")), "x\n").map_err(|e| e.to_string())?;
        }
        let _appender = open(&dir.path().join("cockpit.log"), 4)?;
        let left = std::fs::read_dir(dir.path())
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .count();
        assert_eq!(left, 4, "3 old files and today's");
        Ok(())
    }

    #[test]
    fn a_directory_is_refused_in_words() {
        let dir = tempfile::tempdir().ok();
        let err = dir.as_ref().map(|d| open(d.path(), 7).err());
        assert!(matches!(err, Some(Some(ref e)) if e.contains("is a directory")), "{err:?}");
    }
}
