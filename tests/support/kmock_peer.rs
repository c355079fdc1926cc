//! The Kubernetes test peer: tests/support/kmock_server.py (kmock's KubernetesEmulator with
//! resourceVersions, conflicts, watches, scale/status/proxy subresources, access reviews,
//! dry runs, request counters and injected faults) on a free loopback port.
//!
//! State lives in the server's memory only: [`Kmock::restart`] comes back EMPTY (objects,
//! counters, faults and rules set after the start are gone; rules given in
//! [`KmockOptions::deny`] come back). It runs no controllers: a test plays the cluster's part
//! (writes `status` through [`Kmock::apply`] or the status subresource).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use kube::api::{Api, DynamicObject, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::Scope;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::process::{self, PeerProcess, PortLease, Spawn, find_program, python, support_dir};

/// Options of [`Kmock::start_with`].
#[derive(Debug, Clone)]
pub struct KmockOptions {
    /// Deny rules from the start: `{"verb", "group", "resource", "subresource", "namespace",
    /// "name"}`, absent = any. Matching requests get 403; matching access reviews say no.
    pub deny: Vec<Value>,
    /// Seconds between BOOKMARK events on watches that ask for them.
    pub bookmark_interval_secs: f64,
}

impl Default for KmockOptions {
    fn default() -> Self {
        KmockOptions { deny: Vec::new(), bookmark_interval_secs: 5.0 }
    }
}

/// A fault for [`Kmock::inject_fault`]: the next `times` requests that match fail with
/// `status` (and/or are delayed by `delay_secs` first).
#[derive(Debug, Clone, Default)]
pub struct Fault {
    pub method: Option<String>,
    pub path_contains: Option<String>,
    pub verb: Option<String>,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub delay_secs: Option<f64>,
    /// None: every matching request, until [`Kmock::clear_faults`].
    pub times: Option<u32>,
}

impl Fault {
    /// Fail the next matching request with this HTTP status (409, 500, 503, 429, ...).
    pub fn status(code: u16) -> Self {
        Fault { status: Some(code), times: Some(1), ..Default::default() }
    }

    /// Delay the next matching request, then serve it.
    pub fn delay(secs: f64) -> Self {
        Fault { delay_secs: Some(secs), times: Some(1), ..Default::default() }
    }

    /// Only this HTTP method (GET, PATCH, ...).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only paths (with query) containing this, e.g. "deployments/api-server".
    pub fn path_contains(mut self, text: &str) -> Self {
        self.path_contains = Some(text.into());
        self
    }

    /// Only this verb: list, watch, get, create, update, patch, delete, proxy.
    pub fn verb(mut self, verb: &str) -> Self {
        self.verb = Some(verb.into());
        self
    }

    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }

    pub fn to_json(&self) -> Value {
        json!({"method": self.method, "path_contains": self.path_contains, "verb": self.verb,
               "status": self.status, "reason": self.reason, "message": self.message,
               "delay": self.delay_secs, "times": self.times})
    }
}

/// The kmock Kubernetes API emulator, with a kubeconfig for it. Stopped on drop.
#[derive(Debug)]
pub struct Kmock {
    proc: Option<PeerProcess>,
    port: PortLease,
    token: String,
    opts: KmockOptions,
    dir: TempDir,
    /// How long the last start took until /version answered.
    pub started_in: Duration,
}

impl Kmock {
    pub fn start() -> Result<Self> {
        Self::start_with(KmockOptions::default())
    }

    pub fn start_with(opts: KmockOptions) -> Result<Self> {
        let dir = process::temp_dir("cockpit-kmock-")?;
        let port = PortLease::new(false)?;
        let token = format!("kmock-token-{}", port.port());
        let mut kmock = Kmock { proc: None, port, token, opts, dir, started_in: Duration::ZERO };
        std::fs::write(kmock.dir.path().join("deny.json"), serde_json::to_vec(&kmock.opts.deny)?)?;
        for attempt in 1.. {
            kmock.write_kubeconfig()?;
            match kmock.restart() {
                Err(e) if attempt < 3 && process::is_port_clash(&e) => kmock.port = PortLease::new(false)?,
                other => return other.map(|()| kmock),
            }
        }
        unreachable!()
    }

    fn write_kubeconfig(&self) -> Result<()> {
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kmock\n  cluster:\n    server: {}\n\
             users:\n- name: kmock\n  user:\n    token: {}\ncontexts:\n- name: kmock\n  context:\n    \
             cluster: kmock\n    user: kmock\n    namespace: default\ncurrent-context: kmock\n",
            self.url(),
            self.token
        );
        std::fs::write(self.kubeconfig_path(), text).context("writing the kubeconfig")
    }

    /// `http://127.0.0.1:P`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    pub fn port(&self) -> u16 {
        self.port.port()
    }

    /// A kubeconfig (context "kmock", namespace "default", a bearer token) for kube and kubectl.
    pub fn kubeconfig_path(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("kmock.log")
    }

    /// A kube client from [`Kmock::kubeconfig_path`].
    pub async fn client(&self) -> Result<kube::Client> {
        let kubeconfig = kube::config::Kubeconfig::read_from(self.kubeconfig_path())?;
        let options = kube::config::KubeConfigOptions::default();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await?;
        Ok(kube::Client::try_from(config)?)
    }

    /// Create the object, or replace it if it exists; then, if it has a `status` and its
    /// resource a status subresource, write that too (create and replace ignore status, as
    /// a real API server does). Answers the stored object.
    pub async fn apply(&self, obj: Value) -> Result<Value> {
        let client = self.client().await?;
        let api_version = obj["apiVersion"].as_str().ok_or_else(|| anyhow!("apply: no apiVersion"))?;
        let kind = obj["kind"].as_str().ok_or_else(|| anyhow!("apply: no kind"))?;
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, caps) = kube::discovery::pinned_kind(&client, &gvk)
            .await
            .with_context(|| format!("apply: kmock does not serve {api_version} {kind}"))?;
        let name = obj["metadata"]["name"].as_str().ok_or_else(|| anyhow!("apply: no metadata.name"))?;
        let api: Api<DynamicObject> = match caps.scope {
            Scope::Namespaced => {
                let ns = obj["metadata"]["namespace"].as_str().unwrap_or("default");
                Api::namespaced_with(client, ns, &resource)
            }
            Scope::Cluster => Api::all_with(client, &resource),
        };
        let mut data: DynamicObject = serde_json::from_value(obj.clone())?;
        let pp = PostParams::default();
        let mut stored = match api.get_opt(name).await? {
            Some(existing) => {
                data.metadata.resource_version = existing.metadata.resource_version;
                api.replace(name, &pp, &data).await?
            }
            None => api.create(&pp, &data).await?,
        };
        let has_status = caps.subresources.iter().any(|(r, _)| r.plural == "status");
        if let (Some(status), true) = (obj.get("status"), has_status) {
            stored.data["status"] = status.clone();
            stored = api.replace_status(name, &pp, &stored).await?;
        }
        Ok(serde_json::to_value(stored)?)
    }

    /// Run the real kubectl against this server; its stdout, or an error with its stderr.
    /// (kmock serves no OpenAPI: give `create -f`/`apply -f` `--validate=false`.)
    pub fn kubectl(&self, args: &[&str]) -> Result<String> {
        let kubectl = find_program("kubectl")?;
        let mut cmd = Command::new(kubectl);
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig_path())
            .arg("--cache-dir")
            .arg(self.dir.path().join("kube-cache"))
            .args(args)
            .env("HOME", self.dir.path());
        process::run(&mut cmd)
    }

    /// The request counters: {"list", "watch", "get", "create", "update", "patch", "delete",
    /// "deletecollection", "proxy", "write", "total", "by_resource": {"deployments": {...}}}.
    pub fn stats(&self) -> Result<Value> {
        self.admin("GET", "/_kmock/stats", None)
    }

    pub fn reset_stats(&self) -> Result<()> {
        self.admin("POST", "/_kmock/stats/reset", None).map(drop)
    }

    pub fn inject_fault(&self, fault: Fault) -> Result<()> {
        self.admin("POST", "/_kmock/faults", Some(fault.to_json())).map(drop)
    }

    pub fn clear_faults(&self) -> Result<()> {
        self.admin("DELETE", "/_kmock/faults", None).map(drop)
    }

    /// Deny from now on: e.g. `json!({"verb": "patch", "resource": "deployments"})`.
    pub fn deny(&self, rule: Value) -> Result<()> {
        self.admin("POST", "/_kmock/deny", Some(rule)).map(drop)
    }

    pub fn clear_denials(&self) -> Result<()> {
        self.admin("DELETE", "/_kmock/deny", None).map(drop)
    }

    /// End every open watch stream (watchers must reconnect and resume).
    pub fn close_watches(&self) -> Result<u64> {
        Ok(self.admin("POST", "/_kmock/watches/close", None)?["closed"].as_u64().unwrap_or(0))
    }

    /// Serve one more resource: {"group", "version", "plural", "kind", "namespaced",
    /// "subresources": ["status"]} (creating a CustomResourceDefinition does the same).
    pub fn register_resource(&self, spec: Value) -> Result<()> {
        self.admin("POST", "/_kmock/resources", Some(spec)).map(drop)
    }

    fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let body = body.map(|b| b.to_string());
        let (code, text) = process::http(self.port(), method, path, body.as_deref())?;
        if !(200..300).contains(&code) {
            bail!("kmock {method} {path} answered {code}: {text}");
        }
        serde_json::from_str(&text).with_context(|| format!("kmock {path} answered no JSON: {text}"))
    }

    /// Stop the server, keeping port and kubeconfig for [`Kmock::restart`].
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut proc) = self.proc.take() {
            proc.stop(false);
        }
        process::wait_port_closed(self.port())
    }

    /// Start again on the same port, EMPTY (see the module doc); a no-op if running.
    pub fn restart(&mut self) -> Result<()> {
        if self.proc.as_mut().is_some_and(|p| p.exited().is_none()) {
            return Ok(());
        }
        let script = support_dir().join("kmock_server.py");
        let args: Vec<String> = vec![
            script.display().to_string(),
            "--host".into(),
            "127.0.0.1".into(),
            "--port".into(),
            self.port().to_string(),
            "--token".into(),
            self.token.clone(),
            "--deny".into(),
            self.dir.path().join("deny.json").display().to_string(),
            "--bookmark-interval".into(),
            self.opts.bookmark_interval_secs.to_string(),
        ];
        let how = Spawn { cleanup: vec![self.dir.path().to_path_buf()], ..Default::default() };
        let mut proc = PeerProcess::spawn("kmock", &python()?, &args, &self.log_path(), &how)?;
        let port = self.port();
        let ready = proc.wait_ready("to answer /version", || {
            process::http(port, "GET", "/version", None).is_ok_and(|(code, _)| code == 200)
        });
        if let Err(e) = ready {
            let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
            if log.contains("No module named 'kmock'") || log.contains("No module named 'yaml'") {
                bail!("kmock (python package) not installed: run scripts/install-test-peers.sh\n{e}");
            }
            return Err(e);
        }
        self.started_in = ready?;
        self.proc = Some(proc);
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
