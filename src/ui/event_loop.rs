//! One loop, one `tokio::select!` over terminal input, source updates, job events, signals
//! (SIGTERM, SIGHUP, SIGINT, SIGQUIT: each ends the loop so the terminal is restored), the
//! clock's second and the next frame. Draws only when something changed, at most once per frame
//! interval (new data alone at most once a second); with nothing to draw it sleeps.

use super::app::{App, Effect};
use super::terminal::Term;
use crate::actions::jobs::JobEvent;
use crate::model::SourceUpdate;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// Frames are drawn at most this often.
pub const FRAME: Duration = Duration::from_millis(50);
/// New data alone is drawn at most this often (with the clock's frame, once a second).
pub const DATA_FRAME: Duration = Duration::from_secs(1);

/// Why the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(&'static str),
    InputClosed,
}

/// Hooks for what lives beside the app: the demo's speed, the guided actions' jobs.
pub trait Host {
    /// Carry out an effect the app asked for.
    fn effect(&mut self, app: &mut App, e: Effect);
    /// Wait for the host's next event (a job's); `None` if it has none now or ever.
    fn next(&mut self) -> impl std::future::Future<Output = Option<HostEvent>> + Send;
    /// The board was refreshed (the recording takes it in).
    fn refreshed(&mut self, _app: &mut App) {}
}

/// An event from the host, for `App::host_event`.
#[derive(Debug, Clone, PartialEq)]
pub enum HostEvent {
    /// A guided action's planning or run.
    Job(Box<JobEvent>),
    /// The war room's stream (`cockpit watch`).
    Feed(Box<crate::share::feed::FeedEvent>),
}

pub async fn run<H: Host>(
    term: &mut Term,
    app: &mut App,
    mut sources: mpsc::Receiver<SourceUpdate>,
    host: &mut H,
) -> anyhow::Result<Exit> {
    let mut input = EventStream::new();
    let mut second = tokio::time::interval(Duration::from_secs(1));
    second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut term_sig = signal(SignalKind::terminate())?;
    let mut hup_sig = signal(SignalKind::hangup())?;
    let mut int_sig = signal(SignalKind::interrupt())?;
    let mut quit_sig = signal(SignalKind::quit())?;
    let mut sources_open = true;

    term.draw(|f| super::view::draw(f, app))?;
    app.dirty = false;
    let mut last_draw = tokio::time::Instant::now();
    // For the end-to-end test that proves a panic restores the terminal.
    if std::env::var_os("COCKPIT_TEST_PANIC").is_some() {
        panic!("COCKPIT_TEST_PANIC is set: panicking on purpose after the first frame");
    }
    loop {
        // The next frame, only when something waits to be drawn: an idle cockpit sleeps until
        // its next event instead of waking at every frame interval to find nothing to draw.
        let draw_at = if app.dirty {
            Some(last_draw + FRAME)
        } else if app.data_changed {
            Some(last_draw + DATA_FRAME)
        } else {
            None
        };
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => app.handle_event(&ev),
                Some(Err(e)) => {
                    tracing::error!("terminal input failed: {e}");
                    return Ok(Exit::InputClosed);
                }
                None => return Ok(Exit::InputClosed),
            },
            u = sources.recv(), if sources_open => match u {
                Some(u) => {
                    app.ingest(u);
                    host.refreshed(app);
                }
                None => sources_open = false,
            },
            Some(ev) = host.next() => app.host_event(ev),
            _ = term_sig.recv() => return Ok(Exit::Signal("SIGTERM")),
            _ = hup_sig.recv() => return Ok(Exit::Signal("SIGHUP")),
            _ = int_sig.recv() => return Ok(Exit::Signal("SIGINT")),
            _ = quit_sig.recv() => return Ok(Exit::Signal("SIGQUIT")),
            _ = second.tick() => app.dirty = true,
            _ = tokio::time::sleep_until(draw_at.unwrap_or(last_draw)), if draw_at.is_some() => {
                term.draw(|f| super::view::draw(f, app))?;
                app.dirty = false;
                app.data_changed = false;
                last_draw = tokio::time::Instant::now();
            }
        }
        for e in std::mem::take(&mut app.effects) {
            host.effect(app, e);
        }
        if app.quit {
            return Ok(Exit::Quit);
        }
    }
}
