//! The action screen as drawn: the form, the plan with its findings and confirmation, the live
//! run with its summary, the offer to resume an unfinished action, and the strip a running
//! action shrinks to under the dashboard. Everything is read from `app.desk`.

mod form;
mod plan;
mod run;
mod strip;

pub use run::mark;
pub use strip::{draw_strip, strip_height, strip_lines};

use super::centered;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::desk::{Pager, Stage};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Draw the action screen's popup, if it is open and not shrunk to the strip.
pub fn draw(f: &mut Frame, app: &App) {
    let desk = &app.desk;
    match &desk.stage {
        Stage::Closed => {}
        Stage::Resume(v) => plan::draw_resume(f, app, v),
        Stage::Form(v) => form::draw(f, app, v, false),
        Stage::Planning(v) => form::draw(f, app, v, true),
        Stage::Plan(v) => plan::draw(f, app, v),
        Stage::Run(_) if desk.minimized => {}
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

/// Where the text of a popup went: its area and the first line shown.
struct Placed {
    area: Rect,
    offset: usize,
}

impl Placed {
    /// The screen row of text line `i`, if it is in view.
    fn row(&self, i: usize) -> Option<u16> {
        let r = i.checked_sub(self.offset)?;
        (r < self.area.height as usize).then(|| self.area.y + r as u16)
    }
}

/// Lines scrolled by `pager` (keeping `keep` in view while it follows), and footer lines
/// (prompt, hints) pinned to the bottom. A "more" mark shows when text is out of view.
fn body(
    f: &mut Frame,
    app: &App,
    inner: Rect,
    lines: Vec<Line<'static>>,
    pager: &Pager,
    keep: Option<(usize, usize)>,
    footer: Vec<Line<'static>>,
) -> Placed {
    let t = &app.theme;
    if inner.height == 0 || inner.width == 0 {
        return Placed { area: inner, offset: 0 };
    }
    let foot_h = (footer.len() as u16).min(inner.height);
    let text_h = inner.height - foot_h;
    let total = lines.len();
    let off = pager.place(total, text_h as usize, keep);
    let text_area = Rect { height: text_h, ..inner };
    f.render_widget(Paragraph::new(lines).scroll((off as u16, 0)).style(t.style(Role::Popup)), text_area);
    let foot_area = Rect { y: inner.y + text_h, height: foot_h, ..inner };
    f.render_widget(Paragraph::new(footer).style(t.style(Role::Popup)), foot_area);
    // Say where the reader is when not everything fits: "12–31 of 64".
    if total > text_h as usize && text_h > 0 {
        let last = (off + text_h as usize).min(total);
        let mark = format!(" {}–{} of {} ", off + 1, last, total);
        let w = mark.width() as u16;
        if w + 2 < inner.width {
            let at = Rect { x: inner.x + inner.width - w, y: inner.y + inner.height, width: w, height: 1 };
            f.render_widget(Paragraph::new(Span::styled(mark, t.style(Role::Muted))), at);
        }
    }
    Placed { area: text_area, offset: off }
}

/// Word-wrap `text` to `width` columns, keeping its leading spaces; continuation lines are
/// indented by `indent`. A word longer than a line (a path, a URL) is broken across lines,
/// after a `/` where one is near, and never cut off.
pub fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(indent + 8);
    let mut out = Vec::new();
    let lead = text.len() - text.trim_start_matches(' ').len();
    let mut line = " ".repeat(lead.min(width / 2));
    for mut word in text.split_whitespace() {
        loop {
            let used = line.width();
            let started = !line.trim().is_empty();
            let need = used + usize::from(started) + word.width();
            if need <= width {
                if started {
                    line.push(' ');
                }
                line.push_str(word);
                break;
            }
            if started {
                out.push(std::mem::replace(&mut line, " ".repeat(indent)));
                continue;
            }
            let cut = break_point(word, width.saturating_sub(used).max(1));
            line.push_str(&word[..cut]);
            out.push(std::mem::replace(&mut line, " ".repeat(indent)));
            word = &word[cut..];
        }
    }
    if !line.trim().is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Where to break a word that is wider than `room`: after the last `/` in the second half of
/// what fits, else where it stops fitting (at least one character).
fn break_point(word: &str, room: usize) -> usize {
    let mut fits = 0;
    let mut cols = 0;
    for (i, c) in word.char_indices() {
        cols += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if cols > room {
            break;
        }
        fits = i + c.len_utf8();
    }
    if fits == 0 {
        return word.chars().next().map_or(word.len(), char::len_utf8);
    }
    match word[..fits].rfind('/') {
        Some(slash) if slash + 1 >= fits / 2 && slash + 1 < fits => slash + 1,
        _ => fits,
    }
}

/// "Enter run · Esc back" from the keymap, so a remapped key reads right; as many lines as
/// `width` needs (a hint goes whole to the next line rather than being cut).
fn hints(app: &App, ctx: Context, items: &[(Command, &str)], width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (cmd, what) in items {
        let Some(k) = app.keymap.hint(ctx, cmd) else { continue };
        let w = k.width() + 1 + what.width();
        if used > 0 && used + 3 + w > width {
            lines.push(Vec::new());
            used = 0;
        }
        let Some(line) = lines.last_mut() else { continue };
        if used > 0 {
            line.push(Span::styled(" · ", t.style(Role::Muted)));
            used += 3;
        }
        line.push(Span::styled(k, t.style(Role::Key)));
        line.push(Span::styled(format!(" {what}"), t.style(Role::Muted)));
        used += w;
    }
    lines.into_iter().map(Line::from).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_words_with_indent() {
        let w = super::wrap("one two three four five six seven", 14, 2);
        assert_eq!(w, vec!["one two three", "  four five", "  six seven"]);
        assert_eq!(super::wrap("  a b", 20, 4), vec!["  a b"], "leading spaces are kept");
    }

    #[test]
    fn a_long_path_is_broken_across_lines_and_never_cut() {
        let path = "/home/oncall/.local/state/cockpit/journal/2026-03-01T031500Z-emergency-41234.jsonl";
        let lines = super::wrap(&format!("journal: {path}"), 40, 4);
        assert!(lines.iter().all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 40), "{lines:#?}");
        let joined: String = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join("");
        assert_eq!(joined, format!("journal:{path}"), "{lines:#?}");
        assert!(lines[1].trim_start().starts_with("/home"), "a path starts on its own line: {lines:#?}");
        assert!(lines[1].ends_with("cockpit/"), "broken after a / where one is near: {lines:#?}");
    }
}
