//! `cockpit config schema [config|theme|keymap]`: the JSON Schema of a file, on stdout. It needs
//! no config (a broken one included): it describes the files, it does not read them.

use crate::config::schema::{self, Kind};
use std::io::Write;

pub fn run(kind: Kind) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    match out.write_all(schema::text(kind).as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(super::EXIT_OK),
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(super::EXIT_OK),
        Err(e) => Err(e.into()),
    }
}
