//! Recordings on disk: `<dir>/<context>/<YYYY-MM-DD>.jsonl.gz`, one file per UTC day, each a
//! series of gzip members appended every few seconds (a crash loses at most the last few
//! seconds, and a torn last member loses only itself). Files older than the retention, and the
//! oldest files past the size bound, are deleted.

use super::entry::Entry;
use super::recorder::Sink;
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long entries wait in memory before they are appended to the file.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
const FLUSH_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retention {
    pub keep_days: u32,
    pub max_bytes: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { keep_days: 14, max_bytes: 512 * 1024 * 1024 }
    }
}

/// A name safe for a directory: a Kubernetes context may hold `/` and `:` (EKS ARNs).
pub fn safe_name(context: &str) -> String {
    let s: String =
        context.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') { format!("_{s}") } else { s }
}

/// The UTC date of a wall-clock time, as the file name gives it.
fn day_of(t: f64) -> String {
    jiff::Timestamp::from_millisecond((t * 1000.0) as i64)
        .map(|ts| ts.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| "1970-01-01".into())
}

pub struct FileStore {
    dir: PathBuf,
    retention: Retention,
    buf: Vec<u8>,
    day: Option<String>,
    /// The start entry, repeated at the top of every new day's file so each file stands alone.
    start: Option<Entry>,
    last_flush: Instant,
}

impl FileStore {
    /// Recordings of `context` under `root` (the state dir's `recordings/`).
    pub fn open(root: &Path, context: &str, retention: Retention) -> io::Result<FileStore> {
        let dir = root.join(safe_name(context));
        std::fs::create_dir_all(&dir)?;
        let store = FileStore { dir, retention, buf: Vec::new(), day: None, start: None, last_flush: Instant::now() };
        store.prune()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, day: &str) -> PathBuf {
        self.dir.join(format!("{day}.jsonl.gz"))
    }

    fn append(&mut self) -> io::Result<()> {
        let Some(day) = self.day.clone() else { return Ok(()) };
        if self.buf.is_empty() {
            return Ok(());
        }
        let file = std::fs::OpenOptions::new().create(true).append(true).open(self.path(&day))?;
        let mut gz = GzEncoder::new(file, Compression::default());
        gz.write_all(&self.buf)?;
        gz.finish()?.sync_data()?;
        self.buf.clear();
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Delete what is older than the retention, then the oldest files past the size bound.
    pub fn prune(&self) -> io::Result<()> {
        let mut files = list(&self.dir)?;
        let today = day_of(now());
        let cutoff = day_of(now() - f64::from(self.retention.keep_days) * 86_400.0);
        files.retain(|(day, path)| {
            if *day < cutoff && *day != today {
                let _ = std::fs::remove_file(path);
                false
            } else {
                true
            }
        });
        let mut total: u64 = files.iter().filter_map(|(_, p)| p.metadata().ok()).map(|m| m.len()).sum();
        for (day, path) in &files {
            if total <= self.retention.max_bytes || *day == today {
                break;
            }
            total -= path.metadata().map(|m| m.len()).unwrap_or(0);
            std::fs::remove_file(path)?;
        }
        Ok(())
    }
}

impl Sink for FileStore {
    fn write(&mut self, e: &Entry) -> io::Result<()> {
        if let Entry::Start(_) = e {
            self.start = Some(e.clone());
        }
        let day = day_of(e.t());
        if self.day.as_deref() != Some(day.as_str()) {
            self.append()?;
            let new_file = self.day.is_some();
            self.day = Some(day);
            if new_file {
                self.prune()?;
                if let Some(s) = self.start.clone().filter(|_| !matches!(e, Entry::Start(_))) {
                    serde_json::to_writer(&mut self.buf, &s)?;
                    self.buf.push(b'\n');
                }
            }
        }
        serde_json::to_writer(&mut self.buf, e)?;
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_BYTES || self.last_flush.elapsed() >= FLUSH_EVERY {
            self.append()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.append()
    }
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// The day files of a directory, oldest first.
fn list(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if let Some(day) = p.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".jsonl.gz")) {
            out.push((day.to_string(), p.clone()));
        }
    }
    out.sort();
    Ok(out)
}

/// The entries of a recording between `from` and `to` (wall-clock seconds), oldest first, with
/// the start entries that describe them. A torn last member (a crash while writing) or a line
/// that does not parse is skipped, and counted in the second value.
pub fn read(root: &Path, context: &str, from: f64, to: f64) -> io::Result<(Vec<Entry>, usize)> {
    let dir = root.join(safe_name(context));
    let (first, last) = (day_of(from), day_of(to));
    let mut out = Vec::new();
    let mut skipped = 0;
    for (day, path) in list(&dir)? {
        if day < first || day > last {
            continue;
        }
        let reader = BufReader::new(MultiGzDecoder::new(std::fs::File::open(&path)?));
        for line in reader.lines() {
            let Ok(line) = line else {
                skipped += 1;
                break;
            };
            match serde_json::from_str::<Entry>(&line) {
                Ok(e @ Entry::Start(_)) => out.push(e),
                Ok(e) if e.t() >= from && e.t() <= to => out.push(e),
                Ok(_) => {}
                Err(_) => skipped += 1,
            }
        }
    }
    Ok((out, skipped))
}

/// The contexts that have recordings under `root`.
pub fn contexts(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    out.sort();
    out
}
