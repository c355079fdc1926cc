//! For the action screen's tests: the simulator with a real notifier, and a webhook that
//! refuses every notification.
#![allow(dead_code)]

use cockpit::sim::SimPlatform;
use std::sync::Arc;

/// The simulator, except that notifications go out through the live platform's notifier (a
/// real HTTP POST to a webhook).
pub struct NotifyVia {
    pub sim: Arc<SimPlatform>,
    pub live: cockpit::platform::live::LivePlatform,
}

mod via {
    use super::NotifyVia;
    use cockpit::model::state::{DbInstance, Usage, Workload};
    use cockpit::platform::{Deployment, Hpa, LockOutcome, PResult, Platform, Pod, WriteOpts};
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::time::Duration;

    #[async_trait::async_trait]
    impl Platform for NotifyVia {
        fn describe(&self) -> String {
            self.sim.describe()
        }
        fn identity(&self) -> String {
            self.sim.identity()
        }
        fn now(&self) -> f64 {
            self.sim.now()
        }
        async fn sleep(&self, d: Duration) {
            self.sim.sleep(d).await
        }
        async fn deployment(&self, w: Workload) -> PResult<Deployment> {
            self.sim.deployment(w).await
        }
        async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
            self.sim.scale(w, replicas, opts).await
        }
        async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
            self.sim.annotate(w, key, value, opts).await
        }
        async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
            self.sim.set_limits(w, cpu, memory, opts).await
        }
        async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
            self.sim.pods(w).await
        }
        async fn pod_health(&self, pod: &str) -> PResult<String> {
            self.sim.pod_health(pod).await
        }
        async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
            self.sim.usage(w).await
        }
        async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
            self.sim.hpa(w).await
        }
        async fn replace_hpa(
            &self,
            w: Workload,
            spec: &Value,
            ann: &BTreeMap<String, String>,
            opts: &WriteOpts,
        ) -> PResult<Hpa> {
            self.sim.replace_hpa(w, spec, ann, opts).await
        }
        async fn queue_depth(&self) -> PResult<u64> {
            self.sim.queue_depth().await
        }
        async fn in_flight(&self) -> PResult<u64> {
            self.sim.in_flight().await
        }
        async fn db_instances(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
            self.sim.db_instances().await
        }
        async fn modify_db_class(&self, id: &str, class: &str, apply_now: bool) -> PResult<DbInstance> {
            self.sim.modify_db_class(id, class, apply_now).await
        }
        async fn db_ping(&self) -> PResult<f64> {
            self.sim.db_ping().await
        }
        async fn db_max_connections(&self) -> PResult<u32> {
            self.sim.db_max_connections().await
        }
        async fn api_latency_p99(&self) -> PResult<Option<f64>> {
            self.sim.api_latency_p99().await
        }
        async fn api_error_rate(&self) -> PResult<Option<f64>> {
            self.sim.api_error_rate().await
        }
        async fn notify(&self, message: &str) -> PResult<()> {
            self.live.notify(message).await
        }
        async fn acquire_lock(&self, holder: &str, action: &str, ttl: Duration) -> PResult<LockOutcome> {
            self.sim.acquire_lock(holder, action, ttl).await
        }
        async fn renew_lock(&self, holder: &str, ttl: Duration) -> PResult<()> {
            self.sim.renew_lock(holder, ttl).await
        }
        async fn release_lock(&self, holder: &str) -> PResult<()> {
            self.sim.release_lock(holder).await
        }

        // Read replicas (issue 9)
        async fn db_replica_set(&self) -> PResult<(DbInstance, Vec<DbInstance>)> {
            self.sim.db_replica_set().await
        }
        async fn create_db_replica(&self, id: &str, class: &str) -> PResult<DbInstance> {
            self.sim.create_db_replica(id, class).await
        }
        async fn delete_db_replica(&self, id: &str) -> PResult<DbInstance> {
            self.sim.delete_db_replica(id).await
        }
        async fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
            self.sim.db_replica_lag(id).await
        }
        async fn db_replica_ping(&self, id: &str) -> PResult<f64> {
            self.sim.db_replica_ping(id).await
        }
        async fn db_replica_connections(&self, id: &str) -> PResult<u32> {
            self.sim.db_replica_connections(id).await
        }
        // Redis cluster (issue 9)
        async fn redis_cluster(&self) -> PResult<cockpit::platform::shards::ClusterView> {
            self.sim.redis_cluster().await
        }
        async fn redis_group(&self) -> PResult<cockpit::platform::shards::ReplicationGroup> {
            self.sim.redis_group().await
        }
        async fn modify_redis_shards(
            &self,
            group: &str,
            shards: u32,
            remove: &[String],
        ) -> PResult<cockpit::platform::shards::ReplicationGroup> {
            self.sim.modify_redis_shards(group, shards, remove).await
        }
    }
}

/// A webhook on a loopback port that refuses every notification (403); the requests it got.
pub fn refusing_webhook() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(clone) = stream.try_clone() else { continue };
            let mut reader = BufReader::new(clone);
            let (mut head, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            log.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{head}{}", String::from_utf8_lossy(&body)));
            let _ =
                write!(stream, "HTTP/1.1 403 Forbidden\r\ncontent-length: 12\r\nconnection: close\r\n\r\nno such hook");
        }
    });
    (format!("http://127.0.0.1:{port}/hooks/oncall"), seen)
}
