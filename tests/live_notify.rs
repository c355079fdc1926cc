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
        write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnope")?;
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
    server.join().map_err(|_| anyhow::anyhow!("server thread"))??;
    Ok(())
}
