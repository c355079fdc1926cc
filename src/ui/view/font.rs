//! Large digits for the war-room wall: five rows of block characters, readable from across a
//! room. Digits, the decimal point, the colon and `%` are drawn large; a unit's letters ("s",
//! "ms", "k", "h") stay small on the bottom row, after the digits they qualify.

/// The height of a large glyph, in rows.
pub const ROWS: usize = 5;

fn glyph(c: char) -> Option<[&'static str; ROWS]> {
    Some(match c {
        '0' => ["███", "█ █", "█ █", "█ █", "███"],
        '1' => [" █ ", "██ ", " █ ", " █ ", "███"],
        '2' => ["███", "  █", "███", "█  ", "███"],
        '3' => ["███", "  █", " ██", "  █", "███"],
        '4' => ["█ █", "█ █", "███", "  █", "  █"],
        '5' => ["███", "█  ", "███", "  █", "███"],
        '6' => ["███", "█  ", "███", "█ █", "███"],
        '7' => ["███", "  █", "  █", "  █", "  █"],
        '8' => ["███", "█ █", "███", "█ █", "███"],
        '9' => ["███", "█ █", "███", "  █", "███"],
        '.' => [" ", " ", " ", " ", "█"],
        ':' => [" ", "█", " ", "█", " "],
        '%' => ["█ █", "  █", " █ ", "█  ", "█ █"],
        '-' => ["   ", "   ", "███", "   ", "   "],
        _ => return None,
    })
}

/// `text` in large glyphs: `ROWS` strings of equal width (chars), one column between glyphs.
/// None when `text` holds nothing to draw large (words such as "no traffic": those are shown
/// as they are).
pub fn render(text: &str) -> Option<[String; ROWS]> {
    if !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut rows: [String; ROWS] = Default::default();
    let mut prev_small = false;
    for (i, c) in text.chars().enumerate() {
        let g = glyph(c);
        // One column between glyphs; a unit's letters stay together.
        let sep = if i == 0 || (prev_small && g.is_none()) { "" } else { " " };
        for (r, row) in rows.iter_mut().enumerate() {
            row.push_str(sep);
            match g {
                Some(g) => row.push_str(g[r]),
                // A unit's letter: small, on the baseline.
                None => row.push(if r + 1 == ROWS { c } else { ' ' }),
            }
        }
        prev_small = g.is_none();
    }
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_aligned_and_units_sit_on_the_baseline() {
        for text in ["73k", "30.00s", "2h08m", "83%", "321ms", "0", "1.2k/s", "-5"] {
            let rows = render(text).expect("drawn large");
            let w = rows[0].chars().count();
            assert!(rows.iter().all(|r| r.chars().count() == w), "{text}: {rows:?}");
        }
        let rows = render("30.00s").expect("large");
        assert!(rows[ROWS - 1].ends_with('s') && !rows[0].contains('s'), "{rows:?}");
    }

    #[test]
    fn words_are_not_drawn_large() {
        assert!(render("no traffic").is_none());
        assert!(render("waiting").is_none());
    }
}
