//! The live run: each step with its state (spinner, elapsed time and live value while it runs),
//! the engine's notes, and the summary when it ends: what was applied and what was not.

use super::{body_with_footer, frame, hints, wrap};
use crate::actions::desk::RunView;
use crate::actions::step::StepState;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::model::Level;
use crate::model::units::duration_short;
use crate::ui::app::App;
use crate::ui::widgets::ellipsize;
use ratatui::Frame;
use ratatui::text::{Line, Span};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The step lines, for the popup and for tests.
pub fn step_lines(app: &App, v: &RunView, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for (i, (step, state)) in v.plan.steps.iter().zip(v.states.iter()).enumerate() {
        let (sym, style) = match state {
            StepState::Pending => ("·".to_string(), t.style(Role::Muted)),
            StepState::Running { elapsed, .. } => {
                (SPINNER[((elapsed * 2.0) as usize) % SPINNER.len()].to_string(), t.style(Role::Accent))
            }
            StepState::Done { .. } => (Level::Ok.symbol().to_string(), t.level(Level::Ok)),
            StepState::Warning { .. } => (Level::Warn.symbol().to_string(), t.level(Level::Warn)),
            StepState::Failed { .. } => (Level::Crit.symbol().to_string(), t.level(Level::Crit)),
            StepState::Skipped { .. } => ("↷".to_string(), t.level(Level::Warn)),
        };
        out.push(Line::from(vec![
            Span::styled(format!(" {sym} "), style),
            Span::styled(format!("{:>2}. ", i + 1), t.style(Role::Muted)),
            Span::styled(ellipsize(&step.title, width.saturating_sub(7)), t.style(Role::Text)),
        ]));
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
    out
}

pub fn draw(f: &mut Frame, app: &App, v: &RunView) {
    let t = &app.theme;
    let status = match &v.summary {
        Some(s) => Span::styled(format!("{} ", s.outcome.describe()), t.level(s.outcome.level())),
        None if v.abort_requested => Span::styled("aborting at the next safe point ", t.level(Level::Warn)),
        None => Span::styled("running ", t.style(Role::Accent)),
    };
    let title = Line::from(vec![Span::styled(format!(" {} ", v.plan.action), t.style(Role::Title)), status]);
    let w = super::width(f);
    let mut lines = step_lines(app, v, w);
    let notes: Vec<&(Level, String)> = v.notes.iter().rev().take(4).collect();
    if !notes.is_empty() {
        lines.push(Line::raw(""));
        for (level, text) in notes.into_iter().rev() {
            for l in wrap(text, w.saturating_sub(2), 2) {
                lines.push(Line::styled(l, t.level(*level)));
            }
        }
    }
    if let Some(s) = &v.summary {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Summary", t.style(Role::Title)));
        for (level, text) in s.lines() {
            for l in wrap(&text, w, 4) {
                let style = if level == Level::Ok { t.style(Role::Text) } else { t.level(level) };
                lines.push(Line::styled(l, style));
            }
        }
    }
    let footer = if v.finished() {
        let mut h = hints(app, Context::Plan, &[(Command::Confirm, "close"), (Command::Down, "scroll")]);
        if v.rollback.is_some() {
            h.spans.push(Span::styled(" · ", t.style(Role::Muted)));
            h.spans.push(Span::styled("u", t.style(Role::Key)));
            h.spans.push(Span::styled(" plan the undo of what was applied", t.style(Role::Muted)));
        }
        h
    } else {
        hints(app, Context::Run, &[(Command::Abort, "abort at the next safe point"), (Command::Down, "scroll")])
    };
    let inner = frame(f, app, title, lines.len() + 1);
    body_with_footer(f, app, inner, lines, v.scroll, vec![footer]);
}
