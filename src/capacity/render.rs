//! The review as text (80 columns), markdown (the runbook's table, then each metric's working
//! and chart) and JSON; and each metric's chart as an SVG (the report's chart, with the
//! projection dashed and the limit named).

use super::review::{Crossing, Review, Row};
use super::trend::DAY;
use crate::model::level::{Bound, Threshold};
use crate::record::report::Series;
use crate::record::report::chart::{self, Extra};
use std::fmt::Write;

fn date(t: f64) -> String {
    jiff::Timestamp::from_second(t as i64).map(|ts| ts.strftime("%Y-%m-%d").to_string()).unwrap_or_else(|_| "?".into())
}

/// A value as the table shows it: 3 significant digits, k/M above ten thousand.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{:.2}M", v / 1_000_000.0)
    } else if a >= 10_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "—".into())
}

fn projection(r: &Row) -> String {
    match r.projection {
        Some((v, lo, hi)) => format!("{} ({}–{})", num(v), num(lo), num(hi)),
        None if r.source.is_none() => "no data".into(),
        None => format!("— (under {} days)", super::trend::MIN_DAYS),
    }
}

fn signed(v: f64) -> String {
    if v >= 0.0 { format!("+{}", num(v)) } else { num(v) }
}

/// The lines under a metric: where its data came from (or what would supply it), the trend,
/// the limit and when it is crossed, the formula's working.
pub fn details(r: &Row) -> Vec<String> {
    let mut out = Vec::new();
    match (&r.source, &r.missing) {
        (Some(s), _) => out.push(format!("source: {s}")),
        (None, Some(m)) => out.push(format!("no data: {m}")),
        (None, None) => out.push("no data".into()),
    }
    if let Some(t) = &r.trend {
        out.push(format!(
            "trend: {}/day (95%: {} to {}) over {} days, Theil–Sen",
            signed(t.slope),
            signed(t.slope_low),
            signed(t.slope_high),
            t.days
        ));
    }
    let limit = r.limit.as_ref().map(|l| format!("{} ({})", num(l.value), l.what));
    match (&r.crossing, limit) {
        (Crossing::Over, Some(l)) => out.push(format!("limit {l}: reached already")),
        (Crossing::At { t, earliest }, Some(l)) => {
            out.push(format!("limit {l}: crossed {} (earliest {})", date(*t), date(*earliest)))
        }
        (Crossing::Possible { earliest }, Some(l)) => {
            out.push(format!("limit {l}: not on the trend; its interval allows {}", date(*earliest)))
        }
        (Crossing::NotRising, Some(l)) => out.push(format!("limit {l}: not approached (not rising)")),
        (Crossing::NoTrend, Some(l)) => out.push(format!("limit {l}: no trend to project")),
        (Crossing::NoLimit { why }, _) => out.push(format!("limit: {why}")),
        (_, None) => {}
    }
    out.extend(r.detail.iter().cloned());
    out
}

pub fn text(rv: &Review) -> String {
    let mut o = String::new();
    let days = ((rv.to - rv.from) / DAY).round();
    let _ = writeln!(
        o,
        "Capacity review {} → {} ({days} days), projected to {}",
        date(rv.from),
        date(rv.to - 1.0),
        date(rv.to + rv.project_days * DAY)
    );
    let _ = writeln!(o);
    let head = format!("{}-day projection (95%)", rv.project_days);
    let _ = writeln!(o, "{:<23} {:>10} {:>9}  {head}", "Metric", "Historical", "Current");
    let _ = writeln!(o, "  → Action needed");
    for r in &rv.rows {
        let _ = writeln!(o, "{:<23} {:>10} {:>9}  {}", r.label, opt(r.historical), opt(r.current), projection(r));
        wrap(&mut o, &format!("→ {}", r.action), "  ", "    ");
    }
    for r in &rv.rows {
        let _ = writeln!(o, "\n{}", r.label);
        for d in details(r) {
            wrap(&mut o, &d, "  ", "    ");
        }
    }
    o
}

/// `text` in lines of at most 80 columns, the first indented by `first`, the rest by `rest`.
fn wrap(o: &mut String, text: &str, first: &str, rest: &str) {
    const WIDTH: usize = 80;
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        let len = line.chars().count() + usize::from(!empty) + word.chars().count();
        if !empty && len > WIDTH {
            o.push_str(line.trim_end());
            o.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    o.push_str(line.trim_end());
    o.push('\n');
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn markdown(rv: &Review, charts: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Capacity review\n");
    let _ = writeln!(
        o,
        "{} to {} ({} days), projected {} days to {}. Trends are Theil–Sen (the median of every pair of days' \
         slopes) with a 95% interval.\n",
        date(rv.from),
        date(rv.to - 1.0),
        ((rv.to - rv.from) / DAY).round(),
        rv.project_days,
        date(rv.to + rv.project_days * DAY)
    );
    let _ = writeln!(o, "| Metric | Historical | Current | {}-Day Projection | Action Needed |", rv.project_days);
    let _ = writeln!(o, "|--------|------------|---------|-------------------|---------------|");
    for r in &rv.rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            r.label,
            opt(r.historical),
            opt(r.current),
            cell(&projection(r)),
            cell(&r.action)
        );
    }
    for r in &rv.rows {
        let _ = writeln!(o, "\n## {}\n", r.label);
        for d in details(r) {
            let _ = writeln!(o, "- {}", d);
        }
        if charts && !r.points.is_empty() {
            let _ = writeln!(o, "\n![{}]({})", r.label, chart::data_uri(&svg(rv, r)));
        }
    }
    o
}

/// The metric's chart: its days, the projection dashed to the horizon, its limit.
pub fn svg(rv: &Review, r: &Row) -> String {
    let end = rv.to + rv.project_days * DAY;
    let threshold = Threshold { warn: None, crit: r.limit.as_ref().map(|l| Bound::above(l.value)) };
    let s = Series {
        metric: r.key.to_string(),
        label: r.label.to_string(),
        unit: String::new(),
        threshold,
        points: r.points.iter().map(|(t, v)| (*t, Some(*v))).collect(),
        id: None,
    };
    let projection: Vec<(f64, f64)> = match (&r.trend, r.points.last()) {
        (Some(t), Some(last)) => vec![(last.0, t.at(last.0).0), (end, t.at(end).0)],
        _ => Vec::new(),
    };
    chart::svg_with(&s, rv.from, end, &date, &Extra { projection: &projection, names: Some(["warn", "limit"]) })
}
