//! The pseudo-terminal harness of the end-to-end tests.

#![allow(dead_code)]

mod session;
pub mod svg;

pub use session::Session;

/// Start the cockpit built for these tests.
pub fn start(args: &[&str], cols: u16, rows: u16) -> Session {
    Session::start_bin(env!("CARGO_BIN_EXE_cockpit"), args, cols, rows)
}

/// Start the cockpit with extra environment variables.
pub fn start_env(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Session {
    Session::start_with(env!("CARGO_BIN_EXE_cockpit"), args, cols, rows, env)
}
