//! The JSON Schemas of `config.toml`, themes and keymaps (`cockpit config schema`), checked with a
//! real validator (the `jsonschema` crate) against what the loader does with the same files: the
//! schema accepts every file the loader accepts, and rejects the ones it rejects wherever a
//! schema can say why. What it cannot say is listed in `NOT_EXPRESSIBLE`, with the reason, and a
//! test holds the list to the truth (each listed file really is accepted by the schema and
//! refused by the loader).

use cockpit::config::keymap::{Command, Key, Keymap};
use cockpit::config::schema::{self, Kind};
use cockpit::config::theme::Theme;
use cockpit::config::{Config, ConfigError};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn validator(kind: Kind) -> jsonschema::Validator {
    let shipped: Value = serde_json::from_str(&read(&repo(&kind.file()))).expect("shipped schema is JSON");
    jsonschema::validator_for(&shipped).unwrap_or_else(|e| panic!("{}: {e}", kind.file()))
}

/// The TOML document as JSON, the way an editor's TOML language server sees it.
fn json(text: &str) -> Value {
    let v: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"));
    serde_json::to_value(v).expect("TOML converts to JSON")
}

/// The schema's verdict: the first error, or none.
fn schema_verdict(kind: Kind, text: &str) -> Result<(), String> {
    let v = validator(kind);
    let doc = json(text);
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

/// The loader's verdict on a file, the way the cockpit reads it: a config with the theme and
/// keymap it names; a theme or keymap as a file of the user's config dir, by its name.
fn loader_verdict(kind: Kind, name: &str, text: &str) -> Result<(), ConfigError> {
    match kind {
        Kind::Config => {
            let c = Config::parse(Path::new("config.toml"), text)?;
            Theme::load(&c.theme, None)?;
            Keymap::load(&c.keymap, None)?;
            Ok(())
        }
        Kind::Theme | Kind::Keymap => {
            let dir = tempfile::tempdir().expect("tempdir");
            let sub = if kind == Kind::Theme { "themes" } else { "keymaps" };
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
            std::fs::write(dir.path().join(sub).join(format!("{name}.toml")), text).expect("write");
            if kind == Kind::Theme {
                Theme::load(name, Some(dir.path())).map(|_| ())
            } else {
                Keymap::load(name, Some(dir.path())).map(|_| ())
            }
        }
    }
}

/// Files the loader refuses for a reason a JSON Schema cannot state: the schema accepts them.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[
    // Comparisons between two values of the file.
    ("tests/fixtures/config/crit_before_warn.toml", "crit must point the same way as warn and be beyond it"),
    ("tests/fixtures/config/min_above_max.toml", "limits: min above max"),
    // Names that only the config dir can answer.
    ("tests/fixtures/config/theme_nosuch.toml", "a theme name: any file of the config dir's themes/"),
    ("tests/fixtures/config/keymap_nosuch.toml", "a keymap name: any file of the config dir's keymaps/"),
    ("tests/fixtures/themes/bad_color.toml", "a colour may be a palette name, of this file or one it inherits"),
    ("tests/fixtures/themes/loop.toml", "inheritance across files"),
    // What the layers add up to.
    ("tests/fixtures/keymaps/no_quit.toml", "no key left that quits, over the keymap below"),
    ("tests/fixtures/keymaps/quit_shadowed.toml", "every quit key shadowed, over the keymap below"),
];

/// Files that are not TOML at all: the editor's TOML parser reports them before any schema.
const NOT_TOML: &[&str] = &["tests/fixtures/config/bad_syntax.toml"];

/// Every config, theme and keymap file of the repository.
fn every_file() -> Vec<(Kind, PathBuf)> {
    let mut files = Vec::new();
    for (kind, dirs) in [
        (Kind::Config, &["tests/fixtures/config"][..]),
        (Kind::Theme, &["themes", "tests/fixtures/themes"][..]),
        (Kind::Keymap, &["keymaps", "tests/fixtures/keymaps"][..]),
    ] {
        for d in dirs {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(repo(d))
                .unwrap_or_else(|e| panic!("{d}: {e}"))
                .map(|e| e.expect("dir entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            in_dir.sort();
            assert!(!in_dir.is_empty(), "{d} has no files");
            files.extend(in_dir.into_iter().map(|p| (kind, p)));
        }
    }
    files
}

fn relative(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(p).display().to_string()
}

#[test]
fn the_schema_agrees_with_the_loader_on_every_file_of_the_repository() {
    let mut checked = 0;
    for (kind, path) in every_file() {
        let rel = relative(&path);
        if NOT_TOML.contains(&rel.as_str()) {
            assert!(toml::from_str::<toml::Value>(&read(&path)).is_err(), "{rel} is TOML after all");
            continue;
        }
        let text = read(&path);
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a file name");
        let loader = loader_verdict(kind, name, &text);
        let schema = schema_verdict(kind, &text);
        match NOT_EXPRESSIBLE.iter().find(|(f, _)| *f == rel) {
            Some((_, why)) => {
                assert!(loader.is_err(), "{rel}: listed as refused by the loader ({why}), but it loads");
                assert!(
                    schema.is_ok(),
                    "{rel}: listed as beyond the schema ({why}), but the schema refuses it: {schema:?}"
                );
            }
            None => match (&loader, &schema) {
                (Ok(()), Ok(())) | (Err(_), Err(_)) => {}
                (Ok(()), Err(e)) => panic!("{rel}: the loader accepts it, the schema refuses it: {e}"),
                (Err(e), Ok(())) => panic!("{rel}: the loader refuses it ({e}), the schema accepts it"),
            },
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} files checked");
}

#[test]
fn the_built_in_themes_and_keymaps_and_the_full_example_validate() {
    for f in [
        "themes/dark.toml",
        "themes/light.toml",
        "themes/high-contrast.toml",
        "themes/mono.toml",
        "tests/fixtures/themes/ops.toml",
    ] {
        schema_verdict(Kind::Theme, &read(&repo(f))).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    for f in ["keymaps/default.toml", "keymaps/vim.toml", "tests/fixtures/keymaps/default.toml"] {
        schema_verdict(Kind::Keymap, &read(&repo(f))).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    for f in ["tests/fixtures/config/full.toml", "tests/fixtures/config/tuned.toml"] {
        schema_verdict(Kind::Config, &read(&repo(f))).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    // The empty file is a valid config (every key has a default), theme and keymap.
    for kind in Kind::ALL {
        schema_verdict(kind, "").unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
    }
}

/// The README's TOML examples: the config, the theme, the keymap and both forms of `record`.
#[test]
fn the_readme_examples_validate() {
    let readme = read(&repo("README.md"));
    let blocks: Vec<&str> =
        readme.split("```toml\n").skip(1).map(|b| b.split("```").next().expect("a closed block")).collect();
    assert!(blocks.len() >= 4, "README has {} TOML blocks", blocks.len());
    let kind_of = |b: &str| {
        if b.contains("[roles]") || b.contains("inherits") {
            Kind::Theme
        } else if b.contains("_keymap") {
            Kind::Keymap
        } else {
            Kind::Config
        }
    };
    for b in blocks {
        // `record = false` and a `[record]` table are two alternatives in one block.
        let parts: Vec<String> = match b.find("[record]") {
            Some(at) if b.contains("record = false") => vec![b[..at].to_string(), b[at..].to_string()],
            _ => vec![b.to_string()],
        };
        for p in parts {
            let kind = kind_of(&p);
            schema_verdict(kind, &p).unwrap_or_else(|e| panic!("README {}: {e}\n{p}", kind.name()));
            assert!(loader_verdict(kind, "readme", &p).is_ok(), "README example refused by the loader:\n{p}");
        }
    }
}

/// Values the validator refuses (`validate.rs` and the tests of `config_files.rs`), one at a
/// time: the schema refuses each, and accepts the valid value beside it.
#[test]
fn the_validators_ranges_are_in_the_schema() {
    let refused = [
        "refresh_secs = 0.1",
        "refresh_secs = 3601",
        "log_max_files = 0",
        "theme = 3",
        "bogus = 1",
        "[limits]\nworker_pods = { min = 1, max = 0 }",
        "[limits]\napi_pods = { min = 0, max = 5 }",
        "[limits]\napi_pods = { min = 3 }",
        "[limits]\napi_pods = { min = 3, max = 5, most = 9 }",
        "[capacity]\nconnection_buffer = 1.5",
        "[capacity]\ntasks_per_worker = 0",
        "[capacity]\nconns_per_worker = -1",
        "[emergency]\nerror_rate_pct = 0",
        "[emergency]\nerror_rate_pct = 101",
        "[emergency]\napi_latency_ms = 0.5",
        "[kubernetes]\nnamespace = \"  \"",
        "[kubernetes]\nhealth_port = 0",
        "[kubernetes]\nhealth_port = 70000",
        "[kubernetes]\nhealth_path = \"health\"",
        "[kubernetes]\nmetrics_refresh_secs = 0.5",
        "[redis]\nqueues = []",
        "[redis]\nqueues = [\" \"]",
        "[redis]\nprocessing_set = \"\"",
        "[aws]\nlatency_statistic = \"P99\"",
        "[aws]\nlatency_statistic = \"median\"",
        "[aws]\nrds_refresh_secs = 0",
        "[notify]\nwebhook = \"ftp://hooks.example\"",
        "[actions]\nlock_ttl_secs = 10",
        "[actions]\ndrain_timeout_secs = 14401",
        "[actions]\nrds_timeout_secs = 59",
        "[thresholds]\nqueue_depth = { warn = \"> -5\" }",
        "[thresholds]\nredis_memory = { warn = \"> 150\" }",
        "[thresholds]\nqueue_depth = { warm = \"> 5\" }",
        "[thresholds]\nqueue_dept = { warn = \"> 5\" }",
        "[contexts.prod]\nread_only = \"yes\"",
        "record = 3",
        "[record]\nkeepdays = 3",
        "[record]\nkeep_days = 0",
        "[record]\nmax_mib = 0",
    ];
    for text in refused {
        assert!(Config::parse(Path::new("c.toml"), text).is_err(), "the loader accepts {text:?}");
        assert!(schema_verdict(Kind::Config, text).is_err(), "the schema accepts {text:?}");
    }
    let accepted = [
        "refresh_secs = 0.2",
        "refresh_secs = 3600",
        "[limits]\ndb_replicas = { min = 0, max = 2 }",
        "[capacity]\nconnection_buffer = 0",
        "[emergency]\nerror_rate_pct = 100",
        "[kubernetes]\nhealth_port = 65535",
        "[aws]\nlatency_statistic = \"p99.9\"",
        "[aws]\nlatency_statistic = \"Maximum\"",
        "[notify]\nwebhook = \"https://hooks.example/T0\"",
        "[actions]\nscale_down_wait_secs = 0",
        "[thresholds]\nredis_hit_rate = { warn = \"<= 80%\", crit = \"< 50\" }",
        "[thresholds]\nqueue_depth = { crit = \"> 1_000_000\" }",
        "[contexts.prod-eks]\nread_only = true",
        "record = false",
        "[record]\nenabled = false",
    ];
    for text in accepted {
        Config::parse(Path::new("c.toml"), text).unwrap_or_else(|e| panic!("the loader refuses {text:?}: {e}"));
        schema_verdict(Kind::Config, text).unwrap_or_else(|e| panic!("the schema refuses {text:?}: {e}"));
    }
}

/// A threshold's bound as the loader reads it (`Bound::from_str`, then the validator's range)
/// and as the schema's pattern does agree, string by string. Where they may not, the schema is
/// the one that lets a value through, and the exceptions are named here.
#[test]
fn bounds_are_read_alike() {
    let cases = [
        "> 70",
        ">70",
        "  >=  70  ",
        "< 5",
        "<= 80%",
        "<= 80 %",
        "<= 80%%",
        "> 1_000",
        "> _1_0_",
        "> 0",
        "> 0.5",
        "> .5",
        "> 5.",
        "> 1e3",
        "> 1E-3",
        "> 1e_3",
        "> +5",
        "> 100",
        "> 100.0",
        "> 100.000_1",
        "> 99.99",
        "> 150",
        "> 1e2",
        "> 0100",
        "> 000.5",
        "= 5",
        "> ",
        ">",
        "70",
        "> five",
        "> -5",
        "> 5 5",
        "> 5%_",
        "> 5% %",
        "=> 5",
        "> inf",
        "> NaN",
        "> .",
        "> 1e",
        "> 1.2.3",
    ];
    // The schema cannot compare a number written with an exponent to 100: "> 1e3" of a
    // percentage of a maximum passes the schema (the validator still refuses it).
    let exponent_over_100 = |s: &str| s.contains(['e', 'E']);
    for metric in ["queue_depth", "redis_memory"] {
        for s in cases {
            let text = format!("[thresholds]\n{metric} = {{ warn = {s:?} }}");
            let loader = Config::parse(Path::new("c.toml"), &text).is_ok();
            let schema = schema_verdict(Kind::Config, &text).is_ok();
            if metric == "redis_memory" && exponent_over_100(s) && schema && !loader {
                continue;
            }
            assert_eq!(schema, loader, "{metric} warn = {s:?}: schema accepts: {schema}, loader accepts: {loader}");
        }
    }
}

#[test]
fn keys_and_commands_are_read_alike() {
    let keys = [
        "q",
        "G",
        "?",
        "<",
        ">",
        " ",
        "é",
        "<C-c>",
        "<S-Tab>",
        "<A-S-x>",
        "<C-A-S-Enter>",
        "<Enter>",
        "<Esc>",
        "<Space>",
        "<PageDown>",
        "<F1>",
        "<F12>",
        "<F01>",
        "<F13>",
        "<F0>",
        "<F>",
        "<C-->",
        "<C->",
        "<>",
        "<Ctrl-x>",
        "<enter>",
        "ab",
        "",
        "<C-c",
        "C-c>",
        "<<>",
        "<C-F5>",
        "<Fx>",
    ];
    for k in keys {
        let loader = k.parse::<Key>().is_ok();
        let text = format!("[dashboard]\nprepend_keymap = [{{ on = {k:?}, run = \"quit\" }}]");
        let schema = schema_verdict(Kind::Keymap, &text).is_ok();
        assert_eq!(schema, loader, "key {k:?}: schema accepts: {schema}, loader accepts: {loader}");
    }
    let mut commands = schema::keys::commands();
    commands.extend(
        [
            "  quit ",
            "focus  events",
            "start\tscale-api",
            "quit now",
            "focus",
            "focus nowhere",
            "start",
            "start x",
            "explode",
            "Quit",
            "start scale-api now",
            "",
        ]
        .map(String::from),
    );
    for c in commands {
        let loader = c.parse::<Command>().is_ok();
        let text = format!("[dashboard]\nprepend_keymap = [{{ on = \"x\", run = {c:?} }}]");
        let schema = schema_verdict(Kind::Keymap, &text).is_ok();
        assert_eq!(schema, loader, "command {c:?}: schema accepts: {schema}, loader accepts: {loader}");
    }
    // A chord may not be empty.
    let text = "[dashboard]\nprepend_keymap = [{ on = [], run = \"quit\" }]";
    assert!(schema_verdict(Kind::Keymap, text).is_err());
}

/// Each shipped file is what `cockpit config schema` prints today: regenerate with
/// `cargo run -- config schema KIND > schemas/KIND.schema.json` (CONTRIBUTING.md).
#[test]
fn the_shipped_schemas_are_what_the_binary_prints() {
    for kind in Kind::ALL {
        let o = Process::new(env!("CARGO_BIN_EXE_cockpit"))
            .args(["config", "schema", kind.name()])
            .env("COCKPIT_CONFIG_DIR", "/nonexistent")
            .output()
            .expect("cockpit runs");
        assert!(o.status.success(), "{}: {}", kind.name(), String::from_utf8_lossy(&o.stderr));
        let printed = String::from_utf8(o.stdout).expect("UTF-8");
        let shipped = read(&repo(&kind.file()));
        assert!(
            printed == shipped,
            "{} differs from `cockpit config schema {}`: regenerate it (see CONTRIBUTING.md)",
            kind.file(),
            kind.name()
        );
        let schema: Value = serde_json::from_str(&printed).expect("JSON");
        jsonschema::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{}: not a valid 2020-12 schema: {e}", kind.name()));
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
    // Without an argument: the config's.
    let o = Process::new(env!("CARGO_BIN_EXE_cockpit")).args(["config", "schema"]).output().expect("cockpit runs");
    assert_eq!(String::from_utf8_lossy(&o.stdout), read(&repo("schemas/config.schema.json")));
}

/// The schema describes files, it does not read them: a broken config does not stop it.
#[test]
fn config_schema_needs_no_valid_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("config.toml");
    std::fs::write(&bad, "refresh_secs = \"soon\"\n").expect("write");
    let o = Process::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["--config", bad.to_str().expect("UTF-8 path"), "config", "schema", "theme"])
        .output()
        .expect("cockpit runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), read(&repo("schemas/theme.schema.json")));
    let o = Process::new(env!("CARGO_BIN_EXE_cockpit")).args(["config", "schema", "colours"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2), "an unknown kind is a usage error");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("config, theme, keymap"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
