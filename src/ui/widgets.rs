//! Small drawing helpers the panes share: level badges, sparklines, bordered blocks, rows.

use crate::config::theme::{Role, Theme};
use crate::model::history::{Point, Ring, Trend};
use crate::model::{Board, Level, MetricId};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// "✖ CRIT" in the level's style.
pub fn badge(theme: &Theme, l: Level) -> Span<'static> {
    Span::styled(format!("{} {:<5}", l.symbol(), l.word()), theme.level(l))
}

/// Just the symbol, for tight places.
pub fn symbol(theme: &Theme, l: Level) -> Span<'static> {
    Span::styled(l.symbol().to_string(), theme.level(l))
}

/// A bordered block whose title carries the pane's worst level as a symbol and a word.
pub fn pane_block<'a>(theme: &Theme, title: &str, level: Level, focused: bool, hint: &str) -> Block<'a> {
    let border = if focused { theme.style(Role::BorderFocus) } else { theme.style(Role::Border) };
    let mut title_spans = vec![
        Span::styled(format!(" {title} "), theme.style(Role::Title)),
        Span::styled(format!("{} {} ", level.symbol(), level.word()), theme.level(level)),
    ];
    if !hint.is_empty() {
        title_spans.push(Span::styled(format!("{hint} "), theme.style(Role::Muted)));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(border)
        .title(Line::from(title_spans))
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

/// "label  ✖ 12.4k ↑" : a metric as one line, value and symbol in the level's style.
pub fn metric_line(theme: &Theme, board: &Board, id: MetricId, label: &str, label_w: usize) -> Line<'static> {
    let r = board.reading(id);
    let l = r.shown_level();
    Line::from(vec![
        Span::styled(pad(label, label_w), theme.style(Role::Muted)),
        Span::styled(format!("{} ", l.symbol()), theme.level(l)),
        Span::styled(format!("{:>7}", r.formatted()), theme.level(l)),
        Span::raw(" "),
        trend(theme, board, id),
    ])
}

/// A label and a value in the text style.
pub fn kv(theme: &Theme, label: &str, label_w: usize, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(pad(label, label_w), theme.style(Role::Muted)),
        Span::styled(value.into(), theme.style(Role::Text)),
    ])
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

/// Draw lines into `area` from line `offset` on, each cut at the area's width: what a
/// non-wrapping `Paragraph` does, without its reflow machinery (the panes redraw every frame).
pub fn draw_lines(f: &mut ratatui::Frame, area: Rect, lines: &[Line<'_>], offset: usize) {
    let buf = f.buffer_mut();
    let area = area.intersection(buf.area);
    for (i, line) in lines.iter().skip(offset).take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, line, area.width);
    }
}
