//! `cockpit config show`: the effective configuration, every value with where it came from: a
//! flag, the environment, the config file's line, or the runbook's default. Secrets are never
//! printed: a URL shows its scheme, host and port; a password, token, webhook or notify command
//! only that it is set.

use super::Setup;
use crate::cli::GlobalArgs;
use crate::config::validate::Spans;
use crate::model::MetricId;
use std::path::Path;

/// One effective value and its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub key: String,
    pub value: String,
    pub from: String,
}

pub fn run(setup: &Setup, g: &GlobalArgs) -> anyhow::Result<i32> {
    let text = setup.config_path.as_deref().and_then(|p| std::fs::read_to_string(p).ok());
    let rows = effective(setup, g, setup.config_path.as_deref(), text.as_deref())?;
    let kw = rows.iter().map(|r| r.key.len() + 3 + r.value.chars().count()).max().unwrap_or(0);
    match &setup.config_path {
        Some(p) => println!("# config file: {}", p.display()),
        None => println!("# no config file: every value is a default, a flag or the environment"),
    }
    for r in &rows {
        let left = format!("{} = {}", r.key, r.value);
        println!("{left:<kw$}  # {}", r.from);
    }
    let env = crate::live::Env::process();
    let set: Vec<&str> = ENV_VARS.iter().copied().filter(|v| env.get(v).is_some()).collect();
    println!();
    if set.is_empty() {
        println!("# environment: none of the variables the sources read is set");
    } else {
        println!("# environment (values not shown): {}", set.join(", "));
    }
    Ok(super::EXIT_OK)
}

/// The variables the live sources read besides the config file.
const ENV_VARS: &[&str] = &[
    "KUBECONFIG",
    "REDIS_URL",
    "DATABASE_URL",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_ENDPOINT_URL",
    "NO_COLOR",
    "COCKPIT_SHARE_URL",
];

/// Every leaf of the effective configuration (thresholds included, from the board's settings),
/// with its origin.
pub fn effective(setup: &Setup, g: &GlobalArgs, file: Option<&Path>, text: Option<&str>) -> anyhow::Result<Vec<Shown>> {
    let spans = text.map(Spans::parse);
    let file_name = file.and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let line_of = |path: &[&str]| -> Option<String> {
        let (spans, text) = (spans.as_ref()?, text?);
        let at = spans.value(path)?.start;
        Some(format!("{file_name}:{}", text[..at].matches('\n').count() + 1))
    };
    let flags: [(&str, bool, &str); 10] = [
        ("share.url", g.share_url.is_some(), "--share-url"),
        ("read_only", g.read_only, "--read-only"),
        ("refresh_secs", g.refresh.is_some(), "--refresh"),
        ("kubernetes.namespace", g.namespace.is_some(), "-n/--namespace"),
        ("kubernetes.context", g.context.is_some(), "--context"),
        ("kubernetes.kubeconfig", g.kubeconfig.is_some(), "--kubeconfig"),
        ("aws.profile", g.profile.is_some(), "--profile"),
        ("aws.region", g.region.is_some(), "--region"),
        ("theme", g.theme.is_some(), "--theme"),
        ("keymap", g.keymap.is_some(), "--keymap"),
    ];
    let mut value = toml::Value::try_from(&setup.config)?;
    if let Some(t) = value.as_table_mut() {
        t.remove("thresholds");
        t.insert("theme".into(), toml::Value::String(setup.theme.name.clone()));
    }
    let mut rows = Vec::new();
    leaves(&value, &mut Vec::new(), &mut rows);
    let mut out: Vec<Shown> = rows
        .into_iter()
        .map(|(path, v)| {
            let key = path.join(".");
            let parts: Vec<&str> = path.iter().map(String::as_str).collect();
            let from = if let Some((_, _, flag)) = flags.iter().find(|(k, on, _)| *on && *k == key) {
                format!("flag {flag}")
            } else if key == "theme" && g.theme.is_none() && std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            {
                "environment NO_COLOR".to_string()
            } else if key == "share.url" && std::env::var_os("COCKPIT_SHARE_URL").is_some_and(|v| !v.is_empty()) {
                "environment COCKPIT_SHARE_URL".to_string()
            } else {
                line_of(&parts).unwrap_or_else(|| "default".into())
            };
            Shown { value: shown(&key, &v), key, from }
        })
        .collect();
    let settings = setup.config.board_settings();
    for id in MetricId::ALL {
        let th = settings.thresholds.get(id).copied().unwrap_or_default();
        if th.is_empty() {
            continue;
        }
        let from = line_of(&["thresholds", id.key()]).unwrap_or_else(|| "default (the runbook)".into());
        out.push(Shown { key: format!("thresholds.{}", id.key()), value: th.describe(), from });
    }
    Ok(out)
}

fn leaves(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, toml::Value)>) {
    match v {
        toml::Value::Table(t) if !t.is_empty() => {
            for (k, v) in t {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        other => out.push((path.clone(), other.clone())),
    }
}

/// A value as it may be printed: never a secret.
fn shown(key: &str, v: &toml::Value) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    let secret = ["password", "token", "secret", "webhook", "command"].iter().any(|w| last.contains(w));
    match v {
        toml::Value::String(s) if secret => {
            if s.is_empty() {
                "\"\"".into()
            } else {
                "(set, not shown)".into()
            }
        }
        toml::Value::String(s) if last.ends_with("url") => match crate::live::redact::shown_url(s) {
            Ok(u) => format!("{u:?} (credentials not shown)"),
            Err(_) => "(set, not a URL; not shown)".into(),
        },
        other => other.to_string(),
    }
}
