//! The plan: preflight findings, the steps with what each checks, changes and verifies, and the
//! confirmation (a typed word for emergency). Also the offer to resume an unfinished action.

use super::{body, body_with_footer, frame, hints, wrap};
use crate::actions::desk::ActionDesk;
use crate::actions::journal::Unfinished;
use crate::actions::step::Plan;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::ui::app::App;
use ratatui::Frame;
use ratatui::text::{Line, Span};

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
        out.push(Line::styled(head, t.style(Role::Text)));
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

pub fn draw(
    f: &mut Frame,
    app: &App,
    desk: &ActionDesk,
    plan: &Plan,
    typed: &str,
    scroll: usize,
    message: Option<&str>,
) {
    let t = &app.theme;
    let title = Line::from(vec![
        Span::styled(format!(" {} ", plan.action), t.style(Role::Title)),
        Span::styled(format!("{} ", plan.title), t.style(Role::Text)),
    ]);
    let w = super::width(f);
    let all = lines(app, plan, w);
    let mut footer: Vec<Line<'static>> = Vec::new();
    if desk.settings.read_only {
        footer.push(Line::styled("READ-ONLY: this plan cannot be run", t.style(Role::Warn)));
    } else if plan.blocked() {
        footer.push(Line::styled("BLOCKED: resolve the findings marked BLOCKS first", t.style(Role::Crit)));
    } else if let Some(word) = &plan.confirm_word {
        let ok = typed == word;
        footer.push(Line::from(vec![
            Span::styled(format!("Type {word} to confirm: "), t.style(Role::Warn)),
            Span::styled(format!("{typed}▏"), if ok { t.style(Role::Ok) } else { t.style(Role::Selection) }),
        ]));
    } else if desk.dry_run {
        footer.push(Line::styled(
            "DRY RUN: the server validates every write and stores nothing. Confirm to run it.",
            t.style(Role::Warn),
        ));
    } else {
        footer.push(Line::styled("Nothing has changed yet. Confirm to run this plan.", t.style(Role::Accent)));
    }
    if let Some(m) = message {
        footer.push(Line::styled(m.to_string(), t.style(Role::Crit)));
    }
    footer.push(hints(
        app,
        Context::Plan,
        &[(Command::Confirm, "run"), (Command::Toggle, "dry run"), (Command::Down, "scroll"), (Command::Close, "back")],
    ));
    let inner = frame(f, app, title, all.len() + footer.len());
    body_with_footer(f, app, inner, all, scroll, footer);
}

pub fn draw_resume(f: &mut Frame, app: &App, items: &[Unfinished], selected: usize) {
    let t = &app.theme;
    let w = super::width(f);
    let mut all: Vec<Line<'static>> = vec![Line::styled(
        "A previous run stopped in the middle of an action (a crash or a dropped link):",
        t.style(Role::Warn),
    )];
    for (i, u) in items.iter().enumerate() {
        let style = if i == selected { t.style(Role::Selection) } else { t.style(Role::Text) };
        let started = u.started.get(..19).unwrap_or(&u.started).replace('T', " ");
        let mark = if i == selected { "▸" } else { " " };
        all.push(Line::styled(
            format!("{mark} {} — {} (started {started} UTC by {})", u.action, u.plan.title, u.user),
            style,
        ));
        for l in wrap(&u.describe(), w.saturating_sub(4), 4) {
            all.push(Line::styled(format!("    {l}"), t.style(Role::Muted)));
        }
    }
    all.push(Line::raw(""));
    all.push(Line::styled(
        "Resume carries it on without repeating a change already made; a abandons it (the journal keeps it).",
        t.style(Role::Muted),
    ));
    let mut hint = hints(app, Context::Plan, &[(Command::Confirm, "resume"), (Command::Close, "decide later")]);
    hint.spans.push(Span::styled(" · ", t.style(Role::Muted)));
    hint.spans.push(Span::styled("a", t.style(Role::Key)));
    hint.spans.push(Span::styled(" abandon", t.style(Role::Muted)));
    let inner = frame(f, app, Line::styled(" Unfinished action ", t.style(Role::Title)), all.len() + 1);
    body(f, app, inner, all, 0, hint);
}
