//! Configuration: serde types, loading and validation. Built-in themes and keymaps are embedded
//! from `themes/` and `keymaps/`; files in the user's config dir override them.

pub mod error;
pub mod key;
pub mod keymap;
pub mod paths;
pub mod schema;
pub mod sources;
pub mod suggest;
pub mod theme;
pub mod validate;

pub use error::{ConfigError, EXIT_CONFIG};

use crate::model::capacity::{CapacityParams, Limits};
use crate::model::reading::EmergencyRules;
use crate::model::{BoardSettings, MetricId, Threshold};
use serde::{Deserialize, Serialize};
use sources::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The cockpit's `config.toml`: every key is optional, and a value left out is the runbook's.
///
/// The file is `config.toml` in the config dir (Linux: ~/.config/cockpit, macOS:
/// ~/Library/Application Support/io.agentos.cockpit, or COCKPIT_CONFIG_DIR), or --config FILE.
/// `cockpit config show` prints every effective value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(title = "cockpit config.toml")]
pub struct Config {
    /// Seconds between refreshes of the live sources (and of the demo's samples), 0.2 to 3600.
    #[schemars(range(min = 0.2, max = 3600))]
    pub refresh_secs: f64,
    /// The theme: a built-in (dark, high-contrast, light, mono) or NAME for the config dir's
    /// themes/NAME.toml.
    #[schemars(extend("examples" = ["dark", "high-contrast", "light", "mono"]))]
    pub theme: String,
    /// The keymap: a built-in (default, vim) or NAME for the config dir's keymaps/NAME.toml.
    #[schemars(extend("examples" = ["default", "vim"]))]
    pub keymap: String,
    /// Refuse every mutating action (per context: [contexts.NAME] read_only).
    pub read_only: bool,
    /// How many daily log files to keep (the current one included), 1 to 3660.
    #[schemars(range(min = 1, max = 3660))]
    pub log_max_files: usize,
    /// Per metric: `queue_depth = { warn = "> 1000", crit = "> 5000" }`.
    #[schemars(schema_with = "schema::values::thresholds")]
    pub thresholds: BTreeMap<Spanned<String>, Spanned<Threshold>>,
    /// The runbook's "Scalable Components": the fewest and most of each component.
    #[schemars(with = "schema::model::LimitsSchema")]
    pub limits: Limits,
    /// The constants of the runbook's capacity formulas.
    #[schemars(with = "schema::model::CapacitySchema")]
    pub capacity: CapacityParams,
    /// The runbook's "When to Emergency Scale" conditions.
    #[schemars(with = "schema::model::EmergencySchema")]
    pub emergency: EmergencyRules,
    /// The Kubernetes cluster: the context, the namespace and the names of the platform's objects.
    pub kubernetes: KubeConfig,
    /// The Redis of the task queue and the cache.
    pub redis: RedisConfig,
    /// The PostgreSQL primary.
    pub postgres: PostgresConfig,
    /// CloudWatch, RDS and the load balancer.
    pub aws: AwsConfig,
    /// How the cockpit tells people (the guided actions' notification step): a command, a webhook.
    pub notify: NotifyConfig,
    /// The guided actions' timeouts and waits.
    pub actions: ActionsConfig,
    /// Settings for one Kubernetes context only: `[contexts.prod-eks]` `read_only = true`.
    pub contexts: BTreeMap<String, ContextConfig>,
    /// `record = false`, or `[record]` with `keep_days` and `max_mib`.
    #[schemars(schema_with = "schema::values::record")]
    pub record: crate::record::settings::RecordConfig,
    /// `[share]`: the war room's stream (its Redis, its name, how much history it keeps).
    pub share: crate::share::settings::ShareConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            refresh_secs: 2.0,
            theme: "dark".into(),
            keymap: "default".into(),
            read_only: false,
            log_max_files: 7,
            thresholds: BTreeMap::new(),
            limits: Limits::default(),
            capacity: CapacityParams::default(),
            emergency: EmergencyRules::default(),
            kubernetes: KubeConfig::default(),
            redis: RedisConfig::default(),
            postgres: PostgresConfig::default(),
            aws: AwsConfig::default(),
            notify: NotifyConfig::default(),
            actions: ActionsConfig::default(),
            contexts: BTreeMap::new(),
            record: Default::default(),
            share: Default::default(),
        }
    }
}

/// A loaded config and the file it came from (None: built-in defaults).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
    /// The file's text, to place an error found later (a theme the file names that does not
    /// exist) at its line and column.
    pub text: Option<String>,
}

impl Loaded {
    /// An error about the value of the top-level `key`, placed at that value in the file
    /// when the file sets it.
    pub fn error_at(&self, key: &str, message: impl Into<String>) -> Option<ConfigError> {
        let (path, text) = (self.path.as_ref()?, self.text.as_ref()?);
        let span = validate::Spans::parse(text).value(&[key])?;
        Some(ConfigError::at(path, text, span.start, message))
    }
}

impl Config {
    /// Load from `explicit` (must exist), else the user's config dir (may be absent).
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let (path, must_exist) = match explicit {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (paths::default_config_file(), false),
        };
        let Some(path) = path else { return Ok(Loaded { config: Config::default(), path: None, text: None }) };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Loaded { config: Config::parse(&path, &text)?, path: Some(path), text: Some(text) }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                Ok(Loaded { config: Config::default(), path: None, text: None })
            }
            Err(e) => Err(ConfigError::whole_file(&path, format!("cannot read: {e}"))),
        }
    }

    /// Parse and validate config text; errors carry `file`, line and column.
    pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
        let cfg: Config = error::parse_toml(file, text)?;
        cfg.validate(file, text)?;
        Ok(cfg)
    }

    fn validate(&self, file: &Path, text: &str) -> Result<(), ConfigError> {
        let here = |span: std::ops::Range<usize>, msg: String| ConfigError::at(file, text, span.start, msg);
        for (key, th) in &self.thresholds {
            if MetricId::from_key(key.get_ref()).is_none() {
                let known: Vec<&str> = MetricId::ALL.iter().map(|m| m.key()).collect();
                return Err(here(
                    key.span(),
                    format!("unknown metric {:?}; expected one of: {}", key.get_ref(), known.join(", ")),
                ));
            }
            let t = th.get_ref();
            if let (Some(w), Some(c)) = (t.warn, t.crit) {
                let same_dir = w.cmp.higher_is_worse() == c.cmp.higher_is_worse();
                let beyond = if w.cmp.higher_is_worse() { c.value >= w.value } else { c.value <= w.value };
                if !same_dir || !beyond {
                    return Err(here(
                        th.span(),
                        format!("crit ({c}) must point the same way as warn ({w}) and be at or beyond it"),
                    ));
                }
            }
        }
        validate::validate(self, file, text)
    }

    /// Thresholds for the board: defaults from the runbook, overridden by the file.
    pub fn board_settings(&self) -> BoardSettings {
        let mut thresholds: BTreeMap<MetricId, Threshold> =
            MetricId::ALL.iter().map(|m| (*m, m.default_threshold())).collect();
        for (k, v) in &self.thresholds {
            if let Some(id) = MetricId::from_key(k.get_ref()) {
                thresholds.insert(id, *v.get_ref());
            }
        }
        BoardSettings {
            thresholds,
            limits: self.limits,
            capacity: self.capacity,
            emergency: self.emergency,
            ..BoardSettings::default()
        }
    }

    /// True when actions must refuse to write: globally or for this Kubernetes context.
    pub fn read_only_for(&self, context: Option<&str>) -> bool {
        self.read_only || context.and_then(|c| self.contexts.get(c)).is_some_and(|c| c.read_only)
    }
}
