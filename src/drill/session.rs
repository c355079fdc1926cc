//! A drill from start to debrief: the simulator and the platform the actions write to, what is
//! observed and recorded on the way, and the judgement at the end. `run_script` plays a
//! keystroke script headless on simulated time (`replay.rs`); the terminal's loop
//! (`commands/drill.rs`) uses the same pieces.

pub use super::replay::{MAX_SECS, run_script};

use super::observer::Observer;
use super::platform::{DrillPlatform, Op, Wait};
use super::scenario::DrillScenario;
use super::score::{Facts, Score};
use crate::actions::jobs::JobEvent;
use crate::actions::{ActionSettings, Jobs};
use crate::config::Config;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::model::state::Workload;
use crate::model::timeline::Category;
use crate::model::{Board, Level, SourceId};
use crate::record::entry::Entry;
use crate::record::recorder::{Recorder, Sink};
use crate::record::report::{Report, analyze};
use crate::sim::{Clock, SimPlatform, Simulator};
use crate::ui::app::{App, Effect, Mode};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What a drill is.
#[derive(Debug, Clone)]
pub struct Spec {
    pub scenario: DrillScenario,
    pub seed: u64,
    pub difficulty: u8,
    pub config: Config,
}

/// The recording kept in memory (and saved for `cockpit drill --report`).
struct MemSink(Arc<Mutex<Vec<Entry>>>);

impl Sink for MemSink {
    fn write(&mut self, e: &Entry) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(e.clone());
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a finished drill leaves: the score and the recording; the debrief is made from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    pub score: Score,
    pub story: String,
    /// The lines typed at the kubectl prompt: when, the line, the answer.
    #[serde(default)]
    pub commands: Vec<(f64, String, String)>,
    /// The facilitator's injections: when, and what was done.
    #[serde(default)]
    pub injections: Vec<(f64, String)>,
    pub entries: Vec<Entry>,
}

impl Debrief {
    /// The incident report of the drill's recording, on the drill's clock.
    pub fn report(&self) -> Report {
        analyze::build(&self.entries, "drill", 0.0, self.score.ended, 0)
    }

    /// The debrief in markdown (the report with the drill section); `charts`: with the SVGs.
    pub fn markdown(&self, charts: bool) -> String {
        crate::record::report::drill::debrief(
            &self.report(),
            &self.score,
            &self.story,
            &self.commands,
            &self.injections,
            charts,
        )
    }
}

pub struct Drill {
    pub spec: Spec,
    pub sim: Arc<Mutex<Simulator>>,
    pub platform: Arc<DrillPlatform>,
    log: Arc<Mutex<Vec<Op>>>,
    pub observer: Observer,
    recorder: Recorder,
    /// The team drill's (`--host`): the same recording into the war room's stream, on the
    /// wall clock, so that `cockpit watch` shows it.
    shared: Option<Recorder>,
    entries: Arc<Mutex<Vec<Entry>>>,
    journal_dir: PathBuf,
    /// The facilitator's injections so far (simulated second, what was done).
    pub injections: Vec<(f64, String)>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drill {
    /// A new drill at simulated time zero, and its board with the first observation.
    pub fn new(spec: Spec, wait: Wait) -> (Drill, Board) {
        let settings = crate::commands::demo::sim_settings(&spec.config);
        let sim = Arc::new(Mutex::new(spec.scenario.simulator(spec.seed, spec.difficulty, settings)));
        let log = Arc::new(Mutex::new(Vec::new()));
        let inner = Arc::new(SimPlatform::new(sim.clone(), Clock::Stepped));
        let peer_dies = spec.scenario.peer_dies(spec.difficulty);
        let platform = Arc::new(DrillPlatform::new(inner, wait, log.clone(), peer_dies));
        let mut board = Board::new(spec.config.board_settings(), &SourceId::ALL);
        crate::sim::driver::ingest(&lock(&sim), &mut board);
        let mut start = Recorder::start_for(&board, "drill", "drill", 0.0, 1.0);
        start.who = "trainee".into();
        let entries = Arc::new(Mutex::new(Vec::new()));
        let recorder = Recorder::new(Box::new(MemSink(entries.clone())), start);
        let journal_dir = std::env::temp_dir().join(format!(
            "cockpit-drill-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        ));
        let drill = Drill {
            spec,
            sim,
            platform,
            log,
            observer: Observer::default(),
            recorder,
            shared: None,
            entries,
            journal_dir,
            injections: Vec::new(),
        };
        (drill, board)
    }

    /// Record the drill into `sink` too (the war room's stream), its times on the wall clock
    /// from `epoch` (wall-clock seconds at the drill's time zero).
    pub fn share_into(&mut self, board: &Board, sink: Box<dyn Sink>, epoch: f64) {
        let mut start = Recorder::start_for(board, "drill", "drill", epoch, 1.0);
        start.who = "trainee".into();
        self.shared = Some(Recorder::new(sink, start));
    }

    /// An action's line on the recording (and the stream).
    fn record_event(&mut self, at: f64, text: String) {
        if let Some(r) = self.shared.as_mut() {
            r.event(at, Category::Action, Level::Ok, text.clone());
        }
        self.recorder.event(at, Category::Action, Level::Ok, text);
    }

    /// The guided actions' jobs, on the drill's platform, journaled apart (and thrown away).
    pub fn jobs(&self) -> Jobs {
        let mut settings = ActionSettings::from_config(&self.spec.config);
        settings.journal_dir = self.journal_dir.clone();
        Jobs::new(self.platform.clone(), settings)
    }

    /// The app of the drill: the header says DRILL, never the scenario.
    pub fn app(&self, board: Board, theme: Theme, keymap: Keymap, speed: f64, jobs: &Jobs) -> App {
        let mode = Mode::Drill { speed, strip: strip(&Observer::default(), 0), prompt: None, host: None };
        let mut app = App::new(board, theme, keymap, mode);
        app.attach_actions(jobs.settings().clone(), Vec::new());
        app
    }

    pub fn now(&self) -> f64 {
        lock(&self.sim).time()
    }

    /// An effect the app asked for, before the host carries it out.
    pub fn effect(&mut self, app: &App, e: &Effect) {
        let t = self.now();
        self.observer.effects(t, std::slice::from_ref(e));
        if let Effect::Run { plan, dry_run, .. } = e {
            let text = crate::commands::host::action_started(&plan.action, *dry_run);
            self.record_event(app.board.now, text);
        }
    }

    /// A job's event, before the app takes it.
    pub fn job(&mut self, ev: &JobEvent) {
        if let JobEvent::Planned { result: Ok(plan), .. } = ev {
            let t = self.now();
            self.observer.planned(t, plan);
        }
    }

    /// A raw command at the prompt, at once: the simulator answers without waiting, so one poll
    /// of the command finishes it.
    pub fn command_now(&mut self, app: &mut App, line: &str) -> String {
        let mut fut = std::pin::pin!(self.command(app, line));
        match fut.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(a) => a,
            std::task::Poll::Pending => "error: the simulator is busy; try again".into(),
        }
    }

    /// A raw command at the prompt: its answer.
    pub async fn command(&mut self, app: &mut App, line: &str) -> String {
        if line.split_whitespace().next() == Some("inject") {
            return self.inject(app, line);
        }
        let kube = lock(&self.sim).settings().kube.clone();
        let answer = super::kubectl::run(&self.platform, &kube, line).await;
        let t = self.now();
        self.record_event(app.board.now, format!("kubectl {}", line.trim_start_matches("kubectl ").trim()));
        self.observer.commands.push(super::observer::Command { t, line: line.to_string(), answer: answer.clone() });
        let level = if answer.starts_with("error") || answer.starts_with("Error") { Level::Warn } else { Level::Ok };
        app.set_status(format!("$ {line}  →  {}", answer.replace('\n', "; ")), level);
        answer
    }

    /// The facilitator's injection: applied at once, kept for the debrief, said on this screen
    /// only (never recorded where the team would see it announced).
    fn inject(&mut self, app: &mut App, line: &str) -> String {
        match super::inject::parse(line) {
            Ok(i) => {
                let (t, done) = {
                    let mut s = lock(&self.sim);
                    (s.time(), i.apply(&mut s))
                };
                self.injections.push((t, done.clone()));
                app.set_status(format!("facilitator: {done}"), Level::Ok);
                done
            }
            Err(e) => {
                app.set_status(format!("inject: {e}"), Level::Warn);
                format!("error: {e}")
            }
        }
    }

    /// Before the first refresh: the strip, and where the trainee starts looking.
    pub fn refreshed_first(&self, app: &mut App) {
        if let Mode::Drill { strip: s, .. } = &mut app.mode {
            *s = strip(&self.observer, 0);
        }
    }

    /// The board was refreshed: where the trainee looks, the trends, the recording, the strip.
    pub fn refreshed(&mut self, app: &mut App) {
        let t = app.board.now;
        self.observer.look(t, app);
        self.observer.sample(&app.board);
        self.recorder.observe(&app.board);
        if let Some(r) = self.shared.as_mut() {
            r.observe(&app.board);
        }
        let caught = self.live_mistakes(t);
        if let Mode::Drill { strip: s, .. } = &mut app.mode {
            *s = strip(&self.observer, caught);
        }
    }

    /// The mistakes so far, for the strip (the recovery and the end are judged at the end).
    fn live_mistakes(&self, now: f64) -> usize {
        let ops = lock(&self.log).clone();
        let (limits, capacity) = (self.spec.config.limits, self.spec.config.capacity);
        super::score::mistakes(&Facts {
            scenario: self.spec.scenario,
            seed: self.spec.seed,
            difficulty: self.spec.difficulty,
            ended: now,
            observer: &self.observer,
            ops: &ops,
            first_critical: None,
            recovered: None,
            pinned_at_end: &[],
            limits,
            capacity,
            live: true,
        })
        .len()
    }

    fn judge(&self, ended: f64) -> Score {
        let entries = lock(&self.entries).clone();
        let report = analyze::build(&entries, "drill", 0.0, ended, 0);
        let pinned_at_end: Vec<String> = {
            let s = lock(&self.sim);
            [Workload::Api, Workload::Workers]
                .into_iter()
                .map(|w| s.hpa_state(w))
                .filter(|h| h.pinned)
                .map(|h| h.name)
                .collect()
        };
        let ops = lock(&self.log).clone();
        let (limits, capacity) = (self.spec.config.limits, self.spec.config.capacity);
        super::score::score(&Facts {
            scenario: self.spec.scenario,
            seed: self.spec.seed,
            difficulty: self.spec.difficulty,
            ended,
            observer: &self.observer,
            ops: &ops,
            first_critical: report.times.detect,
            recovered: report.times.recover,
            pinned_at_end: &pinned_at_end,
            limits,
            capacity,
            live: false,
        })
    }

    /// The end of the drill: the score and the recording.
    pub fn finish(mut self) -> Debrief {
        self.recorder.flush();
        if let Some(r) = self.shared.as_mut() {
            r.flush();
        }
        let ended = self.now();
        let score = self.judge(ended);
        let entries = lock(&self.entries).clone();
        let _ = std::fs::remove_dir_all(&self.journal_dir);
        let commands = self.observer.commands.iter().map(|c| (c.t, c.line.clone(), c.answer.clone())).collect();
        let injections = std::mem::take(&mut self.injections);
        Debrief { score, story: self.spec.scenario.story().to_string(), commands, injections, entries }
    }
}

/// The live strip: what the trainee has done so far, never what the situation is.
pub fn strip(o: &Observer, mistakes: usize) -> String {
    let looked: std::collections::BTreeSet<_> = o.looks.iter().map(|(_, p)| *p).collect();
    let runs = o.runs.iter().filter(|r| !r.dry_run).count();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "DRILL · {} pane{} looked at · {} action{} run · {} mistake{} caught",
        looked.len(),
        s(looked.len()),
        runs,
        s(runs),
        mistakes,
        s(mistakes)
    )
}
