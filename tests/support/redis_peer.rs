//! Redis test peers: one server, or a 3-master cluster, each node a real `redis-server`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tempfile::TempDir;

use super::process::{self, PeerProcess, PortLease, Spawn, find_program};

/// Options of [`RedisServer::start_with`].
#[derive(Debug, Default, Clone)]
pub struct RedisOptions {
    /// `--requirepass`: clients must AUTH (the url carries it).
    pub password: Option<String>,
    /// More `redis-server` arguments, e.g. `["--maxmemory", "10mb"]`.
    pub args: Vec<String>,
}

/// One `redis-server` on a free loopback port, no persistence, stopped on drop.
#[derive(Debug)]
pub struct RedisServer {
    proc: Option<PeerProcess>,
    port: PortLease,
    opts: RedisOptions,
    cluster: bool,
    dir: TempDir,
    /// How long the last start took until PING answered.
    pub started_in: Duration,
}

impl RedisServer {
    pub fn start() -> Result<Self> {
        Self::start_with(RedisOptions::default())
    }

    /// Start with `--requirepass password`.
    pub fn start_with_password(password: &str) -> Result<Self> {
        Self::start_with(RedisOptions { password: Some(password.into()), ..Default::default() })
    }

    pub fn start_with(opts: RedisOptions) -> Result<Self> {
        Self::start_node(opts, false)
    }

    /// An empty node with `--cluster-enabled yes`, in no cluster yet (a spare for a new shard).
    pub fn start_cluster_node() -> Result<Self> {
        Self::start_node(RedisOptions::default(), true)
    }

    fn start_node(opts: RedisOptions, cluster: bool) -> Result<Self> {
        find_program("redis-server")?;
        let dir = process::temp_dir("cockpit-redis-")?;
        let port = PortLease::new(cluster)?;
        let mut server = RedisServer { proc: None, port, opts, cluster, dir, started_in: Duration::ZERO };
        for attempt in 1.. {
            match server.restart() {
                Err(e) if attempt < 3 && process::is_port_clash(&e) => server.port = PortLease::new(cluster)?,
                other => return other.map(|()| server),
            }
        }
        unreachable!()
    }

    /// `redis://127.0.0.1:P` (`redis://:PASSWORD@127.0.0.1:P` with a password).
    pub fn url(&self) -> String {
        match &self.opts.password {
            Some(pw) => format!("redis://:{pw}@127.0.0.1:{}", self.port()),
            None => format!("redis://127.0.0.1:{}", self.port()),
        }
    }

    pub fn port(&self) -> u16 {
        self.port.port()
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    pub fn is_running(&mut self) -> bool {
        self.proc.as_mut().is_some_and(|p| p.exited().is_none())
    }

    /// Stop the server (SIGTERM) but keep its port and dir: [`RedisServer::restart`] brings
    /// it back on the same port (empty: nothing is persisted, except a cluster node's config).
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut proc) = self.proc.take() {
            proc.stop(false);
        }
        process::wait_port_closed(self.port())
    }

    /// Start again on the same port (after [`RedisServer::kill`]; a no-op if running).
    pub fn restart(&mut self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let port = self.port().to_string();
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.clone(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--save".into(),
            "".into(),
            "--appendonly".into(),
            "no".into(),
            "--dir".into(),
            self.dir.path().display().to_string(),
            "--daemonize".into(),
            "no".into(),
        ];
        if self.cluster {
            args.extend(["--cluster-enabled", "yes", "--cluster-node-timeout", "3000"].map(String::from));
            args.extend(["--cluster-config-file".into(), format!("nodes-{port}.conf")]);
        }
        if let Some(pw) = &self.opts.password {
            args.extend(["--requirepass".into(), pw.clone()]);
        }
        args.extend(self.opts.args.iter().cloned());
        let how = Spawn { cleanup: vec![self.dir.path().to_path_buf()], ..Default::default() };
        let program = find_program("redis-server")?;
        let mut proc = PeerProcess::spawn("redis-server", &program, &args, &self.log_path(), &how)?;
        let p = self.port();
        self.started_in = proc.wait_ready("to answer PING", || {
            // -NOAUTH means it is up and wants a password.
            command(p, None, &["PING"]).is_ok_and(|r| r == "PONG" || r.starts_with("-NOAUTH"))
        })?;
        self.proc = Some(proc);
        Ok(())
    }
}

/// Send one command over RESP, no client library: simple strings and errors come back as
/// text (errors with their leading '-'), bulk strings as their content.
pub fn command(port: u16, password: Option<&str>, args: &[&str]) -> Result<String> {
    let mut stream = process::connect(port, Duration::from_millis(500))?;
    let mut send = |args: &[&str]| -> std::io::Result<()> {
        let mut buf = format!("*{}\r\n", args.len());
        for a in args {
            buf.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        stream.write_all(buf.as_bytes())
    };
    if let Some(pw) = password {
        send(&["AUTH", pw])?;
    }
    send(args)?;
    let mut reader = BufReader::new(stream);
    let mut reply = String::new();
    for _ in 0..(1 + usize::from(password.is_some())) {
        reply.clear();
        reader.read_line(&mut reply)?;
        if let Some(len) = reply.strip_prefix('$') {
            let len: i64 = len.trim().parse().context("bad RESP bulk length")?;
            if len < 0 {
                reply = String::new();
                continue;
            }
            let mut bulk = vec![0; len as usize + 2];
            reader.read_exact(&mut bulk)?;
            reply = String::from_utf8_lossy(&bulk[..len as usize]).into_owned();
        }
    }
    Ok(reply.strip_prefix('+').unwrap_or(&reply).trim_end_matches("\r\n").to_string())
}

/// Three `redis-server` masters with `--cluster-enabled yes`, slots spread by
/// `redis-cli --cluster create`, ready when every node says `cluster_state:ok`.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    /// How long the start took until every node said cluster_state:ok.
    pub started_in: Duration,
}

impl RedisCluster {
    pub fn start() -> Result<Self> {
        let start = Instant::now();
        let cli = find_program("redis-cli")?;
        let nodes =
            (0..3).map(|_| RedisServer::start_node(RedisOptions::default(), true)).collect::<Result<Vec<_>>>()?;
        let mut create = Command::new(cli);
        create.args(["--cluster", "create"]);
        create.args(nodes.iter().map(|n| format!("127.0.0.1:{}", n.port())));
        create.args(["--cluster-replicas", "0", "--cluster-yes"]);
        process::run(&mut create).context("redis-cli --cluster create")?;
        let cluster = RedisCluster { nodes, started_in: Duration::ZERO };
        cluster.wait_ok()?;
        Ok(RedisCluster { started_in: start.elapsed(), ..cluster })
    }

    /// Wait until every running node says `cluster_state:ok` (after a start or a restart).
    pub fn wait_ok(&self) -> Result<()> {
        let start = Instant::now();
        loop {
            let states: Vec<String> =
                self.nodes.iter().map(|n| command(n.port(), None, &["CLUSTER", "INFO"]).unwrap_or_default()).collect();
            if states.iter().all(|s| s.contains("cluster_state:ok")) {
                return Ok(());
            }
            if start.elapsed() > process::READY_TIMEOUT {
                bail!(
                    "redis cluster not ok after {:?}: {:?}",
                    process::READY_TIMEOUT,
                    states.iter().map(|s| s.lines().next().unwrap_or("")).collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `redis://127.0.0.1:P` of every node (what `redis::cluster::ClusterClient::new` takes).
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(RedisServer::port).collect()
    }

    /// One node, e.g. to `kill()` and `restart()` it (it rejoins from its nodes-P.conf).
    pub fn node(&mut self, index: usize) -> &mut RedisServer {
        &mut self.nodes[index]
    }
}

/// A key that hashes to a slot the master on `port` owns (asked of the node itself), for
/// tests that fill or read one shard.
#[allow(dead_code)]
pub fn key_on(port: u16) -> Result<String> {
    let nodes = command(port, None, &["CLUSTER", "NODES"])?;
    let mine = nodes.lines().find(|l| l.contains("myself")).context("myself in CLUSTER NODES")?;
    let ranges: Vec<(u32, u32)> = mine
        .split_whitespace()
        .skip(8)
        .filter_map(|r| {
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    for i in 0..1000 {
        let key = format!("k{i}");
        let slot: u32 = command(port, None, &["CLUSTER", "KEYSLOT", &key])?.trim_start_matches(':').parse()?;
        if ranges.iter().any(|(a, b)| (*a..=*b).contains(&slot)) {
            return Ok(key);
        }
    }
    bail!("no key found for the node on {port}")
}
