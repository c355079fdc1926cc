//! The guided-action popups: the form, the plan with its findings and confirmation, the live
//! run with its summary, and the offer to resume an unfinished action.

mod form;
mod plan;
mod run;

use super::centered;
use crate::actions::desk::{ActionDesk, Stage};
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::clamp_scroll;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draw the desk's popup, if it has one open.
pub fn draw(f: &mut Frame, app: &App, desk: &ActionDesk) {
    match &desk.stage {
        Stage::Closed => {}
        Stage::Resume { items, selected } => plan::draw_resume(f, app, items, *selected),
        Stage::Form { proc, form } => form::draw(f, app, desk, *proc, form, false),
        Stage::Planning { proc, form } => form::draw(f, app, desk, *proc, form, true),
        Stage::Plan { plan, typed, scroll, message, .. } => {
            plan::draw(f, app, desk, plan, typed, *scroll, message.as_deref())
        }
        Stage::Run(v) => run::draw(f, app, v),
    }
}

/// The inner width popups are laid out for on this screen.
fn width(f: &Frame) -> usize {
    popup_width(f.area()).saturating_sub(2) as usize
}

fn popup_width(screen: Rect) -> u16 {
    96.min(screen.width.saturating_sub(2).max(20))
}

/// A popup frame for `inner_h` lines (as much as the screen allows); returns the inner area.
fn frame(f: &mut Frame, app: &App, title: Line<'_>, inner_h: usize) -> Rect {
    let screen = f.area();
    let h = (inner_h as u16).saturating_add(2).clamp(3, screen.height.saturating_sub(2).max(3));
    let area = centered(screen, popup_width(screen), h);
    super::boxed(f, &app.theme, area, title)
}

/// Lines with a scroll offset, and a hint line pinned to the bottom.
fn body(f: &mut Frame, app: &App, inner: Rect, lines: Vec<Line<'static>>, scroll: usize, hint: Line<'static>) {
    body_with_footer(f, app, inner, lines, scroll, vec![hint]);
}

/// Lines with a scroll offset, and footer lines (prompt, hints) pinned to the bottom.
fn body_with_footer(
    f: &mut Frame,
    app: &App,
    inner: Rect,
    lines: Vec<Line<'static>>,
    scroll: usize,
    footer: Vec<Line<'static>>,
) {
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let foot_h = (footer.len() as u16).min(inner.height);
    let text_h = inner.height - foot_h;
    let off = clamp_scroll(scroll, lines.len(), text_h);
    let text_area = Rect { height: text_h, ..inner };
    f.render_widget(Paragraph::new(lines).scroll((off, 0)).style(app.theme.style(Role::Popup)), text_area);
    let foot_area = Rect { y: inner.y + text_h, height: foot_h, ..inner };
    f.render_widget(Paragraph::new(footer).style(app.theme.style(Role::Popup)), foot_area);
}

/// Word-wrap `text` to `width` columns, keeping its leading spaces; continuation lines are
/// indented by `indent`.
pub fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(indent + 8);
    let mut out = Vec::new();
    let lead = text.len() - text.trim_start_matches(' ').len();
    let mut line = " ".repeat(lead);
    for word in text.split_whitespace() {
        let len = line.chars().count();
        let wlen = word.chars().count();
        if !line.trim().is_empty() && len + 1 + wlen > width {
            out.push(std::mem::take(&mut line));
            line = " ".repeat(indent);
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// "Enter run · Esc back" from the keymap, so a remapped key reads right.
fn hints(app: &App, ctx: Context, items: &[(Command, &str)]) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (cmd, what) in items {
        let Some(k) = app.keymap.hint(ctx, cmd) else { continue };
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", t.style(Role::Muted)));
        }
        spans.push(Span::styled(k, t.style(Role::Key)));
        spans.push(Span::styled(format!(" {what}"), t.style(Role::Muted)));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_words_with_indent() {
        let w = super::wrap("one two three four five six seven", 14, 2);
        assert_eq!(w, vec!["one two three", "  four five", "  six seven"]);
        assert_eq!(super::wrap("  a b", 20, 4), vec!["  a b"], "leading spaces are kept");
    }
}
