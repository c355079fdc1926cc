//! The help overlay, generated from the keymap's descriptions, context by context.

use super::centered;
use crate::config::keymap::Context;
use crate::config::theme::Role;
use crate::ui::app::App;
use crate::ui::widgets::{self, Piece, flow, pad, paragraph, words};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The help text's lines at a width, for the overlay and for tests: each description wraps
/// under itself, never cut.
pub fn lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let levels: Vec<Piece> = [
        "Levels:",
        "  ✓ OK",
        "  ▲ WARN",
        "  ✖ CRIT",
        "  ~ STALE (source failing, last good value)",
        "  ? N/A (a blind spot)",
    ]
    .into_iter()
    .map(|s| vec![Span::styled(s, t.style(Role::Muted))])
    .collect();
    let mut out = flow(Vec::new(), levels, w, 8);
    out.extend(paragraph(
        "A row without a value says why (\"not set\", \"no data\"); zoom its pane for the setting that would \
         give it one. \"no traffic\" and \"no limit\" are states in which a threshold does not apply: they \
         count as OK. A pane's level is the worst of what it shows; the Events pane has none (its title counts \
         the alarms of the last 10 minutes). \"↓ 3 more\" on a pane's border: scroll it (↑ ↓ PgUp PgDn).",
        t.style(Role::Muted),
        w,
        0,
    ));
    let mut entries: Vec<(String, String, Context)> = Vec::new();
    for ctx in Context::ALL {
        for b in app.keymap.bindings(ctx) {
            // One line per description: keys bound to the same thing share it.
            match entries.iter_mut().find(|(_, d, c)| *c == ctx && *d == b.desc) {
                Some(e) => e.0 = format!("{} {}", e.0, b.keys_text()),
                None => entries.push((b.keys_text(), b.desc.clone(), ctx)),
            }
        }
    }
    for ctx in Context::ALL {
        let mine: Vec<_> = entries.iter().filter(|(_, _, c)| *c == ctx).collect();
        if mine.is_empty() {
            continue;
        }
        out.push(Line::raw(""));
        out.push(Line::styled(ctx.title().to_string(), t.style(Role::Title)));
        for (keys, desc, _) in mine {
            let keys = format!("  {keys}");
            let key_w = widgets::width(&keys).max(17) + 1;
            let head = vec![Span::styled(pad(&keys, key_w), t.style(Role::Key))];
            out.extend(flow(head, words(desc, t.style(Role::Text)), w, 18));
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
    let lines = lines(app, inner.width as usize);
    let off = widgets::clamp_scroll(scroll, lines.len(), inner.height);
    f.render_widget(Paragraph::new(lines).scroll((off, 0)).style(t.style(Role::Popup)), inner);
}
