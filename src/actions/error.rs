//! What can go wrong in the action engine. The edges (commands, hosts) turn these into anyhow.

use crate::platform::{LockHolder, PlatformError};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("unknown action {0:?}; expected one of: {1}")]
    Unknown(String, String),
    #[error("{0}")]
    Invalid(String),
    #[error("read-only mode: {0} changes the platform and is refused (nothing was sent)")]
    ReadOnly(String),
    #[error("the action lock is held by {} for {} since {}", .0.holder, .0.action, .0.since_text())]
    LockHeld(LockHolder),
    #[error("the action lock was lost: {0}")]
    LockLost(String),
    #[error("{0}")]
    Platform(#[from] PlatformError),
    #[error("journal {path}: {source}")]
    Journal { path: String, source: std::io::Error },
}

impl ActionError {
    pub fn journal(path: &std::path::Path, source: std::io::Error) -> Self {
        ActionError::Journal { path: path.display().to_string(), source }
    }
}
