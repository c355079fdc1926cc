//! The action screen as the demo embeds it, driven by keys through the real App and keymap
//! and the real jobs (the same effect handling as the cockpit's host), drawn with ratatui's
//! TestBackend: the form, the plan with its findings, the typed word of emergency, the live run
//! and its summary, read-only refusal, resume of an unfinished action; the dashboard alive while
//! an action runs, popups that page, real text input, a failed notification.

mod actions_common;
mod desk_support;

use actions_common::*;
use cockpit::actions::jobs::{JobEvent, Jobs};
use cockpit::actions::journal::{Journal, Record, Who};
use cockpit::actions::{ActionSettings, Outcome, RunEvent, StepState};
use cockpit::commands::host::action_effect;
use cockpit::config::keymap::{Command, Context, Keymap, PaneId};
use cockpit::config::theme::Theme;
use cockpit::sim::{Scenario, SimPlatform};
use cockpit::ui::app::{App, Mode};
use cockpit::ui::desk::Stage;
use cockpit::ui::event_loop::HostEvent;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use desk_support::{NotifyVia, refusing_webhook};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use std::sync::Arc;

struct Ui {
    app: App,
    jobs: Jobs,
    p: Arc<SimPlatform>,
}

fn ui(scenario: Scenario, warmup: f64, s: ActionSettings) -> Ui {
    let (p, _) = sim(scenario, 1, warmup);
    ui_on(scenario, warmup, s, p.clone(), p)
}

/// The UI acting on `platform` (the simulator `p`, or a decorator over it).
fn ui_on(
    scenario: Scenario,
    warmup: f64,
    s: ActionSettings,
    p: Arc<SimPlatform>,
    platform: Arc<dyn cockpit::platform::Platform>,
) -> Ui {
    let (_, board) = sim(scenario, 1, warmup);
    let theme = Theme::load("dark", None).expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut app = App::new(board, theme, keymap, Mode::Demo { scenario: scenario.name().into(), seed: 1, speed: 1.0 });
    let jobs = Jobs::new(platform, s);
    app.attach_actions(jobs.settings().clone(), jobs.unfinished());
    Ui { app, jobs, p }
}

impl Ui {
    /// Carry out what the app asked for, as the cockpit's host does.
    fn pump(&mut self) {
        for e in std::mem::take(&mut self.app.effects) {
            action_effect(&mut self.jobs, &mut self.app, e);
        }
    }
    fn command(&mut self, c: Command) {
        self.app.command(c);
        self.pump();
    }
    fn key(&mut self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }
    fn key_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app.handle_key(KeyEvent::new(code, mods));
        self.pump();
    }
    fn type_text(&mut self, t: &str) {
        for c in t.chars() {
            self.key(KeyCode::Char(c));
        }
    }
    /// Apply the jobs' events until `stop` says so; the last one applied.
    async fn until(&mut self, stop: impl Fn(&JobEvent) -> bool) {
        loop {
            // Bounded, so that a plan that never runs fails the test instead of hanging it.
            let ev = tokio::time::timeout(std::time::Duration::from_secs(120), self.jobs.next())
                .await
                .unwrap_or_else(|_| panic!("no job event in 2 minutes; the screen:\n{}", self.screen(100, 32)))
                .expect("job event");
            let done = stop(&ev);
            self.app.host_event(HostEvent::Job(Box::new(ev)));
            self.pump();
            if done {
                return;
            }
        }
    }
    fn terminal(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| cockpit::ui::view::draw(f, &self.app)).expect("draw");
        t
    }
    fn screen(&self, w: u16, h: u16) -> String {
        text(&self.terminal(w, h), w, h)
    }
    fn context(&self) -> Context {
        self.app.context()
    }
    /// The summary's journal path holds a time and a process id: name it plainly for snapshots.
    fn plain_journal_path(&mut self) {
        if let Stage::Run(v) = &mut self.app.desk.stage
            && let Some(s) = v.summary.as_mut()
        {
            s.journal = Some("journal/scale-api.jsonl".into());
        }
    }
    fn outcome(&self) -> Option<Outcome> {
        self.app.desk.run_view().and_then(|v| v.summary.as_ref()).map(|s| s.outcome.clone())
    }
}

fn text(t: &Terminal<TestBackend>, w: u16, h: u16) -> String {
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n").collect()
}

fn planned(e: &JobEvent) -> bool {
    matches!(e, JobEvent::Planned { .. })
}

fn finished(e: &JobEvent) -> bool {
    matches!(e, JobEvent::Run(RunEvent::Finished(_)))
}

#[tokio::test]
async fn scale_api_from_key_to_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    u.key(KeyCode::Char('s'));
    assert_eq!(u.context(), Context::Form);
    u.key(KeyCode::Right); // direction: up -> down
    u.key(KeyCode::Left); // and back to up
    u.key(KeyCode::Down); // to the replicas field
    u.type_text("10");
    insta::assert_snapshot!("form_scale_api", u.screen(100, 32));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    assert_eq!(u.context(), Context::Plan);
    insta::assert_snapshot!("plan_scale_api", u.screen(100, 32));
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Run);
    u.until(|e| matches!(e, JobEvent::Run(RunEvent::Step { state: StepState::Running { live: Some(l), .. }, .. }) if l.starts_with("ready"))).await;
    insta::assert_snapshot!("run_scale_api_running", u.screen(100, 32));
    u.until(finished).await;
    u.plain_journal_path();
    insta::assert_snapshot!("run_scale_api_summary", u.screen(100, 32));
    assert_eq!(replicas(&u.p, cockpit::model::state::Workload::Api), 10);
    let actions =
        u.app.board.timeline.iter().filter(|t| t.category == cockpit::model::timeline::Category::Action).count();
    assert!(actions >= 4, "the steps are on the timeline");
    assert_eq!(u.context(), Context::Summary);
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Dashboard);
}

#[tokio::test]
async fn emergency_needs_the_typed_word() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Incident, 240.0, settings(dir.path()));
    u.command(Command::Start("emergency".into()));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERG");
    // Space is the plan's dry-run toggle, also while the word is typed.
    u.key(KeyCode::Char(' '));
    assert!(u.app.desk.dry_run);
    u.key(KeyCode::Char(' '));
    assert!(!u.app.desk.dry_run);
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Plan, "not confirmed yet");
    insta::assert_snapshot!("plan_emergency_word", u.screen(110, 40));
    u.type_text("ENCY");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Run);
    u.until(|e| matches!(e, JobEvent::Run(RunEvent::Step { index: 4, state: StepState::Done { .. } }))).await;
    u.key(KeyCode::Esc); // abort at the next safe point
    u.until(finished).await;
    assert_eq!(u.outcome(), Some(Outcome::Aborted));
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
    assert_eq!(u.context(), Context::Plan);
    let Stage::Plan(v) = &u.app.desk.stage else { panic!("the undo plan") };
    assert_eq!(v.plan.action, "undo");
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
    assert_eq!(u.context(), Context::Plan);
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
    assert_eq!(u.context(), Context::Dashboard, "nothing unfinished yet");
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
    u.app.desk.offer_resume(u.jobs.unfinished());
    assert_eq!(u.context(), Context::Resume);
    let screen = u.screen(100, 30);
    assert!(screen.contains("Unfinished action") && screen.contains("was being applied"), "{screen}");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Run);
    u.until(finished).await;
    assert_eq!(u.outcome(), Some(Outcome::Completed));
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
    u.app.desk.offer_resume(u.jobs.unfinished());
    u.key(KeyCode::Char('a'));
    assert_eq!(u.context(), Context::Dashboard);
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
    assert!(u.app.desk.dry_run);
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
    assert!(!u.app.desk.dry_run);
}

/// Plan and start scale-api to 10 on the baseline, and apply events until its second step
/// waits with a live value.
async fn scale_api_running(u: &mut Ui) {
    u.key(KeyCode::Char('s'));
    u.key(KeyCode::Down);
    u.type_text("10");
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.key(KeyCode::Enter);
    u.until(|e| {
        matches!(e, JobEvent::Run(RunEvent::Step { index: 1, state: StepState::Running { live: Some(_), .. } }))
    })
    .await;
    assert_eq!(u.context(), Context::Run);
}

#[tokio::test]
async fn the_dashboard_stays_alive_while_an_action_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    scale_api_running(&mut u).await;
    // The run's keys are all offered, whole, at 80 columns (on two lines there).
    let s = u.screen(80, 24);
    for hint in ["<Esc> abort at the next safe point", "m shrink (dashboard keys work)", "<PgDn> page"] {
        assert!(s.contains(hint), "{hint:?}:\n{s}");
    }
    // A dashboard key shrinks the action to its strip and does what it does on the dashboard.
    u.key(KeyCode::Char('3'));
    assert_eq!((u.context(), u.app.focus), (Context::Strip, PaneId::Workers));
    for (w, h) in [(80, 24), (200, 60)] {
        let s = u.screen(w, h);
        let strip: String = s.lines().rev().skip(1).take(2).collect::<Vec<_>>().join("\n");
        for part in ["scale-api", "step 2/3 Scale api-server to 10", "ready 3/10", "m show", "<Esc> twice: abort"] {
            assert!(strip.contains(part), "{w}x{h}: the strip shows {part:?}:\n{s}");
        }
        assert!(s.contains("Workers"), "{w}x{h}: the focused pane is on screen:\n{s}");
    }
    u.key(KeyCode::Char('z'));
    assert!(u.app.zoom, "zoom");
    u.key(KeyCode::Char('p'));
    assert!(u.app.paused(), "pause");
    u.key(KeyCode::Char('p'));
    u.key(KeyCode::Down);
    u.key(KeyCode::PageDown);
    assert_eq!(u.app.scroll_of(PaneId::Workers).offset, 11, "the pane scrolls");
    u.key(KeyCode::Char('?'));
    assert_eq!(u.context(), Context::Help);
    u.key(KeyCode::Esc);
    assert_eq!(u.context(), Context::Strip, "Esc closed the help, not the action");
    assert!(u.app.desk.running() && !u.app.desk.run_view().is_some_and(|v| v.abort_requested));
    // Back full with a key; from the full popup, a dashboard key shrinks it again.
    u.key(KeyCode::Char('m'));
    assert_eq!(u.context(), Context::Run);
    u.key(KeyCode::Tab);
    assert_eq!((u.context(), u.app.focus), (Context::Strip, PaneId::Cache));
    // Another action is not started over a running one.
    u.key(KeyCode::Char('w'));
    assert_eq!(u.context(), Context::Strip);
    assert!(u.app.status.as_ref().is_some_and(|(t, _)| t.contains("scale-api is running: m shows it")));
    // Quit asks twice while an action runs.
    u.key(KeyCode::Char('q'));
    assert!(!u.app.quit);
    assert!(u.app.status.as_ref().is_some_and(|(t, _)| t.contains("q again quits")), "{:?}", u.app.status);
    u.key(KeyCode::Char('q'));
    assert!(u.app.quit);
}

#[tokio::test]
async fn esc_in_the_strip_aborts_and_the_end_comes_back_full() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    scale_api_running(&mut u).await;
    u.key(KeyCode::Char('m'));
    assert_eq!(u.context(), Context::Strip);
    // Esc is also the habit of closing things: from the strip it asks first.
    u.key(KeyCode::Esc);
    assert!(u.app.desk.run_view().is_some_and(|v| !v.abort_requested), "one Esc does not abort");
    assert!(u.screen(80, 24).contains("<Esc> again aborts scale-api"), "{}", u.screen(80, 24));
    u.key(KeyCode::Char('3'));
    u.key(KeyCode::Esc);
    assert!(u.app.desk.run_view().is_some_and(|v| !v.abort_requested), "another key in between disarms it");
    u.key(KeyCode::Esc);
    assert!(u.app.desk.run_view().is_some_and(|v| v.abort_requested));
    assert!(u.screen(80, 24).contains("aborting at the next safe point"), "{}", u.screen(80, 24));
    u.until(finished).await;
    assert_eq!(u.outcome(), Some(Outcome::Aborted));
    assert_eq!(u.context(), Context::Summary, "the summary is shown full");
    let s = u.screen(80, 24);
    assert!(s.contains("scale-api: aborted"), "{s}");
}

#[tokio::test]
async fn popups_page_and_jump_to_their_ends() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Incident, 240.0, settings(dir.path()));
    u.key(KeyCode::Char('E'));
    // The form, on a short terminal: End shows its last line (the procedure's help), Home its
    // first.
    let top = u.screen(80, 18);
    u.key(KeyCode::End);
    let end = u.screen(80, 18);
    assert!(end.contains("Asks for a typed confirmation word.") && !end.contains("▸ API pods"), "{end}");
    u.key(KeyCode::Home);
    assert_eq!(u.screen(80, 18), top);
    u.key(KeyCode::Enter);
    u.until(planned).await;
    // The emergency plan at 80x24: its last step is a page or two away, not 20 presses of ↓.
    let last = "Monitor recovery";
    let shown = |u: &Ui| u.screen(80, 24);
    assert!(shown(&u).contains("Preflight") && !shown(&u).contains(last), "{}", shown(&u));
    let mut pages = 0;
    while !shown(&u).contains(last) {
        u.key(KeyCode::PageDown);
        pages += 1;
        assert!(pages <= 3, "PgDn {pages} times and still not at the end:\n{}", shown(&u));
    }
    u.key(KeyCode::Home);
    assert!(shown(&u).contains("Preflight"), "{}", shown(&u));
    u.key(KeyCode::End);
    let end = shown(&u);
    assert!(end.contains(last), "{end}");
    let mark = end.lines().find(|l| l.contains(" of ")).expect("a position mark");
    let (range, total) = mark.rsplit_once(" of ").expect("n of m");
    let total: String = total.chars().take_while(char::is_ascii_digit).collect();
    assert!(range.ends_with(&format!("–{total}")), "End shows the last line: {mark}");
    // Up from the end moves one line, from where the end is.
    u.key(KeyCode::Up);
    assert_ne!(shown(&u), end);
    // The summary pages too.
    u.key(KeyCode::Esc);
    u.key(KeyCode::Esc);
    u.key(KeyCode::Char('s'));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.key(KeyCode::Enter);
    u.until(finished).await;
    let shown = |u: &Ui| u.screen(80, 18);
    let top = shown(&u);
    assert!(top.contains("Summary"), "{top}");
    u.key(KeyCode::End);
    let end = shown(&u);
    assert!(end.contains("Check every API pod's /health") && !end.contains("Summary"), "{end}");
}

#[tokio::test]
async fn the_notify_field_takes_spaces_a_cursor_edits_and_paste() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Incident, 240.0, settings(dir.path()));
    u.key(KeyCode::Char('E'));
    u.key(KeyCode::Down);
    u.key(KeyCode::Down);
    let message = |u: &Ui| match &u.app.desk.stage {
        Stage::Form(v) => v.form.text("message").map(str::to_string),
        _ => None,
    };
    let prefilled = message(&u).expect("the Notify field");
    // The first key adds to the prefilled message; Space is a space, not the form's toggle.
    u.type_text(" INC");
    u.key(KeyCode::Home);
    u.type_text("INC 42 started: ");
    assert_eq!(message(&u), Some(format!("INC 42 started: {prefilled} INC")));
    u.key(KeyCode::End);
    u.key(KeyCode::Backspace);
    u.key(KeyCode::Backspace);
    u.key(KeyCode::Backspace);
    u.key(KeyCode::Left);
    u.key(KeyCode::Delete);
    assert_eq!(message(&u), Some(format!("INC 42 started: {prefilled}")));
    u.key(KeyCode::End);
    u.app.handle_event(&Event::Paste(" (sev 1,\n war room 3)".into()));
    let want = format!("INC 42 started: {prefilled} (sev 1,  war room 3)");
    assert_eq!(message(&u), Some(want.clone()), "pasted whole, on one line");
    // Wide characters: two columns each, edited as one.
    u.type_text(" 障害");
    u.key(KeyCode::Backspace);
    assert_eq!(message(&u), Some(format!("{want} 障")));
    // The whole message is on screen, over two lines here, the cursor after its end.
    let mut t = u.terminal(200, 60);
    let screen = text(&t, 200, 60);
    let pos = t.get_cursor_position().expect("cursor");
    let rows: Vec<&str> = screen.lines().collect();
    let row = rows[pos.y as usize];
    assert!(rows[pos.y as usize - 1].contains("▸ Notify  ") && row.contains("war room 3) 障"), "{screen}");
    // Read the field's cells, from the value's column to the popup's border, on both lines.
    let buf = t.backend().buffer().clone();
    let top = pos.y - 1;
    let x0 = (0..200).find(|x| buf[(*x, top)].symbol() == "▸").expect("the focus mark") + 23;
    let border = (x0..200).find(|x| buf[(*x, top)].symbol() == "│").expect("the popup's border");
    // The field is the popup's width less the label, and one column of margin.
    let field = |y: u16| -> String { (x0..border - 1).map(|x| buf[(x, y)].symbol()).collect() };
    assert_eq!(format!("{}{}", field(top), field(pos.y)).trim_end(), format!("{want} 障"), "{screen}");
    assert_eq!(t.backend().buffer()[Position::new(pos.x, pos.y)].symbol(), " ", "the cursor is past the text");
    assert_eq!(t.backend().buffer()[Position::new(pos.x - 2, pos.y)].symbol(), "障", "{row}");
    // Numbers keep their behaviour: the first digit replaces the value.
    u.key(KeyCode::Down);
    u.type_text("30");
    let Stage::Form(v) = &u.app.desk.stage else { panic!("the form") };
    assert_eq!(v.form.number("monitor"), Some(30));
    // And the plan sends the message as typed.
    u.key(KeyCode::Enter);
    u.until(planned).await;
    let Stage::Plan(v) = &u.app.desk.stage else { panic!("the plan") };
    let effect = v.plan.steps[0].effect.as_ref().expect("the notification");
    assert_eq!(effect, &cockpit::actions::effect::Effect::Notify { message: format!("{want} 障") });
}

#[tokio::test]
async fn undo_and_abandon_are_keymap_commands_shown_in_help() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 300.0, settings(dir.path()));
    // A user keymap moves undo to U and abandon to A.
    let layer = "[summary]\nkeymap = [\n  { on = \"<Enter>\", run = \"close\", desc = \"Close\" },\n  { on = \"U\", run = \"undo\", desc = \"Undo, my key\" },\n]\n[resume]\nprepend_keymap = [{ on = \"A\", run = \"abandon\", desc = \"Abandon, my key\" }]\n";
    u.app.keymap.layer(std::path::Path::new("mine.toml"), layer).expect("layer");
    let help: String = cockpit::ui::popups::help::lines(&u.app, 100)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>() + "\n")
        .collect();
    for (keys, desc) in [
        ("U", "Undo, my key"),
        ("A", "Abandon, my key"),
        ("m <Enter>", "Shrink to a strip"),
        ("m", "Show the running action full"),
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(keys) && l.contains(desc)),
            "{keys} {desc} in help:\n{help}"
        );
    }
    u.p.inject_fault("scale", cockpit::platform::ErrorKind::Invalid, 1);
    u.key(KeyCode::Char('s'));
    u.key(KeyCode::Down);
    u.type_text("8");
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.key(KeyCode::Enter);
    u.until(finished).await;
    let s = u.screen(100, 32);
    assert!(s.contains("U plan the undo") && !s.contains("u plan the undo"), "the hint follows the keymap:\n{s}");
    u.key(KeyCode::Char('u'));
    assert_eq!(u.context(), Context::Summary, "u is no longer bound");
    u.key(KeyCode::Char('U'));
    assert_eq!(u.context(), Context::Plan);
}

#[tokio::test]
async fn a_failed_notification_is_critical_first_in_the_summary_and_journaled() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = tempfile::tempdir().expect("home");
    let (url, requests) = refusing_webhook();
    let mut c = cockpit::config::Config::default();
    c.aws.enabled = Some(false);
    c.notify.webhook = Some(url);
    let env = cockpit::live::Env::empty().with("HOME", home.path().display().to_string());
    let targets = cockpit::live::Targets::resolve(&c, &env).await;
    let live = cockpit::platform::live::LivePlatform::connect(&c, &targets, cockpit::live::Clock::start()).await;
    let (p, _) = sim(Scenario::Incident, 1, 240.0);
    let via = Arc::new(NotifyVia { sim: p.clone(), live });
    let mut s = settings(dir.path());
    s.notify_configured = true;
    let mut u = ui_on(Scenario::Incident, 240.0, s, p, via);
    u.key(KeyCode::Char('E'));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERGENCY");
    u.key(KeyCode::Enter);
    u.until(finished).await;
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(!requests.is_empty() && requests[0].contains("EMERGENCY SCALE"), "the webhook was called: {requests:?}");
    let summary = u.app.desk.run_view().and_then(|v| v.summary.clone()).expect("summary");
    assert!(summary.outcome.ok(), "the scaling went on: {:?}", summary.outcome);
    assert!(summary.notify_failed.as_deref().is_some_and(|w| w.contains("403")), "{:?}", summary.notify_failed);
    // First line of the summary, whole, at 80 columns.
    let screen = u.screen(80, 24);
    let after: Vec<&str> = screen.lines().skip_while(|l| !l.contains("│Summary")).skip(1).take(2).collect();
    assert!(after.first().is_some_and(|l| l.contains("NOTIFICATION NOT SENT: nobody was told")), "{screen}");
    assert!(screen.contains("notification NOT sent"), "the title says it too:\n{screen}");
    // A critical event on the board's timeline, and the status bar.
    let critical = u.app.board.timeline.iter().any(|t| {
        t.level == cockpit::model::Level::Crit
            && t.text.contains("the notification was NOT sent")
            && t.text.contains("403")
    });
    assert!(critical, "{:#?}", u.app.board.timeline.iter().collect::<Vec<_>>());
    assert_eq!(u.app.status.as_ref().map(|s| s.1), Some(cockpit::model::Level::Crit));
    // In the journal.
    let notes: Vec<String> = journal_lines(dir.path())
        .into_iter()
        .filter_map(|l| match l.record {
            Record::Note { text } => Some(text),
            _ => None,
        })
        .collect();
    assert!(notes.iter().any(|n| n.contains("the notification was NOT sent")), "{notes:?}");
}

/// The text inside a popup 78 columns wide on an 80-column screen, line by line.
fn popup_text(screen: &str) -> Vec<String> {
    screen.lines().map(|l| l.chars().skip(2).take(76).collect::<String>().trim_end().to_string()).collect()
}

#[tokio::test]
async fn a_running_action_keeps_its_step_in_view_and_its_journal_path_is_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    let deep = dir.path().join("home/oncall-engineer/.local/state/cockpit/journal");
    let mut u = ui(Scenario::Incident, 240.0, settings(&deep));
    u.key(KeyCode::Char('E'));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERGENCY");
    u.key(KeyCode::Enter);
    u.until(|e| {
        matches!(e, JobEvent::Run(RunEvent::Step { index: 7, state: StepState::Running { live: Some(_), .. } }))
    })
    .await;
    // On a short terminal the last step, the one running, is what shows, with its live value.
    let s = u.screen(80, 16);
    assert!(s.contains("8. Monitor recovery") && s.contains("queue "), "{s}");
    u.key(KeyCode::Esc);
    u.until(finished).await;
    // The summary's journal path, however long, is on screen whole (after End, at 80x24).
    let path = u.app.desk.run_view().and_then(|v| v.summary.as_ref()?.journal.clone()).expect("journal");
    let path = path.display().to_string();
    assert!(path.len() > 76, "a path longer than the popup: {path}");
    u.key(KeyCode::End);
    let text: String = popup_text(&u.screen(80, 24)).iter().map(|l| l.trim()).collect();
    assert!(text.contains(&format!("journal:{path}")), "{path} whole in:\n{}", u.screen(80, 24));
}

#[tokio::test]
async fn abandoning_from_the_offer_runs_the_clean_up_steps() {
    use cockpit::actions::runner::{RunOpts, Runner};
    use cockpit::model::state::Workload;
    use cockpit::platform::Platform;
    let dir = tempfile::tempdir().expect("tmp");
    let s = settings(dir.path());
    let mut u = ui(Scenario::Baseline, 300.0, s.clone());
    // Workers above the minimum, so that there is something to drain.
    let up = plan("scale-workers", u.p.clone(), &u.app.board, &s, &[("replicas", "20")]).await;
    let (runner, _h) = Runner::new(u.p.clone(), up, RunOpts::from_settings(&s));
    assert!(runner.run().await.outcome.ok(), "scaled up first");
    observe(&u.p, &mut u.app.board);
    // A drain killed while it annotated the workers: drain=true stays on the deployment.
    let plan = plan("drain-workers", u.p.clone(), &u.app.board, &s, &[]).await;
    assert!(!plan.blocked(), "{:?}", plan.findings);
    let spy = Spy::new(u.p.clone());
    spy.hang_on("annotate", true);
    let (runner, _h) = Runner::new(spy.clone(), plan, RunOpts::from_settings(&s));
    let task = tokio::spawn(runner.run());
    let hung = async {
        while !spy.hung.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), hung).await.expect("the drain reaches its annotate step");
    task.abort();
    let _ = task.await;
    async fn drained(p: &SimPlatform) -> Option<String> {
        p.deployment(Workload::Workers).await.expect("deployment").state.annotations.get("drain").cloned()
    }
    assert_eq!(drained(&u.p).await.as_deref(), Some("true"));
    u.app.desk.offer_resume(u.jobs.unfinished());
    assert_eq!(u.context(), Context::Resume);
    u.key(KeyCode::Char('a'));
    assert_eq!(u.context(), Context::Run, "abandoning runs the clean-up, shown as a run");
    u.until(finished).await;
    assert_eq!(drained(&u.p).await, None, "the drain annotation is removed");
    assert!(cockpit::actions::journal::unfinished(dir.path()).is_empty(), "the abandoned action has ended");
    assert!(u.app.board.timeline.iter().any(|e| e.text.contains("abandoned: running its clean-up steps")));
}

#[tokio::test]
async fn while_the_emergency_runs_the_banner_says_so_instead_of_offering_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Incident, 1800.0, settings(dir.path()));
    assert!(!u.app.board.emergency_reasons().is_empty(), "the incident's emergency holds");
    assert!(u.screen(80, 24).contains("press E for emergency scaling"), "{}", u.screen(80, 24));
    u.command(Command::Start("emergency".into()));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    u.type_text("EMERGENCY");
    u.key(KeyCode::Enter);
    assert_eq!(u.context(), Context::Run);
    u.key(KeyCode::Char('m'));
    for (w, h) in [(80, 24), (200, 60)] {
        let s = u.screen(w, h);
        assert!(s.contains("· emergency running") && !s.contains("press E"), "{w}x{h}:\n{s}");
    }
    // The wall shows the action in progress, who runs it and its steps.
    u.command(Command::Wall);
    let s = u.screen(200, 60);
    let who = cockpit::actions::journal::local_user();
    assert!(s.contains("emergency running") && s.contains(&format!("by {who}")), "{s}");
    assert!(s.contains("Declare the emergency") && s.contains("Monitor recovery"), "{s}");
    u.command(Command::Wall);
    u.key(KeyCode::Esc);
    u.key(KeyCode::Esc);
    u.until(finished).await;
}

// Redis cluster (issue 9)
#[tokio::test]
async fn scale_redis_from_key_to_plan() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut u = ui(Scenario::Baseline, 600.0, settings(dir.path()));
    u.key(KeyCode::Char('C'));
    assert_eq!(u.context(), Context::Form);
    insta::assert_snapshot!("form_scale_redis", u.screen(100, 32));
    u.key(KeyCode::Enter);
    u.until(planned).await;
    assert_eq!(u.context(), Context::Plan);
    insta::assert_snapshot!("plan_scale_redis", u.screen(100, 32));
}
