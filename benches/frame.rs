//! A full frame at 200x60 from a busy snapshot (the incident at 30 simulated minutes, every pane
//! full, history rings full). Budget: under 1 ms median.

use cockpit::config::keymap::Keymap;
use cockpit::config::theme::Theme;
use cockpit::model::{Board, BoardSettings, SourceId};
use cockpit::sim::{Scenario, SimSettings, Simulator, run_for};
use cockpit::ui::app::{App, Mode};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn busy_app() -> App {
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    run_for(&mut sim, &mut board, 1800.0, 2.0);
    App::new(
        board,
        Theme::load("dark", None).unwrap(),
        Keymap::load("default", None).unwrap(),
        Mode::Demo { scenario: "incident".into(), seed: 1, speed: 1.0 },
    )
}

fn frame(c: &mut Criterion) {
    let app = busy_app();
    for (w, h) in [(200u16, 60u16), (80, 24)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("full frame {w}x{h} (incident, 30 min)"), |b| {
            b.iter(|| {
                term.draw(|f| cockpit::ui::view::draw(f, black_box(&app))).unwrap();
            })
        });
    }
}

fn ingest(c: &mut Criterion) {
    // One refresh of all five sources into the board (levels, rates, history, timeline).
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    run_for(&mut sim, &mut board, 1800.0, 2.0);
    let obs = sim.observe();
    let mut at = board.now;
    c.bench_function("board ingest of one refresh (5 sources)", |b| {
        b.iter(|| {
            at += 1.0;
            for d in obs.iter().cloned() {
                board.ingest(cockpit::model::SourceUpdate { source: d.source(), at, result: Ok(d) });
            }
        })
    });
}

criterion_group!(benches, frame, ingest);
criterion_main!(benches);
