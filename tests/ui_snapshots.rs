//! insta snapshots of every pane and of the whole screen at 80x24 and 200x60, drawn with
//! ratatui's TestBackend from the simulator (deterministic for its seed). Review changes with
//! `cargo insta review` (or INSTA_UPDATE=always) when the screen is meant to change.

use cockpit::config::keymap::{Command, Keymap, PaneId};
use cockpit::config::theme::Theme;
use cockpit::model::{Board, BoardSettings, SourceId};
use cockpit::sim::{Scenario, SimSettings, Simulator, run_for};
use cockpit::ui::app::{App, Mode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(scenario: Scenario, secs: f64) -> App {
    let mut sim = Simulator::new(scenario, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    run_for(&mut sim, &mut board, secs, 2.0);
    let mut a = App::new(
        board,
        Theme::load("dark", None).unwrap(),
        Keymap::load("default", None).unwrap(),
        Mode::Demo { scenario: scenario.name().into(), seed: 1, speed: 1.0 },
    );
    a.actions =
        cockpit::config::keymap::ACTION_NAMES.iter().map(|n| (n.to_string(), format!("the {n} procedure"))).collect();
    a
}

fn screen(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| cockpit::ui::view::draw(f, a)).unwrap();
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n").collect()
}

#[test]
fn whole_screen_incident_80x24() {
    insta::assert_snapshot!(screen(&app(Scenario::Incident, 1800.0), 80, 24));
}

#[test]
fn whole_screen_incident_200x60() {
    insta::assert_snapshot!(screen(&app(Scenario::Incident, 1800.0), 200, 60));
}

#[test]
fn whole_screen_baseline_120x40() {
    insta::assert_snapshot!(screen(&app(Scenario::Baseline, 900.0), 120, 40));
}

#[test]
fn every_pane_zoomed() {
    let mut a = app(Scenario::Stress, 1500.0);
    a.zoom = true;
    for p in PaneId::ALL {
        a.focus = p;
        insta::assert_snapshot!(format!("pane_{}", p.key()), screen(&a, 100, 30));
    }
}

#[test]
fn help_and_menu_popups() {
    let mut a = app(Scenario::Baseline, 300.0);
    a.command(Command::Help);
    insta::assert_snapshot!("help", screen(&a, 100, 40));
    a.command(Command::Close);
    a.command(Command::ActionsMenu);
    a.command(Command::Down);
    insta::assert_snapshot!("menu", screen(&a, 100, 30));
}
