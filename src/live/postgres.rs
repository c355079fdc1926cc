//! The PostgreSQL client: a libpq-style connection string or URL from the config or
//! `DATABASE_URL`, else the service named by `PGSERVICE` and the `PG*` variables; the password
//! may come from `password_file`, `PGPASSWORD` or libpq's password file (`PGPASSFILE`,
//! `~/.pgpass`). TLS follows libpq's `sslmode` (disable, prefer, require, verify-ca,
//! verify-full) with `sslrootcert`.

use super::Env;
use super::classify;
use super::pg_tls::{self, MakeRustls, Verify};
use super::redact;
use crate::config::sources::PostgresConfig;
use crate::model::{FailureKind, SourceFailure};
use std::path::PathBuf;
use std::time::Duration;
use tokio_postgres::config::SslMode;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    fn parse(s: &str) -> Result<TlsMode, String> {
        Ok(match s {
            "disable" | "allow" => TlsMode::Disable,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => return Err(format!("unknown sslmode {other:?}")),
        })
    }
}

#[derive(Clone)]
pub struct PgTarget {
    pub config: tokio_postgres::Config,
    pub tls: TlsMode,
    pub root_cert: Option<PathBuf>,
    /// host:port/dbname, for messages.
    pub display: String,
}

/// The settings, `None` when neither the config, `DATABASE_URL` nor `PGHOST`/`PGDATABASE`
/// say where the database is.
pub fn resolve(cfg: &PostgresConfig, env: &Env) -> Option<Result<PgTarget, SourceFailure>> {
    let text = match cfg.url.clone().or_else(|| env.get("DATABASE_URL").map(str::to_string)) {
        Some(t) => t,
        None if env.get("PGSERVICE").is_some() => match super::pg_files::service(env) {
            Some(Ok(service)) => {
                // The service's values first; the PG* variables for what it leaves out.
                let rest = from_pg_env(env);
                let keys: Vec<&str> =
                    service.split_whitespace().filter_map(|p| p.split_once('=')).map(|(k, _)| k).collect();
                let rest: Vec<&str> =
                    rest.split(' ').filter(|p| p.split_once('=').is_some_and(|(k, _)| !keys.contains(&k))).collect();
                format!("{service} {}", rest.join(" "))
            }
            Some(Err(e)) => return Some(Err(classify::failure(FailureKind::Other, "postgres", &e))),
            None => from_pg_env(env),
        },
        None if ["PGHOST", "PGHOSTADDR", "PGDATABASE"].iter().any(|k| env.get(k).is_some()) => from_pg_env(env),
        None => return None,
    };
    Some(build(cfg, env, &text))
}

/// A key=value string from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, PGSSLROOTCERT,
/// PGCONNECT_TIMEOUT and PGAPPNAME (PGPASSWORD is applied later, like a password file).
fn from_pg_env(env: &Env) -> String {
    let pairs = [
        ("host", "PGHOST"),
        ("hostaddr", "PGHOSTADDR"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("dbname", "PGDATABASE"),
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
        ("application_name", "PGAPPNAME"),
    ];
    pairs.iter().filter_map(|(k, var)| env.get(var).map(|v| super::pg_files::pair(k, v))).collect::<Vec<_>>().join(" ")
}

fn build(cfg: &PostgresConfig, env: &Env, text: &str) -> Result<PgTarget, SourceFailure> {
    let bad = |detail: String| classify::failure(FailureKind::Other, "postgres", &detail);
    let source = if cfg.url.is_some() {
        "postgres.url"
    } else if env.get("DATABASE_URL").is_some() {
        "DATABASE_URL"
    } else if env.get("PGSERVICE").is_some() {
        "PGSERVICE"
    } else {
        "the PG* variables"
    };
    redact::register_conninfo(text);
    // Neither a URL nor key=value pairs (a URL that lost its "://"): never echoed, since the
    // password may be anywhere in it.
    let mut words = text.split_whitespace();
    let (first, second) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let key_value = first.contains('=') || second.starts_with('=');
    if !text.contains("://") && !key_value && !first.is_empty() {
        let problem = redact::url_problem(text).unwrap_or_else(|| "it is not a URL".into());
        return Err(bad(format!(
            "{source} is neither a URL nor key=value pairs: {problem}; expected a URL that \
             starts with postgres:// or postgresql://, or key=value pairs such as host=… dbname=…"
        )));
    }
    let (rest, sslmode, root_cert) = take_tls_options(text);
    let tls = match sslmode.or_else(|| env.get("PGSSLMODE").map(str::to_string)) {
        Some(m) => TlsMode::parse(&m).map_err(bad)?,
        None => TlsMode::Prefer,
    };
    let root_cert = root_cert.or_else(|| env.get("PGSSLROOTCERT").map(str::to_string)).map(PathBuf::from);
    let mut config: tokio_postgres::Config = rest.parse().map_err(|e: tokio_postgres::Error| {
        bad(format!("{source} is not a valid connection string: {}", parse_error(&e)))
    })?;
    if let Some(file) = &cfg.password_file {
        let pw = std::fs::read_to_string(file).map_err(|e| bad(format!("password_file {}: {e}", file.display())))?;
        config.password(pw.trim_end_matches(['\n', '\r']));
    } else if let (None, Some(pw)) = (config.get_password(), env.get("PGPASSWORD")) {
        config.password(pw);
    }
    if let (None, Some(user)) = (config.get_user(), env.get("PGUSER").or_else(|| env.get("USER"))) {
        config.user(user);
    }
    if config.get_password().is_none() {
        // libpq's password file, matched on the first host, its port, the database and the user.
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or_default().to_string();
        let dbname = config.get_dbname().map(str::to_string).unwrap_or_else(|| user.clone());
        match super::pg_files::password(env, &host, port, &dbname, &user) {
            Ok(Some(pw)) => {
                config.password(pw);
            }
            Ok(None) => {}
            Err(why) => tracing::warn!("postgres: {why}"),
        }
    }
    if let Some(pw) = config.get_password().and_then(|p| std::str::from_utf8(p).ok()) {
        redact::register(pw);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("cockpit");
    }
    config.ssl_mode(match tls {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    let display = describe(&config);
    Ok(PgTarget { config, tls, root_cert, display })
}

/// A parse error of tokio-postgres, which names an unknown option by its whole text (a
/// mistyped URL would be echoed there, password included): only a plain option name is kept.
fn parse_error(e: &tokio_postgres::Error) -> String {
    let text = classify::chain(e);
    if let Some(key) = text.split_once("unknown option `").and_then(|(_, k)| k.rsplit_once('`')).map(|(k, _)| k)
        && !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return "an option name is not a plain word (a URL without \"://\"?)".into();
    }
    redact::redact(&text)
}

fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
}

/// Take `sslmode` and `sslrootcert` out of a URL's query or a key=value string: tokio-postgres
/// knows neither verify-ca nor verify-full, so the TLS connector applies them itself.
fn take_tls_options(text: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |k: &str, v: &str| -> bool {
        match k {
            "sslmode" => mode = Some(v.to_string()),
            "sslrootcert" => root = Some(v.to_string()),
            _ => return false,
        }
        true
    };
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        let Some((base, query)) = text.split_once('?') else { return (text.to_string(), None, None) };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                !take(k, v)
            })
            .collect();
        let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        return (rest, mode, root);
    }
    let mut kept = Vec::new();
    for (k, v, raw) in kv_tokens(text) {
        if !take(&k, &v) {
            kept.push(raw);
        }
    }
    (kept.join(" "), mode, root)
}

/// The `key=value` pairs of a libpq string, values unquoted, with each pair's raw text.
fn kv_tokens(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut key = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|(_, c)| *c == '=') {
            chars.next();
            while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                chars.next();
            }
            if chars.peek().is_some_and(|(_, c)| *c == '\'') {
                chars.next();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '\'' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        let end = chars.peek().map(|(i, _)| *i).unwrap_or(text.len());
        out.push((key, value, text[start..end].to_string()));
    }
    out
}

/// A connected client whose connection runs in a task of its own.
pub async fn connect(target: &PgTarget) -> Result<tokio_postgres::Client, SourceFailure> {
    let context = format!("connecting to {}", target.display);
    let client = match target.tls {
        TlsMode::Disable => {
            let (client, conn) =
                target.config.connect(tokio_postgres::NoTls).await.map_err(|e| classify::postgres(&context, &e))?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!("postgres connection ended: {}", classify::chain(&e));
                }
            });
            client
        }
        mode => {
            let verify = match mode {
                TlsMode::VerifyFull => Verify::Full,
                TlsMode::VerifyCa => Verify::Chain,
                _ if target.root_cert.is_some() => Verify::Chain,
                _ => Verify::None,
            };
            let roots = pg_tls::roots(target.root_cert.as_deref())
                .map_err(|e| classify::failure(FailureKind::Other, &context, &e))?;
            let tls =
                MakeRustls::new(verify, roots).map_err(|e| classify::failure(FailureKind::Other, &context, &e))?;
            let (client, conn) = target.config.connect(tls).await.map_err(|e| classify::postgres(&context, &e))?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!("postgres connection ended: {}", classify::chain(&e));
                }
            });
            client
        }
    };
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_options_are_taken_out_of_urls_and_key_values() {
        let (rest, mode, root) = take_tls_options("postgres://u:p@h:5/db?sslmode=verify-full&application_name=x");
        assert_eq!(
            (rest.as_str(), mode.as_deref(), root),
            ("postgres://u:p@h:5/db?application_name=x", Some("verify-full"), None)
        );
        let (rest, mode, root) = take_tls_options("host=h sslmode = verify-ca sslrootcert='/a b/ca.pem' dbname=d");
        assert_eq!(rest, "host=h dbname=d");
        assert_eq!((mode.as_deref(), root.as_deref()), (Some("verify-ca"), Some("/a b/ca.pem")));
    }

    #[test]
    fn pg_variables_make_a_connection_string() {
        let env = Env::empty().with("PGHOST", "db.internal").with("PGPORT", "6432").with("PGUSER", "o'neil");
        let target = build(&PostgresConfig::default(), &env, &from_pg_env(&env)).expect("valid");
        assert_eq!(target.display, "db.internal:6432/");
        assert_eq!(target.config.get_user(), Some("o'neil"));
        assert_eq!(target.tls, TlsMode::Prefer);
    }

    #[test]
    fn a_malformed_connection_string_is_described_never_echoed() {
        for text in [
            "postgres//app:SECRET-p1-x@db.internal/app",
            "postgresql:/app:SECRET-p1-x@db.internal/app",
            "postgres//app:SECRET-p1-x@db.internal/app?sslmode=require",
            "host=db password=SECRET-p1-x port=x",
        ] {
            let env = Env::empty().with("DATABASE_URL", text);
            let err = resolve(&PostgresConfig::default(), &env).and_then(Result::err).map(|f| f.message);
            let err = err.unwrap_or_default();
            assert!(err.contains("DATABASE_URL is"), "{text}: {err}");
            assert!(!err.contains("SECRET-p1"), "{err}");
        }
    }

    #[test]
    fn the_target_is_shown_by_host_port_and_database() {
        let env = Env::empty()
            .with("DATABASE_URL", "postgres://app:SECRET-p2-x@db.internal:6432/app")
            .with("PGPASSWORD", "x");
        let t = resolve(&PostgresConfig::default(), &env).and_then(Result::ok).map(|t| t.display);
        assert_eq!(t.as_deref(), Some("db.internal:6432/app"));
    }

    #[test]
    fn an_unknown_sslmode_is_refused() {
        let err = build(&PostgresConfig::default(), &Env::empty(), "host=h sslmode=sometimes").err();
        assert!(err.is_some_and(|e| e.message.contains("sometimes")));
    }
}
