//! The form of an action: its fields prefilled from the board, the focused field's help, the
//! procedure's own help (where it differs from the runbook, and why). A text field is edited
//! in place, with a cursor.

use super::{body, frame, hints, wrap};
use crate::actions::FieldValue;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::desk::FormView;
use crate::ui::widgets::pad;
use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns before a field's value: the focus mark and the label.
const VALUE_AT: usize = 2 + 20 + 1;

pub fn draw(f: &mut Frame, app: &App, v: &FormView, planning: bool) {
    let Some(p) = app.desk.procedure(v.proc) else { return };
    let t = &app.theme;
    let form = &v.form;
    // The title holds the name only: what the action does is the first line, whole.
    let title = Line::styled(format!(" {} ", p.name()), t.style(Role::Title));
    let w = super::width(f);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for l in wrap(p.summary(), w, 2) {
        lines.push(Line::styled(l, t.style(Role::Text)));
    }
    if app.desk.settings.read_only {
        lines.push(Line::styled("READ-ONLY: the plan can be looked at, not run", t.style(Role::Warn)));
    }
    for n in &form.notes {
        for l in wrap(n, w, 2) {
            lines.push(Line::styled(l, t.style(Role::Muted)));
        }
    }
    lines.push(Line::raw(""));
    let mut focus_lines = (0, 0);
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let start = lines.len();
        let marker = if focused { "▸ " } else { "  " };
        let label = Span::styled(format!("{marker}{}", pad(&field.label, 20)), t.style(Role::Text));
        match (&field.value, v.editor.as_ref().filter(|_| focused)) {
            (FieldValue::Text(_), Some(editor)) => {
                // The whole text, over as many lines as it needs, the cursor in it.
                let room = w.saturating_sub(VALUE_AT + 1).max(8);
                let (parts, (row, col)) = editor.lines(room);
                for (j, part) in parts.iter().enumerate() {
                    let head = if j == 0 { label.clone() } else { Span::raw(" ".repeat(VALUE_AT - 1)) };
                    let at = (j == row).then_some(col);
                    lines.push(Line::from(edited(app, head, part, at, room)));
                }
                cursor = Some((start + row, VALUE_AT + col));
            }
            (FieldValue::Text(text), None) => {
                // Shown whole: a long message wraps under its label.
                let room = w.saturating_sub(VALUE_AT + 1).max(8);
                for (j, part) in wrap(text, room, 0).into_iter().enumerate() {
                    let head = if j == 0 { label.clone() } else { Span::raw(" ".repeat(VALUE_AT - 1)) };
                    lines.push(Line::from(vec![head, Span::styled(format!(" {part} "), t.style(Role::Text))]));
                }
            }
            (value, _) => {
                let shown = match value {
                    FieldValue::Choice { .. } => format!("‹ {} ›", field.shown()),
                    _ => field.shown(),
                };
                let style = if focused { t.style(Role::Selection) } else { t.style(Role::Text) };
                lines.push(Line::from(vec![label, Span::styled(format!(" {shown} "), style)]));
            }
        }
        if focused {
            for l in wrap(&field.help, w.saturating_sub(4), 4) {
                lines.push(Line::styled(format!("    {l}"), t.style(Role::Muted)));
            }
            focus_lines = (start, lines.len());
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
        vec![Line::styled("planning: reading the platform…", t.style(Role::Accent))]
    } else {
        let mut items = vec![(Command::NextField, "field")];
        if v.editor.is_none() {
            items.push((Command::Increment, "change"));
        }
        items.extend([(Command::Confirm, "plan"), (Command::PageDown, "page"), (Command::Close, "close")]);
        hints(app, Context::Form, &items, w)
    };
    let inner = frame(f, app, title, lines.len() + hint.len());
    let placed = body(f, app, inner, lines, &v.pager, Some(focus_lines), hint);
    // The terminal's own cursor sits in the text being edited.
    if let Some((line, col)) = cursor
        && let Some(y) = placed.row(line)
        && col < placed.area.width as usize
    {
        f.set_cursor_position((placed.area.x + col as u16, y));
    }
}

/// A line of a text field being edited, in a field `room` columns wide; on the cursor's line
/// (`col`), the cell under the cursor reversed.
fn edited(app: &App, label: Span<'static>, shown: &str, col: Option<usize>, room: usize) -> Vec<Span<'static>> {
    let t = &app.theme;
    let field = t.style(Role::Selection);
    let mut before = String::new();
    let mut under = String::new();
    let mut after = String::new();
    let mut at = 0;
    for g in shown.graphemes(true) {
        match col {
            Some(c) if at < c => before.push_str(g),
            Some(c) if at == c => under = g.to_string(),
            Some(_) => after.push_str(g),
            None => before.push_str(g),
        }
        at += g.width();
    }
    if col.is_some() && under.is_empty() {
        under.push(' ');
    }
    let used = before.width() + under.width() + after.width();
    after.push_str(&" ".repeat(room.saturating_sub(used)));
    vec![
        label,
        Span::raw(" "),
        Span::styled(before, field),
        Span::styled(under, field.add_modifier(Modifier::REVERSED)),
        Span::styled(after, field),
    ]
}
