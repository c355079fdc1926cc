//! The report as plain text, for a terminal or a chat that shows no markdown (no charts: the
//! peaks say the heights; `--format html` draws them).

use super::{Mark, Report, after, clock, date_time};
use jiff::tz::TimeZone;
use std::fmt::Write;

pub fn render(r: &Report, tz: &TimeZone) -> String {
    let c = |t: f64| clock(t, tz);
    let mut o = String::new();
    let _ = writeln!(o, "Incident report: {}", r.context);
    let _ = writeln!(o, "Window: {} → {}", date_time(r.from, tz), date_time(r.to, tz));
    for run in &r.runs {
        let _ = writeln!(o, "Recorded from {} by {} ({}, cockpit {})", c(run.t), run.who, run.origin, run.version);
    }
    if r.skipped > 0 {
        let _ = writeln!(o, "{} line(s) of the recording could not be read and were skipped", r.skipped);
    }
    let t = &r.times;
    o.push_str("\nDetect, act, recover\n");
    for (name, v) in [("detected", t.detect), ("acted", t.act), ("recovered", t.recover)] {
        let when = v.map(c).unwrap_or_else(|| "not reached".into());
        let _ = writeln!(o, "  {name:<10} {when:<12} {}", if v.is_some() { after(v, t.detect) } else { String::new() });
    }
    o.push_str("\nPeaks\n");
    for p in &r.peaks {
        let when = p.t.map(c).unwrap_or_else(|| "—".into());
        let _ = writeln!(o, "  {:<30} {:>10}  {when:<8}  {}", p.label, p.shown, p.level.word());
    }
    o.push_str("\nEmergency Scaling Checklist\n");
    for k in &r.checklist {
        let mark = match k.mark {
            Mark::Done => "[x]",
            Mark::Open => "[ ]",
            Mark::Manual => "[-]",
        };
        let when = k.t.map(|t| format!(" at {}", c(t))).unwrap_or_default();
        let _ = writeln!(o, "  {mark} {}{when}: {}", k.item, k.evidence);
    }
    o.push_str("\nTimeline\n");
    for i in &r.timeline {
        let who = i.who.as_deref().map(|w| format!(" (by {w})")).unwrap_or_default();
        let _ = writeln!(o, "  {}  {:<9} {:<5} {}{who}", c(i.t), i.kind.tag(), i.level.word(), i.text);
    }
    o
}
