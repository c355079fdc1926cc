//! Where data comes from, and how fresh it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One data source. The simulator stands in for all of them in `cockpit demo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceId {
    Kube,
    Redis,
    Postgres,
    CloudWatch,
    Rds,
}

impl SourceId {
    pub const ALL: [SourceId; 5] =
        [SourceId::Kube, SourceId::Redis, SourceId::Postgres, SourceId::CloudWatch, SourceId::Rds];

    pub fn name(self) -> &'static str {
        match self {
            SourceId::Kube => "kubernetes",
            SourceId::Redis => "redis",
            SourceId::Postgres => "postgres",
            SourceId::CloudWatch => "cloudwatch",
            SourceId::Rds => "rds",
        }
    }

    /// The settings that configure this source, named as a user sets them.
    pub fn setting(self) -> &'static str {
        match self {
            SourceId::Kube => "--kubeconfig, KUBECONFIG or ~/.kube/config",
            SourceId::Redis => "redis.url or REDIS_URL",
            SourceId::Postgres => "postgres.url, DATABASE_URL or PGHOST",
            SourceId::CloudWatch | SourceId::Rds => {
                "AWS credentials and a region (AWS_PROFILE or --profile, aws.region)"
            }
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            SourceId::Kube => "k8s",
            SourceId::Redis => "redis",
            SourceId::Postgres => "pg",
            SourceId::CloudWatch => "cw",
            SourceId::Rds => "rds",
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a source failed, in the words an engineer acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Authentication,
    NameResolution,
    Refused,
    Timeout,
    Throttled,
    Permission,
    Protocol,
    Other,
}

impl FailureKind {
    pub fn word(self) -> &'static str {
        match self {
            FailureKind::Authentication => "authentication failed",
            FailureKind::NameResolution => "name resolution failed",
            FailureKind::Refused => "connection refused",
            FailureKind::Timeout => "timed out",
            FailureKind::Throttled => "throttled",
            FailureKind::Permission => "permission denied",
            FailureKind::Protocol => "unexpected answer",
            FailureKind::Other => "error",
        }
    }
}

/// A failure of one refresh of one source. The message never carries credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFailure {
    pub kind: FailureKind,
    pub message: String,
}

impl SourceFailure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        SourceFailure { kind, message: message.into() }
    }
}

impl fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.word(), self.message)
    }
}

/// The health of a source as the app sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceStatus {
    /// Not configured: shown as such, never as an error.
    NotConfigured,
    /// Configured, nothing received yet.
    Connecting,
    /// The last refresh succeeded at `at` (seconds on the app clock).
    Live { at: f64 },
    /// The last refresh failed; `last_ok` is the time of the last good sample, if any.
    Stale { since: f64, last_ok: Option<f64>, failure: SourceFailure },
}

impl SourceStatus {
    pub fn is_stale(&self) -> bool {
        matches!(self, SourceStatus::Stale { .. })
    }
    pub fn is_live(&self) -> bool {
        matches!(self, SourceStatus::Live { .. })
    }
}
