//! The `Host` both full-screen commands use: the guided actions' jobs, plus what runs beside
//! the app (the simulator's driver in the demo, the source tasks live), which differs only in
//! how it answers a change of speed and what it stops on the way out.

use crate::actions::Jobs;
use crate::model::Level;
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
}

impl<B: Backend> DeskHost<B> {
    /// Offer the actions on the app (the menu, and an unfinished action to resume).
    pub fn new(backend: B, jobs: Jobs, app: &mut App) -> Self {
        app.attach_actions(jobs.settings().clone(), jobs.unfinished());
        DeskHost { backend, jobs }
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
        Effect::SetSpeed(_) => {}
    }
}

impl<B: Backend> Host for DeskHost<B> {
    fn effect(&mut self, app: &mut App, e: Effect) {
        match e {
            Effect::SetSpeed(s) => self.backend.set_speed(app, &mut self.jobs, s),
            e => action_effect(&mut self.jobs, app, e),
        }
    }

    async fn next(&mut self) -> Option<HostEvent> {
        self.jobs.next().await.map(HostEvent::Job)
    }
}
