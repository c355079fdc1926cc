//! The terminal UI: app state and update, the action screen (`desk`), the event loop, the view,
//! panes and popups.

pub mod app;
pub mod desk;
pub mod event_loop;
pub mod panes;
pub mod popups;
pub mod terminal;
pub mod view;
pub mod widgets;
