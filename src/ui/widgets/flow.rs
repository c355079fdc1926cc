//! Lines that never cut what carries meaning. A row is built from pieces; each piece (one or a
//! few spans: a symbol and its words, a value and its unit) is whole: when it does not fit on the
//! current line it moves, whole, to a continuation line indented under the row's value column.
//! Free text (a sentence, an event's message) is split into word pieces first. Only a piece
//! wider than a whole line is ever broken, and then across lines, never cut.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A whole piece of a row: spans that stay together on one line.
pub type Piece = Vec<Span<'static>>;

/// The display width of a string, in cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// The display width of a list of spans.
pub fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// One span as a piece.
pub fn piece(s: Span<'static>) -> Piece {
    vec![s]
}

/// Lay `pieces` out over lines of `width` cells after the `first` spans (a label, a badge):
/// a piece that does not fit moves to the next line, which starts with `indent` spaces; the
/// leading spaces of a piece are dropped at the start of a continuation line.
pub fn flow(first: Vec<Span<'static>>, pieces: Vec<Piece>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent * 2 > width { 0 } else { indent };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = first;
    let mut used = spans_width(&cur);
    // Only indentation (or nothing) on the current line so far.
    let mut blank = cur.iter().all(|s| s.content.trim().is_empty());
    for p in pieces {
        let w = spans_width(&p);
        if used + w <= width {
            used += w;
            cur.extend(p);
            blank = false;
            continue;
        }
        let p = trim_start(p);
        let w = spans_width(&p);
        if w == 0 {
            continue;
        }
        if !blank {
            lines.push(Line::from(std::mem::take(&mut cur)));
            // Indented as far as the piece allows: a piece that fits the line never breaks.
            let ind = indent.min(width.saturating_sub(w));
            cur = if ind > 0 { vec![Span::raw(" ".repeat(ind))] } else { Vec::new() };
            used = ind;
        }
        if used + w <= width {
            used += w;
            cur.extend(p);
            blank = false;
            continue;
        }
        // Wider than a whole line: the only place a piece is broken (across lines, never cut).
        for s in p {
            let mut rest = s.content.to_string();
            while !rest.is_empty() {
                let room = width.saturating_sub(used);
                if room == 0 {
                    lines.push(Line::from(std::mem::take(&mut cur)));
                    cur = if indent > 0 { vec![Span::raw(" ".repeat(indent))] } else { Vec::new() };
                    used = indent;
                    continue;
                }
                let (head, tail) = split_at_width(&rest, room);
                used += self::width(&head);
                cur.push(Span::styled(head, s.style));
                rest = tail;
            }
        }
        blank = false;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

/// Free text as word pieces (each but the first with the space before it), for [`flow`].
pub fn words(text: &str, style: Style) -> Vec<Piece> {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| vec![Span::styled(if i == 0 { w.to_string() } else { format!(" {w}") }, style)])
        .collect()
}

/// Free text as word pieces that follow something on the line: the first with two spaces
/// before it, the others with one.
pub fn spaced(text: &str, style: Style) -> Vec<Piece> {
    let mut out = words(text, style);
    if let Some(first) = out.first_mut().and_then(|p| p.first_mut()) {
        first.content = format!("  {}", first.content).into();
    }
    out
}

/// A sentence wrapped to `width` with a hanging indent, in one style.
pub fn paragraph(text: &str, style: Style, width: usize, indent: usize) -> Vec<Line<'static>> {
    flow(Vec::new(), words(text, style), width, indent)
}

fn trim_start(mut p: Piece) -> Piece {
    while let Some(first) = p.first_mut() {
        let t = first.content.trim_start().to_string();
        if t.is_empty() {
            p.remove(0);
        } else {
            first.content = t.into();
            break;
        }
    }
    p
}

fn split_at_width(s: &str, w: usize) -> (String, String) {
    let mut head = String::new();
    let mut used = 0;
    let mut chars = s.chars();
    for c in chars.by_ref() {
        let mut buf = [0u8; 4];
        let cw = width(c.encode_utf8(&mut buf));
        if used + cw > w && !head.is_empty() {
            let mut tail = String::from(c);
            tail.extend(chars);
            return (head, tail);
        }
        used += cw;
        head.push(c);
    }
    (head, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn a_piece_that_does_not_fit_moves_whole_to_an_indented_line() {
        let pieces = vec![piece(Span::raw("10.0.1.21:6379")), piece(Span::raw("  32%")), piece(Span::raw("  1.30GiB"))];
        let out = flow(vec![Span::raw("Shard ")], pieces, 24, 6);
        assert_eq!(text(&out), vec!["Shard 10.0.1.21:6379", "      32%  1.30GiB"]);
    }

    #[test]
    fn a_symbol_stays_with_its_words() {
        let cond = |s: &str| vec![Span::raw("  ▲ "), Span::raw(s.to_string())];
        let out = flow(
            vec![Span::raw("          ")],
            vec![cond("AbleToScale=True"), cond("ScalingLimited=True: TooManyReplicas")],
            50,
            10,
        );
        assert_eq!(
            text(&out),
            vec!["            ▲ AbleToScale=True", "          ▲ ScalingLimited=True: TooManyReplicas"]
        );
    }

    #[test]
    fn a_piece_wider_than_the_indented_room_is_indented_less_not_broken() {
        let out =
            flow(vec![Span::raw("HPA ")], vec![piece(Span::raw("x")), piece(Span::raw(" ScalingActive=False"))], 20, 8);
        assert_eq!(text(&out), vec!["HPA x", " ScalingActive=False"]);
    }

    #[test]
    fn words_wrap_and_only_an_overlong_word_breaks() {
        let out = paragraph("no load balancer is known", Style::default(), 10, 2);
        assert_eq!(text(&out), vec!["no load", "  balancer", "  is known"]);
        let out = paragraph("abcdefghijkl", Style::default(), 5, 0);
        assert_eq!(text(&out), vec!["abcde", "fghij", "kl"]);
    }

    #[test]
    fn width_counts_cells_not_bytes() {
        assert_eq!(width("✖ CRIT"), 6);
        assert_eq!(width("→ 10.0.1.21:6379"), 16);
    }
}
