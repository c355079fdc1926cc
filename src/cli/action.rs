//! The arguments of `cockpit plan` and `cockpit run`: the action's name (checked against the
//! registry, with "did you mean"), its values, and what `run` adds.

use super::{ScenarioArg, parse_duration};
use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};

/// `plan ACTION`; `run ACTION` adds `--yes` ([`RunArgs`]).
#[derive(Debug, Args, Clone)]
pub struct ActionArgs {
    /// The guided action (the runbook's procedure).
    #[arg(value_parser = ActionName)]
    pub action: String,
    /// Act on the embedded simulator.
    #[arg(long)]
    pub demo: bool,
    #[arg(long, value_enum, default_value_t = ScenarioArg::Baseline)]
    pub scenario: ScenarioArg,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Demo: simulated time to run before acting, e.g. 20m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub after: Option<f64>,
    /// Set by `run --yes` only: `plan` has no such flag.
    #[arg(skip)]
    pub yes: bool,
    /// Target replica count (scale-api, scale-workers).
    #[arg(long)]
    pub replicas: Option<u32>,
    /// scale-api: up or down.
    #[arg(long, value_parser = PossibleValuesParser::new(DIRECTIONS))]
    pub direction: Option<String>,
    /// resize-workers: CPU limit, e.g. "2".
    #[arg(long)]
    pub cpu: Option<String>,
    /// resize-workers: memory limit, e.g. "4Gi".
    #[arg(long)]
    pub memory: Option<String>,
    /// resize-db: instance class, e.g. db.r6g.2xlarge.
    #[arg(long)]
    pub class: Option<String>,
    /// resize-db: apply at the next maintenance window instead of now.
    #[arg(long)]
    pub at_window: bool,
    /// Server-side dry run: validate every write without storing it.
    #[arg(long)]
    pub dry_run: bool,
    /// emergency: the word typed to confirm (required with --yes).
    #[arg(long, value_name = "WORD")]
    pub confirm_word: Option<String>,
    /// resize-db: apply now instead of the form's choice (which is "at the window" unless the DB is hot).
    #[arg(long, conflicts_with = "at_window")]
    pub apply_now: bool,
    // Read replicas (issue 9)
    /// add-replica, remove-replica: the replica's RDS identifier.
    #[arg(long, value_name = "NAME")]
    pub id: Option<String>,
    /// Set any field of the action's form, e.g. --set api=30 --set workers=60 (repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Carry on the unfinished action of this name from its journal (repeating no change).
    #[arg(long, conflicts_with = "abandon")]
    pub resume: bool,
    /// Mark unfinished actions in the journal as abandoned, then go on.
    #[arg(long)]
    pub abandon: bool,
    /// Plan (or run) the undo of what the latest run of ACTION applied, newest change first.
    #[arg(long, conflicts_with = "resume")]
    pub undo: bool,
    /// When a verification of the plan cannot see all of its inputs (e.g. API p99 without
    /// aws.load_balancer; the plan's WARN says so): judge-visible runs and judges on what it can
    /// see, ending that step as a warning; stop runs nothing and exits 3.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = IfBlindArg::JudgeVisible)]
    pub if_blind: IfBlindArg,
    // Redis cluster (issue 9)
    /// scale-redis: the shard count wanted (the runbook allows 3..10).
    #[arg(long)]
    pub shards: Option<u32>,
}

/// `run ACTION --yes`: the plan's arguments and the consent to run.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub action: ActionArgs,
    /// Run without asking (required).
    #[arg(long)]
    pub yes: bool,
}

impl RunArgs {
    /// The action's arguments with the consent carried over.
    pub fn into_action_args(self) -> ActionArgs {
        ActionArgs { yes: self.yes, ..self.action }
    }
}

/// The values of `--direction` (scale-api's form field of that name offers the same).
pub const DIRECTIONS: &[&str] = &["up", "down"];

/// The ACTION argument: one of the registry's procedures. Its possible values (with each one's
/// summary) are what `--help` and the shell completions list; an unknown name gets the same
/// error as the registry's (`unknown action "x"; expected one of: ...`), with exit status 2.
#[derive(Debug, Clone, Copy)]
pub struct ActionName;

impl clap::builder::TypedValueParser for ActionName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let name = value.to_string_lossy();
        match crate::actions::registry::find(&name) {
            Ok(p) => Ok(p.name().to_string()),
            Err(e) => {
                let hint = near_action(&name).map(|n| format!("\n\n  tip: did you mean {n:?}?")).unwrap_or_default();
                Err(clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}{hint}\n")).with_cmd(cmd))
            }
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::actions::registry::all()
                .into_iter()
                .map(|p| clap::builder::PossibleValue::new(p.name()).help(p.summary())),
        ))
    }
}

/// The action whose name is nearest to `name` (a typo, or a word of it), if one is near.
fn near_action(name: &str) -> Option<&'static str> {
    crate::config::suggest::nearest(name, crate::actions::registry::names())
}

/// `--if-blind`: see [`crate::actions::blind::IfBlind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum IfBlindArg {
    #[default]
    JudgeVisible,
    Stop,
}

impl IfBlindArg {
    pub fn policy(self) -> crate::actions::blind::IfBlind {
        match self {
            IfBlindArg::JudgeVisible => crate::actions::blind::IfBlind::JudgeVisible,
            IfBlindArg::Stop => crate::actions::blind::IfBlind::Stop,
        }
    }
}
