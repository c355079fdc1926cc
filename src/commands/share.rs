//! What every collector does alike (`cockpit collect`, and `--share` on the full-screen
//! cockpit and the demo): name the stream, say hello, start the publisher, tap the updates.

use crate::config::Config;
use crate::live::Env;
use crate::model::{BoardSettings, SourceId, SourceUpdate};
use crate::share::publish::{self, Epoch, Out, PublishSpec, Role, StreamSink};
use crate::share::wire::Hello;
use crate::share::{Bus, Keys};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// A running publisher.
pub struct Sharing {
    pub tx: mpsc::Sender<Out>,
    pub role: watch::Receiver<Role>,
    pub task: tokio::task::JoinHandle<()>,
    pub keys: Keys,
    pub server: String,
}

/// What the collector publishes as.
pub struct Identity<'a> {
    /// The stream's name when `share.name` does not give one (the context, "demo").
    pub default_name: &'a str,
    pub settings: &'a BoardSettings,
    pub configured: &'a [SourceId],
    pub target: String,
    pub origin: &'a str,
    pub refresh: Duration,
    pub epoch: Epoch,
}

/// Start publishing, or say why the stream cannot be used (no Redis for it, a bad URL).
pub fn start(config: &Config, env: &Env, who: Identity<'_>) -> Result<Sharing, String> {
    let bus = Bus::resolve(config, env)?;
    let server = bus.display().to_string();
    let name = config.share.name.clone().unwrap_or_else(|| who.default_name.to_string());
    let keys = Keys::new(&name);
    let hello = Hello {
        id: crate::share::collector_id(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        epoch: 0.0,
        since: 0.0,
        refresh_secs: who.refresh.as_secs_f64(),
        settings: who.settings.clone(),
        configured: who.configured.to_vec(),
        target: who.target,
        origin: who.origin.to_string(),
    };
    let spec = PublishSpec {
        keys: keys.clone(),
        hello,
        epoch: who.epoch,
        refresh: who.refresh,
        history_secs: config.share.history_minutes as f64 * 60.0,
        history_max_entries: config.share.history_max_entries,
    };
    let (tx, role, task) = publish::spawn(bus, spec);
    Ok(Sharing { tx, role, task, keys, server })
}

impl Sharing {
    /// A recorder sink into the stream's history.
    pub fn sink(&self) -> Box<dyn crate::record::recorder::Sink> {
        Box::new(StreamSink::new(self.tx.clone()))
    }

    /// Put a tap on an update channel: every update goes on to `out` and to the publisher.
    pub fn tap(&self, out: mpsc::Sender<SourceUpdate>) -> (mpsc::Sender<SourceUpdate>, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::channel::<SourceUpdate>(256);
        let publish = self.tx.clone();
        let task = tokio::spawn(async move {
            while let Some(u) = rx.recv().await {
                // The publisher never holds the cockpit up: when it is behind, it loses updates.
                let _ = publish.try_send(Out::Update(Box::new(u.clone())));
                if out.send(u).await.is_err() {
                    return;
                }
            }
        });
        (tx, task)
    }

    /// [`Sharing::tap`] when sharing; else the channel as it is, with no task.
    pub fn tap_if(
        sharing: Option<&Sharing>,
        out: mpsc::Sender<SourceUpdate>,
    ) -> (mpsc::Sender<SourceUpdate>, Option<tokio::task::JoinHandle<()>>) {
        match sharing {
            Some(s) => {
                let (tx, task) = s.tap(out);
                (tx, Some(task))
            }
            None => (out, None),
        }
    }

    /// What the screen follows of the publisher.
    pub fn status(&self) -> ShareStatus {
        ShareStatus { role: self.role.clone(), name: self.keys.name.clone(), server: self.server.clone() }
    }

    /// The role in words, for the status line and the log.
    pub fn describe(&self, role: &Role) -> String {
        self.status().describe(role)
    }

    /// Stop publishing and release the lock.
    pub async fn stop(self) {
        let Sharing { tx, task, .. } = self;
        drop(tx);
        let _ = tokio::time::timeout(Duration::from_secs(3), task).await;
    }
}

/// The publisher's role as a screen follows it.
pub struct ShareStatus {
    pub role: watch::Receiver<Role>,
    name: String,
    server: String,
}

impl ShareStatus {
    /// The role in words, when it changed since the last call.
    pub fn changed(&mut self) -> Option<(String, crate::model::Level)> {
        if !self.role.has_changed().unwrap_or(false) {
            return None;
        }
        let r = self.role.borrow_and_update().clone();
        let level = match r {
            Role::Down { .. } => crate::model::Level::Warn,
            _ => crate::model::Level::Ok,
        };
        Some((self.describe(&r), level))
    }

    pub fn describe(&self, role: &Role) -> String {
        let name = &self.name;
        match role {
            Role::Starting => format!("sharing {name:?}: connecting to {}", self.server),
            Role::Publishing { .. } => format!("sharing {name:?} on {}: publishing", self.server),
            Role::Standby { holder } => {
                format!("sharing {name:?}: standing by, {holder} publishes (this one takes over if it stops)")
            }
            Role::Down { reason } => format!("sharing {name:?}: {reason}"),
        }
    }
}

/// A full-screen cockpit that also publishes (`--share`).
pub struct Screen<'a> {
    pub board: &'a crate::model::Board,
    pub configured: &'a [SourceId],
    pub target: String,
    pub demo: bool,
    /// Wall-clock seconds of the data clock's zero.
    pub epoch: f64,
    pub refresh: Duration,
    pub default_name: &'a str,
}

/// `--share` on a full-screen cockpit: start publishing, or say why not (the caller exits 2).
pub fn start_for_screen(config: &Config, s: Screen<'_>) -> Result<Sharing, String> {
    let who = Identity {
        default_name: s.default_name,
        settings: &s.board.settings,
        configured: s.configured,
        target: s.target,
        origin: if s.demo { "demo" } else { "live" },
        refresh: s.refresh,
        epoch: Epoch::Fixed(s.epoch),
    };
    start(config, &Env::process(), who)
}
