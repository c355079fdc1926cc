//! The war-room wall (`--wall`, `W`): read as the room would read it, at 200x60 and 120x40, in
//! colour and in monochrome. Every key metric is there with its value in large digits (or its
//! words, whole) and its level word; the emergency banner; the events; the way back.

#[allow(unused_imports)]
mod cutoff;

use cockpit::config::keymap::Command;
use cockpit::config::theme::Theme;
use cockpit::model::*;
use cockpit::sim::Scenario;
use cutoff::*;

fn wall(scenario: Scenario, secs: f64, theme: &str) -> cockpit::ui::app::App {
    let mut a = demo_app(scenario, secs);
    a.theme = Theme::load(theme, None).expect("theme");
    a.command(Command::Wall);
    assert!(a.wall, "W turns the wall on");
    a
}

#[test]
fn every_key_metric_is_large_with_its_level_word_at_both_sizes_and_in_monochrome() {
    for theme in ["dark", "mono"] {
        let a = wall(Scenario::Incident, 1800.0, theme);
        for (w, h) in [(200, 60), (120, 40)] {
            let s = text_of(&a, w, h);
            assert!(s.contains("EMERGENCY (runbook):"), "{theme} {w}x{h}: the banner\n{s}");
            for id in MetricId::KEY {
                let r = a.board.reading(id);
                let l = r.counted_level();
                assert!(s.contains(id.label()), "{theme} {w}x{h}: {}\n{s}", id.label());
                assert!(s.contains(&format!("{} {}", l.symbol(), l.word())), "{theme} {w}x{h}: {:?}\n{s}", l);
            }
            // Large digits, not the panes' rows.
            assert!(s.contains("███ ███"), "{theme} {w}x{h}: large digits\n{s}");
            assert!(!s.contains("Overview"), "{theme} {w}x{h}: the wall, not the dashboard\n{s}");
            assert!(s.contains("Last events") && s.contains("no action running from this cockpit"), "{s}");
            assert!(s.contains("W back to the dashboard"), "{s}");
        }
    }
}

#[test]
fn words_stay_words_and_a_small_terminal_keeps_the_dashboard() {
    // A value the cockpit cannot read is said in words, whole, not drawn as digits.
    let mut a = app_of(blind_board());
    a.command(Command::Wall);
    let s = text_of(&a, 200, 60);
    let p99 = a.board.reading(MetricId::ApiP99).formatted();
    assert!(!p99.chars().any(|c| c.is_ascii_digit()), "{p99}");
    assert!(s.contains(&p99) && s.contains("? N/A"), "{p99} whole:\n{s}");
    // Too small for large digits: the dashboard, which reads at any size.
    let s = text_of(&a, 80, 24);
    assert!(s.contains("Overview"), "{s}");
    a.command(Command::Wall);
    assert!(!a.wall, "W again goes back");
}

#[test]
fn the_wall_at_120x40_reads_well() {
    let a = wall(Scenario::Incident, 1800.0, "dark");
    insta::assert_snapshot!("wall_incident_120x40", text_of(&a, 120, 40));
}
