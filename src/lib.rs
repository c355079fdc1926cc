//! cockpit: a terminal cockpit for the on-call engineers who keep the AgentOS platform scaled.

pub mod actions;
pub mod capacity;
pub mod cli;
pub mod commands;
pub mod config;
pub mod drill;
pub mod live;
pub mod logging;
pub mod model;
pub mod platform;
pub mod record;
pub mod share;
pub mod sim;
pub mod sources;
pub mod ui;
