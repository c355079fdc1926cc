//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod action;
pub use action::{ActionArgs, ActionName, IfBlindArg, RunArgs};

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
    /// The runbook's monthly capacity review: each metric's history (CloudWatch, the cockpit's
    /// recordings), its trend and projection, when it reaches its limit, the action needed.
    ///
    /// In place of the runbook's `capacity-report.sh --lookback 90d --project 30d`. History: one
    /// CloudWatch GetMetricData per metric group, a daily statistic over whole UTC days (the
    /// platform's AgentExecutions, ConcurrentAgents and QueueDepth in aws.platform_namespace; the
    /// ALB's RequestCount; the RDS primary's DatabaseConnections and FreeStorageSpace; each
    /// ElastiCache node's DatabaseMemoryUsagePercentage), then the cockpit's own recordings for
    /// what CloudWatch lacks. The trend is Theil–Sen with a 95% interval, not a growth rate between
    /// two points: one bad day does not move it. Limits: max pods (worker maximum × tasks per
    /// worker), max_connections (read from the database), the allocated storage, the runbook's
    /// 75% Redis memory and 1000-task queue. Where the runbook's arithmetic is wrong this does the
    /// right thing: its connection example `(20 * 10) + (100 * 5) * 1.2 = 840` is 800 as written
    /// (the buffer applies to the whole sum: ((20 × 10) + (100 × 5)) × 1.2 = 840), and its
    /// worker example gives 500 workers where its limit is 100: a recommendation is held to the
    /// limits and says when they are not enough. A metric with no data names the setting or metric
    /// that would supply it. Exit status 0, or 3 when no metric has any history.
    Capacity(CapacityArgs),
}

/// `cockpit capacity` (issue 9: the runbook's capacity-report.sh).
#[derive(Debug, Args, Clone)]
pub struct CapacityArgs {
    /// How far back the history goes, whole days (e.g. 90d).
    #[arg(long, value_name = "DURATION", value_parser = parse_days, default_value = "90d")]
    pub lookback: f64,
    /// How far ahead to project, whole days (e.g. 30d).
    #[arg(long, value_name = "DURATION", value_parser = parse_days, default_value = "30d")]
    pub project: f64,
    #[arg(long, value_enum, default_value_t = CapacityFormat::Text)]
    pub format: CapacityFormat,
    /// Also write each metric's chart (SVG: its days, the projection dashed, its limit) into DIR.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Markdown: leave the charts out (they are inline images otherwise).
    #[arg(long)]
    pub no_charts: bool,
    /// Review the simulator's soak scenario (it grows by 10 users a day) instead of the platform.
    #[arg(long)]
    pub demo: bool,
    /// --demo: the simulator's seed.
    #[arg(long, default_value_t = 1, requires = "demo")]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CapacityFormat {
    #[default]
    Text,
    Markdown,
    Json,
}

/// A duration of whole days, at least one.
fn parse_days(s: &str) -> Result<f64, String> {
    let secs = parse_duration(s)?;
    let days = (secs / 86_400.0).round();
    if days >= 1.0 && (secs / 86_400.0 - days).abs() < 1e-9 {
        Ok(days)
    } else {
        Err(format!("{s:?}: a whole number of days, e.g. 90d"))
    }
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
    /// A team drill: publish it to the war room's stream (named "drill" unless share.name says
    /// otherwise; the Redis of --share-url, COCKPIT_SHARE_URL, share.url or REDIS_URL) for the
    /// team to follow with `cockpit watch`; `F` opens the facilitator's menu of injections.
    #[arg(long, conflicts_with_all = ["script", "report"])]
    pub host: bool,
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

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("expected a number, found {s:?}"))?;
    if v > 0.0 && v <= 10_000.0 { Ok(v) } else { Err("speed must be above 0 and at most 10000".into()) }
}

fn parse_refresh(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("expected a number of seconds, found {s:?}"))?;
    if (0.2..=3600.0).contains(&v) { Ok(v) } else { Err("a number of seconds between 0.2 and 3600".into()) }
}

pub(crate) fn parse_duration(s: &str) -> Result<f64, String> {
    crate::model::units::parse_duration(s)
}
