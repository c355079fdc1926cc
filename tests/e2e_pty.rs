//! End to end: `cockpit demo` in a real pseudo-terminal. Send keys as a person would, read the
//! screen through a terminal emulator (vt100), and check the terminal is restored on the way out.

mod pty;

use std::time::{Duration, Instant};

#[test]
fn demo_shows_the_dashboard_opens_help_and_quits_cleanly() {
    let mut s = pty::start(&["demo", "--scenario", "incident", "--speed", "20"], 100, 30);
    let screen = s.wait_for("Overview");
    assert!(screen.contains("DEMO incident"), "{screen}");
    assert!(screen.contains("Queue depth"), "{screen}");
    assert!(s.parser.lock().unwrap().screen().alternate_screen(), "the UI draws on the alternate screen");
    s.send(b"?");
    let help = s.wait_for("Keys (default)");
    assert!(help.contains("Show or hide this help"), "{help}");
    s.send(b"\x1b");
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.screen().contains("Keys (default)") {
        assert!(Instant::now() < deadline, "help did not close");
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send(b"q");
    let st = s.wait_exit();
    assert!(st.success(), "exit status {st:?}");
    std::thread::sleep(Duration::from_millis(100));
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen left on exit");
    assert!(!p.screen().hide_cursor(), "cursor shown again on exit");
}

#[test]
fn sighup_restores_the_terminal() {
    let mut s = pty::start(&["demo"], 80, 24);
    s.wait_for("Overview");
    let pid = s.child.process_id().expect("pid") as i32;
    let rc = std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap();
    assert!(rc.success());
    let st = s.wait_exit();
    assert!(!st.success(), "a signal is not a clean quit: {st:?}");
    std::thread::sleep(Duration::from_millis(100));
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen left after SIGHUP");
    assert!(!p.screen().hide_cursor(), "cursor shown again after SIGHUP");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = pty::start(&["demo"], 80, 24);
    s.wait_for("Overview");
    let pid = s.child.process_id().expect("pid") as i32;
    assert!(std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    let st = s.wait_exit();
    assert!(!st.success());
    std::thread::sleep(Duration::from_millis(100));
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen() && !p.screen().hide_cursor(), "terminal restored after SIGTERM");
}

#[test]
fn a_panic_restores_the_terminal_and_reports() {
    // COCKPIT_TEST_PANIC makes the event loop panic after its first frame: the guard's hook must
    // restore the terminal before the panic message is printed.
    let mut s = pty::start_env(&["demo"], 80, 24, &[("COCKPIT_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")]);
    let st = s.wait_exit();
    assert!(!st.success());
    std::thread::sleep(Duration::from_millis(100));
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen() && !p.screen().hide_cursor(), "terminal restored after a panic");
    let text = p.screen().contents();
    assert!(text.contains("COCKPIT_TEST_PANIC"), "the panic message is readable on the restored screen:\n{text}");
}

#[test]
fn incident_climbs_into_critical_and_the_hpas_react() {
    let mut s = pty::start(&["demo", "--scenario", "incident", "--speed", "200"], 200, 60);
    s.wait_for("Overview");
    // The queue row turns critical and the worker HPA rescales, within its limits.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = s.screen();
        let queue_crit = screen.lines().any(|l| l.contains("✖ CRIT  Queue depth"));
        let rescaled = screen.contains("SuccessfulRescale");
        if queue_crit && rescaled {
            assert!(screen.contains("EMERGENCY"), "{screen}");
            break;
        }
        assert!(Instant::now() < deadline, "no critical queue and rescale yet:\n{screen}");
        std::thread::sleep(Duration::from_millis(200));
    }
    s.send(b"q");
    assert!(s.wait_exit().success());
}

#[test]
fn sigquit_restores_the_terminal() {
    let mut s = pty::start(&["demo"], 80, 24);
    s.wait_for("Overview");
    let pid = s.child.process_id().expect("pid") as i32;
    assert!(std::process::Command::new("kill").args(["-QUIT", &pid.to_string()]).status().unwrap().success());
    let st = s.wait_exit();
    assert!(!st.success(), "a signal is not a clean quit: {st:?}");
    std::thread::sleep(Duration::from_millis(100));
    let p = s.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen() && !p.screen().hide_cursor(), "terminal restored after SIGQUIT");
    assert!(p.screen().contents().contains("stopped by SIGQUIT; terminal restored"), "{}", p.screen().contents());
}

#[test]
fn the_notify_field_takes_typed_and_pasted_text_with_a_visible_cursor() {
    let mut s = pty::start(&["demo", "--scenario", "incident", "--skip", "5m"], 120, 40);
    s.wait_for("Overview");
    s.send(b"E");
    s.wait_for("Monitor (min)");
    s.send(b"\x1b[B\x1b[B"); // Down, Down: the Notify field
    s.send(b" INC 42");
    s.send(b"\x1b[200~ sev 1\x1b[201~"); // a bracketed paste
    s.wait_for("procedure INC 42 sev 1");
    // The screen and the cursor read together, once a whole frame has been drawn (a frame in
    // flight moves the cursor as it draws).
    let deadline = Instant::now() + Duration::from_secs(10);
    let (screen, row, col) = loop {
        let p = s.parser.lock().unwrap();
        let (row, col) = p.screen().cursor_position();
        let screen = p.screen().contents();
        assert!(!p.screen().hide_cursor(), "the cursor is shown while a text is edited");
        let on = screen.lines().nth(row as usize).is_some_and(|l| l.contains("▸ Notify"));
        if on || Instant::now() > deadline {
            break (screen, row, col);
        }
        drop(p);
        std::thread::sleep(Duration::from_millis(20));
    };
    let p = s.parser.lock().unwrap();
    let line = screen.lines().nth(row as usize).unwrap_or_default();
    assert!(line.contains("▸ Notify") && line.contains("INC 42 sev 1"), "cursor on {row},{col}: {line}");
    let before: String = line.chars().take(col as usize).collect();
    assert!(before.trim_end().ends_with("INC 42 sev 1"), "the cursor follows the text: {before:?}");
    drop(p);
    s.send(b"\x1b");
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.screen().contains("Monitor (min)") {
        assert!(Instant::now() < deadline, "the form did not close");
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send(b"q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_running_action_shrinks_to_a_strip_and_quit_asks_twice() {
    let mut s = pty::start(&["demo", "--scenario", "stress", "--skip", "25m"], 100, 30);
    s.wait_for("Overview");
    s.send(b"s");
    s.wait_for("Direction");
    s.send(b"\r");
    s.wait_for("Confirm to run");
    s.send(b"\r");
    s.wait_for("abort at the next safe point");
    s.send(b"3"); // a dashboard key: focus Workers, the action shrinks to its strip
    let screen = s.wait_for("m show");
    assert!(screen.contains("scale-api") && screen.contains("<Esc> twice: abort"), "{screen}");
    assert!(screen.contains("Workers"), "{screen}");
    s.send(b"q");
    s.wait_for("q again quits");
    s.send(b"q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!s.parser.lock().unwrap().screen().alternate_screen());
}
