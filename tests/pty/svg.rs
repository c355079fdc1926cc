//! Render a vt100 screen to SVG: the README's screenshots come from the real program this way.

use std::fmt::Write;

const CW: f64 = 8.4;
const CH: f64 = 17.0;
const BG: &str = "#121212";
const FG: &str = "#d0d0d0";

fn ansi(i: u8) -> String {
    const BASE: [&str; 16] = [
        "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5", "#666666", "#f14c4c",
        "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
    ];
    match i {
        0..=15 => BASE[i as usize].to_string(),
        16..=231 => {
            let i = i - 16;
            let c = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            format!("#{:02x}{:02x}{:02x}", c(i / 36), c((i / 6) % 6), c(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

fn color(c: vt100::Color, default: &str) -> String {
    match c {
        vt100::Color::Default => default.to_string(),
        vt100::Color::Idx(i) => ansi(i),
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn render(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let (w, h) = (cols as f64 * CW, rows as f64 * CH);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px"><rect width="100%" height="100%" fill="{BG}"/>"#
    );
    for r in 0..rows {
        let y = r as f64 * CH;
        for c in 0..cols {
            let Some(cell) = screen.cell(r, c) else { continue };
            let (mut fg, mut bg) = (color(cell.fgcolor(), FG), color(cell.bgcolor(), BG));
            if cell.inverse() {
                std::mem::swap(&mut fg, &mut bg);
            }
            if bg != BG {
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{y:.1}" width="{CW:.1}" height="{CH:.1}" fill="{bg}"/>"#,
                    c as f64 * CW
                );
            }
            let text = cell.contents();
            if text.trim().is_empty() {
                continue;
            }
            let weight = if cell.bold() { r#" font-weight="bold""# } else { "" };
            let style = if cell.italic() { r#" font-style="italic""# } else { "" };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" fill="{fg}"{weight}{style}>{}</text>"#,
                c as f64 * CW,
                y + CH * 0.78,
                esc(text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
