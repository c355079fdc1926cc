//! End to end: `cockpit demo` in a real pseudo-terminal. Send keys as a person would, read the
//! screen through a terminal emulator (vt100), and check the terminal is restored on the way out.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _state: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("open a pty");
        let state = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cockpit"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("COCKPIT_STATE_DIR", state.path());
        cmd.env("COCKPIT_CONFIG_DIR", state.path().join("config"));
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).expect("spawn cockpit");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let p = parser.clone();
        std::thread::spawn(move || {
            let _keep_master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Session { parser, writer, child, _state: state }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {needle:?}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(Instant::now() < deadline, "cockpit did not exit; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn demo_shows_the_dashboard_opens_help_and_quits_cleanly() {
    let mut s = Session::start(&["demo", "--scenario", "incident", "--speed", "20"], 100, 30);
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
    let mut s = Session::start(&["demo"], 80, 24);
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
