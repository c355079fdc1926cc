//! Finding procedures by name. The list itself is `procs::all()`, one line per procedure.

use super::error::ActionError;
use super::procedure::Procedure;
use super::procs;

pub fn all() -> Vec<Box<dyn Procedure>> {
    procs::all()
}

pub fn names() -> Vec<&'static str> {
    all().iter().map(|p| p.name()).collect()
}

pub fn find(name: &str) -> Result<Box<dyn Procedure>, ActionError> {
    all().into_iter().find(|p| p.name() == name).ok_or_else(|| ActionError::Unknown(name.into(), names().join(", ")))
}

/// (name, one-line summary) for the action menu.
pub fn menu() -> Vec<(String, String)> {
    all().iter().map(|p| (p.name().to_string(), p.summary().to_string())).collect()
}
