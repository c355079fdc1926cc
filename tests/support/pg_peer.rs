//! A PostgreSQL 15 test peer: initdb into a temp dir, `postgres` on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use tempfile::TempDir;

use super::process::{self, INSTALL_HINT, PeerProcess, PortLease, Spawn, is_root};

/// Where the server binaries are (COCKPIT_PG_BIN overrides).
pub fn pg_bin() -> Result<PathBuf> {
    let dir = std::env::var("COCKPIT_PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    let dir = PathBuf::from(dir);
    if !dir.join("initdb").is_file() || !dir.join("postgres").is_file() {
        return Err(anyhow!("PostgreSQL 15 not found in {} (initdb, postgres): {INSTALL_HINT}", dir.display()));
    }
    Ok(dir)
}

/// Options of [`Postgres::start_with`].
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// `shared_preload_libraries=pg_stat_statements` and `CREATE EXTENSION` in the database.
    pub pg_stat_statements: bool,
    /// A superuser that logs in over TCP with this password (scram-sha-256).
    pub user: String,
    pub password: String,
    /// Created at the first start (unless "postgres").
    pub dbname: String,
    /// More `-c name=value` settings, e.g. ("log_min_duration_statement", "0").
    pub settings: Vec<(String, String)>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pg_stat_statements: true,
            user: "cockpit".into(),
            password: "cockpit-test".into(),
            dbname: "cockpit".into(),
            settings: Vec::new(),
        }
    }
}

/// A PostgreSQL server in a temp dir, run as the `postgres` user when the tests run as root
/// (initdb refuses root), listening on 127.0.0.1 only, fsync off. Stopped on drop.
#[derive(Debug)]
pub struct Postgres {
    proc: Option<PeerProcess>,
    port: PortLease,
    opts: PostgresOptions,
    bin: PathBuf,
    as_user: Option<String>,
    dir: TempDir,
    /// How long the last start took (initdb included on the first).
    pub started_in: Duration,
}

impl Postgres {
    pub fn start() -> Result<Self> {
        Self::start_with(PostgresOptions::default())
    }

    pub fn start_with(opts: PostgresOptions) -> Result<Self> {
        let start = Instant::now();
        let bin = pg_bin()?;
        let dir = process::temp_dir("cockpit-pg-")?;
        let as_user = is_root().then(|| "postgres".to_string());
        if let Some(user) = &as_user {
            chown_to(dir.path(), user)?;
        }
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, format!("{}\n", opts.password))?;
        if let Some(user) = &as_user {
            chown_to(&pwfile, user)?;
        }
        let data = dir.path().join("data");
        // Through the guard (as `postgres` when root): a test killed meanwhile leaves no dir.
        let mut args: Vec<String> = vec![
            "-D".into(),
            data.display().to_string(),
            "-U".into(),
            opts.user.clone(),
            "--pwfile".into(),
            pwfile.display().to_string(),
        ];
        args.extend(
            [
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ]
            .map(String::from),
        );
        let how = Spawn { user: as_user.clone(), cleanup: vec![dir.path().to_path_buf()], ..Default::default() };
        process::run_guarded("initdb", &bin.join("initdb"), &args, &dir.path().join("initdb.log"), &how)?;
        std::fs::remove_file(&pwfile)?;
        let port = PortLease::new(false)?;
        let mut pg = Postgres { proc: None, port, opts, bin, as_user, dir, started_in: Duration::ZERO };
        for attempt in 1.. {
            match pg.restart() {
                Err(e) if attempt < 3 && process::is_port_clash(&e) => pg.port = PortLease::new(false)?,
                other => {
                    other?;
                    break;
                }
            }
        }
        pg.bootstrap()?;
        pg.started_in = start.elapsed();
        Ok(pg)
    }

    fn bootstrap(&self) -> Result<()> {
        let mut sql = Vec::new();
        if self.opts.pg_stat_statements {
            sql.push("CREATE EXTENSION IF NOT EXISTS pg_stat_statements".to_string());
        }
        if self.opts.dbname != "postgres" {
            sql.push(format!("CREATE DATABASE \"{}\"", self.opts.dbname));
        }
        if !sql.is_empty() {
            // In template1 first, so the new database has the extension too.
            self.psql_in("template1", &sql)?;
        }
        Ok(())
    }

    /// Run statements with the real `psql` over the unix socket, as the superuser, each in
    /// its own transaction; the output of the last one (unaligned, tuples only).
    pub fn psql(&self, statements: &[&str]) -> Result<String> {
        let owned: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
        self.psql_in(&self.opts.dbname, &owned)
    }

    fn psql_in(&self, db: &str, statements: &[String]) -> Result<String> {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.arg("-X").arg("-h").arg(self.dir.path()).arg("-p").arg(self.port().to_string()).args([
            "-U",
            &self.opts.user,
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
        ]);
        for s in statements {
            cmd.arg("-c").arg(s);
        }
        process::run(&mut cmd)
    }

    /// `postgres://user:password@127.0.0.1:P/dbname` (tokio-postgres and libpq take it).
    pub fn url(&self) -> String {
        format!("postgres://{}:{}@127.0.0.1:{}/{}", self.opts.user, self.opts.password, self.port(), self.opts.dbname)
    }

    /// `host=127.0.0.1 port=P user=U password=W dbname=D`.
    pub fn conninfo(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user={} password={} dbname={}",
            self.port(),
            self.opts.user,
            self.opts.password,
            self.opts.dbname
        )
    }

    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.port.port()
    }

    pub fn user(&self) -> &str {
        &self.opts.user
    }

    pub fn password(&self) -> &str {
        &self.opts.password
    }

    pub fn dbname(&self) -> &str {
        &self.opts.dbname
    }

    /// The directory of the unix socket (and of `data/`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    pub fn is_running(&mut self) -> bool {
        self.proc.as_mut().is_some_and(|p| p.exited().is_none())
    }

    /// Stop the server (a fast shutdown: clients are cut off) but keep its data and port, so
    /// that [`Postgres::restart`] brings it back on the same port with the same data.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut proc) = self.proc.take() {
            proc.stop(false);
        }
        process::wait_port_closed(self.port())
    }

    /// Start again on the same port (after [`Postgres::kill`]; a no-op if running).
    pub fn restart(&mut self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let mut args: Vec<String> = vec![
            "-D".into(),
            self.dir.path().join("data").display().to_string(),
            "-p".into(),
            self.port().to_string(),
            "-k".into(),
            self.dir.path().display().to_string(),
        ];
        let mut settings: Vec<(String, String)> = [
            ("listen_addresses", "127.0.0.1"),
            ("fsync", "off"),
            ("full_page_writes", "off"),
            ("synchronous_commit", "off"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if self.opts.pg_stat_statements {
            settings.push(("shared_preload_libraries".into(), "pg_stat_statements".into()));
        }
        settings.extend(self.opts.settings.iter().cloned());
        for (k, v) in settings {
            args.extend(["-c".to_string(), format!("{k}={v}")]);
        }
        let how = Spawn {
            user: self.as_user.clone(),
            stop_signal: Some("INT"),
            cleanup: vec![self.dir.path().to_path_buf()],
        };
        let mut proc = PeerProcess::spawn("postgres", &self.bin.join("postgres"), &args, &self.log_path(), &how)?;
        let ready = self.bin.join("pg_isready");
        let port = self.port().to_string();
        self.started_in = proc.wait_ready("to accept connections", || {
            Command::new(&ready)
                .args(["-q", "-h", "127.0.0.1", "-p", &port, "-t", "1"])
                .status()
                .is_ok_and(|s| s.success())
        })?;
        self.proc = Some(proc);
        Ok(())
    }
}

/// chown to a user by name, its uid/gid read from /etc/passwd.
fn chown_to(path: &Path, user: &str) -> Result<()> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    let fields: Vec<&str> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&user))
        .ok_or_else(|| anyhow!("no user {user} in /etc/passwd: {INSTALL_HINT}"))?;
    let uid: u32 = fields.get(2).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow!("bad uid of {user}"))?;
    let gid: u32 = fields.get(3).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow!("bad gid of {user}"))?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).with_context(|| format!("chown {} to {user}", path.display()))
}
