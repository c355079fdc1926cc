//! The whole screen: header, emergency banner, the panes laid out for the terminal's size, the
//! footer, and the popups. Never draws outside the frame, at any size, and never cuts a level,
//! a status or a value: the header shortens its labels by rule, the banner and a long status
//! wrap onto more lines.

mod font;
mod header;
mod wall;

use super::app::{App, Mode, Popup};
use super::panes::{self, PaneCx, pane_level};
use super::popups;
use super::widgets::{self, Piece, flow, labels, width, words};
use crate::config::keymap::{Command, Context, PaneId};
use crate::config::theme::Role;
use header::{banner_lines, draw_header};
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

/// Where everything goes on a screen of `area`.
#[derive(Debug, Clone, PartialEq)]
pub struct Areas {
    pub header: Rect,
    pub banner: Rect,
    /// The tab line of the compact layout.
    pub tabs: Option<Rect>,
    /// Each pane drawn, with its rect (none in the tiny layout).
    pub panes: Vec<(PaneId, Rect)>,
    /// The tiny layout's list.
    pub tiny: Option<Rect>,
    /// A running action shrunk to a strip, above the footer.
    pub strip: Rect,
    pub footer: Rect,
}

/// The layout of the screen for `app` in `area`.
pub fn areas(area: Rect, app: &App) -> Areas {
    let board = app.view_board();
    let banner_h = if area.height >= 8 { banner_lines(app, board, area.width).len().min(3) as u16 } else { 0 };
    let footer_h = if area.height >= 6 { footer_lines(app, area.width).len().min(3) as u16 } else { 0 };
    let strip_h = popups::action::strip_height(app, area.width).min(area.height.saturating_sub(4));
    let [header, banner, body, strip, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(strip_h),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    let mut out = Areas { header, banner, tabs: None, panes: Vec::new(), tiny: None, strip, footer };
    if app.zoom && shape(area) != Shape::Tiny {
        out.panes.push((app.focus, body));
        return out;
    }
    match shape(area) {
        Shape::Tiny => out.tiny = Some(body),
        Shape::Compact => {
            let [tabs, top, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(7), Constraint::Min(0)]).areas(body);
            out.tabs = Some(tabs);
            out.panes.push((PaneId::Overview, top));
            let second = if app.focus == PaneId::Overview { PaneId::Workers } else { app.focus };
            out.panes.push((second, rest));
        }
        Shape::Medium => {
            let [top, rest] = Layout::vertical([Constraint::Length(8), Constraint::Min(0)]).areas(body);
            out.panes.push((PaneId::Overview, top));
            let rows: [Rect; 3] = Layout::vertical([Constraint::Ratio(1, 3); 3]).areas(rest);
            let grid =
                [[PaneId::Api, PaneId::Workers], [PaneId::Cache, PaneId::Database], [PaneId::Capacity, PaneId::Events]];
            for (row, pair) in rows.into_iter().zip(grid) {
                let cols: [Rect; 2] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(row);
                out.panes.extend(pair.into_iter().zip(cols));
            }
        }
        Shape::Wide => {
            let [top, mid, bottom] =
                Layout::vertical([Constraint::Percentage(38), Constraint::Percentage(37), Constraint::Percentage(25)])
                    .areas(body);
            let thirds = [Constraint::Ratio(1, 3), Constraint::Ratio(1, 3), Constraint::Ratio(1, 3)];
            let t: [Rect; 3] = Layout::horizontal(thirds).areas(top);
            let m: [Rect; 3] = Layout::horizontal(thirds).areas(mid);
            out.panes.extend([PaneId::Overview, PaneId::Api, PaneId::Workers].into_iter().zip(t));
            out.panes.extend([PaneId::Cache, PaneId::Database, PaneId::Capacity].into_iter().zip(m));
            out.panes.push((PaneId::Events, bottom));
        }
    }
    out
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let board = app.view_board();
    let t = &app.theme;
    if app.wall && area.width >= 100 && area.height >= 30 {
        if t.style(Role::Text).bg.is_some() {
            f.render_widget(Block::default().style(t.style(Role::Text)), area);
        }
        wall::draw(f, app);
        popups::action::draw(f, app);
        if let Some(Popup::Help { scroll }) = &app.popup {
            popups::help::draw(f, app, *scroll);
        }
        popups::facilitator::draw(f, app);
        return;
    }
    // Paint the background only for themes that set one: each frame starts from a blank buffer.
    if t.style(Role::Text).bg.is_some() {
        f.render_widget(Block::default().style(t.style(Role::Text)), area);
    }
    let a = areas(area, app);
    draw_header(f, a.header, app);
    if a.banner.height > 0 {
        let lines = banner_lines(app, board, a.banner.width);
        f.render_widget(Paragraph::new(lines).style(t.style(Role::Banner)), a.banner);
    }
    if let Some(tabs) = a.tabs {
        draw_tabs(f, tabs, app);
    }
    if let Some(tiny) = a.tiny {
        draw_tiny(f, tiny, app);
    }
    for (p, r) in &a.panes {
        draw_pane(f, *r, app, *p);
    }
    if a.footer.height > 0 {
        f.render_widget(Paragraph::new(footer_lines(app, a.footer.width)), a.footer);
    }
    popups::action::draw_strip(f, app, a.strip);
    popups::action::draw(f, app);
    match &app.popup {
        Some(Popup::Help { scroll }) => popups::help::draw(f, app, *scroll),
        Some(Popup::Menu { selected }) => popups::menu::draw(f, app, *selected),
        _ => {}
    }
    popups::facilitator::draw(f, app);
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
        zoomed: app.zoom,
    };
    panes::render(f, area, p, &cx);
}

/// One line per pane: its number, name and level, so every pane's state shows even when only
/// two are drawn. The Events pane has no level.
fn draw_tabs(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let mut spans = Vec::new();
    for p in PaneId::ALL {
        let key = app.keymap.hint(Context::Dashboard, &Command::Focus(p)).unwrap_or_default();
        let style = if app.focus == p { t.style(Role::Selection) } else { t.style(Role::Text) };
        spans.push(Span::styled(format!("{key}:{}", short_title(p)), style));
        match pane_level(board, p) {
            Some(l) => spans.push(Span::styled(format!("{} ", l.symbol()), t.level(l))),
            None => spans.push(Span::raw(" ")),
        }
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

/// Below 60x16: no borders, one line per key metric, worst first: level and value, then the
/// label in the form that fits.
fn draw_tiny(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let w = area.width as usize;
    let mut rows: Vec<_> = crate::model::MetricId::KEY.iter().map(|id| board.reading(*id)).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.counted_level()));
    let lines: Vec<Line> = rows
        .iter()
        .map(|r| {
            let l = r.counted_level();
            let value = format!(" {} ", r.formatted());
            let room = w.saturating_sub(1 + width(&value));
            Line::from(vec![
                Span::styled(l.symbol().to_string(), t.level(l)),
                Span::styled(value, widgets::quiet(t, l)),
                Span::styled(labels::fit(r.id.label(), room), widgets::quiet(t, l)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// The footer: a status message wrapped whole (up to three lines), or the main keys.
fn footer_lines(app: &App, w: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    if let Mode::Drill { prompt: Some(p), .. } = &app.mode {
        return vec![Line::from(vec![
            Span::styled(" prompt ", t.style(Role::Accent)),
            Span::styled(format!(":{p}█"), t.style(Role::Header)),
            Span::styled("  Enter run · Esc close", t.style(Role::Footer)),
        ])];
    }
    if let Some((text, level)) = &app.status {
        let head = vec![Span::styled(format!(" {} ", level.symbol()), t.level(*level))];
        return flow(head, words(text, t.style(Role::Footer)), w as usize, 3);
    }
    let ctx = Context::Dashboard;
    let mut pieces: Vec<Piece> = Vec::new();
    for (cmd, label) in [
        (Command::Help, "help"),
        (Command::ActionsMenu, "actions"),
        (Command::FocusNext, "next pane"),
        (Command::Zoom, "zoom"),
        (Command::Pause, "pause"),
        (Command::Quit, "quit"),
    ] {
        if let Some(k) = app.keymap.hint(ctx, &cmd) {
            pieces.push(vec![
                Span::styled(format!(" {k}"), t.style(Role::Key)),
                Span::styled(format!(" {label} "), t.style(Role::Footer)),
            ]);
        }
    }
    if let Mode::Drill { strip, .. } = &app.mode {
        // The drill's score strip first: what the trainee has done, never what to do.
        pieces.insert(0, vec![Span::styled(format!(" {strip} "), t.style(Role::Accent))]);
    }
    if matches!(app.mode, Mode::Demo { .. } | Mode::Drill { .. }) {
        pieces.push(vec![Span::styled(" +/-", t.style(Role::Key)), Span::styled(" speed ", t.style(Role::Footer))]);
    }
    if matches!(app.mode, Mode::Drill { host: Some(_), .. }) {
        pieces.insert(
            1,
            vec![Span::styled(" F", t.style(Role::Key)), Span::styled(" facilitator ", t.style(Role::Footer))],
        );
    }
    // The keys are a reminder: those that do not fit on the line are left to the help (?).
    let mut line = Vec::new();
    let mut used = 0;
    for p in pieces {
        let pw = widgets::flow::spans_width(&p);
        if used + pw > w as usize {
            break;
        }
        used += pw;
        line.extend(p);
    }
    vec![Line::from(line)]
}
