//! The whole screen: header, emergency banner, the panes laid out for the terminal's size, the
//! footer, and the popups. Never draws outside the frame, at any size.

use super::app::{App, Mode, Popup};
use super::panes::{self, PaneCx, pane_level};
use super::popups;
use super::widgets::{self, ellipsize};
use crate::config::keymap::{Command, Context, PaneId};
use crate::config::theme::Role;
use crate::model::units::clock;
use crate::model::{Level, SourceId, SourceStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// The layout chosen for a terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Too small for panes: one line per key metric.
    Tiny,
    /// 80x24: the overview plus the focused pane, with a tab line of every pane's level.
    Compact,
    /// Two columns.
    Medium,
    /// Three columns and a full-width timeline: a wall screen.
    Wide,
}

pub fn shape(area: Rect) -> Shape {
    if area.width < 60 || area.height < 16 {
        Shape::Tiny
    } else if area.width >= 150 && area.height >= 40 {
        Shape::Wide
    } else if area.width >= 110 && area.height >= 34 {
        Shape::Medium
    } else {
        Shape::Compact
    }
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let board = app.view_board();
    let t = &app.theme;
    // Paint the background only for themes that set one: each frame starts from a blank buffer.
    if t.style(Role::Text).bg.is_some() {
        f.render_widget(Block::default().style(t.style(Role::Text)), area);
    }
    let reasons = board.emergency_reasons();
    let banner_h = u16::from(!reasons.is_empty() && area.height >= 8);
    let footer_h = u16::from(area.height >= 6);
    // A running action shrunk to a strip takes its lines above the footer.
    let strip_h = popups::action::strip_height(app, area.width).min(area.height.saturating_sub(4));
    let [header, banner, body, strip, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(strip_h),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    draw_header(f, header, app);
    if banner_h > 0 {
        let hint = app.keymap.hint(Context::Dashboard, &Command::Start("emergency".into()));
        let text = format!(
            " EMERGENCY (runbook): {}{} ",
            reasons.join("; "),
            hint.map(|k| format!(" · press {k} for emergency scaling")).unwrap_or_default()
        );
        f.render_widget(Paragraph::new(ellipsize(&text, banner.width as usize)).style(t.style(Role::Banner)), banner);
    }
    if app.zoom && shape(area) != Shape::Tiny {
        draw_pane(f, body, app, app.focus);
    } else {
        match shape(area) {
            Shape::Tiny => draw_tiny(f, body, app),
            Shape::Compact => draw_compact(f, body, app),
            Shape::Medium => draw_medium(f, body, app),
            Shape::Wide => draw_wide(f, body, app),
        }
    }
    if footer_h > 0 {
        draw_footer(f, footer, app);
    }
    popups::action::draw_strip(f, app, strip);
    popups::action::draw(f, app);
    match &app.popup {
        Some(Popup::Help { scroll }) => popups::help::draw(f, app, *scroll),
        Some(Popup::Menu { selected }) => popups::menu::draw(f, app, *selected),
        _ => {}
    }
}

fn draw_pane(f: &mut Frame, area: Rect, app: &App, p: PaneId) {
    let hint = app.keymap.hint(Context::Dashboard, &Command::Focus(p)).map(|k| format!("[{k}]")).unwrap_or_default();
    let cx = PaneCx {
        board: app.view_board(),
        theme: &app.theme,
        focused: app.focus == p,
        scroll: app.scroll_of(p),
        hint,
        epoch: app.epoch.as_ref(),
    };
    panes::render(f, area, p, &cx);
}

fn draw_wide(f: &mut Frame, body: Rect, app: &App) {
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Percentage(38), Constraint::Percentage(37), Constraint::Percentage(25)])
            .areas(body);
    let thirds = [Constraint::Ratio(1, 3), Constraint::Ratio(1, 3), Constraint::Ratio(1, 3)];
    let t: [Rect; 3] = Layout::horizontal(thirds).areas(top);
    let m: [Rect; 3] = Layout::horizontal(thirds).areas(mid);
    for (r, p) in t.into_iter().zip([PaneId::Overview, PaneId::Api, PaneId::Workers]) {
        draw_pane(f, r, app, p);
    }
    for (r, p) in m.into_iter().zip([PaneId::Cache, PaneId::Database, PaneId::Capacity]) {
        draw_pane(f, r, app, p);
    }
    draw_pane(f, bottom, app, PaneId::Events);
}

fn draw_medium(f: &mut Frame, body: Rect, app: &App) {
    let [top, rest] = Layout::vertical([Constraint::Length(8), Constraint::Min(0)]).areas(body);
    draw_pane(f, top, app, PaneId::Overview);
    let rows: [Rect; 3] = Layout::vertical([Constraint::Ratio(1, 3); 3]).areas(rest);
    let grid = [[PaneId::Api, PaneId::Workers], [PaneId::Cache, PaneId::Database], [PaneId::Capacity, PaneId::Events]];
    for (row, pair) in rows.into_iter().zip(grid) {
        let cols: [Rect; 2] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(row);
        for (r, p) in cols.into_iter().zip(pair) {
            draw_pane(f, r, app, p);
        }
    }
}

fn draw_compact(f: &mut Frame, body: Rect, app: &App) {
    let [tabs, top, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(7), Constraint::Min(0)]).areas(body);
    draw_tabs(f, tabs, app);
    draw_pane(f, top, app, PaneId::Overview);
    let second = if app.focus == PaneId::Overview { PaneId::Workers } else { app.focus };
    draw_pane(f, rest, app, second);
}

/// One line per pane: its number, name and level, so every pane's state shows even when only
/// two are drawn.
fn draw_tabs(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let mut spans = Vec::new();
    for p in PaneId::ALL {
        let l = pane_level(board, p);
        let key = app.keymap.hint(Context::Dashboard, &Command::Focus(p)).unwrap_or_default();
        let style = if app.focus == p { t.style(Role::Selection) } else { t.style(Role::Text) };
        spans.push(Span::styled(format!("{key}:{}", short_title(p)), style));
        spans.push(Span::styled(format!("{} ", l.symbol()), t.level(l)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn short_title(p: PaneId) -> &'static str {
    match p {
        PaneId::Overview => "Overview",
        PaneId::Api => "API",
        PaneId::Workers => "Workers",
        PaneId::Cache => "Cache",
        PaneId::Database => "DB",
        PaneId::Capacity => "Capacity",
        PaneId::Events => "Events",
    }
}

/// Below 60x16: no borders, one line per key metric, worst first.
fn draw_tiny(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let w = area.width as usize;
    let mut rows: Vec<_> = crate::model::MetricId::KEY.iter().map(|id| board.reading(*id)).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.shown_level()));
    let lines: Vec<Line> = rows
        .iter()
        .map(|r| {
            let l = r.shown_level();
            let text = format!(" {} {}", r.formatted(), r.id.label());
            Line::from(vec![
                Span::styled(l.symbol().to_string(), t.level(l)),
                Span::styled(ellipsize(&text, w.saturating_sub(1)), widgets::quiet(t, l)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let mut spans = vec![Span::styled(" cockpit ", t.style(Role::Accent))];
    let mode = match &app.mode {
        Mode::Demo { scenario, speed, .. } => format!("DEMO {scenario} ×{speed} "),
        Mode::Live { target } => format!("{target} "),
    };
    spans.push(Span::styled(mode, t.style(Role::Header)));
    let now = match &app.mode {
        Mode::Demo { .. } => format!("T+{} ", clock(board.now)),
        Mode::Live { .. } => format!("{} ", jiff::Zoned::now().strftime("%H:%M:%S")),
    };
    spans.push(Span::styled(now, t.style(Role::Header)));
    for s in SourceId::ALL {
        let (l, word) = match board.source_status(s) {
            SourceStatus::NotConfigured => continue,
            SourceStatus::Connecting => (Level::Unknown, "…"),
            SourceStatus::Live { .. } => (Level::Ok, ""),
            SourceStatus::Stale { .. } => (Level::Stale, "STALE"),
        };
        spans.push(Span::styled(format!(" {}{}{}", s.short(), l.symbol(), word), t.level(l)));
    }
    if app.paused() {
        spans.push(Span::styled("  ⏸ PAUSED", t.style(Role::Warn)));
    }
    let worst = PaneId::ALL.iter().map(|p| pane_level(board, *p)).max().unwrap_or(Level::Unknown);
    spans.push(Span::styled(format!("  {} {}", worst.symbol(), worst.word()), t.level(worst)));
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.style(Role::Header)), area);
}

fn draw_footer(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some((text, level)) = &app.status {
        let line = Line::from(vec![
            Span::styled(format!(" {} ", level.symbol()), t.level(*level)),
            Span::styled(ellipsize(text, area.width.saturating_sub(3) as usize), t.style(Role::Footer)),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let ctx = Context::Dashboard;
    let mut spans = Vec::new();
    for (cmd, label) in [
        (Command::Help, "help"),
        (Command::ActionsMenu, "actions"),
        (Command::FocusNext, "next pane"),
        (Command::Zoom, "zoom"),
        (Command::Pause, "pause"),
        (Command::Quit, "quit"),
    ] {
        if let Some(k) = app.keymap.hint(ctx, &cmd) {
            spans.push(Span::styled(format!(" {k}"), t.style(Role::Key)));
            spans.push(Span::styled(format!(" {label} "), t.style(Role::Footer)));
        }
    }
    if matches!(app.mode, Mode::Demo { .. }) {
        spans.push(Span::styled(" +/-", t.style(Role::Key)));
        spans.push(Span::styled(" speed ", t.style(Role::Footer)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
