//! `cockpit demo`: the full-screen cockpit over the embedded simulator.

use super::Setup;
use crate::cli::{DemoArgs, ScenarioArg};
use crate::config::Config;
use crate::model::{Board, SourceId, SourceUpdate};
use crate::sim::{Scenario, SimSettings, Simulator};
use crate::ui::app::{App, Effect, Mode};
use crate::ui::event_loop::{Host, HostEvent};
use ratatui::Frame;
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
        api_deployment: c.kubernetes.api_deployment.clone(),
        worker_deployment: c.kubernetes.worker_deployment.clone(),
        api_hpa: c.kubernetes.api_hpa.clone(),
        worker_hpa: c.kubernetes.worker_hpa.clone(),
        namespace: c.kubernetes.namespace.clone(),
        db_primary: c.aws.rds_primary.clone(),
        db_replicas: c.aws.rds_replicas.clone(),
        ..d
    }
}

/// Seconds of real time between two samples of the demo.
pub fn demo_refresh(c: &Config) -> Duration {
    Duration::from_secs_f64(c.refresh_secs.clamp(0.2, 1.0))
}

/// Owns the simulator's driver, restarted at a new speed when the app asks.
pub struct DemoHost {
    sim: Arc<Mutex<Simulator>>,
    tx: mpsc::Sender<SourceUpdate>,
    refresh: Duration,
    driver: tokio::task::JoinHandle<()>,
    /// The guided actions (None: not offered).
    pub desk: Option<crate::actions::ActionDesk>,
}

impl DemoHost {
    pub fn new(sim: Arc<Mutex<Simulator>>, speed: f64, refresh: Duration, tx: mpsc::Sender<SourceUpdate>) -> Self {
        let driver = crate::sim::driver::spawn_driver(sim.clone(), speed, refresh, tx.clone());
        DemoHost { sim, tx, refresh, driver, desk: None }
    }
}

impl Drop for DemoHost {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Host for DemoHost {
    fn effect(&mut self, app: &mut App, e: Effect) {
        match e {
            Effect::SetSpeed(s) => {
                self.driver.abort();
                self.driver = crate::sim::driver::spawn_driver(self.sim.clone(), s, self.refresh, self.tx.clone());
                if let Some(d) = &mut self.desk {
                    let clock = crate::sim::Clock::Driven { speed: s };
                    d.set_platform(Arc::new(crate::sim::SimPlatform::new(self.sim.clone(), clock)));
                }
            }
            e => match &mut self.desk {
                Some(d) => d.effect(app, e),
                None => app.set_status("guided actions are not available here", crate::model::Level::Warn),
            },
        }
    }

    async fn next(&mut self) -> Option<HostEvent> {
        match &mut self.desk {
            Some(d) => d.next_host_event().await,
            None => std::future::pending().await,
        }
    }

    fn apply(&mut self, app: &mut App, ev: HostEvent) {
        if let Some(d) = &mut self.desk {
            d.apply_host_event(app, ev);
        }
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        if let Some(d) = &self.desk {
            d.draw(f, app);
        }
    }
}

pub async fn run(setup: Setup, args: DemoArgs) -> anyhow::Result<i32> {
    let Setup { config, theme, keymap, user_dir, .. } = setup;
    let scen = scenario(args.scenario);
    let mut sim = Simulator::new(scen, args.seed, sim_settings(&config));
    let mut board = Board::new(config.board_settings(), &SourceId::ALL);
    if let Some(skip) = args.skip {
        crate::sim::driver::run_for(&mut sim, &mut board, skip, 5.0);
    }
    let sim = Arc::new(Mutex::new(sim));
    let (tx, rx) = mpsc::channel(256);
    let mut host = DemoHost::new(sim.clone(), args.speed, demo_refresh(&config), tx);
    let mode = Mode::Demo { scenario: scen.name().to_string(), seed: args.seed, speed: args.speed };
    let mut app = App::new(board, theme, keymap, mode);
    app.user_dir = user_dir;
    let mut desk = crate::actions::ActionDesk::for_demo(sim, args.speed, &config);
    desk.attach(&mut app);
    host.desk = Some(desk);
    super::run_ui(&mut app, rx, &mut host).await
}
