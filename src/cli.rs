//! The command line.

use clap::builder::PossibleValuesParser;
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
";

/// The examples, then where the config file is on this machine (Linux: ~/.config/cockpit,
/// macOS: ~/Library/Application Support/io.agentos.cockpit, or COCKPIT_CONFIG_DIR).
pub fn after_help() -> String {
    let file = crate::config::paths::default_config_file()
        .map(|f| {
            let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
            match home.as_deref().and_then(|h| f.strip_prefix(h).ok()) {
                Some(rest) => format!("~/{}", rest.display()),
                None => f.display().to_string(),
            }
        })
        .unwrap_or_else(|| "(no config dir: set COCKPIT_CONFIG_DIR)".into());
    format!("{EXAMPLES}\nKeys: ? shows every key. Config: {file} (see README).")
}

#[derive(Debug, Parser)]
#[command(name = "cockpit", version, about = "A terminal cockpit for the on-call engineers who keep AgentOS scaled", after_help = after_help())]
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
    #[arg(long, global = true, visible_alias = "readonly")]
    pub read_only: bool,
    /// The war-room wall: the key metrics in large digits, the action in progress and the last
    /// events, for a screen read from across the room (W toggles it; needs 100x30)
    #[arg(long, global = true)]
    pub wall: bool,
    /// Seconds between refreshes of the live sources and the demo's samples (overrides refresh_secs; 0.2 to 3600).
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_refresh)]
    pub refresh: Option<f64>,
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubernetes context (one of the kubeconfig's; an unknown name lists them).
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
    /// Also publish what this cockpit sees to the war room's stream, for `cockpit watch`
    /// (when no other collector publishes it); with `report`, read the window from the stream.
    #[arg(long, global = true)]
    pub share: bool,
    /// The Redis of the war room's stream (overrides COCKPIT_SHARE_URL, which overrides
    /// share.url; default: the platform's own, redis.url or REDIS_URL). A password is better in
    /// COCKPIT_SHARE_URL than on a command line that `ps` shows.
    #[arg(long, global = true, value_name = "URL")]
    pub share_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The full-screen cockpit over the embedded simulator.
    Demo(DemoArgs),
    /// Practise on the simulator, the situation not announced; scored against the runbook.
    Drill(DrillArgs),
    /// Print every metric with its value, unit, level and thresholds, then exit.
    Snapshot(SnapshotArgs),
    /// Connect to every configured source and say what works and what is missing.
    Check,
    /// Print the plan of a guided action and its preflight findings; change nothing.
    Plan(ActionArgs),
    /// Run a guided action without the UI, printing step progress.
    Run(RunArgs),
    /// Print a shell completion script on stdout.
    ///
    /// e.g. `cockpit completions bash > ~/.local/share/bash-completion/completions/cockpit`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on stdout.
    ///
    /// e.g. `cockpit man > ~/.local/share/man/man1/cockpit.1`, then `man cockpit`.
    Man,
    /// Print the cockpit's paths, version and build, and what the terminal can do.
    Info(InfoArgs),
    /// The incident report of a recorded window: timeline, detect/act/recover, peaks, the
    /// runbook's checklist, charts.
    Report(ReportArgs),
    /// The effective configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Poll the platform without a screen and publish it to the war room's stream (one
    /// collector per stream publishes; another waits and takes over when it dies).
    Collect(CollectArgs),
    /// Follow the war room's stream: the whole cockpit, read-only, with no request to the
    /// platform (the stream's name: --context, share.name, or the only one there is).
    Watch(WatchArgs),
}

/// `cockpit collect`.
#[derive(Debug, Args, Clone)]
pub struct CollectArgs {
    /// Publish the embedded simulator instead of the live platform (for training and tests).
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub sim: DemoArgs,
}

/// `cockpit watch`.
#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Print what the stream shows now (as `cockpit snapshot` does) and exit.
    #[arg(long)]
    pub snapshot: bool,
    /// The snapshot's format.
    #[arg(long, value_enum, default_value_t = Format::Text, requires = "snapshot")]
    pub format: Format,
}

/// `cockpit config ...`.
#[derive(Debug, Subcommand, Clone)]
pub enum ConfigCmd {
    /// Print every effective value with where it came from: a flag, the environment, the
    /// config file's line, or the default (secrets never shown).
    Show,
    /// Print the JSON Schema of config.toml, of a theme or of a keymap, for an editor to validate
    /// and complete them (the files of the repository's schemas/).
    Schema {
        #[arg(value_enum, default_value = "config")]
        file: crate::config::schema::Kind,
    },
}

/// `cockpit completions SHELL`.
#[derive(Debug, Args, Clone)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `cockpit info`.
#[derive(Debug, Args, Clone)]
pub struct InfoArgs {
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum InfoFormat {
    #[default]
    Text,
    Json,
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

/// `cockpit drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The situation: random (picked by the seed), incident, spike, queue-flood, api-saturation,
    /// hpa-undo, db-connections or peer-dies. Not shown until the debrief.
    #[arg(long, default_value = "random", value_name = "SCENARIO")]
    pub scenario: String,
    /// Seed of the simulator and of `random`: the same seed and keys give the same score.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 1: the situation alone; 2: noise and a red herring; 3: and a fault during an action.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub difficulty: u8,
    /// Run simulated time N times faster than real time (on a terminal).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Replay a keystroke script headless (lines like `2m30s E`), print the debrief, exit.
    #[arg(long, value_name = "FILE")]
    pub script: Option<std::path::PathBuf>,
    /// End a scripted drill at this simulated time (e.g. 40m) if its script has no `end`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub until: Option<f64>,
    /// Print the debrief of a drill's recording (default: the last drill's) and exit.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub report: Option<Option<std::path::PathBuf>>,
    /// Where the drill's recording is saved (default: the state dir's drills/last.json).
    #[arg(long, value_name = "FILE")]
    pub save: Option<std::path::PathBuf>,
    /// Write the debrief (markdown, with charts) to this file too.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
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
    /// The runbook's post-test analysis instead of the incident report: response time
    /// percentiles, errors, throughput, utilisation, the bottleneck and the scaling
    /// recommendation (markdown, text or json).
    #[arg(long)]
    pub load_test: bool,
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

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("expected a number, found {s:?}"))?;
    if v > 0.0 && v <= 10_000.0 { Ok(v) } else { Err("speed must be above 0 and at most 10000".into()) }
}

fn parse_refresh(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("expected a number of seconds, found {s:?}"))?;
    if (0.2..=3600.0).contains(&v) { Ok(v) } else { Err("a number of seconds between 0.2 and 3600".into()) }
}

fn parse_duration(s: &str) -> Result<f64, String> {
    crate::model::units::parse_duration(s)
}
