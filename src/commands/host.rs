//! The `Host` both full-screen commands use: the guided-action desk, plus what runs beside the app
//! (the simulator's driver in the demo, the source tasks live), which differs only in how it
//! answers a change of speed and what it stops on the way out.

use crate::actions::ActionDesk;
use crate::ui::app::{App, Effect};
use crate::ui::event_loop::{Host, HostEvent};
use ratatui::Frame;

/// What runs beside the app; stopped when the host is dropped.
pub trait Backend: Send {
    /// The app asked for another speed of simulated time.
    fn set_speed(&mut self, app: &mut App, desk: &mut ActionDesk, speed: f64);
    /// Stop the background tasks.
    fn stop(&mut self);
}

pub struct DeskHost<B: Backend> {
    pub backend: B,
    pub desk: ActionDesk,
}

impl<B: Backend> Drop for DeskHost<B> {
    fn drop(&mut self) {
        self.backend.stop();
    }
}

impl<B: Backend> Host for DeskHost<B> {
    fn effect(&mut self, app: &mut App, e: Effect) {
        match e {
            Effect::SetSpeed(s) => self.backend.set_speed(app, &mut self.desk, s),
            e => self.desk.effect(app, e),
        }
    }

    async fn next(&mut self) -> Option<HostEvent> {
        self.desk.next_host_event().await
    }

    fn apply(&mut self, app: &mut App, ev: HostEvent) {
        self.desk.apply_host_event(app, ev);
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        self.desk.draw(f, app);
    }
}
