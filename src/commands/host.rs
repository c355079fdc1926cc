//! The `Host` both full-screen commands use: the guided actions' jobs, plus what runs beside
//! the app (the simulator's driver in the demo, the source tasks live), which differs only in
//! how it answers a change of speed and what it stops on the way out.

use crate::actions::Jobs;
use crate::model::Level;
use crate::model::timeline::Category;
use crate::record::Recorder;
use crate::record::session::Opened;
use crate::ui::app::{App, Effect};
use crate::ui::event_loop::{Host, HostEvent};

/// What runs beside the app; stopped when the host is dropped.
pub trait Backend: Send {
    /// The app asked for another speed of simulated time.
    fn set_speed(&mut self, app: &mut App, jobs: &mut Jobs, speed: f64);
    /// Stop the background tasks.
    fn stop(&mut self);
}

pub struct DeskHost<B: Backend> {
    pub backend: B,
    pub jobs: Jobs,
    /// The run's recording (None: off, or it could not be opened).
    pub recorder: Option<Recorder>,
    /// The recording's failure was shown on the status line (once).
    record_warned: bool,
    /// `--share`: the publisher's role, said on the status line when it changes.
    pub share: Option<super::share::ShareStatus>,
}

impl<B: Backend> DeskHost<B> {
    /// Offer the actions on the app (the menu, and an unfinished action to resume).
    pub fn new(backend: B, jobs: Jobs, app: &mut App) -> Self {
        app.attach_actions(jobs.settings().clone(), jobs.unfinished());
        DeskHost { backend, jobs, recorder: None, record_warned: false, share: None }
    }

    /// Record the run; a recording that could not be opened is said on the status line.
    pub fn with_recorder(mut self, opened: Opened, app: &mut App) -> Self {
        if let Some(w) = opened.warning {
            app.set_status(w, Level::Warn);
            self.record_warned = true;
        }
        self.recorder = opened.recorder;
        self
    }
}

/// The recorded start of an action (the steps and the end are on the board's timeline; who
/// ran it is the recording's user).
pub fn action_started(action: &str, dry_run: bool) -> String {
    let dry = if dry_run { " (server-side dry run)" } else { "" };
    format!("{action}: started{dry}")
}

/// Take in the board; the first failure of the disk is said once on the status line (and in
/// the log, by the recorder), and the cockpit goes on.
pub fn record(recorder: &mut Option<Recorder>, warned: &mut bool, app: &mut App) {
    let Some(r) = recorder else { return };
    r.observe(&app.board);
    if let Some(e) = r.error.as_ref().filter(|_| !*warned) {
        *warned = true;
        app.set_status(format!("recording failed: {e} (the cockpit goes on)"), Level::Warn);
    }
}

impl<B: Backend> Drop for DeskHost<B> {
    fn drop(&mut self) {
        self.backend.stop();
    }
}

/// Carry out an effect that concerns the guided actions.
pub fn action_effect(jobs: &mut Jobs, app: &mut App, e: Effect) {
    match e {
        Effect::Plan { seq, action, form } => jobs.plan(seq, &action, form, app.board.clone()),
        Effect::Run { plan, resume, dry_run } => jobs.run(*plan, resume.map(|u| *u), dry_run),
        Effect::Abort => jobs.abort(),
        // With clean-up steps (the desk shows it as a run): the steps run, journaled.
        Effect::Abandon(u) if !u.cleanup_steps().is_empty() => jobs.abandon_run(*u),
        Effect::Abandon(u) => match jobs.abandon(&u) {
            Ok(text) => app.set_status(text, Level::Ok),
            Err(e) => app.set_status(e, Level::Crit),
        },
        // Speed is the backend's; the drill's prompt is the drill's host.
        Effect::SetSpeed(_) | Effect::Command(_) => {}
    }
}

impl<B: Backend> Host for DeskHost<B> {
    fn effect(&mut self, app: &mut App, e: Effect) {
        match e {
            Effect::SetSpeed(s) => self.backend.set_speed(app, &mut self.jobs, s),
            e => {
                if let (Some(r), Effect::Run { plan, dry_run, .. }) = (self.recorder.as_mut(), &e) {
                    r.event(app.board.now, Category::Action, Level::Ok, action_started(&plan.action, *dry_run));
                }
                action_effect(&mut self.jobs, app, e)
            }
        }
    }

    async fn next(&mut self) -> Option<HostEvent> {
        self.jobs.next().await.map(|e| HostEvent::Job(Box::new(e)))
    }

    fn refreshed(&mut self, app: &mut App) {
        record(&mut self.recorder, &mut self.record_warned, app);
        if let Some((text, level)) = self.share.as_mut().and_then(|s| s.changed()) {
            app.set_status(text, level);
        }
    }
}
