//! No secret ever leaves the cockpit: distinctive secrets are seeded into every credential a
//! source or a notifier takes (a Redis password in a good URL and in malformed ones, a
//! PostgreSQL password in DATABASE_URL and in PGPASSWORD, an AWS secret key and session token,
//! a Slack-style webhook with a token in its path and its query, the environment of the notify
//! command, a kubeconfig's bearer token), then the real binary runs `check`, `snapshot` in
//! every format, `plan` and `run emergency` (with a webhook that fails and echoes its URL, one
//! that succeeds, and a command that fails printing its token) against the test peers, and the
//! full-screen UI in a pseudo-terminal. stdout, stderr, the screens, the debug log and the
//! journal are searched for every secret.

mod pty;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use support::live::kube_objects::{deployment, hpa};
use support::{Kmock, Moto, Postgres, PostgresOptions, RedisServer};

const NS: &str = "production";
/// Every seeded secret starts with this: no output may contain it.
const MARK: &str = "SECRET-";
const REDIS_PW: &str = "SECRET-redis-91f3";
const PG_PW: &str = "SECRET-pg-5c2e";
const PG_ENV_PW: &str = "SECRET-pgpass-e81b";
const AWS_KEY: &str = "SECRET-aws-key-0f6a";
const AWS_SESSION: &str = "SECRET-aws-session-b7d2";
const HOOK_PATH: &str = "/services/T000/B000/SECRET-hook-path-7d1e";
const HOOK_QUERY: &str = "token=SECRET-hook-query-3a9c";
const KUBE_TOKEN: &str = "SECRET-kube-token-44c0";
const CMD_TOKEN: &str = "SECRET-cmd-token-9e3f";

/// A loopback webhook: answers every request with `status` and a body that echoes the request
/// target, as many servers do in their error pages. Hands back the request lines it saw.
fn webhook(status: u16) -> Result<(u16, Arc<Mutex<Vec<String>>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(clone) = stream.try_clone() else { continue };
            let mut reader = BufReader::new(clone);
            let (mut first, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if first.is_empty() {
                    first = line.trim_end().to_string();
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let target = first.split(' ').nth(1).unwrap_or("").to_string();
            if let Ok(mut s) = record.lock() {
                s.push(first.clone());
            }
            let answer = if status == 200 { "ok".to_string() } else { format!("no_service: cannot POST {target}") };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    Ok((port, seen))
}

/// The cluster's part: each deployment's status follows its spec.
async fn play(kmock: &Kmock) -> Result<()> {
    let deps: Api<Deployment> = Api::namespaced(kmock.client().await?, NS);
    for name in ["api-server", "agent-worker"] {
        let d = deps.get(name).await?;
        let want = d.spec.replicas.unwrap_or(1);
        let status = json!({"status": {"replicas": want, "readyReplicas": want, "updatedReplicas": want,
            "availableReplicas": want, "observedGeneration": d.metadata.generation.unwrap_or(1)}});
        deps.patch_status(name, &PatchParams::default(), &Patch::Merge(status)).await?;
    }
    Ok(())
}

/// Everything the cockpit showed or wrote, by where it came from.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.0.push((what.into(), text.into()));
    }

    /// Every line that holds a secret, with where it was seen.
    fn leaks(&self, extra: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for (what, text) in &self.0 {
            for line in text.lines() {
                if line.contains(MARK) || extra.iter().any(|s| line.contains(s)) {
                    out.push(format!("{what}: {line}"));
                }
            }
        }
        out
    }
}

struct Cockpit {
    home: PathBuf,
    log: PathBuf,
}

impl Cockpit {
    /// The binary with a clean environment plus `vars`, logging at debug level.
    fn run(&self, seen: &mut Seen, what: &str, vars: &[(&str, String)], args: &[&str]) -> Result<Output> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("USER", "oncall")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("COCKPIT_STATE_DIR", self.home.join("state"))
            .env("COCKPIT_CONFIG_DIR", self.home.join("config"))
            .args(["--log-file", &self.log.display().to_string(), "--log-level", "debug"])
            .args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output()?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_ne!(out.status.code(), Some(101), "{what} panicked:\n{text}");
        seen.add(format!("{what} (exit {:?})", out.status.code()), text);
        Ok(out)
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Every file under `dir`, read as text.
fn files_under(dir: &Path, seen: &mut Seen) -> Result<usize> {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    for e in entries {
        let p = e?.path();
        if p.is_dir() {
            n += files_under(&p, seen)?;
        } else if std::fs::symlink_metadata(&p)?.is_file() {
            seen.add(p.display().to_string(), String::from_utf8_lossy(&std::fs::read(&p)?).into_owned());
            n += 1;
        }
    }
    Ok(n)
}

fn config(aws: &str, notify: &str) -> String {
    format!("refresh_secs = 1\n[kubernetes]\nnamespace = \"{NS}\"\n{aws}\n[notify]\n{notify}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_screen_the_output_the_log_or_the_journal() -> Result<()> {
    let kmock = Arc::new(Kmock::start()?);
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let k = Arc::clone(&kmock);
    let player = tokio::spawn(async move {
        loop {
            let _ = play(&k).await;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });
    let redis = RedisServer::start_with_password(REDIS_PW)?;
    let pg = Postgres::start_with(PostgresOptions {
        password: PG_PW.into(),
        pg_stat_statements: false,
        ..PostgresOptions::default()
    })?;
    let moto = Moto::start()?;
    let kube_token = std::fs::read_to_string(kmock.kubeconfig_path())?
        .lines()
        .find_map(|l| l.trim().strip_prefix("token:").map(|t| t.trim().to_string()))
        .context("the kmock token")?;
    let (fail_port, _) = webhook(500)?;
    let (ok_port, ok_seen) = webhook(200)?;
    let closed_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();

    let home = tempfile::tempdir()?;
    let cockpit = Cockpit { home: home.path().to_path_buf(), log: home.path().join("log").join("cockpit.log") };
    let aws = format!(
        "[aws]\nenabled = true\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
         load_balancer = \"app/agentos-alb/50dc6c495c0c9188\"\nlatency_statistic = \"Maximum\"",
        moto.endpoint()
    );
    let hook = |port: u16| format!("webhook = \"http://127.0.0.1:{port}{HOOK_PATH}?{HOOK_QUERY}\"");
    let write = |name: &str, text: String| -> Result<String> {
        let p = home.path().join(name);
        std::fs::write(&p, text)?;
        Ok(p.display().to_string())
    };
    let cfg_fail = write("hook-fails.toml", config(&aws, &hook(fail_port)))?;
    let cfg_ok = write("hook-ok.toml", config(&aws, &hook(ok_port)))?;
    let cfg_cmd =
        write("command.toml", config(&aws, "command = \"echo \\\"chat: token $CHAT_TOKEN refused\\\" >&2; exit 3\""))?;
    let bad_kubeconfig = std::fs::read_to_string(kmock.kubeconfig_path())?.replace(&kube_token, KUBE_TOKEN);
    let bad_kubeconfig = write("bad-kubeconfig", bad_kubeconfig)?;

    let aws_env = [
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID".to_string()),
        ("AWS_SECRET_ACCESS_KEY", AWS_KEY.to_string()),
        ("AWS_SESSION_TOKEN", AWS_SESSION.to_string()),
        ("CHAT_TOKEN", CMD_TOKEN.to_string()),
    ];
    let good: Vec<(&str, String)> = [
        ("KUBECONFIG", kmock.kubeconfig_path().display().to_string()),
        ("REDIS_URL", redis.url()),
        ("DATABASE_URL", pg.url()),
    ]
    .into_iter()
    .chain(aws_env.iter().cloned())
    .collect();
    assert!(redis.url().contains(REDIS_PW) && pg.url().contains(PG_PW));
    let malformed: Vec<(&str, String)> = [
        ("KUBECONFIG", bad_kubeconfig.clone()),
        ("REDIS_URL", format!("redis//:{REDIS_PW}-a@127.0.0.1:{}", redis.port())),
        ("DATABASE_URL", format!("postgres//cockpit:{PG_PW}-a@127.0.0.1:{}/cockpit", pg.port())),
    ]
    .into_iter()
    .chain(aws_env.iter().cloned())
    .collect();
    let malformed_too: Vec<(&str, String)> = [
        ("KUBECONFIG", kmock.kubeconfig_path().display().to_string()),
        ("REDIS_URL", format!("redis:/:{REDIS_PW}-b@127.0.0.1:{}", redis.port())),
        ("DATABASE_URL", format!("postgres://cockpit@127.0.0.1:{}/cockpit", pg.port())),
        ("PGPASSWORD", PG_ENV_PW.to_string()),
    ]
    .into_iter()
    .chain(aws_env.iter().cloned())
    .collect();
    let refused: Vec<(&str, String)> = vec![
        ("REDIS_URL", format!("redis://:{REDIS_PW}-c@127.0.0.1:{closed_port}/0?protocol=resp3")),
        ("DATABASE_URL", format!("host=127.0.0.1 port={closed_port} user=cockpit password='{PG_PW}-c' dbname=x")),
    ];

    let mut seen = Seen::default();
    let s = &mut seen;
    // check, snapshot in every format and plan, with every source configured and answering.
    let out = cockpit.run(s, "check", &good, &["--config", &cfg_fail, "check"])?;
    assert!(text(&out).contains("redis       ok") && text(&out).contains("postgres    ok"), "{}", text(&out));
    for format in ["text", "json", "markdown"] {
        cockpit.run(
            s,
            &format!("snapshot {format}"),
            &good,
            &["--config", &cfg_fail, "snapshot", "--format", format],
        )?;
    }
    let out = cockpit.run(s, "plan emergency", &good, &["--config", &cfg_fail, "plan", "emergency"])?;
    assert!(text(&out).contains("Declare the emergency"), "{}", text(&out));

    // The emergency with a webhook that fails (and echoes its URL), then one that succeeds,
    // then a notify command that fails printing its token.
    let emergency = ["run", "emergency", "--yes", "--confirm-word", "EMERGENCY", "--set", "monitor=1"];
    fn run<'a>(cfg: &'a str, emergency: &[&'a str]) -> Vec<&'a str> {
        [&["--config", cfg][..], emergency].concat()
    }
    let out = cockpit.run(s, "run emergency (webhook fails)", &good, &run(&cfg_fail, &emergency))?;
    let t = text(&out);
    assert!(t.contains(&format!("notify webhook http://127.0.0.1:{fail_port}")) && t.contains("answered 500"), "{t}");
    let out = cockpit.run(s, "run emergency (webhook ok)", &good, &run(&cfg_ok, &emergency))?;
    assert!(text(&out).contains("Declare the emergency"), "{}", text(&out));
    let sent = ok_seen.lock().map(|v| v.clone()).unwrap_or_default();
    assert_eq!(sent, vec![format!("POST {HOOK_PATH}?{HOOK_QUERY} HTTP/1.1")], "the whole URL is used to send");
    let out = cockpit.run(s, "run emergency (command fails)", &good, &run(&cfg_cmd, &emergency))?;
    assert!(text(&out).contains("notify command failed") && text(&out).contains("chat: token"), "{}", text(&out));

    // Malformed URLs, a refused token, PGPASSWORD, and peers that refuse the connection.
    let out = cockpit.run(s, "check (malformed)", &malformed, &["--config", &cfg_fail, "check"])?;
    let t = text(&out);
    assert!(t.contains("redis       FAILED") && t.contains("postgres    FAILED"), "{t}");
    assert!(t.contains("kubernetes  FAILED: authentication failed"), "{t}");
    cockpit.run(
        s,
        "snapshot json (malformed)",
        &malformed,
        &["--config", &cfg_fail, "snapshot", "--format", "json"],
    )?;
    let out = cockpit.run(s, "check (malformed, PGPASSWORD)", &malformed_too, &["--config", &cfg_fail, "check"])?;
    assert!(text(&out).contains("postgres    FAILED: authentication failed"), "PGPASSWORD was sent: {}", text(&out));
    cockpit.run(
        s,
        "snapshot markdown (malformed)",
        &malformed_too,
        &["--config", &cfg_ok, "snapshot", "--format", "markdown"],
    )?;
    let out = cockpit.run(s, "check (refused)", &refused, &["--config", &cfg_fail, "check"])?;
    assert!(text(&out).contains("redis       FAILED: connection refused"), "{}", text(&out));

    // The full-screen UI: the header, the panes, the Events pane zoomed.
    let (log, state) = (cockpit.log.display().to_string(), home.path().join("state").display().to_string());
    let home_s = home.path().display().to_string();
    let mut ui_env: Vec<(&str, String)> = malformed_too.clone();
    ui_env.extend([("HOME", home_s), ("COCKPIT_STATE_DIR", state)]);
    let env_refs: Vec<(&str, &str)> = ui_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut ui =
        pty::start_env(&["--config", &cfg_fail, "--log-file", &log, "--log-level", "debug"], 120, 40, &env_refs);
    ui.wait_for("kubernetes context kmock");
    let deadline = Instant::now() + Duration::from_secs(4);
    while Instant::now() < deadline {
        seen.add("screen", ui.screen());
        std::thread::sleep(Duration::from_millis(250));
    }
    ui.send(b"7");
    std::thread::sleep(Duration::from_millis(300));
    ui.send(b"z");
    let events = ui.wait_for("redis stale");
    seen.add("screen (events)", events);
    ui.send(b"q");
    ui.wait_exit();
    player.abort();

    let logs = files_under(&home.path().join("log"), &mut seen)?;
    let journals = files_under(&home.path().join("state").join("journal"), &mut seen)?;
    assert!(logs >= 1 && journals == 3, "{logs} log files, {journals} journals");
    let log_text = std::fs::read_to_string(&cockpit.log)?;
    assert!(log_text.contains(" DEBUG "), "the log was written at debug level");
    let leaks = seen.leaks(&[&kube_token]);
    assert!(leaks.is_empty(), "{} lines leak a secret:\n{}", leaks.len(), leaks.join("\n"));
    Ok(())
}
