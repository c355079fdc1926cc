//! Valid and invalid config, theme and keymap files: the good ones load, the bad ones name the
//! file, line and column and what was expected, and the binary exits with status 2.

use cockpit::config::Config;
use cockpit::config::keymap::{Command, Context, Key, Keymap, Lookup, PaneId};
use cockpit::config::theme::{Role, Theme};
use cockpit::model::{Bound, Level, MetricId};
use ratatui::style::{Color, Modifier};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(p)
}

fn parse(p: &str) -> Result<Config, cockpit::config::ConfigError> {
    let path = fixture(p);
    let text = std::fs::read_to_string(&path).unwrap();
    Config::parse(&path, &text)
}

#[test]
fn full_config_loads_with_the_runbook_defaults() {
    let c = parse("config/full.toml").unwrap();
    // The documented example spells out the built-in defaults: both give the same settings.
    assert_eq!(c.board_settings(), Config::default().board_settings());
    assert_eq!(c.limits, Config::default().limits);
    assert_eq!(c.kubernetes, Config::default().kubernetes);
    let s = c.board_settings();
    assert_eq!(s.thresholds[&MetricId::QueueDepth].crit, Some(Bound::above(5000.0)));
    assert!(c.read_only_for(Some("prod-eks")));
    assert!(!c.read_only_for(Some("staging")));
    // An empty file is the defaults.
    assert_eq!(Config::parse(Path::new("empty.toml"), "").unwrap(), Config::default());
}

#[test]
fn a_partial_config_overrides_only_what_it_names() {
    let c = parse("config/tuned.toml").unwrap();
    assert_eq!(c.refresh_secs, 5.0);
    assert_eq!(c.limits.worker_pods.max, 200);
    assert_eq!(c.limits.api_pods.max, 50);
    let s = c.board_settings();
    let q = s.thresholds[&MetricId::QueueDepth];
    assert_eq!(q.level(2000.0), Level::Warn, ">= 2000 includes 2000");
    assert_eq!(q.level(1999.0), Level::Ok);
    assert_eq!(s.thresholds[&MetricId::ApiP99], MetricId::ApiP99.default_threshold());
}

#[test]
fn bad_configs_name_file_line_and_column() {
    let cases = [
        ("config/bad_syntax.toml", 2, "string"),
        ("config/unknown_metric.toml", 3, "unknown metric \"queue_dept\""),
        ("config/bad_bound.toml", 2, "expected a comparison and a number"),
        ("config/unknown_field.toml", 4, "unknown field `queue`"),
        ("config/crit_before_warn.toml", 2, "must point the same way as warn"),
        ("config/min_above_max.toml", 2, "min 60 is above max 50"),
        ("config/wrong_type.toml", 1, "expected"),
    ];
    for (file, line, msg) in cases {
        let e = parse(file).expect_err(file);
        assert!(e.file.ends_with(file), "{file}: {e}");
        assert_eq!(e.line, line, "{file}: {e}");
        assert!(e.column >= 1, "{file}: {e}");
        assert!(e.message.contains(msg), "{file}: {e}");
        let shown = e.to_string();
        assert!(shown.contains(&format!("{file}:{line}:{}", e.column)), "{shown}");
    }
}

/// Nonsense values are refused where they are written: the line and column of the value itself
/// (not of the first text that happens to match its name), with the range expected.
#[test]
fn nonsense_values_are_refused_at_their_value() {
    let cases = [
        (
            "config/negative_buffer.toml",
            3,
            21,
            "capacity.connection_buffer = -0.5: expected a fraction between 0 and 1",
        ),
        ("config/negative_conns.toml", 3, 21, "capacity.conns_per_api_pod = -1: expected a number of connections"),
        // `queue_depth` is first written as a threshold, which is fine: the emergency's is not.
        ("config/emergency_negative.toml", 5, 15, "emergency.queue_depth = -5: expected a number of tasks above 0"),
        ("config/lock_ttl_zero.toml", 2, 17, "actions.lock_ttl_secs = 0: expected 15 to 3600 seconds"),
        ("config/zero_pods.toml", 2, 20, "limits.api_pods.min = 0: expected at least 1"),
    ];
    for (file, line, col, msg) in cases {
        let e = parse(file).expect_err(file);
        assert_eq!((e.line, e.column), (line, col), "{file}: {e}");
        assert!(e.message.contains(msg), "{file}: {e}");
    }
    // Both ends of a range are checked: max 0 is as wrong as min 0.
    let e = Config::parse(Path::new("c.toml"), "[limits]\nworker_pods = { min = 1, max = 0 }\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 32), "{e}");
    assert!(e.message.contains("limits.worker_pods.max = 0: expected at least 1"), "{e}");
    // The documented full example and the defaults are valid.
    assert!(parse("config/full.toml").is_ok());
    assert!(Config::parse(Path::new("c.toml"), "[limits]\ndb_replicas = { min = 0, max = 2 }\n").is_ok());
}

/// A theme or keymap that the config file names and that does not exist is blamed on the
/// config file's line and column, not on a `--theme` flag nobody gave.
#[test]
fn a_theme_named_in_the_config_that_does_not_exist_is_blamed_on_the_config() {
    let bin = env!("CARGO_BIN_EXE_cockpit");
    let tmp = tempfile::tempdir().unwrap();
    let run = |config: &str, extra: &[&str]| {
        let out = Process::new(bin)
            .args(["--config", fixture(config).to_str().unwrap()])
            .args(extra)
            .args(["snapshot", "--demo"])
            .env("COCKPIT_STATE_DIR", tmp.path())
            .env("COCKPIT_CONFIG_DIR", tmp.path().join("none"))
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = run("config/theme_nosuch.toml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("theme_nosuch.toml:2:9: no theme named \"nosuch\""), "{err}");
    assert!(!err.contains("--theme"), "{err}");
    let (code, err) = run("config/keymap_nosuch.toml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("keymap_nosuch.toml:1:10: no keymap named \"emacs\""), "{err}");
    // Given on the command line, the flag is to blame.
    let (code, err) = run("config/tuned.toml", &["--theme", "nosuch"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--theme: no theme named \"nosuch\""), "{err}");
}

#[test]
fn the_binary_exits_2_on_a_bad_file() {
    let bin = env!("CARGO_BIN_EXE_cockpit");
    let tmp = tempfile::tempdir().unwrap();
    let out = Process::new(bin)
        .args(["--config", fixture("config/unknown_metric.toml").to_str().unwrap(), "snapshot", "--demo"])
        .env("COCKPIT_STATE_DIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown_metric.toml:3:1: unknown metric \"queue_dept\""), "{err}");
    assert!(err.contains("did you mean \"queue_depth\"?"), "the nearest name is offered: {err}");
    // A bad theme and a bad keymap in the user's config dir do the same.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("themes")).unwrap();
    std::fs::copy(fixture("themes/bad_color.toml"), dir.path().join("themes/bad.toml")).unwrap();
    let out = Process::new(bin)
        .args(["--theme", "bad", "snapshot", "--demo"])
        .env("COCKPIT_CONFIG_DIR", dir.path())
        .env("COCKPIT_STATE_DIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("themes/bad.toml:3:15: unknown colour \"orangish\""), "{err}");
    let out = Process::new(bin)
        .args(["--config", fixture("config/missing.toml").to_str().unwrap(), "snapshot", "--demo"])
        .env("COCKPIT_STATE_DIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "an explicit config that does not exist is an error");
}

fn user_dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in files {
        let dest = dir.path().join(to);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), dest).unwrap();
    }
    dir
}

#[test]
fn builtin_themes_load_and_a_user_theme_overrides_only_what_it_names() {
    for (name, _) in cockpit::config::theme::BUILTIN {
        let t = Theme::load(name, None).unwrap();
        // Levels never share a style, so they differ even before their symbols and words.
        let levels = [Role::Ok, Role::Warn, Role::Crit, Role::Unknown, Role::Stale];
        for (i, a) in levels.iter().enumerate() {
            for b in &levels[i + 1..] {
                if !(*name == "mono" && matches!((a, b), (Role::Ok, _))) {
                    assert_ne!(t.style(*a), t.style(*b), "{name}: {a:?} and {b:?} look the same");
                }
            }
        }
    }
    let dark = Theme::load("dark", None).unwrap();
    for role in Role::ALL {
        if *role != Role::Text {
            assert_ne!(dark.style(*role), Default::default(), "dark styles {role:?}");
        }
    }
    let mono = Theme::load("mono", None).unwrap();
    assert!(Role::ALL.iter().all(|r| mono.style(*r).fg.is_none() && mono.style(*r).bg.is_none()), "mono has no colour");
    let dir = user_dir_with(&[("themes/ops.toml", "themes/ops.toml")]);
    let ops = Theme::load("ops", Some(dir.path())).unwrap();
    assert_eq!(ops.style(Role::Crit).fg, Some(Color::Rgb(0xff, 0, 0xff)));
    assert!(ops.style(Role::Crit).add_modifier.contains(Modifier::REVERSED));
    assert_eq!(ops.style(Role::Warn), dark.style(Role::Warn));
    assert_eq!(ops.style(Role::Border), dark.style(Role::Border));
    // The high-contrast theme does not tell ok from crit by red and green.
    let hc = Theme::load("high-contrast", None).unwrap();
    assert_ne!(hc.style(Role::Ok).fg, Some(Color::Green));
    assert!(hc.style(Role::Crit).bg.is_some(), "critical is a filled block in high contrast");
}

#[test]
fn bad_themes_are_located() {
    let dir = user_dir_with(&[
        ("themes/bad_color.toml", "themes/bad_color.toml"),
        ("themes/unknown_role.toml", "themes/unknown_role.toml"),
        ("themes/loop.toml", "themes/loop.toml"),
    ]);
    let e = Theme::load("bad_color", Some(dir.path())).unwrap_err();
    assert_eq!((e.line, e.column), (3, 15), "{e}");
    let e = Theme::load("unknown_role", Some(dir.path())).unwrap_err();
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(e.message.contains("unknown role \"okay\""), "{e}");
    let e = Theme::load("loop", Some(dir.path())).unwrap_err();
    assert!(e.message.contains("loops"), "{e}");
    let e = Theme::load("nope", None).unwrap_err();
    assert!(e.message.contains("no theme named \"nope\""), "{e}");
}

fn key(s: &str) -> Key {
    s.parse().unwrap()
}

#[test]
fn keymaps_load_layer_and_look_up() {
    let d = Keymap::load("default", None).unwrap();
    assert_eq!(d.lookup(Context::Dashboard, &[key("q")]), Lookup::Found(Command::Quit));
    assert_eq!(d.lookup(Context::Help, &[key("?")]), Lookup::Found(Command::Help), "global applies in help");
    assert_eq!(d.lookup(Context::Dashboard, &[key("E")]), Lookup::Found(Command::Start("emergency".into())));
    assert_eq!(d.lookup(Context::Dashboard, &[key("<S-Tab>")]), Lookup::Found(Command::FocusPrev));
    // Every description is there for the help overlay.
    for c in Context::ALL {
        assert!(d.bindings(c).iter().all(|b| !b.desc.is_empty()), "{c:?}");
    }
    let vim = Keymap::load("vim", None).unwrap();
    assert_eq!(vim.lookup(Context::Dashboard, &[key("g")]), Lookup::Prefix);
    assert_eq!(vim.lookup(Context::Dashboard, &[key("g"), key("g")]), Lookup::Found(Command::Top));
    assert_eq!(vim.lookup(Context::Dashboard, &[key("q")]), Lookup::Found(Command::Quit), "vim keeps the defaults");
    let dir = user_dir_with(&[("keymaps/default.toml", "keymaps/default.toml")]);
    let user = Keymap::load("default", Some(dir.path())).unwrap();
    assert_eq!(user.lookup(Context::Dashboard, &[key("x")]), Lookup::Found(Command::Start("scale-workers".into())));
    assert_eq!(user.lookup(Context::Dashboard, &[key("g"), key("e")]), Lookup::Found(Command::Focus(PaneId::Events)));
    assert_eq!(user.lookup(Context::Dashboard, &[key("w")]), Lookup::Found(Command::Start("scale-workers".into())));
}

#[test]
fn bad_keymaps_are_located() {
    let cases = [
        ("keymaps/bad_command.toml", 3, 21, "unknown command \"explode\""),
        ("keymaps/bad_key.toml", 3, 10, "unknown key \"<Ctrl-x>\""),
        ("keymaps/bad_context.toml", 1, 2, "unknown context \"dashbord\""),
        ("keymaps/bad_action.toml", 3, 21, "unknown action \"scale-everything\""),
    ];
    for (file, line, col, msg) in cases {
        let mut k = Keymap::default();
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let e = k.layer(&fixture(file), &text).unwrap_err();
        assert_eq!((e.line, e.column), (line, col), "{file}: {e}");
        assert!(e.message.contains(msg), "{file}: {e}");
    }
}

#[test]
fn a_keymap_with_no_way_to_quit_is_refused_where_it_loses_it() {
    // Replacing [global] without quit; shadowing every quit key in [dashboard].
    for (file, line, col) in [("keymaps/no_quit.toml", 2, 2), ("keymaps/quit_shadowed.toml", 2, 2)] {
        let dir = user_dir_with(&[(file, "keymaps/default.toml")]);
        let e = Keymap::load("default", Some(dir.path())).unwrap_err();
        assert!(e.file.ends_with("keymaps/default.toml") && e.file.starts_with(dir.path()), "{file}: {e}");
        assert_eq!((e.line, e.column), (line, col), "{file}: {e}");
        assert!(e.message.contains("leaves no key that quits"), "{file}: {e}");
    }
    // Quit moved to another key is fine, and is what the hints offer.
    let dir = user_dir_with(&[("keymaps/quit_moved.toml", "keymaps/default.toml")]);
    let k = Keymap::load("default", Some(dir.path())).unwrap();
    assert_eq!(k.lookup(Context::Dashboard, &[key("Q")]), Lookup::Found(Command::Quit));
    assert_eq!(k.hint(Context::Dashboard, &Command::Quit).as_deref(), Some("Q"));
    // Through the binary: exit status 2 with the file, line and column.
    let tmp = tempfile::tempdir().unwrap();
    let dir = user_dir_with(&[("keymaps/no_quit.toml", "keymaps/default.toml")]);
    let out = Process::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["demo"])
        .env("COCKPIT_CONFIG_DIR", dir.path())
        .env("COCKPIT_STATE_DIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keymaps/default.toml:2:2: this keymap leaves no key that quits"), "{err}");
}

#[test]
fn the_popups_keys_are_keymap_commands() {
    let d = Keymap::load("default", None).unwrap();
    for c in Context::ALL {
        assert!(!d.bindings(c).is_empty() || c == Context::Global, "{c:?} has keys");
    }
    // The popups' page keys.
    for c in [Context::Form, Context::Plan, Context::Run, Context::Summary, Context::Resume] {
        for (k, cmd) in [
            ("<PageUp>", Command::PageUp),
            ("<PageDown>", Command::PageDown),
            ("<Home>", Command::Top),
            ("<End>", Command::Bottom),
        ] {
            assert_eq!(d.lookup(c, &[key(k)]), Lookup::Found(cmd), "{c:?} {k}");
        }
    }
    assert_eq!(d.lookup(Context::Summary, &[key("u")]), Lookup::Found(Command::Undo));
    assert_eq!(d.lookup(Context::Resume, &[key("a")]), Lookup::Found(Command::Abandon));
    assert_eq!(d.lookup(Context::Run, &[key("m")]), Lookup::Found(Command::HideAction));
    assert_eq!(d.lookup(Context::Strip, &[key("m")]), Lookup::Found(Command::ShowAction));
    assert_eq!(d.lookup(Context::Strip, &[key("<Esc>")]), Lookup::Found(Command::Abort));
    // The strip falls through to the dashboard's keys, a running action's popup too.
    assert_eq!(d.lookup(Context::Strip, &[key("3")]), Lookup::Found(Command::Focus(PaneId::Workers)));
    assert_eq!(d.lookup(Context::Run, &[key("z")]), Lookup::Found(Command::Zoom));
}
