//! The report as markdown: for the post-mortem document, a ticket or a chat. The charts are
//! images with data: URIs (rendered by most markdown viewers and editors; GitHub shows neither
//! data: URIs nor inline `<svg>`, so for GitHub attach the HTML report or its SVGs).

use super::{Mark, Report, after, chart, clock, date_time};
use jiff::tz::TimeZone;
use std::fmt::Write;

pub fn render(r: &Report, tz: &TimeZone) -> String {
    let c = |t: f64| clock(t, tz);
    let mut o = String::new();
    let _ = writeln!(o, "# Incident report: {}\n", r.context);
    let _ = writeln!(o, "Window: {} → {}  ", date_time(r.from, tz), date_time(r.to, tz));
    for run in &r.runs {
        let _ = writeln!(o, "Recorded from {} by {} ({}, cockpit {})  ", c(run.t), run.who, run.origin, run.version);
    }
    if r.skipped > 0 {
        let _ = writeln!(
            o,
            "{} line(s) of the recording could not be read (a torn last write) and were skipped.  ",
            r.skipped
        );
    }
    o.push('\n');

    o.push_str("## Detect, act, recover\n\n| | When | After the first critical |\n|---|---|---|\n");
    let t = &r.times;
    for (name, v) in [
        ("Detected (first critical)", t.detect),
        ("Acted (first action)", t.act),
        ("Recovered (a minute under critical)", t.recover),
    ] {
        let when = v.map(c).unwrap_or_else(|| "not reached".into());
        let _ = writeln!(o, "| {name} | {when} | {} |", if v.is_some() { after(v, t.detect) } else { "—".into() });
    }

    o.push_str("\n## Peaks\n\n| Metric | Peak | When | Level |\n|---|---|---|---|\n");
    for p in &r.peaks {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            p.label,
            p.shown,
            p.t.map(c).unwrap_or_else(|| "—".into()),
            p.level.word()
        );
    }

    o.push_str("\n## Emergency Scaling Checklist\n\n");
    for k in &r.checklist {
        let (box_, word) = match k.mark {
            Mark::Done => ("[x]", "done"),
            Mark::Open => ("[ ]", "open"),
            Mark::Manual => ("[ ]", "by hand"),
        };
        let when = k.t.map(|t| format!(" at {}", c(t))).unwrap_or_default();
        let _ = writeln!(o, "- {box_} **{}**: {word}{when}: {}", k.item, md(&k.evidence));
    }

    o.push_str("\n## Timeline\n\n| Time | Kind | Level | What | Who |\n|---|---|---|---|---|\n");
    for i in &r.timeline {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            c(i.t),
            i.kind.tag(),
            i.level.word(),
            md(&i.text),
            i.who.as_deref().unwrap_or("")
        );
    }
    if r.timeline.is_empty() {
        o.push_str("| | | | nothing happened in the window | |\n");
    }

    o.push_str("\n## Charts\n\n");
    for s in &r.charts {
        let svg = chart::svg(s, r.from, r.to, &c);
        let _ = writeln!(o, "![{}]({})\n", s.label, chart::data_uri(&svg));
    }
    o
}

/// Text safe in a markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
