//! `cockpit collect`: poll the platform (or the simulator, `--demo`) with no screen and publish
//! it to the war room's stream. Only the holder of the stream's lock polls and publishes; a
//! second collector stands by, polling nothing, and takes over when the first stops.

use super::share::{Identity, Sharing};
use super::{EXIT_FAILURE, EXIT_USAGE, Setup};
use crate::cli::CollectArgs;
use crate::config::Config;
use crate::live::{Clock, Env, Targets};
use crate::model::{Board, SourceId, SourceUpdate};
use crate::record::Recorder;
use crate::share::publish::{Epoch, Out, Role};
use crate::sim::Simulator;
use std::sync::{Arc, Mutex};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What is polled.
enum Platform {
    Live { targets: Box<Targets>, context: String },
    Demo { args: crate::cli::DemoArgs, start: f64 },
}

/// The polling of a collector that holds the lock.
struct Running {
    tasks: Vec<JoinHandle<()>>,
    rx: mpsc::Receiver<SourceUpdate>,
    board: Board,
    recorder: Option<Recorder>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub async fn run(setup: Setup, args: CollectArgs) -> anyhow::Result<i32> {
    let config = setup.config;
    let env = Env::process();
    let platform = if args.demo {
        Platform::Demo { args: args.sim.clone(), start: crate::share::wall_now() - args.sim.skip.unwrap_or(0.0) }
    } else {
        let targets = Targets::resolve(&config, &env).await;
        if targets.configured().is_empty() {
            eprintln!("{}", super::live::NOTHING_CONFIGURED);
            return Ok(EXIT_FAILURE);
        }
        let context = match &targets.kube {
            Some(Ok(k)) => k.context.clone().unwrap_or_else(|| "in-cluster".into()),
            _ => "live".into(),
        };
        Platform::Live { targets: Box::new(targets), context }
    };
    let settings = config.board_settings();
    let (configured, target, origin, default_name, refresh, epoch) = match &platform {
        Platform::Live { targets, context } => (
            targets.configured(),
            targets.describe(),
            "live",
            context.clone(),
            crate::sources::Intervals::from_config(&config).refresh,
            Epoch::Continue,
        ),
        Platform::Demo { args, start } => {
            let scen = super::demo::scenario(args.scenario);
            (
                SourceId::ALL.to_vec(),
                format!("demo {} (seed {})", scen.name(), args.seed),
                "demo",
                "demo".to_string(),
                super::demo::demo_refresh(&config),
                Epoch::Fixed(*start),
            )
        }
    };
    let who = Identity {
        default_name: &default_name,
        settings: &settings,
        configured: &configured,
        target: target.clone(),
        origin,
        refresh,
        epoch,
    };
    let sharing = match super::share::start(&config, &env, who) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cockpit collect: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    eprintln!("cockpit collect: {target} → stream {:?} on {}", sharing.keys.name, sharing.server);
    let mut role = sharing.role.clone();
    let mut running: Option<Running> = None;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    loop {
        tokio::select! {
            changed = role.changed() => {
                if changed.is_err() {
                    break;
                }
                let r = role.borrow_and_update().clone();
                eprintln!("cockpit collect: {}", sharing.describe(&r));
                match r {
                    Role::Publishing { epoch } if running.is_none() => {
                        running = Some(start(&platform, &config, &sharing, &settings, &configured, &target, epoch));
                    }
                    Role::Publishing { .. } | Role::Starting => {}
                    Role::Standby { .. } | Role::Down { .. } => running = None,
                }
            }
            Some(u) = next(&mut running) => {
                if let Some(r) = running.as_mut() {
                    r.board.ingest(u.clone());
                    let _ = sharing.tx.try_send(Out::Update(Box::new(u)));
                    if let Some(rec) = r.recorder.as_mut() {
                        rec.observe(&r.board);
                    }
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => break,
        }
    }
    drop(running);
    drop(role);
    sharing.stop().await;
    eprintln!("cockpit collect: stopped; the lock is released");
    Ok(0)
}

async fn next(running: &mut Option<Running>) -> Option<SourceUpdate> {
    match running {
        Some(r) => r.rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Start polling on the data clock whose zero is `epoch`, recording into the stream (and the
/// local recordings when they are on).
fn start(
    platform: &Platform,
    config: &Config,
    sharing: &Sharing,
    settings: &crate::model::BoardSettings,
    configured: &[SourceId],
    target: &str,
    epoch: f64,
) -> Running {
    let (tx, rx) = mpsc::channel(256);
    let mut board = Board::new(settings.clone(), configured);
    let root = crate::record::session::root();
    let name = sharing.keys.name.as_str();
    let origin = match platform {
        Platform::Live { .. } => format!("collector {}", crate::share::collector_id()),
        Platform::Demo { .. } => target.to_string(),
    };
    let opened = crate::record::session::open_with(config, &root, &board, &origin, name, epoch, Some(sharing.sink()));
    if let Some(w) = &opened.warning {
        eprintln!("cockpit collect: {w}");
    }
    let mut recorder = opened.recorder;
    let tasks = match platform {
        Platform::Live { targets, .. } => crate::sources::spawn_all(targets, config, Clock::at_epoch(epoch), tx),
        Platform::Demo { args, start } => {
            let mut sim =
                Simulator::new(super::demo::scenario(args.scenario), args.seed, super::demo::sim_settings(config));
            // The simulated time already past on the data clock (a standby that takes over a
            // demo starts where the clock is, not at zero).
            let skip = (crate::share::wall_now() - start).max(0.0).min(args.skip.unwrap_or(0.0).max(0.0));
            if let Some(rec) = recorder.as_mut() {
                super::demo::skip_recorded(&mut sim, &mut board, skip, config.refresh_secs, rec);
            } else if skip > 0.0 {
                crate::sim::driver::run_for(&mut sim, &mut board, skip, 5.0);
            }
            let sim = Arc::new(Mutex::new(sim));
            vec![crate::sim::driver::spawn_driver(sim, args.speed, super::demo::demo_refresh(config), tx)]
        }
    };
    Running { tasks, rx, board, recorder }
}
