//! The PostgreSQL source and the database operations of the live platform, against a real
//! PostgreSQL 15.

mod support;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use cockpit::live::{Clock, Env, Targets};
use cockpit::model::FailureKind;
use cockpit::model::state::{PostgresState, SourceData};
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use cockpit::sources::poll::refresh_once;
use cockpit::sources::postgres::PostgresSource;
use support::live::{config, env};
use support::{Postgres, PostgresOptions};

fn pg_config(url: &str) -> cockpit::config::Config {
    let mut c = config(1.0);
    c.postgres.url = Some(url.to_string());
    c
}

async fn source(c: &cockpit::config::Config, e: &Env) -> Result<PostgresSource> {
    let targets = Targets::resolve(c, e).await;
    let target = targets.postgres.context("postgres configured")?.map_err(|f| anyhow::anyhow!("{f}"))?;
    Ok(PostgresSource::new(target))
}

async fn read(src: &mut PostgresSource) -> Result<PostgresState> {
    match refresh_once(src, Duration::from_secs(10)).await {
        Ok(SourceData::Postgres(p)) => Ok(p),
        other => bail!("not a postgres refresh: {other:?}"),
    }
}

#[tokio::test]
async fn connections_long_queries_and_statements_match_psql() -> Result<()> {
    let pg = Postgres::start_with(PostgresOptions {
        settings: vec![("max_connections".into(), "37".into())],
        ..Default::default()
    })?;
    let home = tempfile::tempdir()?;
    // Three idle clients and one running a long query.
    let mut held = Vec::new();
    for _ in 0..4 {
        let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        held.push(client);
    }
    let sleeper = held.pop().context("a client")?;
    let long =
        tokio::spawn(async move { sleeper.simple_query("SELECT pg_sleep(30) /* cockpit-long */").await.map(drop) });
    let mut src = source(&pg_config(&pg.url()), &env(home.path())).await?;
    let mut p = read(&mut src).await?;
    for _ in 0..50 {
        if p.longest.iter().any(|q| q.query.contains("cockpit-long")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        p = read(&mut src).await?;
    }
    assert_eq!(p.max_connections, 37, "SHOW max_connections");
    assert_eq!(pg.psql(&["SHOW max_connections"])?.trim(), "37");
    let q = p.longest.iter().find(|q| q.query.contains("cockpit-long")).context("the long query is listed")?;
    assert_eq!(q.state, "active");
    assert!(q.seconds >= 0.0 && q.seconds < 60.0, "{q:?}");
    // psql's own count, taken by the same rule (client backends), minus psql itself.
    let psql_total: u32 = pg
        .psql(&["SELECT count(*) - 1 FROM pg_stat_activity WHERE backend_type = 'client backend'"])?
        .trim()
        .parse()?;
    assert_eq!(p.total, psql_total, "{:?}", p.by_state);
    assert!(p.by_state.get("idle").copied().unwrap_or(0) >= 3, "{:?}", p.by_state);
    assert!(p.active() >= 2, "the sleeper and the cockpit's own batch: {:?}", p.by_state);
    assert!(p.replica_lag.is_empty(), "a primary without standbys: {:?}", p.replica_lag);
    let top = p.top_statements.context("pg_stat_statements is loaded")?;
    assert!(!top.is_empty() && top.iter().all(|s| s.calls > 0));
    assert!(p.round_trip_ms > 0.0);
    long.abort();
    Ok(())
}

#[tokio::test]
async fn without_pg_stat_statements_the_statements_are_not_available() -> Result<()> {
    let pg = Postgres::start_with(PostgresOptions { pg_stat_statements: false, ..Default::default() })?;
    let home = tempfile::tempdir()?;
    let p = read(&mut source(&pg_config(&pg.url()), &env(home.path())).await?).await?;
    assert_eq!(p.top_statements, None);
    assert!(p.max_connections > 0 && p.total >= 1);
    Ok(())
}

#[tokio::test]
async fn pg_variables_alone_configure_the_source() -> Result<()> {
    let pg = Postgres::start()?;
    let home = tempfile::tempdir()?;
    let e = env(home.path())
        .with("PGHOST", "127.0.0.1")
        .with("PGPORT", pg.port().to_string())
        .with("PGUSER", pg.user())
        .with("PGPASSWORD", pg.password())
        .with("PGDATABASE", pg.dbname())
        .with("PGSSLMODE", "disable");
    let p = read(&mut source(&config(1.0), &e).await?).await?;
    assert!(p.max_connections > 0);
    Ok(())
}

/// libpq's files as a psql user has them: PGSERVICE names a section of ~/.pg_service.conf and
/// the password is in ~/.pgpass (0600); no PGPASSWORD, no URL.
#[tokio::test]
async fn a_service_file_and_a_password_file_configure_the_source() -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let pg = Postgres::start()?;
    let home = tempfile::tempdir()?;
    std::fs::write(
        home.path().join(".pg_service.conf"),
        format!(
            "[agentos]\nhost=127.0.0.1\nport={}\ndbname={}\nuser={}\nsslmode=disable\n",
            pg.port(),
            pg.dbname(),
            pg.user()
        ),
    )?;
    let pgpass = home.path().join(".pgpass");
    std::fs::write(&pgpass, format!("127.0.0.1:{}:*:{}:{}\n", pg.port(), pg.user(), pg.password()))?;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600))?;
    let e = env(home.path()).with("PGSERVICE", "agentos");
    let p = read(&mut source(&config(1.0), &e).await?).await?;
    assert!(p.max_connections > 0);
    // A password file others can read is ignored, as libpq ignores it: authentication fails.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644))?;
    let f = match source(&config(1.0), &e).await {
        Ok(mut s) => read(&mut s).await.err().map(|e| e.to_string()).unwrap_or_default(),
        Err(e) => e.to_string(),
    };
    assert!(!f.is_empty() && !f.contains(pg.password()), "{f}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_failure_without_the_password() -> Result<()> {
    let pg = Postgres::start()?;
    let home = tempfile::tempdir()?;
    let url = format!("postgres://{}:not-the-pw-42@127.0.0.1:{}/{}", pg.user(), pg.port(), pg.dbname());
    let f = refresh_once(&mut source(&pg_config(&url), &env(home.path())).await?, Duration::from_secs(10))
        .await
        .err()
        .context("refused")?;
    assert_eq!(f.kind, FailureKind::Authentication, "{f}");
    assert!(f.message.contains("28P01") && f.message.contains("password authentication failed"), "{f}");
    assert!(!f.message.contains("not-the-pw-42"), "{f}");
    Ok(())
}

#[tokio::test]
async fn the_live_platform_pings_and_reads_max_connections() -> Result<()> {
    let pg = Postgres::start()?;
    let home = tempfile::tempdir()?;
    let c = pg_config(&pg.url());
    let targets = Targets::resolve(&c, &env(home.path())).await;
    let p = LivePlatform::connect(&c, &targets, Clock::start()).await;
    assert!(p.db_ping().await? > 0.0);
    let want: u32 = pg.psql(&["SHOW max_connections"])?.trim().parse()?;
    assert_eq!(p.db_max_connections().await?, want);
    Ok(())
}

/// A CA, and a server certificate it signed for the name "db.internal" only.
fn certificates(dir: &std::path::Path) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let out = std::process::Command::new("openssl").args(args).current_dir(dir).output()?;
        anyhow::ensure!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    };
    for ca in ["ca", "other-ca"] {
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN=cockpit test {ca}"),
        ])?;
    }
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=db.internal",
    ])?;
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:db.internal\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ])?;
    // The server runs as `postgres` when the tests run as root: its key must be its own, 0600.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600))?;
    if support::process::is_root() {
        let passwd = std::fs::read_to_string("/etc/passwd")?;
        let ids = passwd.lines().find(|l| l.starts_with("postgres:")).context("a postgres user")?;
        let f: Vec<&str> = ids.split(':').collect();
        let (uid, gid): (u32, u32) = (f[2].parse()?, f[3].parse()?);
        for name in ["", "server.key", "server.pem"] {
            std::os::unix::fs::chown(dir.join(name), Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn tls_modes_follow_libpq() -> Result<()> {
    let certs = tempfile::tempdir()?;
    certificates(certs.path())?;
    let path = |f: &str| certs.path().join(f).display().to_string();
    let pg = Postgres::start_with(PostgresOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), path("server.pem")),
            ("ssl_key_file".into(), path("server.key")),
        ],
        ..Default::default()
    })?;
    let home = tempfile::tempdir()?;
    let attempt = |query: String| {
        let url = format!("{}?{query}", pg.url());
        let home = home.path().to_path_buf();
        async move {
            refresh_once(&mut source(&pg_config(&url), &env(&home)).await?, Duration::from_secs(10))
                .await
                .map_err(|f| anyhow::anyhow!("{f}"))
        }
    };
    attempt("sslmode=require".into()).await.context("require: encrypted, any certificate")?;
    attempt(format!("sslmode=verify-ca&sslrootcert={}", path("ca.pem")))
        .await
        .context("verify-ca: the chain checks out")?;
    let name = attempt(format!("sslmode=verify-full&sslrootcert={}", path("ca.pem")))
        .await
        .err()
        .context("verify-full: 127.0.0.1 is not db.internal")?;
    assert!(name.to_string().contains("certificate"), "{name}");
    let other =
        attempt(format!("sslmode=verify-ca&sslrootcert={}", path("other-ca.pem"))).await.err().context("another CA")?;
    assert!(other.to_string().contains("certificate"), "{other}");
    // The server does encrypt: pg_stat_ssl says so for the cockpit's `require` connection.
    let mut src =
        source(&pg_config(&format!("{}?sslmode=require&application_name=cockpit-tls", pg.url())), &env(home.path()))
            .await?;
    read(&mut src).await?;
    let encrypted = pg.psql(&["SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
                               WHERE a.application_name = 'cockpit-tls' AND s.ssl"])?;
    assert_eq!(encrypted.trim(), "1");
    Ok(())
}
