//! `cockpit drill`: practise on the simulator with the situation not announced, scored against
//! the runbook; on a terminal, or headless from a keystroke script; `--report` prints the
//! debrief of a saved drill.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Setup};
use crate::actions::Jobs;
use crate::cli::DrillArgs;
use crate::drill::platform::Wait;
use crate::drill::session::{Debrief, Drill, Spec, run_script};
use crate::drill::{DrillScenario, script};
use crate::sim::Simulator;
use crate::ui::app::{App, Effect};
use crate::ui::event_loop::{Host, HostEvent};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Where a drill's recording is saved unless `--save` says otherwise.
pub fn default_save() -> PathBuf {
    crate::config::paths::state_dir().join("drills").join("last.json")
}

fn save(d: &Debrief, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string(d).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub fn load(path: &Path) -> Result<Debrief, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a drill's recording ({e})", path.display()))
}

/// Print the debrief, write it with charts to `--out`, save the recording.
fn conclude(d: &Debrief, args: &DrillArgs) -> i32 {
    print!("{}", d.markdown(false));
    let mut status = EXIT_OK;
    if let Some(out) = &args.out
        && let Err(e) = std::fs::write(out, d.markdown(true))
    {
        eprintln!("cockpit: cannot write {}: {e}", out.display());
        status = EXIT_FAILURE;
    }
    let path = args.save.clone().unwrap_or_else(default_save);
    if let Err(e) = save(d, &path) {
        eprintln!("cockpit: the drill's recording was not saved: {e}");
        status = EXIT_FAILURE;
    }
    status
}

pub async fn run(setup: Setup, args: DrillArgs) -> anyhow::Result<i32> {
    if let Some(file) = &args.report {
        let path = file.clone().unwrap_or_else(default_save);
        return Ok(match load(&path) {
            Ok(d) => {
                print!("{}", d.markdown(false));
                match &args.out {
                    Some(out) => match std::fs::write(out, d.markdown(true)) {
                        Ok(()) => EXIT_OK,
                        Err(e) => {
                            eprintln!("cockpit: cannot write {}: {e}", out.display());
                            EXIT_FAILURE
                        }
                    },
                    None => EXIT_OK,
                }
            }
            Err(e) => {
                eprintln!("cockpit: {e}");
                EXIT_FAILURE
            }
        });
    }
    let scenario = match args.scenario.as_str() {
        "random" => DrillScenario::random(args.seed),
        s => match s.parse::<DrillScenario>() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cockpit: --scenario: {e}");
                return Ok(EXIT_USAGE);
            }
        },
    };
    let spec = Spec { scenario, seed: args.seed, difficulty: args.difficulty, config: setup.config.clone() };
    if let Some(file) = &args.script {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cockpit: cannot read {}: {e}", file.display());
                return Ok(EXIT_USAGE);
            }
        };
        let lines = match script::parse(&text, &file.display().to_string()) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cockpit: {e}");
                return Ok(EXIT_USAGE);
            }
        };
        let d = match run_script(spec, lines, args.until, setup.theme, setup.keymap) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cockpit: {e}");
                return Ok(EXIT_USAGE);
            }
        };
        return Ok(conclude(&d, &args));
    }
    let (mut drill, board) = Drill::new(spec, Wait::Driven);
    let refresh = super::demo::demo_refresh(&setup.config);
    // A team drill publishes to the war room's stream; its name never says the scenario.
    let sharing = if args.host || setup.share {
        let epoch = crate::record::session::wall_now();
        let screen = super::share::Screen {
            board: &board,
            configured: &crate::model::SourceId::ALL,
            target: format!("drill (seed {}, difficulty {})", args.seed, args.difficulty),
            demo: true,
            epoch,
            refresh,
            default_name: "drill",
        };
        match super::share::start_for_screen(&setup.config, screen) {
            Ok(s) => {
                drill.share_into(&board, s.sink(), epoch);
                Some(s)
            }
            Err(e) => {
                eprintln!("cockpit drill --host: {e}");
                return Ok(EXIT_USAGE);
            }
        }
    } else {
        None
    };
    let jobs = drill.jobs();
    let mut app = drill.app(board, setup.theme, setup.keymap, args.speed, &jobs);
    app.user_dir = setup.user_dir;
    app.wall = setup.wall;
    if let (Some(_), crate::ui::app::Mode::Drill { host, .. }) = (&sharing, &mut app.mode) {
        *host = Some(crate::ui::app::Facilitator::default());
    }
    drill.refreshed_first(&mut app);
    let (tx, rx) = mpsc::channel(256);
    let (tx, tap) = super::share::Sharing::tap_if(sharing.as_ref(), tx);
    let driver = crate::sim::driver::spawn_driver(drill.sim.clone(), args.speed, refresh, tx.clone());
    let mut host = DrillHost { drill: Some(drill), jobs, sim: None, tx, refresh, driver, share: None };
    host.sim = host.drill.as_ref().map(|d| d.sim.clone());
    host.share = sharing.as_ref().map(|s| s.status());
    let status = super::run_ui(&mut app, rx, &mut host).await?;
    host.driver.abort();
    host.jobs.abort();
    if let Some(t) = tap {
        t.abort();
    }
    let Some(drill) = host.drill.take() else { return Ok(status) };
    let d = drill.finish();
    if let Some(s) = sharing {
        s.stop().await;
    }
    let concluded = conclude(&d, &args);
    Ok(if status != 0 { status } else { concluded })
}

/// The terminal's host: the guided actions' jobs on the drill's platform, the simulator's
/// driver, and the drill watching both.
struct DrillHost {
    drill: Option<Drill>,
    jobs: Jobs,
    sim: Option<Arc<Mutex<Simulator>>>,
    tx: mpsc::Sender<crate::model::SourceUpdate>,
    refresh: Duration,
    driver: tokio::task::JoinHandle<()>,
    /// `--host`: the publisher's role, said on the status line when it changes.
    share: Option<super::share::ShareStatus>,
}

impl Host for DrillHost {
    fn effect(&mut self, app: &mut App, e: Effect) {
        if let Some(d) = self.drill.as_mut() {
            d.effect(app, &e);
        }
        match e {
            Effect::SetSpeed(s) => {
                if let Some(sim) = &self.sim {
                    self.driver.abort();
                    self.driver = crate::sim::driver::spawn_driver(sim.clone(), s, self.refresh, self.tx.clone());
                }
            }
            Effect::Command(line) => {
                if let Some(d) = self.drill.as_mut() {
                    d.command_now(app, &line);
                }
            }
            e => super::host::action_effect(&mut self.jobs, app, e),
        }
    }

    async fn next(&mut self) -> Option<HostEvent> {
        let ev = self.jobs.next().await?;
        if let Some(d) = self.drill.as_mut() {
            d.job(&ev);
        }
        Some(HostEvent::Job(Box::new(ev)))
    }

    fn refreshed(&mut self, app: &mut App) {
        if let Some(d) = self.drill.as_mut() {
            d.refreshed(app);
        }
        if let Some((text, level)) = self.share.as_mut().and_then(|s| s.changed()) {
            app.set_status(text, level);
        }
    }
}
