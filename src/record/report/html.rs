//! The report as one self-contained HTML page, the charts inline as `<svg>`.

use super::{Mark, Report, after, chart, clock, date_time};
use chart::esc;
use jiff::tz::TimeZone;
use std::fmt::Write;

const STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\
.crit{color:#c62828;font-weight:bold}.warn{color:#a06000;font-weight:bold}.done{color:#2e7d32}.open{color:#c62828}";

pub fn render(r: &Report, tz: &TimeZone) -> String {
    let c = |t: f64| clock(t, tz);
    let mut o = String::new();
    let title = format!("Incident report: {}", r.context);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n<p>Window: {} → {}</p>\n",
        esc(&date_time(r.from, tz)),
        esc(&date_time(r.to, tz)),
        t = esc(&title)
    );
    for run in &r.runs {
        let _ = writeln!(
            o,
            "<p>Recorded from {} by {} ({}, cockpit {})</p>",
            esc(&c(run.t)),
            esc(&run.who),
            esc(&run.origin),
            esc(&run.version)
        );
    }
    if r.skipped > 0 {
        let _ = writeln!(o, "<p>{} line(s) of the recording could not be read and were skipped.</p>", r.skipped);
    }
    o.push_str(
        "<h2>Detect, act, recover</h2>\n<table><tr><th></th><th>When</th><th>After the first critical</th></tr>\n",
    );
    let t = &r.times;
    for (name, v) in [
        ("Detected (first critical)", t.detect),
        ("Acted (first action)", t.act),
        ("Recovered (a minute under critical)", t.recover),
    ] {
        let when = v.map(c).unwrap_or_else(|| "not reached".into());
        let _ = writeln!(o, "<tr><td>{name}</td><td>{}</td><td>{}</td></tr>", esc(&when), esc(&after(v, t.detect)));
    }
    o.push_str("</table>\n<h2>Peaks</h2>\n<table><tr><th>Metric</th><th>Peak</th><th>When</th><th>Level</th></tr>\n");
    for p in &r.peaks {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(&p.label),
            esc(&p.shown),
            esc(&p.t.map(c).unwrap_or_else(|| "—".into())),
            p.level.as_str(),
            p.level.word()
        );
    }
    o.push_str("</table>\n<h2>Emergency Scaling Checklist</h2>\n<ul>\n");
    for k in &r.checklist {
        let (class, word) = match k.mark {
            Mark::Done => ("done", "☑ done"),
            Mark::Open => ("open", "☐ open"),
            Mark::Manual => ("manual", "☐ by hand"),
        };
        let when = k.t.map(|t| format!(" at {}", c(t))).unwrap_or_default();
        let _ = writeln!(
            o,
            "<li><span class=\"{class}\">{word}</span> <b>{}</b>{}: {}</li>",
            esc(&k.item),
            esc(&when),
            esc(&k.evidence)
        );
    }
    o.push_str(
        "</ul>\n<h2>Timeline</h2>\n<table><tr><th>Time</th><th>Kind</th><th>Level</th><th>What</th><th>Who</th></tr>\n",
    );
    for i in &r.timeline {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c(i.t)),
            i.kind.tag(),
            i.level.as_str(),
            i.level.word(),
            esc(&i.text),
            esc(i.who.as_deref().unwrap_or(""))
        );
    }
    o.push_str("</table>\n<h2>Charts</h2>\n");
    for s in &r.charts {
        let _ = writeln!(o, "<figure>{}</figure>", chart::svg(s, r.from, r.to, &c));
    }
    o.push_str("</body></html>\n");
    o
}
