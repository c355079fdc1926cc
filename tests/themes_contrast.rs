//! Every built-in theme is readable: the WCAG 2 contrast ratio of its text colours is at least
//! 4.5 and of its level colours at least 3, on every surface they are drawn on (the screen's
//! background, the popups and the header), and a role with a background of its own (banner,
//! popup, header, a filled critical) keeps that contrast against it. Inherited roles take the
//! child theme's palette.

use cockpit::config::theme::{BUILTIN, Role, Theme};
use ratatui::style::{Color, Modifier};
use std::path::Path;

/// Roles whose colour carries text; level roles carry a level (with its symbol and word).
const TEXT: &[Role] = &[Role::Text, Role::Muted, Role::Accent, Role::Title, Role::Footer, Role::Key];
const LEVELS: &[Role] = &[Role::Ok, Role::Warn, Role::Crit, Role::Unknown, Role::Stale];
const TEXT_MIN: f64 = 4.5;
const LEVEL_MIN: f64 = 3.0;

fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    match c {
        Color::Rgb(r, g, b) => Some((r, g, b)),
        Color::Black => Some((0, 0, 0)),
        Color::White => Some((255, 255, 255)),
        _ => None,
    }
}

/// WCAG 2 relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let f = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
}

fn ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_ratio_matches_the_wcag_examples() {
    assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert!((ratio((0x77, 0x77, 0x77), (255, 255, 255)) - 4.48).abs() < 0.01);
}

/// The contrast failures of one theme, as lines.
fn failures(t: &Theme) -> Vec<String> {
    let mut out = Vec::new();
    let Some(base) = t.background() else {
        out.push("no background: paint one (text bg) or name the one it is made for (`background`)".into());
        return out;
    };
    let text_fg = t.style(Role::Text).fg;
    let surfaces =
        [("background", Some(base)), ("popup", t.style(Role::Popup).bg), ("header", t.style(Role::Header).bg)];
    let mut check =
        |what: String, fg: Option<Color>, bg: Option<Color>, min: f64| match (fg.and_then(rgb), bg.and_then(rgb)) {
            (Some(f), Some(b)) => {
                let r = ratio(f, b);
                if r < min {
                    out.push(format!("{what}: {r:.2} < {min}"));
                }
            }
            _ => out.push(format!("{what}: {fg:?} on {bg:?} is not an RGB colour: its contrast cannot be known")),
        };
    for (surface, bg) in surfaces {
        let bg = bg.or(Some(base));
        for (roles, min) in [(TEXT, TEXT_MIN), (LEVELS, LEVEL_MIN)] {
            for role in roles {
                let s = t.style(*role);
                // A role with a background of its own is checked against it, below.
                if s.bg.is_none() {
                    check(format!("{role:?} on the {surface}"), s.fg.or(text_fg), bg, min);
                }
            }
        }
    }
    // Roles that paint their own background, with their own (or the text's) foreground.
    for role in [Role::Header, Role::Popup, Role::Banner].iter().chain(LEVELS) {
        let s = t.style(*role);
        if s.bg.is_some() {
            let min = if LEVELS.contains(role) { LEVEL_MIN } else { TEXT_MIN };
            check(format!("{role:?} on its own background"), s.fg.or(text_fg), s.bg, min);
        }
    }
    // The selected row: text and levels on the selection's background (reversed video swaps
    // the colours, which keeps the ratio).
    let sel = t.style(Role::Selection);
    if !sel.add_modifier.contains(Modifier::REVERSED) {
        let bg = sel.bg.or(Some(base));
        check("Text on the selection".into(), sel.fg.or(text_fg), bg, TEXT_MIN);
        for role in LEVELS.iter().filter(|r| t.style(**r).bg.is_none()) {
            check(format!("{role:?} on the selection"), t.style(*role).fg, bg, LEVEL_MIN);
        }
    }
    // The focused border is what shows where the keys go (a UI component: 3).
    check("BorderFocus on the background".into(), t.style(Role::BorderFocus).fg, Some(base), LEVEL_MIN);
    out
}

#[test]
fn every_builtin_theme_keeps_its_contrast() {
    let mut all = Vec::new();
    for (name, _) in BUILTIN {
        let t = Theme::load(name, None).unwrap();
        if *name == "mono" {
            // No colour at all: the terminal's own foreground on its own background.
            assert!(Role::ALL.iter().all(|r| t.style(*r).fg.is_none() && t.style(*r).bg.is_none()));
            continue;
        }
        all.extend(failures(&t).into_iter().map(|f| format!("{name}: {f}")));
    }
    assert!(all.is_empty(), "contrast below the WCAG minimum:\n{}", all.join("\n"));
}

#[test]
fn an_inherited_role_takes_the_child_palette() {
    // The light theme writes no `text`, `muted` or level roles: it inherits the dark theme's,
    // which must come out in the light palette's colours.
    let light = Theme::load("light", None).unwrap();
    assert_eq!(light.style(Role::Text).fg, Some(Color::Rgb(0x1c, 0x1c, 0x1c)));
    assert_eq!(light.style(Role::Ok).fg, Some(Color::Rgb(0x00, 0x7a, 0x3d)));
    assert_eq!(light.background(), Some(Color::Rgb(0xff, 0xff, 0xff)), "made for light terminals");
    // A user theme that only renames a palette colour recolours every role that uses it, and
    // a palette entry may name an inherited one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("themes")).unwrap();
    let user = "inherits = \"dark\"\n[palette]\nsignal = \"#00ff00\"\ngreen = \"signal\"\n";
    std::fs::write(dir.path().join("themes/mine.toml"), user).unwrap();
    let mine = Theme::load("mine", Some(dir.path())).unwrap();
    assert_eq!(mine.style(Role::Ok).fg, Some(Color::Rgb(0, 0xff, 0)));
    assert_eq!(mine.style(Role::Text), Theme::load("dark", None).unwrap().style(Role::Text));
    // A palette that names itself in a loop is an error at its place.
    std::fs::write(dir.path().join("themes/spin.toml"), "[palette]\na = \"b\"\nb = \"a\"\n").unwrap();
    let e = Theme::load("spin", Some(dir.path())).unwrap_err();
    assert!(e.message.contains("loops"), "{e}");
    assert!(e.file.ends_with(Path::new("themes/spin.toml")) && e.line >= 2, "{e}");
}
