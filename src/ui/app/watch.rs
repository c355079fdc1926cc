//! The app in `cockpit watch`: what the war room's stream brings, and the refusal of actions
//! (a viewer acts only by becoming an ordinary cockpit).

use super::{App, Mode};
use crate::model::Level;

/// What a viewer knows of the stream it follows, for the header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WatchMode {
    /// The feed's account: the stream, its Redis, the collector, when it was last heard.
    pub feed: crate::share::feed::FeedStatus,
    /// The collector publishes the simulator: times are simulated (T+).
    pub demo: bool,
}

impl App {
    /// A viewer acts only by becoming an ordinary cockpit: never through the stream.
    pub(super) fn watch_refuses(&mut self) -> bool {
        if !matches!(self.mode, Mode::Watch(_)) {
            return false;
        }
        self.set_status(
            "watch is read-only: to act, quit and run `cockpit` with your own credentials (the actions' Lease \
             keeps it to one action at a time)",
            Level::Warn,
        );
        true
    }

    /// What the war room's stream brought (`cockpit watch`).
    pub fn feed_event(&mut self, ev: crate::share::feed::FeedEvent) {
        use crate::share::feed::FeedEvent;
        self.data_changed = true;
        match ev {
            FeedEvent::Joined(j) => {
                self.board = j.board();
                let demo = j.hello.origin == "demo";
                self.epoch = if demo {
                    None
                } else {
                    jiff::Timestamp::from_millisecond((j.hello.epoch * 1000.0) as i64)
                        .ok()
                        .map(|t| t.to_zoned(jiff::tz::TimeZone::system()))
                };
                if let Mode::Watch(w) = &mut self.mode {
                    w.demo = demo;
                }
                self.set_status(format!("following {} ({}), read-only", j.hello.id, j.hello.target), Level::Ok);
            }
            FeedEvent::Update(u) => self.ingest(*u),
            FeedEvent::Action(a) => {
                self.board.push_timeline(a.at, crate::model::timeline::Category::Action, a.level, a.text)
            }
            FeedEvent::Status(st) => {
                if let Some(p) = &st.problem {
                    self.set_status(p.clone(), Level::Stale);
                }
                if let Mode::Watch(w) = &mut self.mode {
                    w.feed = st;
                }
            }
        }
    }
}
