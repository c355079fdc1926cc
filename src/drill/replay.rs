//! A keystroke script played headless on the drill's simulated clock: the keys at their
//! stamps, one simulated second at a time, the guided actions' jobs settled between them.

use super::platform::Wait;
use super::script::{Input, Line};
use super::session::{Debrief, Drill, Spec, lock};
use crate::actions::Jobs;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::model::Level;
use crate::ui::app::{App, Effect, Mode};
use crate::ui::event_loop::HostEvent;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Carry out what the app asked for (the drill observes each effect first).
fn pump(drill: &mut Drill, jobs: &mut Jobs, app: &mut App) {
    for e in std::mem::take(&mut app.effects) {
        drill.effect(app, &e);
        match e {
            // Simulated time: a script's speed is its stamps.
            Effect::SetSpeed(_) => {}
            Effect::Command(line) => {
                drill.command_now(app, &line);
            }
            e => crate::commands::host::action_effect(jobs, app, e),
        }
    }
}

/// Let the jobs run until all of them wait on the drill's clock, taking in their events.
async fn settle(drill: &mut Drill, jobs: &mut Jobs, app: &mut App) {
    loop {
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        let mut got = false;
        loop {
            let ev = tokio::select! {
                biased;
                ev = jobs.next() => ev,
                _ = std::future::ready(()) => None,
            };
            let Some(ev) = ev else { break };
            got = true;
            drill.job(&ev);
            app.host_event(HostEvent::Job(Box::new(ev)));
            pump(drill, jobs, app);
        }
        if !got {
            return;
        }
    }
}

/// A script with no `end` (and no `--until`) ends at a quit key, or at two hours.
pub const MAX_SECS: f64 = 2.0 * 3600.0;

/// Play `script` headless: one simulated second at a time, the keys at their stamps, until the
/// script's `end`, a quit key, or `until` (simulated seconds). Deterministic: it runs on its own
/// single-threaded runtime, and every wait is on the drill's clock.
pub fn run_script(
    spec: Spec,
    script: Vec<Line>,
    until: Option<f64>,
    theme: Theme,
    keymap: Keymap,
) -> anyhow::Result<Debrief> {
    let limit = until.or_else(|| script.iter().find(|l| l.input == Input::End).map(|l| l.t)).unwrap_or(MAX_SECS);
    let worker = std::thread::spawn(move || -> anyhow::Result<Debrief> {
        let rt = tokio::runtime::Builder::new_current_thread().build()?;
        rt.block_on(play(spec, script, limit, theme, keymap))
    });
    worker.join().map_err(|_| anyhow::anyhow!("the drill's thread panicked"))?
}

async fn play(spec: Spec, script: Vec<Line>, limit: f64, theme: Theme, keymap: Keymap) -> anyhow::Result<Debrief> {
    let (tick, rx) = tokio::sync::watch::channel(0.0);
    let (mut drill, board) = Drill::new(spec, Wait::Stepped(rx));
    let mut jobs = drill.jobs();
    let mut app = drill.app(board, theme, keymap, 1.0, &jobs);
    drill.refreshed(&mut app);
    let mut lines = script.into_iter().peekable();
    let mut t = 0.0;
    'run: loop {
        while let Some(l) = lines.next_if(|l| l.t <= t) {
            match l.input {
                Input::End => break 'run,
                Input::Key(k) => {
                    app.handle_key(k);
                    pump(&mut drill, &mut jobs, &mut app);
                }
                // Typed at the prompt, as on a terminal.
                Input::Command(c) => {
                    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
                    app.handle_key(key(KeyCode::Char(':')));
                    if matches!(app.mode, Mode::Drill { prompt: Some(_), .. }) {
                        for ch in c.chars() {
                            app.handle_key(key(KeyCode::Char(ch)));
                        }
                        app.handle_key(key(KeyCode::Enter));
                        pump(&mut drill, &mut jobs, &mut app);
                    } else {
                        // Not on the dashboard: the line is not typed as keys.
                        app.set_status(
                            "the kubectl prompt opens from the dashboard (close the action first)",
                            Level::Warn,
                        );
                    }
                }
            }
            settle(&mut drill, &mut jobs, &mut app).await;
            drill.observer.look(t, &app);
            if app.quit {
                break 'run;
            }
        }
        if t >= limit {
            break;
        }
        let updates = {
            let mut s = lock(&drill.sim);
            s.step();
            t = s.time();
            s.updates()
        };
        let _ = tick.send(t);
        settle(&mut drill, &mut jobs, &mut app).await;
        for u in updates {
            app.ingest(u);
        }
        drill.refreshed(&mut app);
    }
    jobs.abort();
    settle(&mut drill, &mut jobs, &mut app).await;
    Ok(drill.finish())
}
