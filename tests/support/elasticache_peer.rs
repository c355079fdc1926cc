//! The ElastiCache test peer (issue 9): elasticache_peer.py serving DescribeReplicationGroups
//! and ModifyReplicationGroupShardConfiguration over a real 3-master Redis Cluster, with spare
//! cluster-enabled redis-servers for new shards. The redis-servers belong to this harness, so
//! killing the API peer half way leaves the cluster as it was; `restart()` goes on with the
//! same target (its state is in the peer's dir).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use tempfile::TempDir;

use super::process::{self, PeerProcess, PortLease, Spawn, python, support_dir};
use super::redis_peer::{RedisCluster, RedisServer};

/// The replication group id the peer serves (the runbook's).
pub const GROUP: &str = "agentos-redis";

#[derive(Debug)]
pub struct ElastiCachePeer {
    proc: Option<PeerProcess>,
    port: PortLease,
    dir: TempDir,
    slot_delay: f64,
    pub cluster: RedisCluster,
    pub spares: Vec<RedisServer>,
}

impl ElastiCachePeer {
    /// A 3-master cluster, `spares` empty nodes, and the API peer; `slot_delay` seconds after
    /// each batch of 64 slots moved (0: as fast as the nodes go).
    pub fn start(spares: usize, slot_delay: f64) -> Result<Self> {
        let cluster = RedisCluster::start()?;
        let spares = (0..spares).map(|_| RedisServer::start_cluster_node()).collect::<Result<Vec<_>>>()?;
        let dir = process::temp_dir("cockpit-elasticache-")?;
        let port = PortLease::new(false)?;
        let mut peer = ElastiCachePeer { proc: None, port, dir, slot_delay, cluster, spares };
        for attempt in 1.. {
            match peer.restart() {
                Err(e) if attempt < 3 && process::is_port_clash(&e) => peer.port = PortLease::new(false)?,
                other => return other.map(|()| peer),
            }
        }
        unreachable!()
    }

    /// `http://127.0.0.1:P`: the endpoint_url of the ElastiCache client.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    pub fn port(&self) -> u16 {
        self.port.port()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("elasticache.log")
    }

    /// Stop the API peer (a reshard under way stops where it is); the cluster keeps running.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut proc) = self.proc.take() {
            proc.stop(false);
        }
        process::wait_port_closed(self.port())
    }

    /// Start the API peer again on the same port and dir (a no-op while it runs).
    pub fn restart(&mut self) -> Result<()> {
        if self.proc.as_mut().is_some_and(|p| p.exited().is_none()) {
            return Ok(());
        }
        let addr = |p: u16| format!("127.0.0.1:{p}");
        let nodes: Vec<String> = self.cluster.ports().into_iter().map(addr).collect();
        let spares: Vec<String> = self.spares.iter().map(|s| addr(s.port())).collect();
        let mut args: Vec<String> = vec![support_dir().join("elasticache_peer.py").display().to_string()];
        args.extend(["--port".into(), self.port().to_string()]);
        args.extend(["--dir".into(), self.dir.path().display().to_string()]);
        args.extend(["--group".into(), GROUP.into()]);
        args.extend(["--nodes".into(), nodes.join(",")]);
        args.extend(["--spares".into(), spares.join(",")]);
        args.extend(["--slot-delay".into(), self.slot_delay.to_string()]);
        let how = Spawn { cleanup: vec![self.dir.path().to_path_buf()], ..Default::default() };
        let mut proc = PeerProcess::spawn("elasticache_peer.py", &python()?, &args, &self.log_path(), &how)?;
        let port = self.port();
        proc.wait_ready("to answer HTTP", || process::http(port, "GET", "/", None).is_ok_and(|(c, _)| c == 200))?;
        self.proc = Some(proc);
        Ok(())
    }

    /// The worker's last error, if any (GET /), for a test's failure message.
    pub fn last_error(&self) -> Option<String> {
        let (_, body) = process::http(self.port(), "GET", "/", None).ok()?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v.get("error").and_then(|e| e.as_str()).map(str::to_string)
    }

    /// An SdkConfig for this peer: static test credentials, us-east-1, no retries.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let credentials =
            aws_sdk_cloudwatch::config::Credentials::new("testing", "testing", None, None, "cockpit-tests");
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(credentials)
            .endpoint_url(self.endpoint())
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await
    }

    /// Wait (bounded) until a slot is on the move, for a test that cuts a reshard short.
    pub fn wait_moving(&self, timeout: Duration) -> Result<()> {
        let start = std::time::Instant::now();
        while start.elapsed() < timeout {
            for p in self.cluster.ports() {
                let nodes = super::redis_peer::command(p, None, &["CLUSTER", "NODES"]).unwrap_or_default();
                if nodes.lines().any(|l| l.contains("myself") && l.contains("->-")) {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        anyhow::bail!("no slot moved within {timeout:?}")
    }
}
