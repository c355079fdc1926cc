//! The plan: preflight findings, the steps with what each checks, changes and verifies, and the
//! confirmation (a typed word for emergency). Also the offer to resume an unfinished action.

use super::{body, frame, hints, wrap};
use crate::actions::step::Plan;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::ui::app::App;
use crate::ui::desk::{PlanView, ResumeView};
use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

pub fn lines(app: &App, plan: &Plan, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out: Vec<Line<'static>> = Vec::new();
    out.push(Line::styled("Preflight", t.style(Role::Title)));
    for f in &plan.findings {
        let badge = format!("{} {:<6} ", f.severity.level().symbol(), f.severity.word());
        let style = if f.severity == crate::actions::Severity::Info {
            t.style(Role::Text)
        } else {
            t.level(f.severity.level())
        };
        for (i, l) in wrap(&f.text, width.saturating_sub(9), 0).into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(badge.clone(), t.level(f.severity.level()))
            } else {
                Span::raw(" ".repeat(9))
            };
            out.push(Line::from(vec![lead, Span::styled(l, style)]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Steps", t.style(Role::Title)));
    for (i, s) in plan.steps.iter().enumerate() {
        let mut head = format!("{:>2}. {}", i + 1, s.title);
        if s.always {
            head.push_str("  (runs even if the action stops early)");
        }
        for l in wrap(&head, width, 4) {
            out.push(Line::styled(l, t.style(Role::Text)));
        }
        let mut detail = Vec::new();
        for c in &s.checks {
            detail.push(format!("check: {}", c.describe()));
        }
        if let Some(e) = &s.effect {
            detail.push(format!("change: {}", e.describe()));
        }
        if let Some(v) = &s.verify {
            detail.push(format!("verify: {} (timeout {})", v.describe(), duration_short(s.timeout_secs)));
        }
        if let Some(w) = &s.why {
            detail.push(format!("why: {w}"));
        }
        for d in detail {
            for l in wrap(&d, width.saturating_sub(6), 6) {
                out.push(Line::styled(format!("     {l}"), t.style(Role::Muted)));
            }
        }
    }
    out
}

pub fn draw(f: &mut Frame, app: &App, v: &PlanView) {
    let t = &app.theme;
    let plan = &v.plan;
    let desk = &app.desk;
    let title = Line::styled(format!(" {} ", plan.action), t.style(Role::Title));
    let w = super::width(f);
    let mut all: Vec<Line<'static>> =
        wrap(&plan.title, w, 2).into_iter().map(|l| Line::styled(l, t.style(Role::Text))).collect();
    all.extend(lines(app, plan, w));
    let mut footer: Vec<Line<'static>> = Vec::new();
    let mut word_at = None;
    if desk.settings.read_only {
        footer.push(Line::styled("READ-ONLY: this plan cannot be run", t.style(Role::Warn)));
    } else if plan.blocked() {
        footer.push(Line::styled("BLOCKED: resolve the findings marked BLOCKS first", t.style(Role::Crit)));
    } else if let Some(word) = &plan.confirm_word {
        let typed = v.word.value();
        let style = if typed == word { t.style(Role::Ok) } else { t.style(Role::Selection) };
        let prompt = format!("Type {word} to confirm: ");
        let room = w.saturating_sub(prompt.width() + 1).max(4);
        let (shown, col) = v.word.window(room);
        let (before, rest) = split_at_col(&shown, col);
        let (under, after) = match rest.chars().next() {
            Some(c) => (c.to_string(), rest[c.len_utf8()..].to_string()),
            None => (" ".to_string(), String::new()),
        };
        word_at = Some((footer.len(), prompt.width() + col));
        footer.push(Line::from(vec![
            Span::styled(prompt, t.style(Role::Warn)),
            Span::styled(before.to_string(), style),
            Span::styled(under, style.add_modifier(Modifier::REVERSED)),
            Span::styled(after, style),
        ]));
    } else if desk.dry_run {
        footer.push(Line::styled(
            "DRY RUN: the server validates every write and stores nothing. Confirm to run it.",
            t.style(Role::Warn),
        ));
    } else {
        footer.push(Line::styled("Nothing has changed yet. Confirm to run this plan.", t.style(Role::Accent)));
    }
    if let Some(m) = &v.message {
        for l in wrap(m, w, 2) {
            footer.push(Line::styled(l, t.style(Role::Crit)));
        }
    }
    footer.extend(hints(
        app,
        Context::Plan,
        &[
            (Command::Confirm, "run"),
            (Command::Toggle, "dry run"),
            (Command::PageDown, "page"),
            (Command::Bottom, "end"),
            (Command::Close, "back"),
        ],
        w,
    ));
    let foot_n = footer.len();
    let inner = frame(f, app, title, all.len() + foot_n);
    let placed = body(f, app, inner, all, &v.pager, None, footer);
    if let Some((line, col)) = word_at {
        let foot_y = placed.area.y + placed.area.height;
        let y = foot_y + line as u16;
        if y < inner.y + inner.height && col < inner.width as usize {
            f.set_cursor_position((inner.x + col as u16, y));
        }
    }
}

/// Split `s` at display column `col` (a character boundary).
fn split_at_col(s: &str, col: usize) -> (&str, &str) {
    let mut at = 0;
    for (i, c) in s.char_indices() {
        if at >= col {
            return s.split_at(i);
        }
        at += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    (s, "")
}

pub fn draw_resume(f: &mut Frame, app: &App, v: &ResumeView) {
    let t = &app.theme;
    let w = super::width(f);
    let mut all: Vec<Line<'static>> = Vec::new();
    for l in wrap("A previous run stopped in the middle of an action (a crash or a dropped link):", w, 2) {
        all.push(Line::styled(l, t.style(Role::Warn)));
    }
    let mut keep = None;
    for (i, u) in v.items.iter().enumerate() {
        let style = if i == v.selected { t.style(Role::Selection) } else { t.style(Role::Text) };
        let started = u.started.get(..19).unwrap_or(&u.started).replace('T', " ");
        let mark = if i == v.selected { "▸" } else { " " };
        let start = all.len();
        let head = format!("{mark} {} — {} (started {started} UTC by {})", u.action, u.plan.title, u.user);
        for l in wrap(&head, w, 4) {
            all.push(Line::styled(l, style));
        }
        for l in wrap(&u.describe(), w.saturating_sub(4), 4) {
            all.push(Line::styled(format!("    {l}"), t.style(Role::Muted)));
        }
        if i == v.selected {
            keep = Some((start, all.len()));
        }
    }
    all.push(Line::raw(""));
    let abandon = app.keymap.hint(Context::Resume, &Command::Abandon).unwrap_or_else(|| "abandon".into());
    let text = format!(
        "Resume carries it on without repeating a change already made; {abandon} abandons it (the journal keeps it)."
    );
    for l in wrap(&text, w, 0) {
        all.push(Line::styled(l, t.style(Role::Muted)));
    }
    let hint = hints(
        app,
        Context::Resume,
        &[(Command::Confirm, "resume"), (Command::Abandon, "abandon"), (Command::Close, "decide later")],
        w,
    );
    let inner = frame(f, app, Line::styled(" Unfinished action ", t.style(Role::Title)), all.len() + hint.len());
    body(f, app, inner, all, &v.pager, keep, hint);
}
