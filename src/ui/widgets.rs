//! Small drawing helpers the panes share: level badges, sparklines, bordered blocks, rows.
//! Rows are laid out by [`flow`]: levels, values, statuses and addresses are whole pieces that
//! move to a continuation line rather than being cut; labels shorten by the table in [`labels`].

pub mod flow;
pub mod labels;

pub use flow::{Piece, flow, paragraph, piece, width, words};

use crate::config::theme::{Role, Theme};
use crate::model::history::{Point, Ring, Trend};
use crate::model::{Board, Level, MetricId};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A bordered block whose title carries the pane's worst level as a symbol and a word. The
/// title shortens to fit the pane (the deployment's name goes first, then the key hint, then
/// the title's shorter form); the level is never cut.
pub fn pane_block<'a>(
    theme: &Theme,
    titles: &[&str],
    level: Option<Level>,
    focused: bool,
    hint: &str,
    w: u16,
) -> Block<'a> {
    let badge = level.map(|l| (format!("{} {} ", l.symbol(), l.word()), theme.level(l)));
    let extra = title_spans(theme, titles, badge, hint, w);
    bordered(theme, focused, Line::from(extra))
}

/// A bordered block with a title already laid out.
pub fn bordered<'a>(theme: &Theme, focused: bool, title: Line<'a>) -> Block<'a> {
    let border = if focused { theme.style(Role::BorderFocus) } else { theme.style(Role::Border) };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(border)
        .title(title)
}

/// The title spans of a pane: the longest title form, the badge (whole, always) and the hint,
/// whatever fits between the corners of a pane `w` wide.
pub fn title_spans(
    theme: &Theme,
    titles: &[&str],
    badge: Option<(String, Style)>,
    hint: &str,
    w: u16,
) -> Vec<Span<'static>> {
    let room = (w as usize).saturating_sub(2);
    let badge_w = badge.as_ref().map(|(b, _)| width(b)).unwrap_or(0);
    let hint_w = if hint.is_empty() { 0 } else { width(hint) + 1 };
    let mut choice: Option<(&str, bool)> = None;
    'outer: for with_hint in [true, false] {
        for t in titles {
            let need = width(t) + 2 + badge_w + if with_hint { hint_w } else { 0 };
            if need <= room {
                choice = Some((t, with_hint));
                break 'outer;
            }
        }
    }
    let mut spans = Vec::new();
    match choice {
        Some((t, _)) => spans.push(Span::styled(format!(" {t} "), theme.style(Role::Title))),
        None => spans.push(Span::raw(" ")),
    }
    if let Some((b, style)) = badge {
        spans.push(Span::styled(b, style));
    }
    if choice.is_some_and(|(_, h)| h) && !hint.is_empty() {
        spans.push(Span::styled(format!("{hint} "), theme.style(Role::Muted)));
    }
    spans
}

/// A sparkline of the newest `width` points, scaled from `floor` to the max of the window (or
/// the critical threshold when that is higher, so a calm line stays low).
pub fn sparkline(points: &Ring<Point>, width: usize, ceiling: Option<f64>) -> String {
    if width == 0 {
        return String::new();
    }
    let vals: Vec<f64> = points.tail(width).map(|p| p.value).collect();
    let max = vals.iter().copied().fold(ceiling.unwrap_or(0.0), f64::max);
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
    let span = (max - min).max(f64::EPSILON);
    let mut s: String = " ".repeat(width.saturating_sub(vals.len()));
    for v in vals {
        let i = (((v - min) / span) * 7.0).round().clamp(0.0, 7.0) as usize;
        s.push(BARS[i]);
    }
    s
}

/// A sparkline whose every bar is styled by the level its own value had: a glance shows when
/// a metric crossed its thresholds, not only where it is now.
pub fn sparkline_spans(theme: &Theme, board: &Board, id: MetricId, width: usize) -> Vec<Span<'static>> {
    let th = board.threshold(id);
    let ring = board.history(id);
    let text = sparkline(ring, width, th.crit.map(|c| c.value));
    let pad_n = width.saturating_sub(ring.len());
    let stale = board.reading(id).stale;
    let vals: Vec<f64> = ring.tail(width).map(|p| p.value).collect();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style: Option<Style> = None;
    for (i, ch) in text.chars().enumerate() {
        let style = if i < pad_n {
            theme.style(Role::Muted)
        } else if stale {
            theme.level(Level::Stale)
        } else {
            quiet(theme, th.level(vals.get(i - pad_n).copied().unwrap_or(0.0)))
        };
        if run_style.is_some_and(|s| s != style) {
            spans.push(Span::styled(std::mem::take(&mut run), run_style.unwrap_or_default()));
        }
        run_style = Some(style);
        run.push(ch);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style.unwrap_or_default()));
    }
    spans
}

/// The trend arrow of a metric, styled: worsening in the warning style.
pub fn trend(theme: &Theme, board: &Board, id: MetricId) -> Span<'static> {
    let t = board.trend(id);
    let style = if board.worsening(id) {
        theme.style(Role::Warn)
    } else if t == Trend::Unknown {
        theme.style(Role::Muted)
    } else {
        theme.style(Role::Text)
    };
    Span::styled(t.arrow().to_string(), style)
}

/// "✖ CRIT": a level as a symbol and a word, padded to the widest word.
pub fn badge_text(l: Level) -> String {
    format!("{} {:<5}", l.symbol(), l.word())
}

/// The level a row shows for a metric: STALE over the value's level; a state in which the
/// threshold does not apply (no traffic, no limit) as OK; a blind spot as N/A.
pub fn row_level(board: &Board, id: MetricId) -> Level {
    board.reading(id).counted_level()
}

/// A metric as a row: "Queue     ✖ CRIT     73k ↑ ▇▇▇██  of 500 slots". The label shortens to
/// `label_w`; the badge, the value and the `extras` are whole; a sparkline fills what is left
/// when `spark` is set and at least 4 cells are. Extras that do not fit move to a continuation
/// line under the value. The label comes with the width of its column.
pub fn metric_row(
    theme: &Theme,
    board: &Board,
    id: MetricId,
    (label, label_w): (&str, usize),
    extras: Vec<Piece>,
    w: usize,
    spark: bool,
) -> Vec<Line<'static>> {
    let r = board.reading(id);
    let l = row_level(board, id);
    let value = format!("{:>7}", r.formatted());
    let head = vec![
        Span::styled(pad(&labels::fit(label, label_w), label_w + 1), theme.style(Role::Muted)),
        Span::styled(format!("{} ", badge_text(l)), theme.level(l)),
        Span::styled(value, quiet(theme, l)),
        Span::raw(" "),
        trend(theme, board, id),
    ];
    let head_w = flow::spans_width(&head);
    let extras_w: usize = extras.iter().map(|p| flow::spans_width(p)).sum();
    if head_w + extras_w <= w {
        let mut line = head;
        let spark_w = w.saturating_sub(head_w + extras_w + 1).min(60);
        if spark && spark_w >= 4 {
            line.push(Span::raw(" "));
            line.extend(sparkline_spans(theme, board, id, spark_w));
        }
        line.extend(extras.into_iter().flatten());
        return vec![Line::from(line)];
    }
    // Too wide for one line: the extras follow the value, each whole, onto continuation lines
    // under the value (the sparkline gives way).
    flow(head, extras, w, label_w + 1 + 7)
}

/// Pieces of which the optional ones are kept only when they cost no extra line.
pub fn flow_optional(
    first: Vec<Span<'static>>,
    pieces: Vec<(Piece, bool)>,
    w: usize,
    indent: usize,
) -> Vec<Line<'static>> {
    let all: Vec<Piece> = pieces.iter().map(|(p, _)| p.clone()).collect();
    let with = flow(first.clone(), all, w, indent);
    let needed: Vec<Piece> = pieces.into_iter().filter(|(_, opt)| !opt).map(|(p, _)| p).collect();
    let without = flow(first, needed, w, indent);
    if with.len() > without.len() { without } else { with }
}

/// "label     ✖ " : a row's label and level symbol, the start of a row of whole pieces.
pub fn row_head(theme: &Theme, label: &str, label_w: usize, l: Level) -> Vec<Span<'static>> {
    vec![
        Span::styled(pad(&labels::fit(label, label_w), label_w + 1), theme.style(Role::Muted)),
        Span::styled(format!("{} ", badge_text(l)), theme.level(l)),
    ]
}

/// Pad or cut to exactly `w` characters.
pub fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.chars().take(w).collect()
    } else {
        let mut out = s.to_string();
        out.extend(std::iter::repeat_n(' ', w - n));
        out
    }
}

/// Cut to at most `w` characters, marking the cut with an ellipsis.
pub fn ellipsize(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        s.to_string()
    } else if w == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(w - 1).collect();
        out.push('…');
        out
    }
}

/// The inner area of a bordered block, safe for tiny rects.
pub fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1).min(area.right()),
        y: area.y.saturating_add(1).min(area.bottom()),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

/// A style for a level, falling back to text for Ok so a calm screen is quiet.
pub fn quiet(theme: &Theme, l: Level) -> Style {
    if l == Level::Ok { theme.style(Role::Text) } else { theme.level(l) }
}

/// The scroll offset that keeps the view inside the content.
pub fn clamp_scroll(offset: usize, content: usize, height: u16) -> u16 {
    offset.min(content.saturating_sub(height as usize)).min(u16::MAX as usize) as u16
}

/// Draw a pane's lines into its inner `area` from line `offset` on (held inside the content),
/// and say on the bottom border how many lines are above and below the view, so nothing is
/// hidden without a word: "↑ 3 ↓ 5 more".
pub fn draw_body(f: &mut ratatui::Frame, theme: &Theme, area: Rect, lines: &[Line<'_>], offset: usize) {
    let off = clamp_scroll(offset, lines.len(), area.height) as usize;
    draw_lines(f, area, lines, off);
    let below = lines.len().saturating_sub(off + area.height as usize);
    more_marker(f, area, off, below, theme.style(Role::Muted));
}

/// "↑ 3 ↓ 5 more" on the bottom border under `area` (the inner area of a bordered block).
pub fn more_marker(f: &mut ratatui::Frame, area: Rect, above: usize, below: usize, style: Style) {
    if above == 0 && below == 0 {
        return;
    }
    let mut text = String::from(" ");
    if above > 0 {
        text.push_str(&format!("↑ {above} "));
    }
    if below > 0 {
        text.push_str(&format!("↓ {below} more "));
    }
    let buf = f.buffer_mut();
    let y = area.bottom();
    let w = width(&text) as u16;
    if y >= buf.area.bottom() || w > area.width {
        return;
    }
    let x = area.right() - w;
    buf.set_string(x, y, text, style);
}

/// Draw lines into `area` from line `offset` on, each cut at the area's width: what a
/// non-wrapping `Paragraph` does, without its reflow machinery (the panes redraw every frame).
pub fn draw_lines(f: &mut ratatui::Frame, area: Rect, lines: &[Line<'_>], offset: usize) {
    let buf = f.buffer_mut();
    let area = area.intersection(buf.area);
    for (i, line) in lines.iter().skip(offset).take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, line, area.width);
    }
}
