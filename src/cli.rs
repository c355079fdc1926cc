//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  cockpit demo                                   the whole cockpit on the embedded simulator
  cockpit demo --scenario incident --speed 10    watch an incident unfold ten times faster
  cockpit snapshot --demo --scenario incident --after 30m --format json
  cockpit                                        the live platform (kubeconfig, REDIS_URL, DATABASE_URL, AWS)
  cockpit check                                  what works, what is missing, and why
  cockpit plan scale-workers --demo              print a plan without changing anything
  cockpit run drain-workers --demo --scenario stress --after 25m --yes
                                                 run a procedure without the UI

Keys: ? shows every key. Config: ~/.config/cockpit/config.toml (see README).";

#[derive(Debug, Parser)]
#[command(name = "cockpit", version, about = "A terminal cockpit for the on-call engineers who keep AgentOS scaled", after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Config file (default: the user's config dir, config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Theme name: dark, high-contrast, light, mono, or a file in the config dir's themes/.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Keymap name: default, vim, or a file in the config dir's keymaps/.
    #[arg(long, global = true, value_name = "NAME")]
    pub keymap: Option<String>,
    /// Log file (default: cockpit.log in the state dir). Logs never go to the terminal.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Log level or filter: error, warn, info, debug, trace, or e.g. "cockpit=debug".
    #[arg(long, global = true, value_name = "LEVEL", default_value = "info")]
    pub log_level: String,
    /// Refuse every mutating action before any request is sent.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubernetes context.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Kubernetes namespace (default: production).
    #[arg(short = 'n', long, global = true, value_name = "NS")]
    pub namespace: Option<String>,
    /// AWS profile.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Do not record this run (recordings: the state dir's recordings/, read by `cockpit report`).
    #[arg(long, global = true)]
    pub no_record: bool,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The full-screen cockpit over the embedded simulator.
    Demo(DemoArgs),
    /// Print every metric with its value, unit, level and thresholds, then exit.
    Snapshot(SnapshotArgs),
    /// Connect to every configured source and say what works and what is missing.
    Check,
    /// Print the plan of a guided action and its preflight findings; change nothing.
    Plan(ActionArgs),
    /// Run a guided action without the UI, printing step progress.
    Run(ActionArgs),
    /// The incident report of a recorded window: timeline, detect/act/recover, peaks, the
    /// runbook's checklist, charts.
    Report(ReportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScenarioArg {
    #[default]
    Baseline,
    Stress,
    Soak,
    Spike,
    Incident,
}

impl ScenarioArg {
    pub fn name(self) -> &'static str {
        match self {
            ScenarioArg::Baseline => "baseline",
            ScenarioArg::Stress => "stress",
            ScenarioArg::Soak => "soak",
            ScenarioArg::Spike => "spike",
            ScenarioArg::Incident => "incident",
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Load profile: the runbook's load tests, or an incident that needs emergency scaling.
    #[arg(long, value_enum, default_value_t = ScenarioArg::Baseline)]
    pub scenario: ScenarioArg,
    /// Run simulated time N times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Seed of the simulator: the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Start after this much simulated time has passed (e.g. 10m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub skip: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    #[default]
    Markdown,
    Html,
    Json,
    Text,
}

#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// The window: this long before now, e.g. 2h, 30m (default: the last 24 hours).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with_all = ["from", "to"])]
    pub since: Option<f64>,
    /// Start of the window: RFC 3339 (2026-12-03T13:05:00Z), "2026-12-03 13:05", or HH:MM today.
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the window (default: now), as --from. The recorded context is the global
    /// --context ("demo" for the simulator; default: the one recorded last in the window).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
}

#[derive(Debug, Args, Clone)]
pub struct SnapshotArgs {
    /// Read the embedded simulator instead of the live platform.
    #[arg(long)]
    pub demo: bool,
    #[arg(long, value_enum, default_value_t = ScenarioArg::Baseline)]
    pub scenario: ScenarioArg,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated time to run before the snapshot (demo), e.g. 30m, 90s, 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0")]
    pub after: f64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// For scripts: exit 4 (warn), 5 (crit) or 6 (emergency) when the worst level reaches
    /// LEVEL, with the highest step reached (see "Exit statuses" in the README).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
}

/// The steps of `snapshot --fail-on`: warn < crit < emergency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Warn,
    Crit,
    Emergency,
}

#[derive(Debug, Args, Clone)]
pub struct ActionArgs {
    /// scale-api, scale-workers, drain-workers, emergency, reenable-hpa, resize-workers, resize-db.
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
    /// Run without asking (required by `run`).
    #[arg(long)]
    pub yes: bool,
    /// Target replica count (scale-api, scale-workers).
    #[arg(long)]
    pub replicas: Option<u32>,
    /// scale-api: up or down.
    #[arg(long, value_name = "up|down")]
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

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("expected a number, found {s:?}"))?;
    if v > 0.0 && v <= 10_000.0 { Ok(v) } else { Err("speed must be above 0 and at most 10000".into()) }
}

fn parse_duration(s: &str) -> Result<f64, String> {
    crate::model::units::parse_duration(s)
}
