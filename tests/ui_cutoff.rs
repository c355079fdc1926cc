//! Nothing that carries meaning is ever cut. Every pane and the whole screen are drawn at 80x24,
//! 100x30, 120x40, 160x48 and 200x60, on the demo's scenarios at several moments and on a
//! live-like board with every optional setting absent; each pane is scrolled through, as an
//! engineer would, and every level word, status and value of the board must appear whole in
//! what the screen shows: the levels next to their values, the header's worst level and source
//! health, HPA conditions as kubectl writes them, RDS statuses, Redis shard addresses, pod
//! counts, the emergency conditions and the key that starts the emergency procedure.
//!
//! The expectations are computed here from the board, not from the drawing code: a pane's
//! title level must be at least every level it shows and must not alarm about anything it does
//! not show; the header's worst level is the worst of the panes' levels.

mod cutoff;

use cockpit::config::keymap::PaneId;
use cockpit::sim::Scenario;
use cutoff::*;

const SIZES: [(u16, u16); 5] = [(80, 24), (100, 30), (120, 40), (160, 48), (200, 60)];

/// Every check on one app at one size: the whole screen (each pane in the compact layout's
/// second slot too), then each pane zoomed.
fn check_everything(a: &mut cockpit::ui::app::App, what: &str) {
    for (w, h) in SIZES {
        a.zoom = false;
        let focuses: &[PaneId] = if w < 110 || h < 34 { &PaneId::ALL } else { &[PaneId::Overview] };
        for &focus in focuses {
            a.focus = focus;
            check_screen(a, w, h, &format!("{what} {w}x{h} focus {focus:?}"));
        }
        a.zoom = true;
        for p in PaneId::ALL {
            a.focus = p;
            check_screen(a, w, h, &format!("{what} {w}x{h} zoomed {p:?}"));
        }
        a.zoom = false;
    }
}

#[test]
fn nothing_is_cut_in_any_scenario_at_any_size() {
    for (scenario, moments) in [
        (Scenario::Baseline, &[300.0, 900.0][..]),
        (Scenario::Stress, &[600.0, 1500.0][..]),
        (Scenario::Spike, &[400.0, 900.0][..]),
        (Scenario::Soak, &[3600.0][..]),
        (Scenario::Incident, &[600.0, 1200.0, 1800.0, 3000.0][..]),
    ] {
        for &at in moments {
            let mut a = demo_app(scenario, at);
            check_everything(&mut a, &format!("{} at {at}s", scenario.name()));
        }
    }
}

#[test]
fn nothing_is_cut_while_paused() {
    // The paused header carries one more word: at 80 columns it used to end "✖ CRI".
    let mut a = demo_app(Scenario::Incident, 1800.0);
    a.command(cockpit::config::keymap::Command::Pause);
    a.status = None;
    for (w, h) in SIZES {
        let s = check_screen(&mut a, w, h, &format!("paused {w}x{h}"));
        assert!(s.header.contains("⏸ PAUSED"), "{}", s.text);
        assert!(s.header.trim_end().ends_with("✖ CRIT"), "the worst level ends the header whole:\n{}", s.text);
    }
}

#[test]
fn nothing_is_cut_on_a_live_board_with_every_optional_setting_absent() {
    // No CloudWatch, no RDS, an idle Redis with maxmemory 0 and maxclients 0 on a single node,
    // a PostgreSQL without replicas or pg_stat_statements, an API without an HPA.
    let mut a = app_of(bare_board());
    check_everything(&mut a, "bare live board");
}

#[test]
fn nothing_is_cut_with_a_stale_source_and_blind_cloudwatch_metrics() {
    let mut a = app_of(blind_board());
    check_everything(&mut a, "blind board");
}

#[test]
fn the_screen_parser_sees_a_cut_value() {
    // The checks themselves can fail: a value cut by one cell is not found whole.
    let rows = vec!["  10.0.1.21:63 ✓ 32%".to_string()];
    assert!(!has_token(&rows, "10.0.1.21:6379"));
    assert!(has_token(&rows, "10.0.1.21:63"));
    assert!(!has_token(&["✖ CRI".to_string()], "CRIT"));
    assert!(has_after(&["Queue ✖ CRIT    73k ↑".to_string()], "✖ CRIT", "73k"));
    assert!(!has_after(&["Queue ✖     73k ↑".to_string()], "✖ CRIT", "73k"));
}
