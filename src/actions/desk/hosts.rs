//! What a `Host` needs to embed the desk: construction for the demo and the live platform, and
//! the glue between the event loop's boxed host events and the desk's own.

use super::{ActionDesk, DeskEvent};
use crate::actions::ActionSettings;
use crate::config::Config;
use crate::platform::Platform;
use crate::sim::{Clock, SimPlatform, Simulator};
use crate::ui::app::App;
use crate::ui::event_loop::HostEvent;
use ratatui::Frame;
use std::sync::{Arc, Mutex};

impl ActionDesk {
    /// The desk of `cockpit demo`: the simulator the demo's driver advances, in real time at
    /// `speed`; its journal apart from the live platform's.
    pub fn for_demo(sim: Arc<Mutex<Simulator>>, speed: f64, config: &Config) -> ActionDesk {
        let mut settings = ActionSettings::from_config(config);
        settings.journal_dir = crate::config::paths::state_dir().join("journal-demo");
        ActionDesk::new(Arc::new(SimPlatform::new(sim, Clock::Driven { speed })), settings)
    }

    /// The desk of the live cockpit.
    pub fn for_live(platform: Arc<dyn Platform>, config: &Config) -> ActionDesk {
        ActionDesk::new(platform, ActionSettings::from_config(config))
    }

    /// Act on another platform from the next action on (the demo's speed changed).
    pub fn set_platform(&mut self, platform: Arc<dyn Platform>) {
        self.platform = platform;
    }

    /// Set the app's action menu and offer to resume an unfinished action.
    pub fn attach(&mut self, app: &mut App) {
        app.actions = self.menu();
        self.offer_resume(app);
    }

    /// For `Host::next`.
    pub async fn next_host_event(&mut self) -> Option<HostEvent> {
        self.next().await.map(|e| Box::new(e) as HostEvent)
    }

    /// For `Host::apply`: events that are not the desk's are ignored.
    pub fn apply_host_event(&mut self, app: &mut App, ev: HostEvent) {
        if let Ok(e) = ev.downcast::<DeskEvent>() {
            self.apply(app, *e);
        }
    }

    /// For `Host::draw`.
    pub fn draw(&self, f: &mut Frame, app: &App) {
        crate::ui::popups::action::draw(f, app, self);
    }
}
