//! A key metric over the window as a small SVG, written by hand: the series as a line (broken
//! where there was no value), the warning and critical thresholds as dashed lines, the peak
//! named in the title. The same SVG goes inline into HTML and as a data: URI into markdown.

use super::Series;
use std::fmt::Write;

const W: f64 = 640.0;
const H: f64 = 180.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 72.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 22.0;

/// The chart of `s` over `[from, to]`; `clock` writes a time as the report shows it.
pub fn svg(s: &Series, from: f64, to: f64, clock: &dyn Fn(f64) -> String) -> String {
    svg_with(s, from, to, clock, &Extra::default())
}

/// What `cockpit capacity` adds to a chart (issue 9): a projection drawn dashed after the
/// series, and the names of the two bounds ("warn"/"crit" unless given).
#[derive(Debug, Clone, Default)]
pub struct Extra<'a> {
    pub projection: &'a [(f64, f64)],
    pub names: Option<[&'a str; 2]>,
}

/// [`svg`] with a projection and named bounds.
pub fn svg_with(s: &Series, from: f64, to: f64, clock: &dyn Fn(f64) -> String, extra: &Extra<'_>) -> String {
    let unit = s.id.map(|m| m.unit());
    let fmt = |v: f64| unit.map(|u| u.format(v)).unwrap_or_else(|| crate::model::units::trim_number(v));
    let values: Vec<f64> = s.points.iter().filter_map(|(_, v)| *v).filter(|v| v.is_finite()).collect();
    let peak = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let [warn_name, crit_name] = extra.names.unwrap_or(["warn", "crit"]);
    let bounds: Vec<(&str, &str, f64)> =
        [(warn_name, "#d08700", s.threshold.warn), (crit_name, "#c62828", s.threshold.crit)]
            .into_iter()
            .filter_map(|(n, c, b)| b.map(|b| (n, c, b.value)))
            .collect();
    let projected = extra.projection.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let top = bounds.iter().map(|b| b.2).chain([peak, projected, 0.0]).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let ymax = if top > 0.0 { top * 1.1 } else { 1.0 };
    let span = (to - from).max(1.0);
    let x = |t: f64| LEFT + (t - from).clamp(0.0, span) / span * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - (v / ymax).clamp(0.0, 1.0)) * (H - TOP - BOTTOM);

    let mut o = String::with_capacity(4096);
    let title = if values.is_empty() {
        format!("{}: no value in the window", s.label)
    } else {
        format!("{}: peak {}", s.label, fmt(peak))
    };
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11"><title>{t}</title><rect width="{W}" height="{H}" fill="#ffffff"/><text x="{LEFT}" y="15" font-size="13" fill="#222222">{t}</text>"##,
        t = esc(&title)
    );
    // Axes: the value scale on the left, the window's ends below.
    let (x0, x1, yb) = (LEFT, W - RIGHT, H - BOTTOM);
    let _ = write!(
        o,
        r##"<path d="M{x0} {TOP}V{yb}H{x1}" fill="none" stroke="#888888"/><text x="{lx}" y="{ty}" text-anchor="end" fill="#555555">{top}</text><text x="{lx}" y="{yb}" text-anchor="end" fill="#555555">0</text><text x="{x0}" y="{by}" fill="#555555">{a}</text><text x="{x1}" y="{by}" text-anchor="end" fill="#555555">{b}</text>"##,
        lx = LEFT - 4.0,
        ty = TOP + 4.0,
        top = esc(&fmt(ymax)),
        by = H - 6.0,
        a = esc(&clock(from)),
        b = esc(&clock(to)),
    );
    for (name, colour, v) in &bounds {
        let yy = r1(y(*v));
        let _ = write!(
            o,
            r##"<line x1="{x0}" y1="{yy}" x2="{x1}" y2="{yy}" stroke="{colour}" stroke-dasharray="5 4"/><text x="{tx}" y="{ty}" fill="{colour}">{name} {val}</text>"##,
            tx = x1 + 4.0,
            ty = yy + 4.0,
            val = esc(&fmt(*v)),
        );
    }
    let _ = write!(o, r##"<path d="{}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>"##, path(s, from, to, &x, &y));
    if !extra.projection.is_empty() {
        let d: Vec<String> = extra
            .projection
            .iter()
            .enumerate()
            .map(|(i, (t, v))| format!("{}{} {}", if i == 0 { "M" } else { "L" }, r1(x(*t)), r1(y(*v))))
            .collect();
        let _ = write!(
            o,
            r##"<path d="{}" fill="none" stroke="#1f5fbf" stroke-width="1.5" stroke-dasharray="4 3"/>"##,
            d.join("")
        );
    }
    o.push_str("</svg>");
    o
}

/// The line, one point per pixel column at most (the column's worst value, so that no peak is
/// lost), broken where there was no value.
fn path(s: &Series, from: f64, to: f64, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let mut cols: Vec<(i64, Option<f64>)> = Vec::new();
    for (t, v) in s.points.iter().filter(|(t, _)| *t >= from && *t <= to) {
        let col = x(*t).round() as i64;
        let v = v.filter(|v| v.is_finite());
        match cols.last_mut() {
            Some((c, last)) if *c == col => {
                *last = match (*last, v) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                }
            }
            _ => cols.push((col, v)),
        }
    }
    let mut d = String::new();
    let mut pen = false;
    for (col, v) in cols {
        match v {
            Some(v) => {
                let _ = write!(d, "{}{col} {}", if pen { "L" } else { "M" }, r1(y(v)));
                pen = true;
            }
            None => pen = false,
        }
    }
    if d.is_empty() { "M0 0".into() } else { d }
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Text for XML: the five characters that matter.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// The SVG as a data: URI for a markdown image (percent-encoded: no base64 dependency).
pub fn data_uri(svg: &str) -> String {
    let mut out = String::from("data:image/svg+xml;charset=utf-8,");
    for b in svg.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~ =:/;,".contains(&b) {
            if b == b' ' {
                out.push_str("%20");
            } else {
                out.push(b as char);
            }
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
