//! Telling people: a configured command (the message in `$COCKPIT_MESSAGE` and on its
//! stdin) or a webhook that receives `{"text": message}` as JSON.

use crate::config::sources::NotifyConfig;
use crate::live::redact::{self, redact};
use crate::platform::{ErrorKind, PResult, PlatformError};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

const TIMEOUT: Duration = Duration::from_secs(30);

pub async fn notify(cfg: &NotifyConfig, message: &str) -> PResult<()> {
    if cfg.command.is_none() && cfg.webhook.is_none() {
        return Err(PlatformError::new(
            ErrorKind::Invalid,
            "no notify.command or notify.webhook is configured: nobody was told",
        ));
    }
    if let Some(cmd) = &cfg.command {
        tokio::time::timeout(TIMEOUT, command(cmd, message)).await.map_err(|_| {
            PlatformError::new(ErrorKind::Timeout, format!("notify command did not finish within {TIMEOUT:?}"))
        })??;
    }
    if let Some(url) = &cfg.webhook {
        tokio::time::timeout(TIMEOUT, webhook(url, message))
            .await
            .map_err(|_| PlatformError::new(ErrorKind::Timeout, "notify webhook did not answer in time"))??;
    }
    Ok(())
}

async fn command(cmd: &str, message: &str) -> PResult<()> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("COCKPIT_MESSAGE", message)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| PlatformError::new(ErrorKind::Other, format!("notify command: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that ignores its stdin may close it early: that is not a failure.
        let _ = stdin.write_all(message.as_bytes()).await;
        let _ = stdin.write_all(b"\n").await;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| PlatformError::new(ErrorKind::Other, format!("notify command: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String =
            err.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ");
        // The command runs with the cockpit's environment and may print a token it was given.
        let tail = redact(&tail);
        return Err(PlatformError::new(ErrorKind::Other, format!("notify command failed ({}): {tail}", out.status)));
    }
    Ok(())
}

async fn webhook(url: &str, message: &str) -> PResult<()> {
    use http_body_util::{BodyExt, Full};
    // The URL is the credential (a Slack-style token in its path): shown as scheme and host only.
    redact::register_url(url, true);
    let shown = redact::shown_origin(url).map_err(|problem| {
        PlatformError::new(ErrorKind::Invalid, format!("notify.webhook is not a valid URL: {problem}"))
    })?;
    let bad = |e: String| PlatformError::new(ErrorKind::Unavailable, format!("notify webhook {shown}: {}", redact(&e)));
    crate::live::install_crypto_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| bad(e.to_string()))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: hyper_util::client::legacy::Client<_, Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
    let body = serde_json::to_vec(&serde_json::json!({ "text": message })).map_err(|e| bad(e.to_string()))?;
    let req = http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(bytes::Bytes::from(body)))
        .map_err(|e| bad(e.to_string()))?;
    let res = client.request(req).await.map_err(|e| bad(crate::live::classify::chain(&e)))?;
    let status = res.status();
    if !status.is_success() {
        let text = res
            .into_body()
            .collect()
            .await
            .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
            .unwrap_or_default();
        let said = format!(
            "notify webhook {shown}: answered {status}: {}",
            redact(&text.chars().take(200).collect::<String>())
        );
        // 5xx, 408 and 429 may pass on a retry; any other refusal (a revoked token: 403, a
        // deleted channel: 404) answers the same every time, so it is not retried.
        let kind = match status.as_u16() {
            408 | 429 => ErrorKind::Unavailable,
            s if s >= 500 => ErrorKind::Unavailable,
            401 | 403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            _ => ErrorKind::Invalid,
        };
        return Err(PlatformError::new(kind, said));
    }
    Ok(())
}
