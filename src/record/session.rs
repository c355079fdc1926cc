//! Opening the recording of a run: under the state dir's `recordings/`, unless `--no-record` or
//! the config turns it off. A recording that cannot be opened is a warning, never a failure.

use super::entry::Start;
use super::recorder::{Recorder, Sink, Tee};
use super::store::FileStore;
use crate::config::Config;
use crate::model::Board;
use std::path::{Path, PathBuf};

/// Where every context's recordings live.
pub fn root() -> PathBuf {
    crate::config::paths::state_dir().join("recordings")
}

/// Wall-clock seconds now.
pub fn wall_now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// What opening gave: the recorder, or why there is none (`None` when recording is off).
pub struct Opened {
    pub recorder: Option<Recorder>,
    pub warning: Option<String>,
}

/// Open the recorder of a run whose board time zero is at wall-clock `epoch`.
pub fn open(config: &Config, root: &Path, board: &Board, origin: &str, context: &str, epoch: f64) -> Opened {
    open_with(config, root, board, origin, context, epoch, None)
}

/// Open the recorder, also writing into `shared` (the war room's stream) when given: the
/// stream is recorded into even when the local file is off or cannot be opened.
pub fn open_with(
    config: &Config,
    root: &Path,
    board: &Board,
    origin: &str,
    context: &str,
    epoch: f64,
    shared: Option<Box<dyn Sink>>,
) -> Opened {
    let start: Start = Recorder::start_for(board, origin, context, epoch, config.refresh_secs);
    let (file, warning) = if !config.record.enabled {
        (None, None)
    } else {
        match FileStore::open(root, context, config.record.retention()) {
            Ok(store) => (Some(Box::new(store) as Box<dyn Sink>), None),
            Err(e) => {
                let text = format!("recording off: cannot open {}: {e}", root.display());
                tracing::warn!("{text}");
                (None, Some(text))
            }
        }
    };
    let sink: Option<Box<dyn Sink>> = match (file, shared) {
        (Some(f), Some(s)) => Some(Box::new(Tee(vec![f, s]))),
        (f, s) => f.or(s),
    };
    Opened { recorder: sink.map(|s| Recorder::new(s, start)), warning }
}
