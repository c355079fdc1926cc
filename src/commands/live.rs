//! `cockpit`, `cockpit snapshot` and `cockpit check` on the live platform.

use super::Setup;
use crate::cli::{GlobalArgs, SnapshotArgs};

/// Until the live sources land, say plainly what is missing and where to go instead.
pub async fn run(_setup: Setup, _g: GlobalArgs) -> anyhow::Result<i32> {
    not_yet()
}

pub async fn snapshot(_setup: Setup, _args: SnapshotArgs) -> anyhow::Result<i32> {
    not_yet()
}

pub async fn check(_setup: Setup, _g: GlobalArgs) -> anyhow::Result<i32> {
    not_yet()
}

fn not_yet() -> anyhow::Result<i32> {
    eprintln!(
        "cockpit: the live sources (Kubernetes, Redis, PostgreSQL, CloudWatch, RDS) are not built into this version yet.\n\
         Run the whole cockpit on its embedded simulator instead:\n\n    cockpit demo --scenario incident\n"
    );
    Ok(super::EXIT_FAILURE)
}
