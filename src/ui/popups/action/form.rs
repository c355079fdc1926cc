//! The form of an action: its fields prefilled from the board, the focused field's help, the
//! procedure's own help (where it differs from the runbook, and why).

use super::{body, frame, hints, wrap};
use crate::actions::desk::ActionDesk;
use crate::actions::form::Form;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::pad;
use ratatui::Frame;
use ratatui::text::{Line, Span};

pub fn draw(f: &mut Frame, app: &App, desk: &ActionDesk, proc: usize, form: &Form, planning: bool) {
    let Some(p) = desk.procedure(proc) else { return };
    let t = &app.theme;
    let title = Line::from(vec![
        Span::styled(format!(" {} ", p.name()), t.style(Role::Title)),
        Span::styled(format!("{} ", p.summary()), t.style(Role::Muted)),
    ]);
    let w = super::width(f);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if desk.settings.read_only {
        lines.push(Line::styled("READ-ONLY: the plan can be looked at, not run", t.style(Role::Warn)));
    }
    for n in &form.notes {
        for l in wrap(n, w, 2) {
            lines.push(Line::styled(l, t.style(Role::Muted)));
        }
    }
    lines.push(Line::raw(""));
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let style = if focused { t.style(Role::Selection) } else { t.style(Role::Text) };
        let arrows = match field.value {
            crate::actions::form::FieldValue::Choice { .. } => format!("‹ {} ›", field.shown()),
            _ => field.shown(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{}", pad(&field.label, 20)), t.style(Role::Text)),
            Span::styled(format!(" {arrows} "), style),
        ]));
        if focused {
            for l in wrap(&field.help, w.saturating_sub(4), 4) {
                lines.push(Line::styled(format!("    {l}"), t.style(Role::Muted)));
            }
        }
    }
    if let Some(e) = &form.error {
        lines.push(Line::raw(""));
        for l in wrap(e, w, 2) {
            lines.push(Line::styled(l, t.style(Role::Crit)));
        }
    }
    lines.push(Line::raw(""));
    for l in wrap(p.help(), w, 0) {
        lines.push(Line::styled(l, t.style(Role::Muted)));
    }
    let hint = if planning {
        Line::styled("planning: reading the platform…", t.style(Role::Accent))
    } else {
        hints(
            app,
            Context::Form,
            &[
                (Command::NextField, "field"),
                (Command::Increment, "change"),
                (Command::Confirm, "plan"),
                (Command::Close, "close"),
            ],
        )
    };
    let inner = frame(f, app, title, lines.len() + 1);
    body(f, app, inner, lines, 0, hint);
}
