//! The AWS test peer: `moto_server` (PyPI moto[server]) on a free loopback port.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use tempfile::TempDir;

use super::process::{self, PeerProcess, PortLease, Spawn, find_program, python};

/// `moto_server` beside the test python (a venv's bin/), else on PATH.
fn moto_server() -> Result<PathBuf> {
    let beside = python().ok().and_then(|p| p.parent().map(|d| d.join("moto_server")));
    if let Some(beside) = beside.filter(|p| p.is_file()) {
        return Ok(beside);
    }
    find_program("moto_server")
}

/// One moto server (every AWS service moto emulates, one in-memory account), stopped on drop.
#[derive(Debug)]
pub struct Moto {
    proc: Option<PeerProcess>,
    port: PortLease,
    dir: TempDir,
    /// How long the start took until the server answered.
    pub started_in: Duration,
}

impl Moto {
    pub fn start() -> Result<Self> {
        moto_server()?;
        let dir = process::temp_dir("cockpit-moto-")?;
        let port = PortLease::new(false)?;
        let mut moto = Moto { proc: None, port, dir, started_in: Duration::ZERO };
        for attempt in 1.. {
            match moto.restart() {
                Err(e) if attempt < 3 && process::is_port_clash(&e) => moto.port = PortLease::new(false)?,
                other => return other.map(|()| moto),
            }
        }
        unreachable!()
    }

    /// `http://127.0.0.1:P`: the endpoint_url for every AWS client.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    pub fn port(&self) -> u16 {
        self.port.port()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("moto.log")
    }

    /// An SdkConfig for this server: static credentials testing/testing, region us-east-1,
    /// endpoint_url = [`Moto::endpoint`], no retries (a test should see the first error).
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

    /// One AWS query-protocol call (form-encoded `Action=...`) to `service` (e.g. "ec2"), for
    /// the services the tests have no SDK crate for. moto checks no signature: the
    /// Authorization header only names the service. The response body (XML).
    pub fn query(&self, service: &str, params: &[(&str, &str)]) -> Result<String> {
        use std::io::{Read, Write};
        let body: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", v.replace('/', "%2F"))).collect();
        let body = body.join("&");
        let mut stream = process::connect(self.port(), Duration::from_secs(2))?;
        write!(
            stream,
            "POST / HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/{service}/aws4_request, \
             SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port(),
            body.len()
        )?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw)?;
        let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
            bail!("moto {service} {params:?}: {head}\n{rest}");
        }
        Ok(rest.to_string())
    }

    /// A subnet of moto's default VPC (ELBv2 CreateLoadBalancer needs one).
    pub fn default_subnet(&self) -> Result<String> {
        let xml = self.query("ec2", &[("Action", "DescribeSubnets"), ("Version", "2016-11-15")])?;
        let start = xml.find("<subnetId>").map(|i| i + "<subnetId>".len());
        let end = xml.find("</subnetId>");
        match (start, end) {
            (Some(a), Some(b)) if a < b => Ok(xml[a..b].to_string()),
            _ => bail!("moto lists no subnet: {xml}"),
        }
    }

    /// Forget every resource and metric (POST /moto-api/reset).
    pub fn reset(&self) -> Result<()> {
        let (code, body) = process::http(self.port(), "POST", "/moto-api/reset", None)?;
        if code != 200 {
            bail!("moto reset answered {code}: {body}");
        }
        Ok(())
    }

    /// Stop the server, keeping the port for [`Moto::restart`] (which starts empty).
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut proc) = self.proc.take() {
            proc.stop(false);
        }
        process::wait_port_closed(self.port())
    }

    pub fn restart(&mut self) -> Result<()> {
        if self.proc.as_mut().is_some_and(|p| p.exited().is_none()) {
            return Ok(());
        }
        let args = ["-H", "127.0.0.1", "-p", &self.port().to_string()].map(String::from);
        let how = Spawn { cleanup: vec![self.dir.path().to_path_buf()], ..Default::default() };
        let program = moto_server()?;
        let mut proc = PeerProcess::spawn("moto_server", &program, &args, &self.log_path(), &how)?;
        let port = self.port();
        self.started_in = proc.wait_ready("to answer HTTP", || {
            process::http(port, "GET", "/moto-api/data.json", None).is_ok_and(|(code, _)| code == 200)
        })?;
        self.proc = Some(proc);
        Ok(())
    }
}
