//! The live platform's notify: a configured command gets the message in $COCKPIT_MESSAGE and
//! on stdin; a webhook receives `{"text": message}` as a JSON POST (a loopback server here).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use anyhow::{Context, Result};
use cockpit::live::{Clock, Targets};
use cockpit::platform::live::LivePlatform;
use cockpit::platform::{ErrorKind, Platform};
use support::live::{config, env};

async fn platform(c: &cockpit::config::Config) -> Result<LivePlatform> {
    let home = tempfile::tempdir()?;
    let targets = Targets::resolve(c, &env(home.path())).await;
    Ok(LivePlatform::connect(c, &targets, Clock::start()).await)
}

#[tokio::test]
async fn a_command_gets_the_message_in_the_environment_and_on_stdin() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (env_file, stdin_file) = (dir.path().join("env.txt"), dir.path().join("stdin.txt"));
    let mut c = config(1.0);
    c.notify.command =
        Some(format!("printf '%s' \"$COCKPIT_MESSAGE\" > {} && cat > {}", env_file.display(), stdin_file.display()));
    let p = platform(&c).await?;
    p.notify("EMERGENCY SCALE: starting").await?;
    assert_eq!(std::fs::read_to_string(&env_file)?, "EMERGENCY SCALE: starting");
    assert_eq!(std::fs::read_to_string(&stdin_file)?.trim_end(), "EMERGENCY SCALE: starting");
    c.notify.command = Some("echo 'no route to chat' >&2; exit 3".into());
    let err = platform(&c).await?.notify("x").await.err().context("a failing command")?;
    assert!(err.message.contains("no route to chat") && err.message.contains("3"), "{err}");
    c.notify.command = None;
    let err = platform(&c).await?.notify("x").await.err().context("nothing configured")?;
    assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
    Ok(())
}

/// One HTTP request on a loopback port: answers `status` and hands back the request.
fn serve_once(status: u16) -> Result<(u16, std::thread::JoinHandle<Result<String>>)> {
    serve_once_with(status, false)
}

/// Like [`serve_once`]; with `echo` the answer's body repeats the request target, as the
/// error pages of many servers do.
fn serve_once_with(status: u16, echo: bool) -> Result<(u16, std::thread::JoinHandle<Result<String>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let handle = std::thread::spawn(move || -> Result<String> {
        let (mut stream, _) = listener.accept()?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut head = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse()?;
            }
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let target = head.split(' ').nth(1).unwrap_or("").to_string();
        let answer = if echo { format!("no_service: cannot POST {target}") } else { "nope".into() };
        write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len())?;
        Ok(format!("{head}{}", String::from_utf8_lossy(&body)))
    });
    Ok((port, handle))
}

#[tokio::test]
async fn a_webhook_receives_the_text_as_json() -> Result<()> {
    let (port, server) = serve_once(200)?;
    let mut c = config(1.0);
    c.notify.webhook = Some(format!("http://127.0.0.1:{port}/hooks/oncall"));
    platform(&c).await?.notify("scale-workers: 5 → 12 by oncall").await?;
    let request = server.join().map_err(|_| anyhow::anyhow!("server thread"))??;
    assert!(request.starts_with("POST /hooks/oncall HTTP/1.1"), "{request}");
    assert!(request.to_ascii_lowercase().contains("content-type: application/json"), "{request}");
    let body: serde_json::Value = serde_json::from_str(request.split("\r\n\r\n").nth(1).context("a body")?)?;
    assert_eq!(body, serde_json::json!({"text": "scale-workers: 5 → 12 by oncall"}));
    let (port, server) = serve_once(500)?;
    c.notify.webhook = Some(format!("http://127.0.0.1:{port}/hooks/oncall"));
    let err = platform(&c).await?.notify("x").await.err().context("a 500")?;
    assert!(err.message.contains("500"), "{err}");
    assert!(err.is_transient(), "a 500 may pass on a retry");
    server.join().map_err(|_| anyhow::anyhow!("server thread"))??;
    // A refusal (a revoked token) answers the same every time: not retried.
    for (status, kind) in [(403, ErrorKind::Forbidden), (404, ErrorKind::NotFound), (400, ErrorKind::Invalid)] {
        let (port, server) = serve_once(status)?;
        c.notify.webhook = Some(format!("http://127.0.0.1:{port}/hooks/oncall"));
        let err = platform(&c).await?.notify("x").await.err().context("a refusal")?;
        assert!(err.message.contains(&status.to_string()) && err.kind == kind && !err.is_transient(), "{err:?}");
        server.join().map_err(|_| anyhow::anyhow!("server thread"))??;
    }
    Ok(())
}

/// A Slack-style webhook carries its token in its path: a failure shows the scheme and host
/// only, even when the server echoes the path back; a URL that does not parse is described
/// without being repeated.
#[tokio::test]
async fn a_webhook_is_shown_by_its_origin_and_its_token_never_appears() -> Result<()> {
    let (port, server) = serve_once_with(404, true)?;
    let mut c = config(1.0);
    c.notify.webhook = Some(format!("http://127.0.0.1:{port}/services/T000/B000/SECRET-hook-8b1?token=SECRET-q-2c4"));
    let err = platform(&c).await?.notify("x").await.err().context("a 404")?;
    let request = server.join().map_err(|_| anyhow::anyhow!("server thread"))??;
    assert!(request.starts_with("POST /services/T000/B000/SECRET-hook-8b1?token=SECRET-q-2c4 HTTP/1.1"), "{request}");
    assert!(err.message.starts_with(&format!("notify webhook http://127.0.0.1:{port}/…: answered 404")), "{err}");
    assert!(err.message.contains("no_service: cannot POST ***"), "the echo is scrubbed: {err}");
    assert!(!err.message.contains("SECRET") && !err.message.contains("T000"), "{err}");

    for (url, problem) in [
        ("hooks.slack.com/services/T000/B000/SECRET-hook-9d", "does not start with a scheme"),
        ("https:/hooks.slack.com/services/T000/B000/SECRET-hook-9d", "a \"/\" is missing"),
        ("https://hooks.slack.com:44x/services/SECRET-hook-9d", "port"),
    ] {
        c.notify.webhook = Some(url.into());
        let err = platform(&c).await?.notify("x").await.err().context("an invalid URL")?;
        assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
        assert!(err.message.contains("notify.webhook is not a valid URL") && err.message.contains(problem), "{err}");
        assert!(!err.message.contains("SECRET") && !err.message.contains("hooks.slack"), "{err}");
    }
    Ok(())
}
