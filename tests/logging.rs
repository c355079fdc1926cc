//! The log, through the real binary: it rotates daily and keeps `log_max_files`; a log that
//! cannot be opened (a read-only state dir, `--log-file` naming a directory, a read-only log
//! file) is a clear error or a warning and no log, never a panic; source failures and
//! recoveries and every action step are logged at info or warn, once per transition.
//!
//! The read-only cases run the binary as an unprivileged user (`setpriv` to nobody when the
//! tests run as root, who ignores file permissions; as themselves otherwise).

mod pty;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use support::RedisServer;

const BIN: &str = env!("CARGO_BIN_EXE_cockpit");
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// The binary with a clean environment, state and config under `home`; as nobody when root.
fn cockpit(home: &Path, unprivileged: bool, args: &[&str]) -> Result<Output> {
    let mut cmd = if unprivileged && is_root() {
        let mut c = Command::new("setpriv");
        c.args([&format!("--reuid={NOBODY}"), &format!("--regid={NOBODY}"), "--clear-groups", "--", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COCKPIT_STATE_DIR", home.join("state"))
        .env("COCKPIT_CONFIG_DIR", home.join("config"))
        .args(args);
    Ok(cmd.output()?)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A home that an unprivileged user can enter (a temp dir is 0700).
fn home() -> Result<tempfile::TempDir> {
    let home = tempfile::tempdir()?;
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755))?;
    Ok(home)
}

/// Give a path to the unprivileged user (nothing to do when not root: it is ours).
fn give_to_nobody(path: &Path) -> Result<()> {
    if is_root() {
        std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY))?;
    }
    Ok(())
}

fn no_panic(o: &Output) {
    let t = text(o);
    assert!(!t.contains("panicked") && o.status.code() != Some(101), "{t}");
}

#[test]
fn a_log_file_that_names_a_directory_is_a_usage_error_not_a_panic() -> Result<()> {
    let home = home()?;
    let dir = home.path().join("logs");
    std::fs::create_dir(&dir)?;
    let out = cockpit(home.path(), false, &["--log-file", &dir.display().to_string(), "check"])?;
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is a directory; name a file in it"), "{}", text(&out));
    Ok(())
}

#[test]
fn a_read_only_state_dir_means_a_warning_and_no_log() -> Result<()> {
    let home = home()?;
    let state = home.path().join("state");
    std::fs::create_dir(&state)?;
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o555))?;
    let out = cockpit(home.path(), true, &["check"])?;
    no_panic(&out);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "the check itself runs: {t}");
    assert!(t.contains("warning: running without a log") && t.contains("Permission denied"), "{t}");
    assert_eq!(std::fs::read_dir(&state)?.count(), 0, "nothing was written");

    // Asked for by name, the same file is an error.
    let file = state.join("cockpit.log").display().to_string();
    let out = cockpit(home.path(), true, &["--log-file", &file, "check"])?;
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(&format!("--log-file {file}:")), "{}", text(&out));
    Ok(())
}

#[test]
fn a_read_only_log_file_is_refused_and_left_as_it_was() -> Result<()> {
    let home = home()?;
    let state = home.path().join("state");
    std::fs::create_dir(&state)?;
    give_to_nobody(&state)?;
    let log = state.join("cockpit.log");
    std::fs::write(&log, "an old line\n")?;
    give_to_nobody(&log)?;
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o444))?;

    let out = cockpit(home.path(), true, &["--log-file", &log.display().to_string(), "check"])?;
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("cannot be written: Permission denied"), "{}", text(&out));

    let out = cockpit(home.path(), true, &["check"])?;
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("warning: running without a log"), "{}", text(&out));
    assert!(std::fs::symlink_metadata(&log)?.is_file(), "still the plain file");
    assert_eq!(std::fs::read_to_string(&log)?, "an old line\n");
    assert_eq!(std::fs::read_dir(&state)?.count(), 1, "nothing else written");
    Ok(())
}

/// Every regular file of the log's rotation in `dir`.
fn log_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("cockpit.log.")))
        .collect();
    out.sort();
    Ok(out)
}

#[test]
fn the_log_rotates_daily_and_keeps_log_max_files() -> Result<()> {
    let home = home()?;
    let (state, config) = (home.path().join("state"), home.path().join("config"));
    std::fs::create_dir_all(&state)?;
    std::fs::create_dir_all(&config)?;
    std::fs::write(config.join("config.toml"), "log_max_files = 3\n")?;
    for day in 1..=6 {
        std::fs::write(state.join(format!("cockpit.log.2020-01-0{day}")), format!("day {day}\n"))?;
    }
    let out = cockpit(home.path(), false, &["check"])?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let files = log_files(&state)?;
    assert_eq!(files.len(), 3, "two old files and today's: {files:?}");
    assert!(!files.iter().any(|f| f.ends_with("cockpit.log.2020-01-01")), "the oldest went first: {files:?}");
    let link = state.join("cockpit.log");
    assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink());
    let today = std::fs::canonicalize(&link)?;
    assert!(!today.display().to_string().contains("2020-01"), "{today:?}");
    assert!(std::fs::read_to_string(&link)?.contains("cockpit starting"));
    Ok(())
}

#[test]
fn log_max_files_out_of_range_is_a_config_error_with_its_place() -> Result<()> {
    let home = home()?;
    std::fs::create_dir_all(home.path().join("config"))?;
    std::fs::write(home.path().join("config/config.toml"), "refresh_secs = 2\nlog_max_files = 0\n")?;
    let out = cockpit(home.path(), false, &["check"])?;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("config.toml:2:17: log_max_files = 0: expected a number of files from 1 to 3660"),
        "{}",
        text(&out)
    );
    Ok(())
}

#[test]
fn every_action_step_is_logged_at_info_with_its_outcome() -> Result<()> {
    let home = home()?;
    let log = home.path().join("cockpit.log");
    let out = cockpit(
        home.path(),
        false,
        &["--log-file", &log.display().to_string(), "run", "scale-api", "--demo", "--yes", "--replicas", "9"],
    )?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let text = std::fs::read_to_string(&log)?;
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("scale-api:")).collect();
    assert!(lines.iter().any(|l| l.contains(" INFO ") && l.contains("scale-api: started on")), "{text}");
    let steps = lines.iter().filter(|l| l.contains(": started") && l.contains(" step ")).count();
    let ended = lines.iter().filter(|l| l.contains(" step ") && !l.contains(": started")).count();
    assert!(steps >= 2 && steps == ended, "each step started and ended once: {text}");
    assert!(lines.iter().any(|l| l.contains(" INFO ") && l.contains(": done")), "{text}");
    assert!(lines.last().is_some_and(|l| l.contains("scale-api: completed")), "{text}");
    Ok(())
}

fn wait_log(log: &Path, what: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if ok(&text) {
            return Ok(text);
        }
        anyhow::ensure!(Instant::now() < deadline, "no {what} in the log:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_source_that_fails_and_recovers_is_logged_once_each_way() -> Result<()> {
    let mut redis = RedisServer::start()?;
    let home = home()?;
    let cfg = home.path().join("config.toml");
    std::fs::write(&cfg, "refresh_secs = 0.5\n")?;
    let log = home.path().join("cockpit.log");
    let (cfg_s, log_s, url, home_s) =
        (cfg.display().to_string(), log.display().to_string(), redis.url(), home.path().display().to_string());
    let mut s = pty::start_env(
        &["--config", &cfg_s, "--log-file", &log_s],
        100,
        30,
        &[("REDIS_URL", &url), ("HOME", &home_s), ("KUBECONFIG", ""), ("DATABASE_URL", ""), ("AWS_ACCESS_KEY_ID", "")],
    );
    wait_log(&log, "redis live", |t| t.contains("redis: live"))?;
    redis.kill()?;
    wait_log(&log, "redis down", |t| t.contains("redis: down"))?;
    // Several failed refreshes (every 0.5 s at most) while it is down.
    std::thread::sleep(Duration::from_secs(3));
    redis.restart()?;
    let text = wait_log(&log, "the recovery", |t| t.contains("redis: recovered"))?;
    s.send(b"q");
    s.wait_exit();
    let redis_lines: Vec<&str> = text.lines().filter(|l| l.contains("source=redis")).collect();
    assert_eq!(redis_lines.len(), 3, "live, down, recovered: one line each\n{text}");
    assert!(redis_lines[1].contains(" WARN ") && redis_lines[1].contains("connection refused"), "{text}");
    let recovered = redis_lines[2];
    assert!(recovered.contains(" INFO ") && recovered.contains("failed refreshes"), "{text}");
    let tries: u32 = recovered
        .split("down (")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .context("the number of failed refreshes")?;
    assert!(tries >= 3, "several retries, one line: {recovered}");
    Ok(())
}
