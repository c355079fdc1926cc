//! The help overlay, generated from the keymap's descriptions, context by context.

use super::centered;
use crate::config::keymap::Context;
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::{self, pad};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The help text's lines, for the overlay and for tests.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::styled(
        "Levels: ✓ OK  ▲ WARN  ✖ CRIT  ~ STALE (source failing, last good value)  ? N/A",
        t.style(Role::Muted),
    )];
    for ctx in Context::ALL {
        let bindings = app.keymap.bindings(ctx);
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::raw(""));
        out.push(Line::styled(ctx.title().to_string(), t.style(Role::Title)));
        let mut seen: Vec<String> = Vec::new();
        for b in bindings {
            // One line per description: keys bound to the same thing share it.
            if let Some(line) = seen.iter().position(|d| *d == b.desc) {
                let l: &mut Line = out.iter_mut().rev().nth(seen.len() - 1 - line).expect("line of this context");
                if let Some(first) = l.spans.first_mut() {
                    let keys = format!("{} {}", first.content.trim_end(), b.keys_text());
                    *first = Span::styled(pad(&format!("  {}", keys.trim_start()), 18), t.style(Role::Key));
                }
                continue;
            }
            seen.push(b.desc.clone());
            out.push(Line::from(vec![
                Span::styled(pad(&format!("  {}", b.keys_text()), 18), t.style(Role::Key)),
                Span::styled(b.desc.clone(), t.style(Role::Text)),
            ]));
        }
    }
    out
}

pub fn draw(f: &mut Frame, app: &App, scroll: usize) {
    let area = centered(f.area(), 84, f.area().height.saturating_sub(2).max(3));
    if area.width < 4 || area.height < 3 {
        return;
    }
    let t = &app.theme;
    let title = Line::from(vec![
        Span::styled(format!(" Keys ({}) ", app.keymap.name), t.style(Role::Title)),
        Span::styled("Esc closes ", t.style(Role::Muted)),
    ]);
    let inner = super::boxed(f, t, area, title);
    let lines = lines(app);
    let off = widgets::clamp_scroll(scroll, lines.len(), inner.height);
    f.render_widget(Paragraph::new(lines).scroll((off, 0)).style(t.style(Role::Popup)), inner);
}
