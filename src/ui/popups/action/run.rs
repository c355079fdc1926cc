//! The live run: each step with its state (spinner, elapsed time and live value while it runs),
//! the engine's notes; once it has ended, the summary first (what was applied and what was not,
//! a notification that could not be sent above all), then the steps.

use super::{body, frame, hints, wrap};
use crate::actions::step::{Outcome, StepState};
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::model::Level;
use crate::model::units::duration_short;
use crate::ui::app::App;
use crate::ui::desk::RunView;
use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A step's mark and style: spinner while it runs, the level's symbol once it has ended.
pub fn mark(app: &App, state: &StepState) -> (String, Style) {
    let t = &app.theme;
    match state {
        StepState::Pending => ("·".to_string(), t.style(Role::Muted)),
        StepState::Running { elapsed, .. } => {
            (SPINNER[((elapsed * 2.0) as usize) % SPINNER.len()].to_string(), t.style(Role::Accent))
        }
        StepState::Done { .. } => (Level::Ok.symbol().to_string(), t.level(Level::Ok)),
        StepState::Warning { .. } => (Level::Warn.symbol().to_string(), t.level(Level::Warn)),
        StepState::Failed { .. } => (Level::Crit.symbol().to_string(), t.level(Level::Crit)),
        StepState::Skipped { .. } => ("↷".to_string(), t.level(Level::Warn)),
    }
}

/// The step lines, and where each step's lines start.
pub fn step_lines(app: &App, v: &RunView, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let t = &app.theme;
    let mut out = Vec::new();
    let mut starts = Vec::new();
    for (i, (step, state)) in v.plan.steps.iter().zip(v.states.iter()).enumerate() {
        starts.push(out.len());
        let (sym, style) = mark(app, state);
        for (j, l) in wrap(&step.title, width.saturating_sub(7), 0).into_iter().enumerate() {
            let lead = if j == 0 {
                vec![
                    Span::styled(format!(" {sym} "), style),
                    Span::styled(format!("{:>2}. ", i + 1), t.style(Role::Muted)),
                ]
            } else {
                vec![Span::raw(" ".repeat(7))]
            };
            let mut spans = lead;
            spans.push(Span::styled(l, t.style(Role::Text)));
            out.push(Line::from(spans));
        }
        let detail = match state {
            StepState::Pending => None,
            StepState::Running { elapsed, live } => {
                Some(format!("{} {}", duration_short(*elapsed), live.clone().unwrap_or_else(|| "…".into())))
            }
            StepState::Done { note } => note.clone(),
            StepState::Warning { reason } | StepState::Failed { reason } | StepState::Skipped { reason } => {
                Some(reason.clone())
            }
        };
        if let Some(d) = detail {
            for l in wrap(&d, width.saturating_sub(7), 7) {
                out.push(Line::styled(format!("       {l}"), style));
            }
        }
    }
    starts.push(out.len());
    (out, starts)
}

/// The outcome in a few words, for the title (the summary's first lines say it whole).
fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Completed => "completed",
        Outcome::CompletedWithWarnings => "completed with warnings",
        Outcome::Stopped { .. } => "stopped early",
        Outcome::Failed { .. } => "failed",
        Outcome::Aborted => "aborted",
        Outcome::Refused { .. } => "refused",
        Outcome::LockHeld { .. } => "not started: lock held",
        Outcome::LockLost { .. } => "stopped: lock lost",
    }
}

pub fn draw(f: &mut Frame, app: &App, v: &RunView) {
    let t = &app.theme;
    let status = match &v.summary {
        Some(s) => {
            let unsent = if s.notify_failed.is_some() { ", notification NOT sent" } else { "" };
            Span::styled(format!("{} {}{unsent} ", s.level().symbol(), outcome_word(&s.outcome)), t.level(s.level()))
        }
        None if v.abort_requested => Span::styled("aborting at the next safe point ", t.level(Level::Warn)),
        None => Span::styled("running ", t.style(Role::Accent)),
    };
    let title = Line::from(vec![Span::styled(format!(" {} ", v.plan.action), t.style(Role::Title)), status]);
    let w = super::width(f);
    let mut lines = Vec::new();
    if let Some(s) = &v.summary {
        lines.push(Line::styled("Summary", t.style(Role::Title)));
        for (level, text) in s.lines() {
            for l in wrap(&text, w, 4) {
                let style = if level == Level::Ok { t.style(Role::Text) } else { t.level(level) };
                lines.push(Line::styled(l, style));
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Steps", t.style(Role::Title)));
    }
    let (steps, starts) = step_lines(app, v, w);
    // While it runs, the step in progress stays in view (until the reader scrolls away).
    let keep = match (v.finished(), v.current()) {
        (false, Some((i, _))) => starts.get(i).zip(starts.get(i + 1)).map(|(a, b)| (lines.len() + a, lines.len() + b)),
        _ => None,
    };
    lines.extend(steps);
    let notes: Vec<&(Level, String)> = v.notes.iter().rev().take(4).collect();
    if !notes.is_empty() {
        lines.push(Line::raw(""));
        for (level, text) in notes.into_iter().rev() {
            for l in wrap(text, w.saturating_sub(2), 2) {
                lines.push(Line::styled(l, t.level(*level)));
            }
        }
    }
    let footer = if v.finished() {
        let mut items = vec![(Command::Close, "close")];
        if v.rollback.is_some() {
            items.push((Command::Undo, "plan the undo of what was applied"));
        }
        items.push((Command::PageDown, "page"));
        hints(app, Context::Summary, &items, w)
    } else {
        hints(
            app,
            Context::Run,
            &[
                (Command::Abort, "abort at the next safe point"),
                (Command::HideAction, "shrink (dashboard keys work)"),
                (Command::PageDown, "page"),
            ],
            w,
        )
    };
    let inner = frame(f, app, title, lines.len() + footer.len());
    body(f, app, inner, lines, &v.pager, keep, footer);
}
