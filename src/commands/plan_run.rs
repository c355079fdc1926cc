//! `cockpit plan ACTION` and `cockpit run ACTION`.

use super::Setup;
use crate::cli::ActionArgs;

pub async fn plan(_setup: Setup, args: ActionArgs) -> anyhow::Result<i32> {
    eprintln!("cockpit: guided actions ({}) are not built into this version yet", args.action);
    Ok(super::EXIT_FAILURE)
}

pub async fn run(_setup: Setup, args: ActionArgs) -> anyhow::Result<i32> {
    eprintln!("cockpit: guided actions ({}) are not built into this version yet", args.action);
    Ok(super::EXIT_FAILURE)
}
