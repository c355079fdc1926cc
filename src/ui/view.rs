//! The whole screen: header, emergency banner, the panes laid out for the terminal's size, the
//! footer, and the popups. Never draws outside the frame, at any size, and never cuts a level,
//! a status or a value: the header shortens its labels by rule, the banner and a long status
//! wrap onto more lines.

use super::app::{App, Mode, Popup};
use super::panes::{self, PaneCx, pane_level};
use super::popups;
use super::widgets::{self, Piece, flow, labels, width, words};
use crate::config::keymap::{Command, Context, PaneId};
use crate::config::theme::Role;
use crate::model::units::clock;
use crate::model::{Board, Level, SourceId, SourceStatus};
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
    pub footer: Rect,
}

/// The layout of the screen for `app` in `area`.
pub fn areas(area: Rect, app: &App) -> Areas {
    let board = app.view_board();
    let banner_h = if area.height >= 8 { banner_lines(app, board, area.width).len().min(3) as u16 } else { 0 };
    let footer_h = if area.height >= 6 { footer_lines(app, area.width).len().min(3) as u16 } else { 0 };
    let [header, banner, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    let mut out = Areas { header, banner, tabs: None, panes: Vec::new(), tiny: None, footer };
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
    match &app.popup {
        Some(Popup::Help { scroll }) => popups::help::draw(f, app, *scroll),
        Some(Popup::Menu { selected }) => popups::menu::draw(f, app, *selected),
        _ => {}
    }
}

/// The runbook's emergency conditions that hold, each whole, and the key that starts the
/// emergency procedure, wrapped over as many lines as they need.
fn banner_lines(app: &App, board: &Board, w: u16) -> Vec<Line<'static>> {
    let reasons = board.emergency_reasons();
    if reasons.is_empty() {
        return Vec::new();
    }
    let t = &app.theme;
    let st = t.style(Role::Banner);
    let hint = app.keymap.hint(Context::Dashboard, &Command::Start("emergency".into()));
    let w = w as usize;
    let mut last = Vec::new();
    for (head, press) in [(" EMERGENCY (runbook):", "for emergency scaling"), (" EMERGENCY:", "to act")] {
        let mut pieces: Vec<Piece> = Vec::new();
        for (i, r) in reasons.iter().enumerate() {
            let sep = if i + 1 < reasons.len() { ";" } else { "" };
            pieces.push(vec![Span::styled(format!(" {r}{sep}"), st)]);
        }
        if let Some(k) = &hint {
            pieces.push(vec![Span::styled(format!(" · press {k} {press}"), st)]);
        }
        let lines = flow(vec![Span::styled(head.to_string(), st)], pieces, w, 1);
        if lines.len() <= 2 {
            return lines;
        }
        last = lines;
    }
    last
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

/// Each configured source's health, and each unconfigured one that leaves a threshold metric
/// blind: "k8s✓", "redis~STALE", "cw✓ 3 blind", "cw? 4 blind".
fn source_health(board: &Board) -> Vec<(String, Level)> {
    let blind = board.blind_spots();
    let mut out = Vec::new();
    for s in SourceId::ALL {
        let n = blind.iter().filter(|(id, _)| id.source() == s).count();
        let blind_words = if n > 0 { format!(" {n} blind") } else { String::new() };
        let (l, word) = match board.source_status(s) {
            SourceStatus::NotConfigured if n == 0 => continue,
            SourceStatus::NotConfigured => (Level::Unknown, blind_words),
            SourceStatus::Connecting => (Level::Unknown, "…".to_string()),
            SourceStatus::Live { .. } => (if n > 0 { Level::Unknown } else { Level::Ok }, blind_words),
            SourceStatus::Stale { .. } => (Level::Stale, "STALE".to_string()),
        };
        let sym =
            if matches!(board.source_status(s), SourceStatus::Live { .. }) { Level::Ok.symbol() } else { l.symbol() };
        out.push((format!("{}{sym}{word}", s.short()), l));
    }
    out
}

/// The live target in a few words: "kmock/production" for "kubernetes context kmock, namespace
/// production".
fn short_target(target: &str) -> String {
    let t = target.split(';').next().unwrap_or(target);
    if let Some(rest) = t.strip_prefix("kubernetes context ")
        && let Some((ctx, ns)) = rest.split_once(", namespace ")
    {
        return format!("{ctx}/{}", ns.trim());
    }
    if let Some(ns) = t.strip_prefix("kubernetes in-cluster, namespace ") {
        return format!("in-cluster/{}", ns.trim());
    }
    t.to_string()
}

fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let w = area.width as usize;
    let (mode_long, mode_short) = match &app.mode {
        Mode::Demo { scenario, speed, .. } => (format!("DEMO {scenario} ×{speed}"), format!("{scenario} ×{speed}")),
        Mode::Live { target } => (target.clone(), short_target(target)),
    };
    let now = match &app.mode {
        Mode::Demo { .. } => format!("T+{}", clock(board.now)),
        Mode::Live { .. } => jiff::Zoned::now().strftime("%H:%M:%S").to_string(),
    };
    // What is never cut: the sources' health, the pause, the worst level.
    let mut right: Vec<Span> = Vec::new();
    for (text, l) in source_health(board) {
        right.push(Span::styled(format!(" {text}"), t.level(l)));
    }
    if app.paused() {
        right.push(Span::styled("  ⏸ PAUSED", t.style(Role::Warn)));
    }
    let worst = PaneId::ALL.iter().filter_map(|p| pane_level(board, *p)).max().unwrap_or(Level::Unknown);
    right.push(Span::styled(format!("  {} {}", worst.symbol(), worst.word()), t.level(worst)));
    let right_w = widgets::flow::spans_width(&right);
    // The left shortens by rule until the whole line fits.
    let room = w.saturating_sub(right_w);
    let tail_room = room.saturating_sub(width(&now) + 2);
    let left: Vec<Span> = if width(&format!(" cockpit {mode_long} {now} ")) <= room {
        vec![
            Span::styled(" cockpit ", t.style(Role::Accent)),
            Span::styled(format!("{mode_long} {now} "), t.style(Role::Header)),
        ]
    } else if width(&format!(" {mode_long} {now} ")) <= room {
        vec![Span::styled(format!(" {mode_long} {now} "), t.style(Role::Header))]
    } else if width(&format!(" {mode_short} {now} ")) <= room {
        vec![Span::styled(format!(" {mode_short} {now} "), t.style(Role::Header))]
    } else if tail_room >= 12 {
        // A target longer than the room keeps its end (a cluster's name ends its ARN).
        let n = mode_short.chars().count();
        let keep: String = mode_short.chars().skip(n + 1 - tail_room.min(n + 1)).collect();
        vec![Span::styled(format!(" …{keep} {now} "), t.style(Role::Header))]
    } else if width(&now) + 2 <= room {
        vec![Span::styled(format!(" {now} "), t.style(Role::Header))]
    } else {
        Vec::new()
    };
    let mut spans = left;
    spans.extend(right);
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.style(Role::Header)), area);
}

/// The footer: a status message wrapped whole (up to three lines), or the main keys.
fn footer_lines(app: &App, w: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
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
    if matches!(app.mode, Mode::Demo { .. }) {
        pieces.push(vec![Span::styled(" +/-", t.style(Role::Key)), Span::styled(" speed ", t.style(Role::Footer))]);
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
