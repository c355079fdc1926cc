//! The action desk as the demo embeds it, driven by keys through the real App and keymap and
//! drawn with ratatui's TestBackend: the form, the plan with its findings, the typed word of
//! emergency, the live run and its summary, read-only refusal, resume of an unfinished action.

mod actions_common;

use actions_common::*;
use cockpit::actions::desk::Stage;
use cockpit::actions::journal::{Journal, Record, Who};
use cockpit::actions::{ActionDesk, ActionSettings, Outcome, RunEvent, StepState};
use cockpit::config::keymap::{Command, Context, Keymap};
use cockpit::config::theme::Theme;
use cockpit::sim::{Scenario, SimPlatform};
use cockpit::ui::app::{App, Mode, Popup};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

struct Ui {
    app: App,
    desk: ActionDesk,
    p: Arc<SimPlatform>,
}

fn ui(scenario: Scenario, warmup: f64, s: ActionSettings) -> Ui {
    let (p, board) = sim(scenario, 1, warmup);
    let theme = Theme::load("dark", None).expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut app = App::new(board, theme, keymap, Mode::Demo { scenario: scenario.name().into(), seed: 1, speed: 1.0 });
    let mut desk = ActionDesk::new(p.clone(), s);
    desk.attach(&mut app);
    Ui { app, desk, p }
}

impl Ui {
    fn pump(&mut self) {
        for e in std::mem::take(&mut self.app.effects) {
            self.desk.effect(&mut self.app, e);
        }
    }
    fn command(&mut self, c: Command) {
        self.app.command(c);
        self.pump();
    }
    fn key(&mut self, code: KeyCode) {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.pump();
    }
    fn type_text(&mut self, t: &str) {
        for c in t.chars() {
            self.key(KeyCode::Char(c));
        }
    }
    /// Apply the desk's events until `stop` says so; the last one applied.
    async fn until(&mut self, stop: impl Fn(&cockpit::actions::DeskEvent) -> bool) {
        loop {
            let ev = self.desk.next().await.expect("desk event");
            let done = stop(&ev);
            self.desk.apply(&mut self.app, ev);
            if done {
                return;
            }
        }
    }
    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| {
            cockpit::ui::view::draw(f, &self.app);
            self.desk.draw(f, &self.app);
        })
        .expect("draw");
        let buf = t.backend().buffer();
        (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n").collect()
    }
    fn context(&self) -> Option<Context> {
        match self.app.popup {
            Some(Popup::Action { context }) => Some(context),
            _ => None,
        }
    }
    /// The summary's journal path holds a time and a process id: name it plainly for snapshots.
    fn plain_journal_path(&mut self) {
        if let Stage::Run(v) = &mut self.desk.stage
            && let Some(s) = v.summary.as_mut()
        {
            s.journal = Some("journal/scale-api.jsonl".into());
        }
    }
}

fn planned(e: &cockpit::actions::DeskEvent) -> bool {
    matches!(e, cockpit::actions::DeskEvent::Planned { .. })
}

fn finished(e: &cockpit::actions::DeskEvent) -> bool {
    matches!(e, cockpit::actions::DeskEvent::Run(RunEvent::Finished(_)))
}

#[tokio::test]
async fn scale_api_from_key_to_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    u.key(KeyCode::Char('s'));
    assert_eq!(u.context(), Some(Context::Form));
    u.key(KeyCode::Right); // direction: up -> down
    u.key(KeyCode::Left); // and back to up
    u.key(KeyCode::Down); // to the replicas field
    u.type_text("10");
    insta::assert_snapshot!("form_scale_api", u.screen(100, 32));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    assert_eq!(u.context(), Some(Context::Plan));
    insta::assert_snapshot!("plan_scale_api", u.screen(100, 32));
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Some(Context::Run));
    u.until(|e| matches!(e, cockpit::actions::DeskEvent::Run(RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. }) if l.starts_with("ready"))).await;
    insta::assert_snapshot!("run_scale_api_running", u.screen(100, 32));
    u.until(finished).await;
    u.plain_journal_path();
    insta::assert_snapshot!("run_scale_api_summary", u.screen(100, 32));
    assert_eq!(replicas(&u.p, cockpit::model::state::Workload::Api), 10);
    let actions =
        u.app.board.timeline.iter().filter(|t| t.category == cockpit::model::timeline::Category::Action).count();
    assert!(actions >= 4, "the steps are on the timeline");
    u.key(KeyCode::Enter);
    assert_eq!(u.app.popup, None);
}

#[tokio::test]
async fn emergency_needs_the_typed_word() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Incident, 240.0, settings(dir.path()));
    u.command(Command::Start("emergency".into()));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERG");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Some(Context::Plan), "not confirmed yet");
    insta::assert_snapshot!("plan_emergency_word", u.screen(110, 40));
    u.type_text("ENCY");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Some(Context::Run));
    u.until(|e| {
        matches!(e, cockpit::actions::DeskEvent::Run(RunEvent::Step { index: 4, state: StepState::Done { .. } }))
    })
    .await;
    u.key(KeyCode::Esc); // abort at the next safe point
    u.until(finished).await;
    let Stage::Run(v) = &u.desk.stage else { panic!("run view") };
    assert_eq!(v.summary.as_ref().map(|s| &s.outcome), Some(&Outcome::Aborted));
}

#[tokio::test]
async fn a_failed_run_offers_its_undo() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 300.0, settings(dir.path()));
    let before = hpa_of(&u.p, cockpit::model::state::Workload::Api);
    u.p.inject_fault("scale", cockpit::platform::ErrorKind::Invalid, 1);
    u.key(KeyCode::Char('s'));
    // A calm baseline calls for no change: the form proposes the current count.
    u.key(KeyCode::Down);
    u.type_text("8");
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.key(KeyCode::Enter);
    u.until(finished).await;
    u.plain_journal_path();
    insta::assert_snapshot!("run_failed_offers_undo", u.screen(100, 32));
    u.key(KeyCode::Char('u'));
    assert_eq!(u.context(), Some(Context::Plan));
    let Stage::Plan { plan, .. } = &u.desk.stage else { panic!("the undo plan") };
    assert_eq!(plan.action, "undo");
    u.key(KeyCode::Enter);
    u.until(finished).await;
    assert_eq!(hpa_of(&u.p, cockpit::model::state::Workload::Api), before);
}

#[tokio::test]
async fn read_only_shows_the_plan_and_refuses_to_run_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = settings(dir.path());
    s.read_only = true;
    let mut u = ui(Scenario::Baseline, 300.0, s);
    u.key(KeyCode::Char('E'));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERGENCY");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Some(Context::Plan));
    let screen = u.screen(110, 40);
    assert!(screen.contains("READ-ONLY"), "{screen}");
    assert!(screen.contains("read-only mode: this plan can be looked at, not run"), "{screen}");
    assert_eq!(replicas(&u.p, cockpit::model::state::Workload::Api), 3);
}

#[tokio::test]
async fn an_unfinished_action_is_offered_at_start_and_resumed() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let mut u = ui(Scenario::Baseline, 300.0, s.clone());
    assert_eq!(u.app.popup, None, "nothing unfinished yet");
    // A previous run wrote its plan and was cut off while pinning the HPA.
    let plan = plan("scale-api", u.p.clone(), &u.app.board, &s, &[("direction", "up"), ("replicas", "8")]).await;
    let mut j = Journal::create(dir.path(), "scale-api", Who::local("ops".into())).expect("journal");
    let holder = format!("ops · action {}", j.id());
    j.append(
        300.0,
        Record::Start { action: "scale-api".into(), platform: "simulator".into(), holder, dry_run: false, plan },
    )
    .expect("start");
    let before = serde_json::json!({ "minReplicas": 3 });
    j.append(
        300.0,
        Record::Before {
            step: 0,
            target: "hpa/api-server-hpa spec".into(),
            before: before.clone(),
            intended: before,
            full: None,
        },
    )
    .expect("before");
    u.desk.offer_resume(&mut u.app);
    assert_eq!(u.context(), Some(Context::Plan));
    let screen = u.screen(100, 30);
    assert!(screen.contains("Unfinished action") && screen.contains("was being applied"), "{screen}");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Some(Context::Run));
    u.until(finished).await;
    let Stage::Run(v) = &u.desk.stage else { panic!("run view") };
    assert_eq!(v.summary.as_ref().map(|s| &s.outcome), Some(&Outcome::Completed));
    assert_eq!(replicas(&u.p, cockpit::model::state::Workload::Api), 8);
    assert!(cockpit::actions::journal::unfinished(dir.path()).is_empty());
}

#[tokio::test]
async fn abandon_from_the_offer() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let mut u = ui(Scenario::Baseline, 60.0, s);
    let mut j = Journal::create(dir.path(), "resize-db", Who::local("ops".into())).expect("journal");
    let plan = cockpit::actions::Plan::new("resize-db", "Resize RDS");
    j.append(
        0.0,
        Record::Start {
            action: "resize-db".into(),
            platform: "simulator".into(),
            holder: "h".into(),
            dry_run: false,
            plan,
        },
    )
    .expect("start");
    u.desk.offer_resume(&mut u.app);
    u.key(KeyCode::Char('a'));
    assert_eq!(u.app.popup, None);
    assert!(cockpit::actions::journal::unfinished(dir.path()).is_empty());
}

#[tokio::test]
async fn space_in_the_plan_makes_it_a_server_side_dry_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    let before = replicas(&u.p, cockpit::model::state::Workload::Api);
    u.key(KeyCode::Char('s'));
    u.key(KeyCode::Down);
    u.type_text("10");
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.key(KeyCode::Char(' '));
    assert!(u.desk.dry_run);
    assert!(u.screen(100, 32).contains("DRY RUN: the server validates every write"), "{}", u.screen(100, 32));
    u.key(KeyCode::Enter);
    u.until(finished).await;
    assert_eq!(replicas(&u.p, cockpit::model::state::Workload::Api), before, "a dry run stores nothing");
    assert!(
        u.app.board.timeline.iter().any(|t| t.text.contains("(server-side dry run)")),
        "the timeline says it was a dry run"
    );
    // The next action starts as a real one again.
    u.key(KeyCode::Enter);
    u.key(KeyCode::Char('s'));
    assert!(!u.desk.dry_run);
}
