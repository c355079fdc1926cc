//! `cockpit demo`: the full-screen cockpit over the embedded simulator.

use super::Setup;
use super::host::{Backend, DeskHost};
use crate::actions::{ActionSettings, Jobs};
use crate::cli::{DemoArgs, ScenarioArg};
use crate::config::Config;
use crate::model::{Board, SourceId, SourceUpdate};
use crate::sim::{Clock, Scenario, SimSettings, Simulator};
use crate::ui::app::{App, Mode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

pub fn scenario(s: ScenarioArg) -> Scenario {
    match s {
        ScenarioArg::Baseline => Scenario::Baseline,
        ScenarioArg::Stress => Scenario::Stress,
        ScenarioArg::Soak => Scenario::Soak,
        ScenarioArg::Spike => Scenario::Spike,
        ScenarioArg::Incident => Scenario::Incident,
    }
}

/// The simulator's settings from the config: the same names and limits as the live platform.
pub fn sim_settings(c: &Config) -> SimSettings {
    let d = SimSettings::default();
    SimSettings {
        limits: c.limits,
        capacity: c.capacity,
        queue_key: c.redis.queues.first().cloned().unwrap_or(d.queue_key),
        processing_key: c.redis.processing_set.clone(),
        kube: c.kubernetes.clone(),
        db_primary: c.aws.rds_primary_or_runbook().to_string(),
        db_replicas: c.aws.rds_replicas.clone(),
        ..d
    }
}

/// Seconds of real time between two samples of the demo.
pub fn demo_refresh(c: &Config) -> Duration {
    Duration::from_secs_f64(c.refresh_secs.clamp(0.2, 1.0))
}

/// The simulator's driver, restarted at a new speed when the app asks.
pub struct DemoBackend {
    sim: Arc<Mutex<Simulator>>,
    tx: mpsc::Sender<SourceUpdate>,
    refresh: Duration,
    driver: tokio::task::JoinHandle<()>,
}

impl DemoBackend {
    pub fn new(sim: Arc<Mutex<Simulator>>, speed: f64, refresh: Duration, tx: mpsc::Sender<SourceUpdate>) -> Self {
        let driver = crate::sim::driver::spawn_driver(sim.clone(), speed, refresh, tx.clone());
        DemoBackend { sim, tx, refresh, driver }
    }
}

impl Backend for DemoBackend {
    fn set_speed(&mut self, _app: &mut App, jobs: &mut Jobs, speed: f64) {
        self.driver.abort();
        self.driver = crate::sim::driver::spawn_driver(self.sim.clone(), speed, self.refresh, self.tx.clone());
        // The actions wait on simulated time too: at the new speed from the next one on.
        jobs.set_platform(Arc::new(crate::sim::SimPlatform::new(self.sim.clone(), Clock::Driven { speed })));
    }

    fn stop(&mut self) {
        self.driver.abort();
    }
}

pub async fn run(setup: Setup, args: DemoArgs) -> anyhow::Result<i32> {
    let Setup { config, theme, keymap, user_dir, wall, share, .. } = setup;
    let scen = scenario(args.scenario);
    let mut sim = Simulator::new(scen, args.seed, sim_settings(&config));
    let mut board = Board::new(config.board_settings(), &SourceId::ALL);
    // Simulated time is laid on the wall clock so that the skipped time ends now.
    let skip = args.skip.unwrap_or(0.0);
    let origin = format!("demo {} (seed {})", scen.name(), args.seed);
    let root = crate::record::session::root();
    let epoch = crate::record::session::wall_now() - skip;
    let sharing = if share {
        let refresh = demo_refresh(&config);
        let screen = super::share::Screen {
            board: &board,
            configured: &SourceId::ALL,
            target: origin.clone(),
            demo: true,
            epoch,
            refresh,
            default_name: "demo",
        };
        match super::share::start_for_screen(&config, screen) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("cockpit demo --share: {e}");
                return Ok(super::EXIT_USAGE);
            }
        }
    } else {
        None
    };
    let mut opened = crate::record::session::open_with(
        &config,
        &root,
        &board,
        &origin,
        "demo",
        epoch,
        sharing.as_ref().map(|s| s.sink()),
    );
    match opened.recorder.as_mut() {
        Some(rec) => skip_recorded(&mut sim, &mut board, skip, config.refresh_secs, rec),
        None if skip > 0.0 => crate::sim::driver::run_for(&mut sim, &mut board, skip, 5.0),
        None => {}
    }
    let sim = Arc::new(Mutex::new(sim));
    let (tx, rx) = mpsc::channel(256);
    let (tx, tap) = super::share::Sharing::tap_if(sharing.as_ref(), tx);
    let backend = DemoBackend::new(sim.clone(), args.speed, demo_refresh(&config), tx);
    let mode = Mode::Demo { scenario: scen.name().to_string(), seed: args.seed, speed: args.speed };
    let mut app = App::new(board, theme, keymap, mode);
    app.user_dir = user_dir;
    app.wall = wall;
    let mut host =
        DeskHost::new(backend, demo_jobs(sim, args.speed, &config), &mut app).with_recorder(opened, &mut app);
    host.share = sharing.as_ref().map(|s| s.status());
    let code = super::run_ui(&mut app, rx, &mut host).await;
    drop(host);
    if let Some(t) = tap {
        t.abort();
    }
    if let Some(s) = sharing {
        s.stop().await;
    }
    code
}

/// `--skip` while recording: the skipped time is sampled at the refresh interval, as if the
/// cockpit had watched it.
pub fn skip_recorded(sim: &mut Simulator, board: &mut Board, secs: f64, every: f64, rec: &mut crate::record::Recorder) {
    let every = every.round().max(1.0);
    let mut done = 0.0;
    while done < secs {
        let step = every.min(secs - done);
        crate::sim::driver::run_for(sim, board, step, every);
        done += step;
        rec.observe(board);
    }
    rec.flush();
}

/// The jobs of `cockpit demo`: on the simulator the demo's driver advances, in real time at
/// `speed`; journaled apart from the live platform's.
pub fn demo_jobs(sim: Arc<Mutex<Simulator>>, speed: f64, config: &Config) -> Jobs {
    let mut settings = ActionSettings::from_config(config);
    settings.journal_dir = crate::config::paths::state_dir().join("journal-demo");
    Jobs::new(Arc::new(crate::sim::SimPlatform::new(sim, Clock::Driven { speed })), settings)
}
