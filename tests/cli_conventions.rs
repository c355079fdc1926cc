//! The habits of the ecosystem, through the real binary: shell completions and the man page,
//! action names and `--direction` as listed values, `plan` without `--yes`, `--readonly`,
//! `--refresh`, `--context` errors that list the kubeconfig's contexts, and `cockpit info`.

use std::path::Path;
use std::process::{Command, Output};

const ACTIONS: &[&str] =
    &["scale-api", "scale-workers", "drain-workers", "emergency", "reenable-hpa", "resize-workers", "resize-db"];
const SUBCOMMANDS: &[&str] = &["demo", "snapshot", "check", "plan", "run", "completions", "man", "info"];

/// The binary with a clean environment: a fresh HOME and state dir, no kubeconfig, no AWS.
fn cockpit(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COCKPIT_STATE_DIR", home.join("state"))
        .env("COCKPIT_CONFIG_DIR", home.join("config"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("the cockpit binary runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn completions_generate_for_every_shell_with_subcommands_and_action_names() {
    let home = tempfile::tempdir().expect("tmp");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = cockpit(home.path(), &[], &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", err(&o));
        let script = out(&o);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no subcommand {sub}");
        }
        for action in ACTIONS {
            assert!(script.contains(action), "{shell}: no action {action}");
        }
        assert!(script.contains("direction"), "{shell}: no --direction");
        assert!(script.contains("readonly"), "{shell}: no --readonly");
    }
    // bash and zsh complete --direction's values; bash's script is valid bash.
    let bash = out(&cockpit(home.path(), &[], &["completions", "bash"]));
    assert!(bash.contains("up down"), "bash: --direction values");
    let file = home.path().join("cockpit.bash");
    std::fs::write(&file, &bash).expect("write");
    let syntax = Command::new("bash").arg("-n").arg(&file).output().expect("bash runs");
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    let o = cockpit(home.path(), &[], &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn man_is_roff_with_every_subcommand() {
    let home = tempfile::tempdir().expect("tmp");
    let o = cockpit(home.path(), &[], &["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let page = out(&o);
    assert!(page.contains(".TH cockpit 1"), "roff title line:\n{}", &page[..page.len().min(400)]);
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS") && page.contains(".SH OPTIONS"));
    for sub in SUBCOMMANDS {
        let heading = format!(".SH \"COCKPIT {}\"", sub.to_uppercase());
        assert!(page.contains(&heading), "no section {heading}");
    }
    for action in ACTIONS {
        assert!(page.contains(&action.replace('-', "\\-")), "no action {action} in the page");
    }
}

#[test]
fn plan_offers_no_yes_and_run_does() {
    let home = tempfile::tempdir().expect("tmp");
    let o = cockpit(home.path(), &[], &["plan", "scale-api", "--demo", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("--yes"), "{}", err(&o));
    let plan_help = out(&cockpit(home.path(), &[], &["plan", "--help"]));
    let offers_yes = |help: &str| help.lines().any(|l| l.trim_start().starts_with("--yes"));
    assert!(!offers_yes(&plan_help), "{plan_help}");
    let run_help = out(&cockpit(home.path(), &[], &["run", "--help"]));
    assert!(offers_yes(&run_help), "{run_help}");
    // run without --yes still refuses with the hint (the flag reaches the runner).
    let o = cockpit(home.path(), &[], &["run", "scale-api", "--demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--yes"), "{}", err(&o));
}

#[test]
fn help_lists_the_action_names_and_directions() {
    let home = tempfile::tempdir().expect("tmp");
    for sub in ["plan", "run"] {
        let help = out(&cockpit(home.path(), &[], &[sub, "--help"]));
        for action in ACTIONS {
            assert!(help.contains(&format!("- {action}:")), "{sub} --help lacks {action}:\n{help}");
        }
        assert!(help.contains("[possible values: up, down]"), "{sub} --help: --direction values\n{help}");
    }
}

#[test]
fn an_unknown_action_names_the_known_ones_and_the_nearest() {
    let home = tempfile::tempdir().expect("tmp");
    let o = cockpit(home.path(), &[], &["plan", "scale-everything", "--demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unknown action \"scale-everything\"; expected one of: scale-api"), "{}", err(&o));
    let o = cockpit(home.path(), &[], &["run", "drian-workers", "--demo", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("did you mean \"drain-workers\""), "{}", err(&o));
    let o = cockpit(home.path(), &[], &["plan", "scale-api", "--demo", "--direction", "sideways"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("possible values: up, down"), "{}", err(&o));
}

#[test]
fn every_direction_is_one_that_scale_api_accepts() {
    let home = tempfile::tempdir().expect("tmp");
    for d in ["up", "down"] {
        let o = cockpit(home.path(), &[], &["plan", "scale-api", "--demo", "--direction", d, "--after", "1m"]);
        assert_eq!(o.status.code(), Some(0), "--direction {d}: {}", err(&o));
    }
}

#[test]
fn readonly_is_an_alias_of_read_only() {
    let home = tempfile::tempdir().expect("tmp");
    let o = cockpit(home.path(), &[], &["--readonly", "run", "scale-api", "--demo", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("read-only"), "{}", err(&o));
    let o = cockpit(home.path(), &[], &["plan", "scale-api", "--demo", "--readonly", "--after", "1m"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("would be refused"), "{}", out(&o));
}

#[test]
fn refresh_is_validated_like_refresh_secs() {
    let home = tempfile::tempdir().expect("tmp");
    for bad in ["0.1", "3601", "0", "-1", "often"] {
        let o = cockpit(home.path(), &[], &[&format!("--refresh={bad}"), "info"]);
        assert_eq!(o.status.code(), Some(2), "--refresh {bad}: {}", err(&o));
        assert!(err(&o).contains("--refresh"), "{}", err(&o));
    }
    for good in ["0.2", "5", "3600"] {
        let o = cockpit(home.path(), &[], &["--refresh", good, "snapshot", "--demo"]);
        assert_eq!(o.status.code(), Some(0), "--refresh {good}: {}", err(&o));
    }
}

#[test]
fn refresh_overrides_the_config_file() {
    let home = tempfile::tempdir().expect("tmp");
    let file = home.path().join("config.toml");
    std::fs::write(&file, "refresh_secs = 7\n").expect("write");
    let args = |refresh: Option<f64>| cockpit::cli::GlobalArgs {
        config: Some(file.clone()),
        theme: Some("dark".into()),
        keymap: Some("default".into()),
        refresh,
        ..Default::default()
    };
    let from_file = cockpit::commands::setup(&args(None)).expect("setup");
    assert_eq!(from_file.config.refresh_secs, 7.0);
    let from_flag = cockpit::commands::setup(&args(Some(3.0))).expect("setup");
    assert_eq!(from_flag.config.refresh_secs, 3.0);
    // And through the binary, the flag is parsed as the setting: `--refresh 3` is accepted
    // where the file's value would be.
    let o = cockpit(home.path(), &[], &["--config", &file.display().to_string(), "--refresh", "3", "info"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

const KUBECONFIG: &str = "\
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: \"https://127.0.0.1:1\"}
users:
- name: u1
  user: {token: \"kc-token-not-for-printing\"}
contexts:
- name: staging
  context: {cluster: c1, user: u1}
- name: production-eu
  context: {cluster: c1, user: u1}
current-context: staging
";

#[test]
fn an_unknown_context_lists_the_available_ones() {
    let home = tempfile::tempdir().expect("tmp");
    let kc = home.path().join("kubeconfig");
    std::fs::write(&kc, KUBECONFIG).expect("write");
    let kc = kc.display().to_string();
    let o = cockpit(home.path(), &[], &["--kubeconfig", &kc, "--context", "production", "check"]);
    let text = format!("{}{}", out(&o), err(&o));
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("context \"production\" is not in the kubeconfig; available contexts: staging, production-eu"),
        "{text}"
    );
    assert!(!text.contains("kc-token-not-for-printing"), "{text}");
}

#[test]
fn info_names_the_paths_the_build_and_the_terminal() {
    let home = tempfile::tempdir().expect("tmp");
    let vars = [("TERM", "xterm-256color"), ("COLORTERM", "truecolor"), ("NO_COLOR", "1")];
    let o = cockpit(home.path(), &vars, &["info"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let config = home.path().join("config");
    let state = home.path().join("state");
    for line in [
        format!("config dir:    {}", config.display()),
        format!("config file:   {} (does not exist)", config.join("config.toml").display()),
        format!("state dir:     {}", state.display()),
        format!("log file:      {}", state.join("cockpit.log").display()),
        format!("journal dir:   {}", state.join("journal").display()),
        format!("version:       {}", env!("CARGO_PKG_VERSION")),
        "TERM:          xterm-256color".to_string(),
        "COLORTERM:     truecolor (truecolor: yes)".to_string(),
        "NO_COLOR:      set".to_string(),
        "terminal:      stdout is not a terminal".to_string(),
    ] {
        assert!(text.contains(&line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains(&format!("target:        {}-{}", std::env::consts::ARCH, std::env::consts::OS)), "{text}");

    // JSON, with a config file that exists and one that does not parse.
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(config.join("config.toml"), "refresh_secs = \"soon\"\n").expect("write");
    let o = cockpit(home.path(), &[], &["info", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "info works with a broken config: {}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    assert_eq!(v["config_file_exists"], true);
    assert_eq!(v["state_dir"], state.display().to_string());
    assert_eq!(v["journal_dir"], state.join("journal").display().to_string());
    assert_eq!(v["terminal"]["truecolor"], false);
    assert!(v["config_status"].as_str().is_some_and(|s| s.contains("config.toml:1")), "{v}");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn help_names_the_config_file_where_it_really_is() {
    let home = tempfile::tempdir().expect("tmp");
    // With COCKPIT_CONFIG_DIR under HOME: shown from ~.
    let o = cockpit(home.path(), &[], &["--help"]);
    assert!(out(&o).contains("Config: ~/config/config.toml"), "{}", out(&o));
    // Without it: the platform's own directory (Linux: ~/.config/cockpit).
    let o = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--help")
        .output()
        .expect("runs");
    let expected = if cfg!(target_os = "macos") {
        "Config: ~/Library/Application Support/io.agentos.cockpit/config.toml"
    } else {
        "Config: ~/.config/cockpit/config.toml"
    };
    assert!(out(&o).contains(expected), "{}", out(&o));
}

#[test]
fn config_show_names_the_origin_of_every_value_and_never_a_secret() {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(home.path().join("config")).expect("dir");
    std::fs::write(
        home.path().join("config/config.toml"),
        "refresh_secs = 7\n\n[redis]\nurl = \"redis://:hunter2-pw@cache.internal:6379/0\"\n\n[thresholds]\n\
         queue_depth = { warn = \"> 2000\", crit = \"> 8000\" }\n\n[notify]\n\
         webhook = \"https://hooks.example.com/services/T0/B0/TOKEN-in-path\"\n",
    )
    .expect("config");
    let o = cockpit(
        home.path(),
        &[("REDIS_URL", "redis://:env-pw@elsewhere:6379")],
        &["--read-only", "-n", "staging", "config", "show"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let line = |key: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key}:\n{text}"))
            .to_string()
    };
    assert!(line("refresh_secs").ends_with("# config.toml:1"), "{text}");
    assert!(line("read_only").contains("true") && line("read_only").ends_with("# flag --read-only"), "{text}");
    assert!(
        line("kubernetes.namespace").contains("\"staging\"")
            && line("kubernetes.namespace").ends_with("# flag -n/--namespace")
    );
    assert!(line("limits.api_pods.min").ends_with("# default"), "{text}");
    assert!(
        line("thresholds.queue_depth").contains("warn > 2000 · crit > 8000")
            && line("thresholds.queue_depth").ends_with("# config.toml:7")
    );
    assert!(line("thresholds.cpu_utilization").ends_with("# default (the runbook)"), "{text}");
    assert!(line("redis.url").contains("redis://cache.internal:6379"), "{text}");
    assert!(line("notify.webhook").contains("(set, not shown)"), "{text}");
    assert!(text.contains("# environment (values not shown): REDIS_URL"), "{text}");
    for secret in ["hunter2-pw", "TOKEN-in-path", "env-pw"] {
        assert!(!text.contains(secret) && !err(&o).contains(secret), "{secret} leaked:\n{text}");
    }
    // The war room's stream: from the environment, and the flag over it.
    let share = [("COCKPIT_SHARE_URL", "redis://:share-pw@war-room:6380")];
    let o = cockpit(home.path(), &share, &["config", "show"]);
    let text = out(&o);
    let url = text.lines().find(|l| l.starts_with("share.url = ")).unwrap_or_default().to_string();
    assert!(url.contains("redis://war-room:6380") && url.ends_with("# environment COCKPIT_SHARE_URL"), "{text}");
    let o = cockpit(home.path(), &share, &["--share-url", "redis://:flag-pw@other:6381", "config", "show"]);
    let text = out(&o);
    let url = text.lines().find(|l| l.starts_with("share.url = ")).unwrap_or_default().to_string();
    assert!(url.contains("redis://other:6381") && url.ends_with("# flag --share-url"), "{text}");
    assert!(!text.contains("share-pw") && !text.contains("flag-pw"), "{text}");
}
