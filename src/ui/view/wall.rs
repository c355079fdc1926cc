//! The war-room wall (`--wall`, or its key): a screen read from across the room. The five key
//! metrics as large digits with their level words, the emergency banner, the action in
//! progress with its steps and who runs it, and the last events. Levels are words as well as
//! colours, so it reads the same in monochrome; a value too wide for its tile is shown in
//! ordinary text, never cut.

use super::font;
use super::header::{banner_lines, draw_header};
use crate::actions::step::StepState;
use crate::config::theme::Role;
use crate::model::units::duration_short;
use crate::model::{Level, MetricId};
use crate::ui::app::App;
use crate::ui::widgets::{self, flow, words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The tiles' height: a title, the large value, the level line and a sparkline, in a border.
const TILE_H: u16 = font::ROWS as u16 + 4;

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let board = app.view_board();
    let banner = if area.height >= 12 { banner_lines(app, board, area.width) } else { Vec::new() };
    let cols: u16 = if area.width >= 200 { 5 } else { 3 };
    let rows: u16 = MetricId::KEY.len().div_ceil(cols as usize) as u16;
    let [header, banner_a, tiles, rest, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner.len().min(3) as u16),
        Constraint::Length((TILE_H * rows).min(area.height.saturating_sub(4))),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, header, app);
    f.render_widget(Paragraph::new(banner).style(app.theme.style(Role::Banner)), banner_a);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows as u32); rows as usize]).split(tiles);
    for (r, row) in row_areas.iter().enumerate() {
        let ids: Vec<MetricId> = MetricId::KEY.iter().copied().skip(r * cols as usize).take(cols as usize).collect();
        let cells = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols as usize]).split(*row);
        for (id, cell) in ids.into_iter().zip(cells.iter()) {
            tile(f, app, id, *cell);
        }
    }
    let [action, events] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest);
    draw_action(f, app, action);
    draw_events(f, app, events);
    let hint = app
        .keymap
        .hint(crate::config::keymap::Context::Dashboard, &crate::config::keymap::Command::Wall)
        .map(|k| format!(" wall view · {k} back to the dashboard"))
        .unwrap_or_else(|| " wall view".into());
    f.render_widget(Paragraph::new(Line::styled(hint, app.theme.style(Role::Footer))), footer);
}

/// One key metric: its label, the value in large digits in its level's colour, the level word
/// with the trend and the thresholds, and a sparkline of its history.
fn tile(f: &mut Frame, app: &App, id: MetricId, area: Rect) {
    let t = &app.theme;
    let board = app.view_board();
    let r = board.reading(id);
    let l = r.counted_level();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.level(l))
        .title(Line::from(vec![Span::styled(format!(" {} ", id.label()), t.style(Role::Title))]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let value = r.formatted();
    let mut lines: Vec<Line> = Vec::new();
    let big = font::render(&value).map(|rows| (rows[0].chars().count(), rows)).filter(|(bw, _)| *bw <= w);
    match big {
        Some((bw, big)) => {
            let pad = (w - bw) / 2;
            for row in big {
                lines.push(Line::styled(format!("{}{row}", " ".repeat(pad)), widgets::quiet(t, l)));
            }
        }
        None => {
            // Words ("no traffic", "waiting") or a value wider than the tile: ordinary text,
            // whole, in the middle of the digits' rows.
            for _ in 0..font::ROWS / 2 {
                lines.push(Line::default());
            }
            lines.extend(flow(Vec::new(), words(&value, widgets::quiet(t, l)), w, 0));
            while lines.len() < font::ROWS {
                lines.push(Line::default());
            }
        }
    }
    let th = board.threshold(id);
    let mut pieces = vec![
        vec![Span::styled(format!(" {} {} ", l.symbol(), l.word()), t.level(l).add_modifier(Modifier::REVERSED))],
        vec![Span::raw(" "), widgets::trend(t, board, id)],
    ];
    if !th.is_empty() {
        pieces.push(vec![Span::styled(format!("  {}", th.describe()), t.style(Role::Muted))]);
    }
    lines.extend(flow(Vec::new(), pieces, w, 0));
    lines.push(Line::from(widgets::sparkline_spans(t, board, id, w)));
    f.render_widget(Paragraph::new(lines), inner);
}

/// The action in progress: what, who (this cockpit's user), every step with its state and the
/// live value; or that none runs from this cockpit.
fn draw_action(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let boxed_area = boxed(f, app, " Action ", area);
    let w = boxed_area.width as usize;
    // Who holds the actions' lock comes first and stays in view: an action may run from
    // another cockpit, which this one only knows through the Lease.
    let lease = lease_lines(app, w);
    let [lease_a, inner] =
        Layout::vertical([Constraint::Length((lease.len() as u16).min(boxed_area.height)), Constraint::Min(0)])
            .areas(boxed_area);
    f.render_widget(Paragraph::new(lease), lease_a);
    let mut lines: Vec<Line> = Vec::new();
    match app.desk.run_view() {
        None if matches!(app.mode, crate::ui::app::Mode::Watch(_)) => lines.extend(streamed_action(app, w)),
        None => lines.push(Line::styled("no action running from this cockpit", t.style(Role::Muted))),
        Some(v) => {
            let who = crate::actions::journal::local_user();
            let (state, l) = match &v.summary {
                Some(s) => (s.headline(), s.level()),
                None if v.abort_requested => ("aborting at the next safe point".to_string(), Level::Warn),
                None => ("running".to_string(), Level::Ok),
            };
            let head = vec![Span::styled(format!("{} ", v.plan.action), t.style(Role::Title))];
            let pieces = vec![
                vec![Span::styled(state, t.level(l))],
                vec![Span::styled(format!(" · by {who}"), t.style(Role::Muted))],
            ];
            lines.extend(flow(head, pieces, w, 2));
            lines.extend(flow(Vec::new(), words(&v.plan.title, t.style(Role::Text)), w, 2));
            for (i, (step, st)) in v.plan.steps.iter().zip(&v.states).enumerate() {
                let (sym, style) = crate::ui::popups::action::mark(app, st);
                let head = vec![Span::styled(format!("{sym} {:>2}. ", i + 1), style)];
                lines.extend(flow(head, words(&step.title, t.style(Role::Text)), w, 6));
                if let StepState::Running { elapsed, live } = st {
                    let live = live.clone().unwrap_or_default();
                    let text = format!("{} {live}", duration_short(*elapsed));
                    lines.extend(flow(vec![Span::raw("      ")], words(&text, t.style(Role::Accent)), w, 6));
                }
            }
        }
    }
    // The newest lines matter most: keep the end in view.
    let skip = lines.len().saturating_sub(inner.height as usize);
    f.render_widget(Paragraph::new(lines.split_off(skip)), inner);
}

/// "Lease: held by ana@bastion (emergency) since …", "free", or why it is not known; with the
/// age of the reading when the Kubernetes source is stale.
fn lease_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    use crate::model::lease::LeaseView;
    let t = &app.theme;
    let board = app.view_board();
    let view = board.state.kube.as_ref().map(|k| k.lease.clone());
    let (text, style) = match &view {
        None => ("not read yet: no answer from Kubernetes".to_string(), t.style(Role::Muted)),
        Some(LeaseView::NotRead) => ("not read yet".to_string(), t.style(Role::Muted)),
        Some(LeaseView::Free) => (LeaseView::Free.describe(), t.style(Role::Muted)),
        Some(v @ LeaseView::Held(_)) => (v.describe(), t.style(Role::Accent).add_modifier(Modifier::BOLD)),
        Some(v @ LeaseView::Unknown { .. }) => (v.describe(), t.level(Level::Unknown)),
    };
    let status = board.source_status(crate::model::SourceId::Kube);
    let text = if status.is_stale() && view.is_some() { format!("{text} (Kubernetes stale: last read)") } else { text };
    let head = vec![Span::styled("Lock ", t.style(Role::Title))];
    flow(head, words(&text, style), w, 5)
}

/// A viewer's action box: the lines of the newest action the collector's cockpit started, as
/// the stream brought them (its start, each step as it ends, its end), and who runs it.
fn streamed_action(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let board = app.view_board();
    let actions: Vec<_> =
        board.timeline.iter().filter(|e| e.category == crate::model::timeline::Category::Action).collect();
    let Some(start) = actions.iter().rposition(|e| e.text.contains(": started")) else {
        return vec![Line::styled("no action started by the collector's cockpit", t.style(Role::Muted))];
    };
    let who = match &app.mode {
        crate::ui::app::Mode::Watch(m) => m.feed.collector.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let mut lines = Vec::new();
    let first = actions[start];
    let head = vec![Span::styled(format!("{} ", app.time_label(first.at)), t.style(Role::Muted))];
    let pieces = vec![
        words(&first.text, t.style(Role::Title)).concat(),
        vec![Span::styled(format!(" · by {who}"), t.style(Role::Muted))],
    ];
    lines.extend(flow(head, pieces, w, 2));
    for e in &actions[start + 1..] {
        let head = vec![Span::styled(format!("{} ", e.level.symbol()), t.level(e.level))];
        lines.extend(flow(head, words(&e.text, t.style(Role::Text)), w, 2));
    }
    lines
}

/// The last events, newest at the bottom, as many as fit.
fn draw_events(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let board = app.view_board();
    let inner = boxed(f, app, " Last events ", area);
    let w = inner.width as usize;
    let n = inner.height as usize;
    // Whole entries only, newest at the bottom: an entry that does not fit is left out, not cut.
    let mut groups: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    for e in board.timeline.iter().rev() {
        let head = vec![
            Span::styled(format!("{} ", app.time_label(e.at)), t.style(Role::Muted)),
            Span::styled(format!("{} ", e.level.symbol()), t.level(e.level)),
        ];
        let text = crate::ui::panes::events::shorten(&e.text);
        let group = flow(head, words(&text, t.style(Role::Text)), w, 11);
        if used + group.len() > n {
            break;
        }
        used += group.len();
        groups.push(group);
    }
    let lines: Vec<Line> = groups.into_iter().rev().flatten().collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// A bordered box titled `title` drawn over `area`; its inside.
fn boxed(f: &mut Frame, app: &App, title: &'static str, area: Rect) -> Rect {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::Border))
        .title(Span::styled(title, t.style(Role::Title)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}
