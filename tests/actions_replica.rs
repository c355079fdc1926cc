//! add-replica and remove-replica (issue 9, runbook "Scalable Components": PostgreSQL read
//! replicas 1..5): on the simulator (creating → available, the lag catching up, abort, a kill
//! and resume), against moto (RDS CreateDBInstanceReadReplica / DeleteDBInstance, CloudWatch's
//! ReplicaLag) with two real PostgreSQL servers (the primary, and the replica's endpoint mapped
//! with postgres.replica_hosts: moto's endpoints are names of no real server), kmock for the
//! action lock; each refusal; the real binary's typed confirmation; the plan popups.

mod actions_common;
mod support;

use actions_common::{Spy, observe, plan, run, settings, sim};
use anyhow::{Context, Result};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cockpit::actions::jobs::{JobEvent, Jobs};
use cockpit::actions::journal;
use cockpit::actions::runner::{RunOpts, Runner};
use cockpit::actions::step::Severity;
use cockpit::actions::{ActionSettings, Outcome, Plan, RunEvent, StepState};
use cockpit::config::Config;
use cockpit::config::keymap::{Command, Keymap};
use cockpit::config::theme::Theme;
use cockpit::live::{Clock, Targets};
use cockpit::model::{Board, SourceId};
use cockpit::platform::Platform;
use cockpit::platform::live::LivePlatform;
use cockpit::sim::Scenario;
use cockpit::ui::app::{App, Mode};
use cockpit::ui::event_loop::HostEvent;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};
use support::live::kube_objects::deployment;
use support::live::{config, env};
use support::{Kmock, Moto, Postgres};

const NS: &str = "production";

fn live_text(events: &[RunEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. } => Some(l.clone()),
            _ => None,
        })
        .collect()
}

// ---- The simulator ----

#[tokio::test]
async fn add_replica_on_the_simulator_goes_from_creating_to_available_and_catches_up() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let plan = plan("add-replica", p.clone(), &board, &s, &[]).await;
    assert_eq!(plan.params["id"], "agentos-replica-3", "the next of the runbook's names");
    assert!(!plan.blocked(), "{:?}", plan.findings);
    let (summary, events) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    let live = live_text(&events);
    assert!(live.iter().any(|l| l == "agentos-replica-3: creating"), "{live:?}");
    let lags: Vec<&String> = live.iter().filter(|l| l.contains(": lag ")).collect();
    assert!(!lags.is_empty() && lags.iter().any(|l| !l.contains("lag 0.")), "followed while behind: {live:?}");
    assert!(
        matches!(&summary.steps[2].state, StepState::Done { note: Some(n) } if n.starts_with("SELECT 1 on agentos-replica-3")),
        "{:?}",
        summary.steps[2]
    );
    let (_, replicas) = p.db_replica_set().await.expect("replicas");
    let ids: Vec<(&str, &str)> = replicas.iter().map(|r| (r.id.as_str(), r.status.as_str())).collect();
    assert_eq!(
        ids,
        [("agentos-replica-1", "available"), ("agentos-replica-2", "available"), ("agentos-replica-3", "available")]
    );
    // The Database pane's source sees the new replica and its lag.
    let mut board = board;
    observe(&p, &mut board);
    let pg = board.state.postgres.as_ref().expect("postgres state");
    assert!(pg.replica_lag.iter().any(|(id, lag)| id == "agentos-replica-3" && *lag < 5.0), "{:?}", pg.replica_lag);
}

#[tokio::test]
async fn remove_replica_on_the_simulator_needs_the_name_while_clients_read_from_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let plan = plan("remove-replica", p.clone(), &board, &s, &[("id", "agentos-replica-2")]).await;
    assert!(!plan.blocked(), "{:?}", plan.findings);
    assert_eq!(plan.confirm_word.as_deref(), Some("agentos-replica-2"), "the API pods read from it");
    let (summary, events) = run(p.clone(), plan, &s).await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:?}", summary.lines());
    assert!(live_text(&events).iter().any(|l| l == "agentos-replica-2: deleting"), "{:?}", live_text(&events));
    let (_, replicas) = p.db_replica_set().await.expect("replicas");
    assert_eq!(replicas.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["agentos-replica-1"]);
    // The last one is refused, and the run refuses a blocked plan.
    let last = plan_on(&p, &board, &s, "remove-replica", &[("id", "agentos-replica-1")]).await;
    assert!(last.blocked(), "{:?}", last.findings);
    assert!(
        last.findings.iter().any(|f| f.severity == Severity::Block && f.text.contains("the last read replica")),
        "{:?}",
        last.findings
    );
    let (summary, _) = run(p.clone(), last, &s).await;
    assert!(!summary.outcome.ok(), "{:?}", summary.outcome);
    assert_eq!(p.db_replica_set().await.expect("replicas").1.len(), 1, "nothing deleted");
}

async fn plan_on(
    p: &Arc<cockpit::sim::SimPlatform>,
    board: &Board,
    s: &ActionSettings,
    name: &str,
    set: &[(&str, &str)],
) -> Plan {
    plan(name, p.clone(), board, s, set).await
}

#[tokio::test]
async fn add_replica_aborted_while_it_catches_up_stops_with_the_replica_made() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let plan = plan("add-replica", p.clone(), &board, &s, &[]).await;
    let spy = Spy::new(p.clone());
    let (runner, handle) = Runner::new(spy.clone(), plan, RunOpts::from_settings(&s));
    spy.abort_on("db_replica_lag", handle.abort.clone());
    let summary = runner.run().await;
    assert_eq!(summary.outcome, Outcome::Aborted, "{:?}", summary.lines());
    assert!(matches!(summary.steps[0].state, StepState::Done { .. }), "{:?}", summary.steps[0].state);
    assert!(matches!(summary.steps[2].state, StepState::Skipped { .. }), "{:?}", summary.steps[2].state);
    assert!(p.db_replica_set().await.expect("replicas").1.iter().any(|r| r.id == "agentos-replica-3"));
    // Its undo deletes the replica it made.
    let undo = cockpit::actions::rollback::from_journal(dir.path(), "add-replica").expect("journal").expect("an undo");
    assert!(undo.steps.iter().any(|st| st.title.contains("agentos-replica-3")), "{:?}", undo.steps);
}

#[tokio::test]
async fn a_killed_add_replica_resumes_without_creating_it_twice() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let plan = plan("add-replica", p.clone(), &board, &s, &[]).await;
    let first = Spy::new(p.clone());
    first.hang_on("create_db_replica", true);
    let (runner, _h) = Runner::new(first.clone(), plan, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    while !first.hung.load(Ordering::SeqCst) {
        tokio::task::yield_now().await;
    }
    task.abort();
    let _ = task.await;
    let pending = journal::unfinished(dir.path());
    assert_eq!(pending.len(), 1);
    let u = pending.into_iter().next().expect("unfinished");
    let second = Spy::new(p.clone());
    let summary = Runner::resume(second.clone(), u, RunOpts::from_settings(&s)).0.run().await;
    assert!(summary.outcome.ok(), "{:?}", summary.lines());
    assert_eq!(second.count("create_db_replica"), 0, "the replica the killed run made is not made again");
    assert_eq!(p.db_replica_set().await.expect("replicas").1.len(), 3);
}

// ---- moto, PostgreSQL, kmock ----

struct Rig {
    moto: Moto,
    _primary_db: Postgres,
    replica_db: Postgres,
    kmock: Kmock,
    home: tempfile::TempDir,
    config: Config,
    rds: aws_sdk_rds::Client,
    cw: aws_sdk_cloudwatch::Client,
}

impl Rig {
    /// moto with agentos-primary (db.r6g.xlarge) and one replica, agentos-replica-1; every
    /// replica's endpoint is the second PostgreSQL (postgres.replica_hosts).
    async fn start() -> Result<Rig> {
        let moto = Moto::start()?;
        let (primary_db, replica_db) = (Postgres::start()?, Postgres::start()?);
        let kmock = Kmock::start()?;
        kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
        kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
        let sdk = moto.sdk_config().await;
        let rds = aws_sdk_rds::Client::new(&sdk);
        rds.create_db_instance()
            .db_instance_identifier("agentos-primary")
            .db_instance_class("db.r6g.xlarge")
            .engine("postgres")
            .master_username("admin")
            .master_user_password("password123")
            .allocated_storage(20)
            .send()
            .await?;
        rds.create_db_instance_read_replica()
            .db_instance_identifier("agentos-replica-1")
            .source_db_instance_identifier("agentos-primary")
            .db_instance_class("db.r6g.xlarge")
            .send()
            .await?;
        let mut c = config(1.0);
        c.kubernetes.kubeconfig = Some(kmock.kubeconfig_path());
        c.kubernetes.namespace = NS.into();
        c.aws.enabled = Some(true);
        c.aws.region = Some("us-east-1".into());
        c.aws.endpoint_url = Some(moto.endpoint());
        c.aws.rds_primary = Some("agentos-primary".into());
        c.postgres.url = Some(primary_db.url());
        let at = format!("127.0.0.1:{}", replica_db.port());
        for n in 1..=6 {
            c.postgres.replica_hosts.insert(format!("agentos-replica-{n}"), at.clone());
        }
        c.actions.replica_conns_per_api_pod = Some(4.0);
        c.actions.replica_conns_per_worker = Some(2.0);
        c.actions.rds_timeout_secs = 120;
        Ok(Rig {
            cw: aws_sdk_cloudwatch::Client::new(&sdk),
            rds,
            moto,
            _primary_db: primary_db,
            replica_db,
            kmock,
            home: tempfile::tempdir()?,
            config: c,
        })
    }

    async fn platform(&self) -> Arc<dyn Platform> {
        let e = env(self.home.path()).with("AWS_ACCESS_KEY_ID", "testing").with("AWS_SECRET_ACCESS_KEY", "testing");
        let targets = Targets::resolve(&self.config, &e).await;
        Arc::new(LivePlatform::connect(&self.config, &targets, Clock::start()).await)
    }

    fn settings(&self) -> ActionSettings {
        let mut s = ActionSettings::from_config(&self.config);
        s.journal_dir = self.home.path().join("journal");
        s.poll_secs = 0.2;
        s
    }

    async fn plan(&self, p: Arc<dyn Platform>, name: &str, set: &[(&str, &str)]) -> Result<Plan> {
        let board = Board::new(Config::default().board_settings(), &SourceId::ALL);
        let proc = cockpit::actions::registry::find(name)?;
        let mut form = proc.form(&cockpit::actions::procedure::FormCx { board: &board, settings: &self.settings() });
        for (k, v) in set {
            form.set(k, v).map_err(anyhow::Error::msg)?;
        }
        let cx = cockpit::actions::procedure::PlanCx { platform: p, settings: self.settings(), board };
        Ok(proc.plan(&cx, &form).await?)
    }

    /// The replicas RDS lists for the primary.
    async fn replicas(&self) -> Result<Vec<String>> {
        let out = self.rds.describe_db_instances().db_instance_identifier("agentos-primary").send().await?;
        let p = out.db_instances().first().context("the primary")?;
        Ok(p.read_replica_db_instance_identifiers().to_vec())
    }

    async fn add_replicas(&self, ids: &[&str]) -> Result<()> {
        for id in ids {
            self.rds
                .create_db_instance_read_replica()
                .db_instance_identifier(*id)
                .source_db_instance_identifier("agentos-primary")
                .db_instance_class("db.r6g.xlarge")
                .send()
                .await?;
        }
        Ok(())
    }

    /// RDS's part: a ReplicaLag datapoint for `id` each `every`, one simulated minute apart
    /// (the last nine minutes), falling as a new replica catches up.
    fn play_lag(&self, id: &str, values: &[f64], every: Duration) -> tokio::task::JoinHandle<Result<()>> {
        let (cw, id, values) = (self.cw.clone(), id.to_string(), values.to_vec());
        tokio::spawn(async move {
            let start = SystemTime::now() - Duration::from_secs(9 * 60);
            for (k, v) in values.iter().enumerate() {
                let at = start + Duration::from_secs(60 * k as u64);
                let d = Dimension::builder().name("DBInstanceIdentifier").value(&id).build();
                let datum = MetricDatum::builder()
                    .metric_name("ReplicaLag")
                    .dimensions(d)
                    .value(*v)
                    .timestamp(DateTime::from(at));
                cw.put_metric_data().namespace("AWS/RDS").metric_data(datum.build()).send().await?;
                tokio::time::sleep(every).await;
            }
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_replica_on_moto_follows_the_lag_down_and_checks_select_1_on_the_replica() -> Result<()> {
    let rig = Rig::start().await?;
    let p = rig.platform().await;
    let plan = rig.plan(p.clone(), "add-replica", &[("id", "agentos-replica-2")]).await?;
    assert!(!plan.blocked(), "{:?}", plan.findings);
    let texts: Vec<&str> = plan.findings.iter().map(|f| f.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("has 1 read replica (agentos-replica-1)")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("db.r6g.xlarge, the primary's class")), "{texts:?}");
    // ((3 API pods × 4) + (5 workers × 2)) × 1.2 = 26.4, of the primary's max_connections.
    assert!(texts.iter().any(|t| t.contains("((3 × 4) + (5 × 2)) × 1.2 = 26 of max_connections 100")), "{texts:?}");
    let player = rig.play_lag(
        "agentos-replica-2",
        &[95.0, 60.0, 31.0, 12.0, 4.0, 2.0, 1.0, 0.5, 0.4],
        Duration::from_millis(700),
    );
    let (runner, mut handle) = Runner::new(p.clone(), plan, RunOpts::from_settings(&rig.settings()));
    let summary = runner.run().await;
    player.await??;
    let mut events = Vec::new();
    while let Ok(e) = handle.events.try_recv() {
        events.push(e);
    }
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let live = live_text(&events);
    assert!(
        live.iter().any(|l| l.starts_with("agentos-replica-2: lag 1m3") || l.starts_with("agentos-replica-2: lag 1m0")),
        "{live:?}"
    );
    assert!(live.iter().any(|l| l.starts_with("agentos-replica-2: lag 12")), "the lag followed as it falls: {live:?}");
    assert!(
        matches!(&summary.steps[0].state, StepState::Done { note: Some(n) } if n == "agentos-replica-2: available (db.r6g.xlarge)"),
        "{:?}",
        summary.steps[0].state
    );
    assert!(
        matches!(&summary.steps[2].state, StepState::Done { note: Some(n) } if n.starts_with("SELECT 1 on agentos-replica-2 in ")),
        "{:?}",
        summary.steps[2].state
    );
    assert_eq!(rig.replicas().await?, ["agentos-replica-1", "agentos-replica-2"]);
    // SELECT 1 went to the replica's server: stop it and the verification cannot hold.
    let mut replica_db = rig.replica_db;
    replica_db.kill()?;
    let e = p.db_replica_ping("agentos-replica-2").await.expect_err("the replica's server is down");
    assert!(e.is_transient(), "{e:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_replica_on_moto_refuses_a_sixth_a_smaller_class_and_a_taken_name() -> Result<()> {
    let rig = Rig::start().await?;
    let p = rig.platform().await;
    let blocks = |plan: &Plan| -> Vec<String> {
        plan.findings.iter().filter(|f| f.severity == Severity::Block).map(|f| f.text.clone()).collect()
    };
    let small = rig.plan(p.clone(), "add-replica", &[("id", "agentos-replica-2"), ("class", "db.r6g.large")]).await?;
    assert!(
        blocks(&small).iter().any(|b| b.contains("smaller than the primary's db.r6g.xlarge")),
        "{:?}",
        small.findings
    );
    let taken = rig.plan(p.clone(), "add-replica", &[("id", "agentos-replica-1")]).await?;
    assert!(blocks(&taken).iter().any(|b| b.contains("exists already")), "{:?}", taken.findings);
    let bad = rig.plan(p.clone(), "add-replica", &[("id", "2nd--replica")]).await?;
    assert!(blocks(&bad).iter().any(|b| b.contains("not a valid RDS identifier")), "{:?}", bad.findings);
    rig.add_replicas(&["agentos-replica-2", "agentos-replica-3", "agentos-replica-4", "agentos-replica-5"]).await?;
    let sixth = rig.plan(p.clone(), "add-replica", &[("id", "agentos-replica-6")]).await?;
    assert!(blocks(&sixth).iter().any(|b| b.contains("the runbook's maximum is 5")), "{:?}", sixth.findings);
    let summary = Runner::new(p.clone(), sixth, RunOpts::from_settings(&rig.settings())).0.run().await;
    assert!(!summary.outcome.ok(), "{:?}", summary.outcome);
    assert_eq!(rig.replicas().await?.len(), 5, "nothing created");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_replica_on_moto_refuses_the_last_and_deletes_an_idle_one() -> Result<()> {
    let rig = Rig::start().await?;
    let p = rig.platform().await;
    let last = rig.plan(p.clone(), "remove-replica", &[("id", "agentos-replica-1")]).await?;
    assert!(last.blocked(), "{:?}", last.findings);
    assert!(last.findings.iter().any(|f| f.text.contains("the last read replica")), "{:?}", last.findings);
    let primary = rig.plan(p.clone(), "remove-replica", &[("id", "agentos-primary")]).await?;
    assert!(primary.findings.iter().any(|f| f.text.contains("is the primary")), "{:?}", primary.findings);
    rig.add_replicas(&["agentos-replica-2"]).await?;
    let plan = rig.plan(p.clone(), "remove-replica", &[("id", "agentos-replica-2")]).await?;
    assert!(!plan.blocked(), "{:?}", plan.findings);
    assert_eq!(plan.confirm_word, None, "no client on it: no typed name");
    assert!(
        plan.findings.iter().any(|f| f.text == "no client is connected to agentos-replica-2"),
        "{:?}",
        plan.findings
    );
    let (runner, mut handle) = Runner::new(p.clone(), plan, RunOpts::from_settings(&rig.settings()));
    let summary = runner.run().await;
    assert_eq!(summary.outcome, Outcome::Completed, "{:#?}", summary.lines());
    let mut checks = Vec::new();
    while let Ok(e) = handle.events.try_recv() {
        if let RunEvent::Step { state: StepState::Done { note: Some(n) }, .. } = e {
            checks.push(n);
        }
    }
    assert!(checks.iter().any(|n| n == "agentos-replica-2 deleted"), "{checks:?}");
    assert_eq!(rig.replicas().await?, ["agentos-replica-1"]);
    Ok(())
}

/// The real binary: a replica the application still reads from (a client connected to its
/// server) is not removed without its name typed; with it, it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_replica_with_clients_needs_its_name_typed_on_the_command_line() -> Result<()> {
    let rig = Rig::start().await?;
    rig.add_replicas(&["agentos-replica-2"]).await?;
    let (client, conn) = tokio_postgres::connect(&rig.replica_db.url(), tokio_postgres::NoTls).await?;
    let conn = tokio::spawn(conn);
    let cfg = rig.home.path().join("config.toml");
    let c = &rig.config;
    std::fs::write(
        &cfg,
        format!(
            "[kubernetes]\nkubeconfig = {:?}\nnamespace = \"{NS}\"\n[aws]\nenabled = true\nregion = \"us-east-1\"\n\
             endpoint_url = {:?}\nrds_primary = \"agentos-primary\"\n[postgres]\nurl = {:?}\n\
             [postgres.replica_hosts]\nagentos-replica-2 = \"127.0.0.1:{}\"\n[actions]\nrds_timeout_secs = 120\n",
            rig.kmock.kubeconfig_path(),
            rig.moto.endpoint(),
            c.postgres.url.as_deref().unwrap_or_default(),
            rig.replica_db.port()
        ),
    )?;
    let cockpit = |args: &[&str]| -> Result<std::process::Output> {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"));
        cmd.arg("--config").arg(&cfg).args(args);
        cmd.env("COCKPIT_STATE_DIR", rig.home.path().join("state")).env("HOME", rig.home.path());
        cmd.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing");
        cmd.env_remove("KUBECONFIG").env_remove("DATABASE_URL").env_remove("REDIS_URL");
        Ok(cmd.output()?)
    };
    let refused = cockpit(&["run", "remove-replica", "--id", "agentos-replica-2", "--yes"])?;
    let (out, err) = (String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert_eq!(refused.status.code(), Some(2), "{out}\n{err}");
    assert!(out.contains("1 client connection(s) are open on agentos-replica-2"), "{out}");
    assert!(err.contains("needs --confirm-word agentos-replica-2"), "{err}");
    assert_eq!(rig.replicas().await?, ["agentos-replica-1", "agentos-replica-2"], "nothing deleted");
    let done = cockpit(&[
        "run",
        "remove-replica",
        "--id",
        "agentos-replica-2",
        "--yes",
        "--confirm-word",
        "agentos-replica-2",
    ])?;
    let (out, err) = (String::from_utf8_lossy(&done.stdout), String::from_utf8_lossy(&done.stderr));
    assert_eq!(done.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("agentos-replica-2 deleted"), "{out}");
    assert_eq!(rig.replicas().await?, ["agentos-replica-1"]);
    drop(client);
    conn.abort();
    Ok(())
}

// ---- The plan popups ----

async fn plan_popup(name: &str, w: u16, h: u16) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let (p, board) = sim(Scenario::Baseline, 1, 600.0);
    let theme = Theme::load("dark", None).expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mode = Mode::Demo { scenario: "baseline".into(), seed: 1, speed: 1.0 };
    let mut app = App::new(board, theme, keymap, mode);
    let mut jobs = Jobs::new(p, settings(dir.path()));
    app.attach_actions(jobs.settings().clone(), jobs.unfinished());
    let pump = |app: &mut App, jobs: &mut Jobs| {
        for e in std::mem::take(&mut app.effects) {
            cockpit::commands::host::action_effect(jobs, app, e);
        }
    };
    app.command(Command::Start(name.into()));
    pump(&mut app, &mut jobs);
    app.handle_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    ));
    pump(&mut app, &mut jobs);
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), jobs.next()).await.expect("a job event").expect("event");
        let planned = matches!(ev, JobEvent::Planned { .. });
        app.host_event(HostEvent::Job(Box::new(ev)));
        pump(&mut app, &mut jobs);
        if planned {
            break;
        }
    }
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| cockpit::ui::view::draw(f, &app)).expect("draw");
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n").collect()
}

#[tokio::test]
async fn the_add_replica_plan_popup() {
    let screen = plan_popup("add-replica", 100, 32).await;
    assert!(screen.contains("agentos-replica-3"), "{screen}");
    insta::assert_snapshot!("plan_add_replica", screen);
    insta::assert_snapshot!("plan_add_replica_80x24", plan_popup("add-replica", 80, 24).await);
}

#[tokio::test]
async fn the_remove_replica_plan_popup() {
    let screen = plan_popup("remove-replica", 100, 32).await;
    assert!(screen.contains("agentos-replica-2"), "{screen}");
    insta::assert_snapshot!("plan_remove_replica", screen);
    insta::assert_snapshot!("plan_remove_replica_80x24", plan_popup("remove-replica", 80, 24).await);
}
