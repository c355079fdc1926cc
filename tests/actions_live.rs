//! The guided actions against the real peers: kmock (the Kubernetes API), redis-server (the
//! queue and the in-flight set), moto (RDS) and PostgreSQL, through the live platform. kmock
//! runs no controllers, so the test plays the cluster's part (a deployment's pods and status
//! follow its spec; draining workers finish their tasks); kubectl checks what was written.

mod support;

use anyhow::{Context, Result};
use cockpit::actions::journal;
use cockpit::actions::procedure::{FormCx, PlanCx};
use cockpit::actions::runner::{RunOpts, Runner};
use cockpit::actions::verify::Verify;
use cockpit::actions::{ActionSettings, Outcome, Plan, RunEvent, StepState, Summary, registry};
use cockpit::config::Config;
use cockpit::live::{Clock, Targets};
use cockpit::model::{Board, SourceId};
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use support::live::kube_objects::{deployment, hpa, pod};
use support::live::{config, env};
use support::{Fault, Kmock, RedisServer};

const NS: &str = "production";

struct Peers {
    kmock: Arc<Kmock>,
    redis: Option<RedisServer>,
    player: tokio::task::JoinHandle<()>,
    _home: tempfile::TempDir,
    journal: tempfile::TempDir,
}

impl Drop for Peers {
    fn drop(&mut self) {
        self.player.abort();
    }
}

async fn seeded(with_redis: bool) -> Result<Peers> {
    let kmock = Arc::new(Kmock::start()?);
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let redis = if with_redis { Some(RedisServer::start()?) } else { None };
    let redis_url = redis.as_ref().map(|r| r.url());
    let k = Arc::clone(&kmock);
    let player = tokio::spawn(async move {
        loop {
            if let Err(e) = play(&k, redis_url.as_deref()).await {
                eprintln!("cluster player: {e:#}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
    });
    Ok(Peers { kmock, redis, player, _home: tempfile::tempdir()?, journal: tempfile::tempdir()? })
}

static POD_SEQ: AtomicU32 = AtomicU32::new(0);

/// One round of the cluster's part: each deployment's pods match its spec (count and limits),
/// its status says they are ready; a draining worker finishes one task.
async fn play(kmock: &Kmock, redis_url: Option<&str>) -> Result<()> {
    let client = kmock.client().await?;
    let deps: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let pods: Api<Pod> = Api::namespaced(client.clone(), NS);
    for name in ["api-server", "agent-worker"] {
        let d = deps.get(name).await?;
        let want = d.spec.replicas.unwrap_or(1).max(0) as usize;
        let template =
            serde_json::to_value(&d)?["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"].clone();
        let mut live = Vec::new();
        for p in pods.list(&ListParams::default().labels(&format!("app={name}"))).await? {
            let limits = serde_json::to_value(&p)?["spec"]["containers"][0]["resources"]["limits"].clone();
            let pname = p.metadata.name.clone().unwrap_or_default();
            if limits != template || live.len() >= want {
                pods.delete(&pname, &DeleteParams::default()).await?;
            } else {
                live.push(pname);
            }
        }
        while live.len() < want {
            let pname = format!("{name}-{}", POD_SEQ.fetch_add(1, Ordering::Relaxed));
            let mut obj = pod(NS, name, &pname, None);
            obj["spec"]["containers"][0]["resources"]["limits"] = template.clone();
            kmock.apply(obj).await?;
            live.push(pname);
        }
        let generation = d.metadata.generation.unwrap_or(1);
        let status = json!({"status": {"replicas": want, "readyReplicas": want, "updatedReplicas": want,
                                        "availableReplicas": want, "observedGeneration": generation}});
        deps.patch_status(name, &PatchParams::default(), &Patch::Merge(status)).await?;
        let draining = d.metadata.annotations.as_ref().is_some_and(|a| a.get("drain").is_some_and(|v| v == "true"));
        if let (true, Some(url)) = (draining && name == "agent-worker", redis_url) {
            let mut con = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
            // A test can hold the workers' tasks with `test:hold-tasks` (a stuck drain).
            let hold: Option<String> = redis::cmd("GET").arg("test:hold-tasks").query_async(&mut con).await?;
            if hold.is_none() {
                let _: Option<String> = redis::cmd("SPOP").arg("agent:processing").query_async(&mut con).await?;
            }
        }
    }
    Ok(())
}

impl Peers {
    async fn platform(&self) -> Result<Arc<dyn Platform>> {
        let mut c = config(1.0);
        c.kubernetes.kubeconfig = Some(self.kmock.kubeconfig_path());
        c.kubernetes.namespace = NS.into();
        c.redis.url = self.redis.as_ref().map(|r| r.url());
        let marker = self.journal.path().join("notified");
        c.notify.command = Some(format!("cat >> {}", marker.display()));
        let targets = Targets::resolve(&c, &env(self._home.path())).await;
        Ok(Arc::new(LivePlatform::connect(&c, &targets, Clock::start()).await))
    }

    fn settings(&self) -> ActionSettings {
        let mut s = ActionSettings::from_config(&Config::default());
        s.journal_dir = self.journal.path().join("journal");
        s.poll_secs = 0.2;
        s.actions.ready_timeout_secs = 60;
        s.notify_configured = true;
        s
    }

    fn kubectl(&self, args: &[&str]) -> Result<String> {
        let mut all = vec!["-n", NS];
        all.extend_from_slice(args);
        self.kmock.kubectl(&all)
    }

    fn hpa_json(&self, name: &str) -> Result<Value> {
        Ok(serde_json::from_str(&self.kubectl(&["get", "hpa", name, "-o", "json"])?)?)
    }
}

async fn plan(name: &str, p: Arc<dyn Platform>, s: &ActionSettings, set: &[(&str, &str)]) -> Result<Plan> {
    let board = Board::new(Config::default().board_settings(), &SourceId::ALL);
    let proc = registry::find(name)?;
    let mut form = proc.form(&FormCx { board: &board, settings: s });
    for (k, v) in set {
        form.set(k, v).map_err(anyhow::Error::msg)?;
    }
    let cx = PlanCx { platform: p, settings: s.clone(), board };
    Ok(proc.plan(&cx, &form).await?)
}

async fn run(p: Arc<dyn Platform>, plan: Plan, s: &ActionSettings) -> Summary {
    Runner::new(p, plan, RunOpts::from_settings(s)).0.run().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_api_up_pins_the_hpa_and_every_pod_answers_health() -> Result<()> {
    let peers = seeded(false).await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let plan = plan("scale-api", p.clone(), &s, &[("direction", "up"), ("replicas", "6")]).await?;
    let summary = run(p, plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    assert_eq!(peers.kubectl(&["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"])?, "6");
    let h = peers.hpa_json("api-server-hpa")?;
    assert_eq!(h["spec"]["minReplicas"], 6);
    assert!(h["metadata"]["annotations"][cockpit::actions::SAVED_SPEC_KEY].is_string(), "{h}");
    assert_eq!(
        peers.kubectl(&["get", "lease", "cockpit-actions", "-o", "jsonpath={.spec.holderIdentity}"])?,
        "",
        "released"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emergency_then_reenable_hpa_leaves_both_hpas_as_they_were() -> Result<()> {
    let peers = seeded(true).await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let before = [peers.hpa_json("api-server-hpa")?, peers.hpa_json("worker-hpa")?];
    let mut em = plan("emergency", p.clone(), &s, &[("api", "8"), ("workers", "12")]).await?;
    // No CloudWatch here to monitor recovery against: the rest of the procedure runs as planned.
    em.steps.retain(|st| !matches!(st.verify, Some(Verify::Recovery { .. })));
    let summary = run(p.clone(), em, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    assert_eq!(peers.hpa_json("worker-hpa")?["spec"]["minReplicas"], 12);
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "12");
    let told = std::fs::read_to_string(peers.journal.path().join("notified")).context("notified")?;
    assert!(told.contains("EMERGENCY SCALE"), "{told}");
    let re = plan("reenable-hpa", p.clone(), &s, &[]).await?;
    let summary = run(p, re, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let after = [peers.hpa_json("api-server-hpa")?, peers.hpa_json("worker-hpa")?];
    for (b, a) in before.iter().zip(after.iter()) {
        assert_eq!(a["spec"], b["spec"], "the spec as before");
        // No annotations and an empty map are the same to Kubernetes (a real API server drops
        // the empty map; kmock keeps it).
        let ann = |v: &Value| {
            if v["metadata"]["annotations"].is_null() { json!({}) } else { v["metadata"]["annotations"].clone() }
        };
        assert_eq!(ann(a), ann(b), "the annotations as before");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_workers_waits_for_the_in_flight_set() -> Result<()> {
    let peers = seeded(true).await?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let mut con = redis::Client::open(url.as_str())?.get_multiplexed_async_connection().await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let up = plan("scale-workers", p.clone(), &s, &[("replicas", "10")]).await?;
    assert_eq!(run(p.clone(), up, &s).await.outcome, Outcome::Completed);
    let _: u32 =
        redis::cmd("SADD").arg("agent:processing").arg(&["t1", "t2", "t3", "t4"]).query_async(&mut con).await?;
    let drain = plan("drain-workers", p.clone(), &s, &[]).await?;
    let summary = run(p, drain, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let left: u32 = redis::cmd("SCARD").arg("agent:processing").query_async(&mut con).await?;
    assert_eq!(left, 0);
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?, "");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_conflicts_are_retried_and_reported() -> Result<()> {
    let peers = seeded(false).await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let plan = plan("scale-api", p.clone(), &s, &[("direction", "up"), ("replicas", "4")]).await?;
    peers
        .kmock
        .inject_fault(Fault::status(500).path_contains("deployments/api-server/scale").method("PUT").times(2))?;
    peers.kmock.inject_fault(
        Fault::status(409).reason("Conflict").path_contains("horizontalpodautoscalers/api-server-hpa").method("PUT"),
    )?;
    let (runner, mut handle) = Runner::new(p, plan, RunOpts::from_settings(&s));
    let summary = runner.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let mut notes = Vec::new();
    while let Ok(e) = handle.events.try_recv() {
        if let cockpit::actions::RunEvent::Note { text, .. } = e {
            notes.push(text);
        }
    }
    assert!(notes.iter().any(|n| n.starts_with("transient error writing deployment/api-server")), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("conflict writing hpa/api-server-hpa")), "{notes:?}");
    assert_eq!(peers.kubectl(&["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"])?, "4");
    assert_eq!(peers.hpa_json("api-server-hpa")?["spec"]["minReplicas"], 4);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cockpits_contend_for_the_lease_and_one_proceeds() -> Result<()> {
    let peers = seeded(false).await?;
    let (a, b, s) = (peers.platform().await?, peers.platform().await?, peers.settings());
    let pa = plan("scale-api", a.clone(), &s, &[("direction", "up"), ("replicas", "5")]).await?;
    let pb = plan("scale-api", b.clone(), &s, &[("direction", "up"), ("replicas", "7")]).await?;
    let (sa, sb) = tokio::join!(run(a, pa, &s), run(b, pb, &s));
    let outcomes = [&sa.outcome, &sb.outcome];
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Outcome::Completed)).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Outcome::LockHeld { .. })).count(), 1, "{outcomes:?}");
    let want = if sa.outcome == Outcome::Completed { "5" } else { "7" };
    assert_eq!(peers.kubectl(&["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"])?, want);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resize_workers_rolls_every_pod_onto_the_new_limits() -> Result<()> {
    let peers = seeded(false).await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let plan = plan("resize-workers", p.clone(), &s, &[("cpu", "2"), ("memory", "2Gi")]).await?;
    let summary = run(p, plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let limits = peers.kubectl(&[
        "get",
        "pods",
        "-l",
        "app=agent-worker",
        "-o",
        "jsonpath={.items[*].spec.containers[0].resources.limits.memory}",
    ])?;
    assert_eq!(limits.split_whitespace().collect::<Vec<_>>(), vec!["2Gi"; 5], "{limits}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resize_db_on_moto_resizes_the_replicas_first_and_checks_select_1() -> Result<()> {
    let moto = support::Moto::start()?;
    let pg = support::Postgres::start()?;
    let rds = aws_sdk_rds::Client::new(&moto.sdk_config().await);
    rds.create_db_instance()
        .db_instance_identifier("agentos-primary")
        .db_instance_class("db.r6g.xlarge")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .send()
        .await?;
    for r in ["agentos-replica-1", "agentos-replica-2"] {
        rds.create_db_instance_read_replica()
            .db_instance_identifier(r)
            .source_db_instance_identifier("agentos-primary")
            .db_instance_class("db.r6g.xlarge")
            .send()
            .await?;
    }
    let home = tempfile::tempdir()?;
    let mut c = config(1.0);
    c.aws.enabled = Some(true);
    c.aws.region = Some("us-east-1".into());
    c.aws.endpoint_url = Some(moto.endpoint());
    c.postgres.url = Some(pg.url());
    let e = env(home.path()).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing");
    let targets = Targets::resolve(&c, &e).await;
    let p: Arc<dyn Platform> = Arc::new(LivePlatform::connect(&c, &targets, Clock::start()).await);
    let journal = tempfile::tempdir()?;
    let mut s = ActionSettings::from_config(&c);
    s.journal_dir = journal.path().to_path_buf();
    s.poll_secs = 0.2;
    let first = plan("resize-db", p.clone(), &s, &[("class", "db.r6g.2xlarge"), ("apply", "now")]).await?;
    let order: Vec<&str> = first.steps.iter().map(|st| st.title.as_str()).collect();
    assert!(order[0].contains("replica") && order[1].contains("replica") && order[2].contains("primary"), "{order:?}");
    // The action lock is a Lease: without Kubernetes this platform cannot take it.
    let summary = run(p.clone(), first, &s).await;
    assert!(matches!(&summary.outcome, Outcome::Failed { reason } if reason.contains("lock")), "{:?}", summary.outcome);
    let (primary, _) = p.db_instances().await?;
    assert_eq!(primary.class, "db.r6g.xlarge", "nothing changed without the lock");
    // With the Kubernetes API beside it (for the Lease), the resize runs.
    let peers = seeded(false).await?;
    c.kubernetes.kubeconfig = Some(peers.kmock.kubeconfig_path());
    c.kubernetes.namespace = NS.into();
    let targets = Targets::resolve(&c, &e).await;
    let p: Arc<dyn Platform> = Arc::new(LivePlatform::connect(&c, &targets, Clock::start()).await);
    let second = plan("resize-db", p.clone(), &s, &[("class", "db.r6g.2xlarge"), ("apply", "now")]).await?;
    let summary = run(p.clone(), second, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let (primary, replicas) = p.db_instances().await?;
    assert!(
        std::iter::once(&primary).chain(&replicas).all(|i| i.class == "db.r6g.2xlarge"),
        "{primary:?} {replicas:?}"
    );
    assert!(
        summary.steps.iter().any(
            |r| matches!(&r.state, cockpit::actions::StepState::Done { note: Some(n) } if n.starts_with("SELECT 1"))
        )
    );
    Ok(())
}

/// A journal's records, every file of the dir.
fn journal_records(dir: &std::path::Path) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(e?.path())?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.push(serde_json::from_str(line)?);
        }
    }
    Ok(out)
}

/// The real binary, killed with SIGKILL in the middle of a drain (after its annotation was
/// written, while it waits for the in-flight set), is refused a fresh start, resumes with
/// `--resume`, and completes without writing the annotation a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_cockpit_resumes_the_drain_without_repeating_an_effect() -> Result<()> {
    let peers = seeded(true).await?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let mut con = redis::Client::open(url.as_str())?.get_multiplexed_async_connection().await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let up = plan("scale-workers", p.clone(), &s, &[("replicas", "10")]).await?;
    assert_eq!(run(p, up, &s).await.outcome, Outcome::Completed);
    let _: () = redis::cmd("SET").arg("test:hold-tasks").arg("1").query_async(&mut con).await?;
    let _: u32 = redis::cmd("SADD").arg("agent:processing").arg(&["t1", "t2", "t3"]).query_async(&mut con).await?;

    let home = tempfile::tempdir()?;
    let state = home.path().join("state");
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "refresh_secs = 1\n[kubernetes]\nkubeconfig = {:?}\nnamespace = \"{NS}\"\n[redis]\nurl = {:?}\n",
            peers.kmock.kubeconfig_path(),
            url
        ),
    )?;
    let cockpit = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"));
        c.arg("--config").arg(&cfg).args(args);
        c.env("COCKPIT_STATE_DIR", &state).env("HOME", home.path()).env_remove("KUBECONFIG");
        c.env_remove("REDIS_URL").env_remove("DATABASE_URL").env_remove("AWS_ACCESS_KEY_ID");
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        c
    };
    let mut first = cockpit(&["run", "drain-workers", "--yes"]).spawn()?;
    // Wait until the drain annotation is written and journaled, then kill the process outright.
    let journal = state.join("journal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let annotated =
            peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?;
        let recorded = journal.exists()
            && journal_records(&journal)?.iter().any(|r| r["event"] == "after" && r["outcome"] == "applied");
        if annotated == "true" && recorded {
            break;
        }
        anyhow::ensure!(first.try_wait()?.is_none(), "the first run ended before it could be killed");
        anyhow::ensure!(std::time::Instant::now() < deadline, "the drain never started");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    first.kill()?;
    first.wait()?;
    let applied_before =
        journal_records(&journal)?.iter().filter(|r| r["event"] == "after" && r["outcome"] == "applied").count();

    // A fresh run is refused while the killed one is unfinished.
    let refused = cockpit(&["run", "drain-workers", "--yes"]).output()?;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--resume"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // The tasks finish; the resumed run carries on from where the killed one stopped.
    let _: () = redis::cmd("DEL").arg("test:hold-tasks").query_async(&mut con).await?;
    let resumed = cockpit(&["run", "drain-workers", "--resume", "--yes"]).output()?;
    let out = String::from_utf8_lossy(&resumed.stdout);
    assert!(resumed.status.success(), "{out}\n{}", String::from_utf8_lossy(&resumed.stderr));
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?, "");
    let records = journal_records(&journal)?;
    // The drain annotation was written by the first process only: no second "applied" for it.
    let annotate_steps: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"] == "after" && r["outcome"] == "applied" && r["after"].to_string().contains("true"))
        .collect();
    assert_eq!(annotate_steps.len(), 1, "the drain annotation was applied once: {annotate_steps:#?}");
    assert!(records.iter().any(|r| r["event"] == "resumed"), "the journal records the resume");
    assert!(records.iter().any(|r| r["event"] == "end"), "the action ended");
    let applied_after = records.iter().filter(|r| r["event"] == "after" && r["outcome"] == "applied").count();
    assert!(applied_after > applied_before, "the resumed run applied the remaining steps");
    Ok(())
}

/// `cockpit run emergency` with CloudWatch on moto but no load balancer set or discoverable (no
/// Ingress): the plan warns that p99 and error rate are not visible and names the key; the
/// monitor step judges recovery on the queue and ends as a warning at once instead of spinning
/// until its timeout; `--if-blind stop` runs nothing and exits 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emergency_without_a_load_balancer_judges_recovery_on_the_queue_or_does_not_run() -> Result<()> {
    let peers = seeded(true).await?;
    // The API's Service, as in any cluster; no Ingress and no LoadBalancer Service in front of it.
    peers
        .kmock
        .apply(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api-server", "namespace": NS},
                      "spec": {"selector": {"app": "api-server"}, "ports": [{"port": 80}]}}))
        .await?;
    let moto = support::Moto::start()?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let home = tempfile::tempdir()?;
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "refresh_secs = 1\n[kubernetes]\nkubeconfig = {:?}\nnamespace = \"{NS}\"\n[redis]\nurl = {:?}\n\
             [notify]\ncommand = \"true\"\n[actions]\nready_timeout_secs = 60\n\
             [aws]\nenabled = true\nregion = \"us-east-1\"\nendpoint_url = {:?}\nlatency_statistic = \"Maximum\"\n",
            peers.kmock.kubeconfig_path(),
            url,
            moto.endpoint()
        ),
    )?;
    let cockpit = |extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"));
        c.arg("--config").arg(&cfg);
        c.args(["run", "emergency", "--yes", "--confirm-word", "EMERGENCY"]);
        c.args(["--set", "api=6", "--set", "workers=8", "--set", "monitor=2"]).args(extra);
        c.env("COCKPIT_STATE_DIR", home.path().join("state")).env("HOME", home.path()).env_remove("KUBECONFIG");
        c.env_remove("REDIS_URL").env_remove("DATABASE_URL").env("AWS_EC2_METADATA_DISABLED", "true");
        c.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing");
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        c.output()
    };
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    let warn = "p99 and error rate are not visible (set aws.load_balancer): recovery will be judged on the queue alone \
                (not found: no Ingress or LoadBalancer Service for api-server in production)";

    let stopped = cockpit(&["--if-blind", "stop"])?;
    let t = text(&stopped);
    assert_eq!(stopped.status.code(), Some(3), "{t}");
    assert!(t.contains(warn), "the plan says it: {t}");
    assert!(t.contains("emergency not run (--if-blind stop)"), "{t}");
    assert!(t.contains("Monitor recovery: API latency p99 is not found: no Ingress"), "{t}");
    assert_eq!(peers.kubectl(&["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"])?, "3", "nothing ran");

    let ran = cockpit(&[])?;
    let t = text(&ran);
    assert_eq!(ran.status.code(), Some(0), "{t}");
    assert!(t.contains(warn), "{t}");
    assert!(t.contains("emergency: completed with warnings"), "{t}");
    assert!(
        t.contains(
            "Monitor recovery: warning: recovery judged on the queue alone (queue 0): p99 and error rate not visible: \
             not found: no Ingress or LoadBalancer Service for api-server in production (set aws.load_balancer)"
        ),
        "{t}"
    );
    assert!(!t.contains("timed out"), "{t}");
    assert_eq!(peers.kubectl(&["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"])?, "6");
    Ok(())
}

/// The next running state whose live value contains `needle`.
async fn until_live(events: &mut tokio::sync::mpsc::UnboundedReceiver<RunEvent>, needle: &str) -> Result<String> {
    let deadline = std::time::Duration::from_secs(60);
    tokio::time::timeout(deadline, async {
        while let Some(ev) = events.recv().await {
            if let RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } = ev
                && l.contains(needle)
            {
                return Ok(l);
            }
        }
        anyhow::bail!("the run ended before showing {needle:?}")
    })
    .await
    .map_err(|_| anyhow::anyhow!("no live value with {needle:?} within {deadline:?}"))?
}

/// Redis dies while the drain waits on the in-flight set: the wait shows the failed probe as
/// its live value and keeps waiting (no step is failed for a blip, no change is made), and when
/// Redis is back (empty: the tasks are gone with it) the drain completes in a consistent state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_during_the_drain_is_shown_and_the_drain_completes_when_it_is_back() -> Result<()> {
    let mut peers = seeded(true).await?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let mut con = redis::Client::open(url.as_str())?.get_multiplexed_async_connection().await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let up = plan("scale-workers", p.clone(), &s, &[("replicas", "10")]).await?;
    assert_eq!(run(p.clone(), up, &s).await.outcome, Outcome::Completed);
    let _: () = redis::cmd("SET").arg("test:hold-tasks").arg("1").query_async(&mut con).await?;
    let _: u32 = redis::cmd("SADD").arg("agent:processing").arg(&["t1", "t2"]).query_async(&mut con).await?;
    let drain = plan("drain-workers", p.clone(), &s, &[]).await?;
    let (runner, mut handle) = Runner::new(p.clone(), drain, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    until_live(&mut handle.events, "in flight 2").await?;
    peers.redis.as_mut().context("redis")?.kill()?;
    let shown = until_live(&mut handle.events, "probe failed").await?;
    assert!(shown.contains("trying again"), "{shown}");
    assert_eq!(
        peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?,
        "10",
        "nothing is scaled while the in-flight count is unknown"
    );
    peers.redis.as_mut().context("redis")?.restart()?;
    let summary = task.await?;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?, "");
    Ok(())
}

/// The Kubernetes API server dies while the drain waits: the lease cannot be renewed, so once it
/// would have expired the action stops (another engineer could take it by then), tries its
/// clean-up, and the summary and the journal both say what was left applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_server_killed_during_the_drain_stops_it_in_a_reported_state() -> Result<()> {
    let mut peers = seeded(true).await?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let mut con = redis::Client::open(url.as_str())?.get_multiplexed_async_connection().await?;
    let (p, mut s) = (peers.platform().await?, peers.settings());
    s.actions.lock_ttl_secs = 4;
    let up = plan("scale-workers", p.clone(), &s, &[("replicas", "10")]).await?;
    assert_eq!(run(p.clone(), up, &s).await.outcome, Outcome::Completed);
    let _: () = redis::cmd("SET").arg("test:hold-tasks").arg("1").query_async(&mut con).await?;
    let _: u32 = redis::cmd("SADD").arg("agent:processing").arg(&["t1"]).query_async(&mut con).await?;
    let drain = plan("drain-workers", p.clone(), &s, &[]).await?;
    let (runner, mut handle) = Runner::new(p.clone(), drain, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    until_live(&mut handle.events, "in flight 1").await?;
    // Stop playing the cluster, then take the API server away.
    peers.player.abort();
    let _ = (&mut peers.player).await;
    Arc::get_mut(&mut peers.kmock).context("the player let go of kmock")?.kill()?;
    let summary = tokio::time::timeout(std::time::Duration::from_secs(120), task).await??;
    assert!(matches!(summary.outcome, Outcome::LockLost { .. }), "{:#?}", summary.lines());
    let text: Vec<String> = summary.lines().into_iter().map(|(_, l)| l).collect();
    assert!(text.iter().any(|l| l.contains("drain")), "the summary names the drain annotation: {text:#?}");
    // The journal's last word for this action is the same outcome.
    let dir = s.journal_dir.clone();
    let mut ends = Vec::new();
    for e in std::fs::read_dir(&dir)? {
        for line in std::fs::read_to_string(e?.path())?.lines() {
            let v: Value = serde_json::from_str(line)?;
            if v["event"] == "end" && v["action_id"] == summary.action_id.clone().unwrap_or_default() {
                ends.push(v);
            }
        }
    }
    assert_eq!(ends.len(), 1, "{ends:#?}");
    assert!(ends[0]["outcome"].to_string().contains("lock_lost"), "{}", ends[0]);
    Ok(())
}

/// After a `kill -9` mid-drain the workers stay annotated drain=true and the dead run's lease
/// is live for its whole TTL (an hour here). `run drain-workers --abandon` without `--yes`
/// names the unfinished action and its clean-up; with `--yes` it takes the dead run's lock over
/// at once, runs the clean-up (removes the annotation), journals it and ends the action, then
/// runs the fresh drain. A cockpit on another machine (another journal) is refused by the live
/// lease with its wall-clock time, not "since 00:00:00".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandon_after_a_kill_takes_the_lock_over_and_runs_the_clean_up() -> Result<()> {
    let peers = seeded(true).await?;
    let url = peers.redis.as_ref().context("redis")?.url();
    let mut con = redis::Client::open(url.as_str())?.get_multiplexed_async_connection().await?;
    let (p, s) = (peers.platform().await?, peers.settings());
    let up = plan("scale-workers", p.clone(), &s, &[("replicas", "10")]).await?;
    assert_eq!(run(p, up, &s).await.outcome, Outcome::Completed);
    let _: () = redis::cmd("SET").arg("test:hold-tasks").arg("1").query_async(&mut con).await?;
    let _: u32 = redis::cmd("SADD").arg("agent:processing").arg(&["t1", "t2"]).query_async(&mut con).await?;

    let home = tempfile::tempdir()?;
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "refresh_secs = 1\n[kubernetes]\nkubeconfig = {:?}\nnamespace = \"{NS}\"\n[redis]\nurl = {:?}\n\
             [actions]\nlock_ttl_secs = 3600\n",
            peers.kmock.kubeconfig_path(),
            url
        ),
    )?;
    let cockpit = |state: &std::path::Path, args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"));
        c.arg("--config").arg(&cfg).args(args);
        c.env("COCKPIT_STATE_DIR", state).env("HOME", home.path()).env_remove("KUBECONFIG");
        c.env_remove("REDIS_URL").env_remove("DATABASE_URL").env_remove("AWS_ACCESS_KEY_ID");
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        c
    };
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    let state = home.path().join("state");
    let journal = state.join("journal");
    let mut first = cockpit(&state, &["run", "drain-workers", "--yes"]).spawn()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let annotated =
            peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?;
        let recorded = journal.exists()
            && journal_records(&journal)?.iter().any(|r| r["event"] == "after" && r["outcome"] == "applied");
        if annotated == "true" && recorded {
            break;
        }
        anyhow::ensure!(first.try_wait()?.is_none(), "the first run ended before it could be killed");
        anyhow::ensure!(std::time::Instant::now() < deadline, "the drain never started");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    first.kill()?; // SIGKILL
    first.wait()?;
    let dead_id = journal_records(&journal)?
        .iter()
        .find(|r| r["event"] == "start")
        .and_then(|r| r["action_id"].as_str().map(str::to_string))
        .context("the killed run's id")?;

    // Another machine (its own journal) meets the dead run's live lease: who, which action and
    // since when on the wall clock.
    let other = home.path().join("other-state");
    let refused = cockpit(&other, &["run", "scale-workers", "--yes", "--replicas", "12"]).output()?;
    let t = text(&refused);
    assert!(!refused.status.success(), "{t}");
    assert!(t.contains("the action lock is held by") && t.contains(&dead_id) && t.contains("drain-workers"), "{t}");
    assert!(!t.contains("since 00:00:00"), "{t}");
    let since = t.split(" since ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or_default();
    assert!(since.parse::<jiff::Timestamp>().is_ok(), "a wall-clock time with its offset: {since:?}\n{t}");

    // Without --yes: what --abandon would do, naming the action and its clean-up.
    let asked = cockpit(&state, &["run", "drain-workers", "--abandon"]).output()?;
    let t = text(&asked);
    assert_eq!(asked.status.code(), Some(2), "{t}");
    assert!(t.contains(&format!("abandon drain-workers {dead_id}")), "{t}");
    assert!(t.contains("Remove the drain annotation") && t.contains("add --yes"), "{t}");
    assert!(!t.contains("started 00:00:00"), "{t}");
    assert_eq!(
        peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?,
        "true"
    );

    // With --yes: the clean-up runs at once under the dead run's lock, then the fresh drain.
    let _: () = redis::cmd("DEL").arg("test:hold-tasks").query_async(&mut con).await?;
    let done = cockpit(&state, &["run", "drain-workers", "--abandon", "--yes"]).output()?;
    let t = text(&done);
    assert!(done.status.success(), "{t}");
    assert!(t.contains("abandoned by"), "{t}");
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.metadata.annotations.drain}"])?, "");
    assert_eq!(peers.kubectl(&["get", "deploy", "agent-worker", "-o", "jsonpath={.spec.replicas}"])?, "5");
    // The dead run's journal: abandoned, the annotation removed (journaled before and after),
    // and ended; no second start of it.
    let dead: Vec<Value> = journal_records(&journal)?.into_iter().filter(|r| r["action_id"] == dead_id).collect();
    let at = |event: &str| dead.iter().position(|r| r["event"] == event);
    let abandoning = at("abandoning").context("an abandoning record")?;
    let removed = dead
        .iter()
        .rposition(|r| {
            r["event"] == "after"
                && r["outcome"] == "applied"
                && r["target"].as_str().is_some_and(|t| t.ends_with("annotation drain"))
        })
        .with_context(|| format!("the annotation's removal, journaled: {dead:#?}"))?;
    let end = at("end").context("an end record")?;
    assert!(abandoning < removed && removed < end, "{dead:#?}");
    assert!(dead[end]["outcome"].to_string().contains("abandoned by"), "{}", dead[end]);
    assert!(journal::unfinished(&journal).is_empty(), "nothing is left unfinished");
    Ok(())
}
