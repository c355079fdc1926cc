//! What every peer needs: finding programs, free loopback ports, a guarded child process that
//! is stopped on drop, bounded waits, and a tiny HTTP/1.0 client for readiness probes.

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

/// How long any peer may take to answer before the test fails.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// The command that installs every test peer on a fresh Debian machine.
pub const INSTALL_HINT: &str = "run scripts/install-test-peers.sh";

/// The folder of this module and its python helpers.
pub fn support_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("support")
}

/// A program on PATH (or an absolute path), or an error naming the install command.
pub fn find_program(name: &str) -> Result<PathBuf> {
    let candidate = Path::new(name);
    if candidate.is_absolute() {
        return if candidate.is_file() {
            Ok(candidate.to_path_buf())
        } else {
            Err(anyhow!("{name} not found: {INSTALL_HINT}"))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow!("{name} not found on PATH: {INSTALL_HINT}"))
}

/// The python interpreter that runs the helpers (COCKPIT_TEST_PYTHON overrides `python3`),
/// resolved once so that a pyenv shim is not paid for on every start.
pub fn python() -> Result<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let name = std::env::var("COCKPIT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
            let program = find_program(&name).map_err(|e| e.to_string())?;
            let out = Command::new(&program)
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .map_err(|e| format!("{name} does not run ({e}): {INSTALL_HINT}"))?;
            let exe = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !out.status.success() || exe.is_empty() {
                return Err(format!("{name} does not run: {INSTALL_HINT}"));
            }
            Ok(PathBuf::from(exe))
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// Whether this process runs as root (read from /proc: no libc needed).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        .unwrap_or(false)
}

/// A temp dir for one peer, listed for this process's janitor (see peer_guard.py), which
/// removes it if the test process dies before dropping the peer.
pub fn temp_dir(prefix: &str) -> Result<tempfile::TempDir> {
    type Janitor = (PathBuf, Mutex<Option<Child>>);
    static JANITOR: OnceLock<Result<Janitor, String>> = OnceLock::new();
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
    let janitor = JANITOR.get_or_init(|| {
        let listing = std::env::temp_dir().join(format!("cockpit-janitor-{}.list", std::process::id()));
        let child = Command::new(python().map_err(|e| e.to_string())?)
            .arg(support_dir().join("peer_guard.py"))
            .arg("--parent-pid")
            .arg(std::process::id().to_string())
            .arg("--janitor")
            .arg(&listing)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the janitor: {e}"))?;
        Ok((listing, Mutex::new(Some(child))))
    });
    let (listing, _) = janitor.as_ref().map_err(|e| anyhow!("{e}"))?;
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(listing)?;
    writeln!(file, "{}", dir.path().display())?;
    Ok(dir)
}

static RESERVED: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
static SEED: AtomicU64 = AtomicU64::new(0);

/// A loopback port held for one peer until dropped, so that two peers of one test binary
/// never get the same port, even across a kill/restart. Ports come from 20000..29999, below
/// the kernel's ephemeral range (32768+), so outgoing connections do not take them either.
#[derive(Debug)]
pub struct PortLease(u16);

impl PortLease {
    /// A free port; with `also_bus`, port + 10000 must be free too (a redis cluster bus).
    pub fn new(also_bus: bool) -> Result<Self> {
        let state = RandomState::new();
        for _ in 0..500 {
            let n = state.hash_one(SEED.fetch_add(1, Ordering::Relaxed));
            let port = 20000 + (n % 10000) as u16;
            let mut reserved = RESERVED.lock().unwrap_or_else(|p| p.into_inner());
            let set = reserved.get_or_insert_with(HashSet::new);
            if set.contains(&port) || !port_is_free(port) || (also_bus && !port_is_free(port + 10000)) {
                continue;
            }
            set.insert(port);
            return Ok(PortLease(port));
        }
        bail!("no free loopback port found in 20000..29999")
    }

    pub fn port(&self) -> u16 {
        self.0
    }
}

impl Drop for PortLease {
    fn drop(&mut self) {
        if let Some(set) = RESERVED.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            set.remove(&self.0);
        }
    }
}

/// Whether a start failed because another process took the port between our check and the
/// peer's bind (the first start then retries on a new port; a restart cannot).
pub fn is_port_clash(err: &anyhow::Error) -> bool {
    let text = format!("{err:#}").to_lowercase();
    text.contains("already in use") || text.contains("in use by another program")
}

pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// How a guarded peer is started (see peer_guard.py).
#[derive(Debug, Default, Clone)]
pub struct Spawn {
    /// Run the peer as this user (root only).
    pub user: Option<String>,
    /// TERM (default), INT or QUIT: what the peer gets when it is stopped.
    pub stop_signal: Option<&'static str>,
    /// Removed by the guard if the test process dies without dropping the peer.
    pub cleanup: Vec<PathBuf>,
}

/// A peer process, started through tests/support/peer_guard.py in its own process group,
/// with stdout and stderr in a log file. Dropping it stops it (see [`PeerProcess::stop`]).
#[derive(Debug)]
pub struct PeerProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl PeerProcess {
    pub fn spawn(name: &str, program: &Path, args: &[String], log: &Path, how: &Spawn) -> Result<Self> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("cannot open the log {}", log.display()))?;
        let mut cmd = Command::new(python()?);
        cmd.arg(support_dir().join("peer_guard.py"));
        cmd.arg("--parent-pid").arg(std::process::id().to_string());
        if let Some(user) = &how.user {
            cmd.args(["--user", user]);
        }
        cmd.args(["--stop-signal", how.stop_signal.unwrap_or("TERM")]);
        for dir in &how.cleanup {
            cmd.arg("--cleanup").arg(dir);
        }
        cmd.arg("--").arg(program).args(args);
        cmd.env("PYTHONDONTWRITEBYTECODE", "1");
        cmd.stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out).process_group(0);
        let child = cmd.spawn().with_context(|| format!("cannot start {name}"))?;
        Ok(PeerProcess { name: name.to_string(), child, log: log.to_path_buf() })
    }

    /// The exit status if the peer (its guard) has already exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Ask the guard to stop the peer (it forwards its stop signal), wait up to 15 s, then
    /// SIGKILL the whole process group. With `cleanup` (SIGHUP instead of SIGTERM) the guard
    /// also removes its cleanup dirs, even if this process dies while waiting.
    pub fn stop(&mut self, cleanup: bool) {
        if self.exited().is_some() {
            return;
        }
        let pid = self.child.id() as i32;
        signal(pid, if cleanup { SIGHUP } else { SIGTERM });
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        signal(-pid, SIGKILL);
        let _ = self.child.wait();
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last lines of the log, for error messages.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
    }

    /// Poll `probe` every 25 ms until it says ready, the peer exits, or READY_TIMEOUT passes.
    pub fn wait_ready(&mut self, what: &str, mut probe: impl FnMut() -> bool) -> Result<Duration> {
        let start = Instant::now();
        loop {
            if probe() {
                return Ok(start.elapsed());
            }
            if let Some(status) = self.exited() {
                bail!(
                    "{} exited ({status}) before {what}; log {}:\n{}",
                    self.name,
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!(
                    "{} did not get {what} within {:?}; log {}:\n{}",
                    self.name,
                    READY_TIMEOUT,
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        self.stop(true);
    }
}

/// Run a one-shot command (initdb) through the guard, so that it is stopped and its dirs
/// removed even if this process dies meanwhile; an error with its log if it fails.
pub fn run_guarded(name: &str, program: &Path, args: &[String], log: &Path, how: &Spawn) -> Result<()> {
    let mut proc = PeerProcess::spawn(name, program, args, log, how)?;
    let start = Instant::now();
    loop {
        if let Some(status) = proc.exited() {
            if status.success() {
                return Ok(());
            }
            bail!("{name} failed ({status}); log {}:\n{}", log.display(), log_tail(log, 30));
        }
        if start.elapsed() > Duration::from_secs(120) {
            proc.stop(false);
            bail!("{name} did not finish within 120 s; log {}:\n{}", log.display(), log_tail(log, 30));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

const SIGHUP: i32 = 1;
const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        kill(pid, sig);
    }
}

/// Wait until nothing listens on the port any more (after a kill).
pub fn wait_port_closed(port: u16) -> Result<()> {
    let start = Instant::now();
    while connect(port, Duration::from_millis(200)).is_ok() {
        if start.elapsed() > READY_TIMEOUT {
            bail!("port {port} still answers {READY_TIMEOUT:?} after the peer was stopped");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(())
}

pub fn connect(port: u16, timeout: Duration) -> std::io::Result<TcpStream> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    Ok(stream)
}

/// One HTTP/1.0 request to 127.0.0.1:port: (status code, body).
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Result<(u16, String)> {
    let mut stream = connect(port, Duration::from_secs(2))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
                    Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| anyhow!("not an HTTP answer from port {port}: {head:?}"))?;
    Ok((code, rest.to_string()))
}

/// Run a one-shot command; its stdout, or an error with its output.
pub fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
