//! Regenerate the README's screenshots from the real program:
//!
//!     cargo build && cargo run --example screenshots
//!
//! Runs `target/debug/cockpit demo` in a pseudo-terminal for each shot, reads the screen
//! through a terminal emulator and writes screenshots/NAME.svg and NAME.txt.

#[path = "../tests/pty/session.rs"]
mod pty;
#[path = "../tests/pty/svg.rs"]
mod svg;

use std::time::Duration;

struct Shot {
    name: &'static str,
    args: &'static [&'static str],
    size: (u16, u16),
    /// Sent one after the other, half a second apart.
    keys: &'static [&'static [u8]],
    wait_for: &'static str,
}

const SHOTS: &[Shot] = &[
    Shot {
        name: "incident-wall",
        args: &["demo", "--scenario", "incident", "--skip", "30m"],
        size: (200, 60),
        keys: &[],
        wait_for: "Events",
    },
    Shot {
        name: "incident-80x24",
        args: &["demo", "--scenario", "incident", "--skip", "30m"],
        size: (80, 24),
        keys: &[],
        wait_for: "Overview",
    },
    Shot {
        name: "wall-200x60",
        args: &["--wall", "demo", "--scenario", "incident", "--skip", "30m"],
        size: (200, 60),
        keys: &[],
        wait_for: "Last events",
    },
    Shot {
        name: "baseline-120x40",
        args: &["demo", "--scenario", "baseline", "--skip", "10m"],
        size: (120, 40),
        keys: &[],
        wait_for: "Overview",
    },
    Shot { name: "help", args: &["demo", "--skip", "5m"], size: (120, 40), keys: &[b"?"], wait_for: "Keys (default)" },
    Shot {
        name: "action-plan",
        args: &["demo", "--scenario", "stress", "--skip", "25m"],
        size: (120, 40),
        keys: &[b"w", b"30", b"\r"],
        wait_for: "<Enter> run",
    },
    Shot {
        name: "action-running",
        args: &["demo", "--scenario", "stress", "--skip", "25m"],
        size: (120, 40),
        keys: &[b"w", b"30", b"\r", b"\r"],
        wait_for: "running",
    },
    // Redis cluster (issue 9): the Cache pane zoomed while scale-redis moves slots to a 4th shard.
    Shot {
        name: "redis-reshard",
        args: &["demo", "--scenario", "baseline", "--skip", "10m"],
        size: (120, 40),
        keys: &[b"4", b"z", b"C", b"\r", b"\r"],
        wait_for: "moving, state",
    },
    Shot {
        name: "high-contrast",
        args: &["--theme", "high-contrast", "demo", "--scenario", "stress", "--skip", "20m"],
        size: (160, 48),
        keys: &[],
        wait_for: "Events",
    },
];

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = root.join("target/debug/cockpit");
    assert!(bin.exists(), "build first: cargo build");
    let out = root.join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    for shot in SHOTS {
        let mut s = pty::Session::start_bin(bin.to_str().unwrap(), shot.args, shot.size.0, shot.size.1);
        s.wait_for(if shot.args.contains(&"--wall") { "Last events" } else { "Overview" });
        std::thread::sleep(Duration::from_millis(2500));
        for k in shot.keys {
            s.send(k);
            std::thread::sleep(Duration::from_millis(500));
        }
        s.wait_for(shot.wait_for);
        std::thread::sleep(Duration::from_millis(300));
        let (svg, txt) = {
            let p = s.parser.lock().unwrap();
            (svg::render(p.screen()), p.screen().contents())
        };
        std::fs::write(out.join(format!("{}.svg", shot.name)), svg).unwrap();
        std::fs::write(out.join(format!("{}.txt", shot.name)), txt).unwrap();
        // Back out of popups (an action running is aborted at its next safe point, then its
        // summary closes), then quit.
        for _ in 0..shot.keys.len() + 1 {
            s.send(b"\x1b");
            std::thread::sleep(Duration::from_millis(400));
        }
        s.send(b"q");
        std::thread::sleep(Duration::from_millis(300));
        // A running action asks before quitting: say yes.
        s.send(b"q");
        let _ = s.wait_exit();
        println!("screenshots/{}.svg", shot.name);
    }
    debrief(&bin, &out);
}

/// The top of a drill's debrief, as the terminal shows it when the drill ends: a run of the
/// incident with a manual scale under an unpinned HPA (tests/drills/).
fn debrief(bin: &std::path::Path, out: &std::path::Path) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/drills/manual-scale-under-hpa.drill");
    let cmd = format!(
        "{} drill --scenario incident --seed 7 --script {} | head -n 29; sleep 30",
        bin.display(),
        script.display()
    );
    let s = pty::Session::start_bin("sh", &["-c", &cmd], 120, 40);
    s.wait_for("Typed at the kubectl prompt");
    std::thread::sleep(Duration::from_millis(700));
    std::thread::sleep(Duration::from_millis(300));
    let (svg, txt) = {
        let p = s.parser.lock().unwrap();
        (svg::render(p.screen()), p.screen().contents())
    };
    std::fs::write(out.join("drill-debrief.svg"), svg).unwrap();
    std::fs::write(out.join("drill-debrief.txt"), txt).unwrap();
    println!("screenshots/drill-debrief.svg");
}
