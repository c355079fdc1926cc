//! The drill section of an incident report: the debrief of `cockpit drill`. The report itself
//! is the same as a real incident's (built from the drill's recording); this adds the score,
//! names the scenario, and puts each mistake on the timeline with its runbook passage.

use super::{Item, Kind, Report, markdown};
use crate::drill::score::{Score, clock};
use crate::model::level::Level;
use jiff::tz::TimeZone;
use std::fmt::Write;

/// Each mistake as a timeline item, in time order with the rest.
pub fn add_mistakes(r: &mut Report, s: &Score) {
    for m in &s.mistakes {
        let p = m.mistake.passage();
        let caught = if m.by_cockpit { " (refused by the cockpit)" } else { "" };
        let text = format!("{}{caught}: {}. Runbook, {}: \"{}\"", m.mistake.title(), m.detail, p.section, p.quote);
        let level = if m.by_cockpit { Level::Warn } else { Level::Crit };
        r.timeline.push(Item { t: m.t, kind: Kind::Mistake, level, text, who: Some("trainee".into()) });
    }
    r.timeline.sort_by(|a, b| a.t.total_cmp(&b.t));
}

fn when(t: Option<f64>) -> String {
    t.map(clock).unwrap_or_else(|| "not reached".into())
}

/// The drill section, in markdown.
pub fn section(s: &Score, story: &str, commands: &[(f64, String, String)], injections: &[(f64, String)]) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "## Drill: {} (seed {}, difficulty {})\n", s.scenario, s.seed, s.difficulty);
    let _ = writeln!(o, "What happened: {story}.\n");
    if !injections.is_empty() {
        o.push_str("Injected by the facilitator:\n\n");
        for (t, text) in injections {
            let _ = writeln!(o, "- {} {text}", clock(*t));
        }
        o.push('\n');
    }
    let _ = writeln!(o, "**Score {} / 100, grade {}**\n", s.points, s.grade);
    o.push_str("| | When |\n|---|---|\n");
    let _ = writeln!(o, "| First critical | {} |", when(s.first_critical));
    let _ = writeln!(o, "| Detected ({}) | {} |", s.detected_by, when(s.detected));
    let _ = writeln!(o, "| Mitigated (the trend turned) | {} |", when(s.mitigated));
    let _ = writeln!(o, "| Recovered (a minute under critical) | {} |", when(s.recovered));
    let _ = writeln!(o, "| Drill ended | {} |", clock(s.ended));
    let proc_text = match &s.procedure {
        Some(p) => format!("{p} (right: {})", s.right_procedures.join(" or ")),
        None => format!("none of {} was run", s.right_procedures.join(", ")),
    };
    let _ = writeln!(o, "\nProcedure: {proc_text}\n");
    if s.mistakes.is_empty() {
        o.push_str("Mistakes: none.\n");
    } else {
        o.push_str("Mistakes:\n\n");
        for m in &s.mistakes {
            let p = m.mistake.passage();
            let how = if m.by_cockpit { "refused by the cockpit, half the cost" } else { "made" };
            let _ = writeln!(
                o,
                "- {} **{}** ({how}): {}  \n  Runbook, {}: `{}`",
                clock(m.t),
                m.mistake.title(),
                m.detail,
                p.section,
                p.quote
            );
        }
    }
    if !commands.is_empty() {
        o.push_str("\nTyped at the kubectl prompt:\n\n");
        for (t, line, answer) in commands {
            let _ = writeln!(o, "- {} `{line}` → {}", clock(*t), answer.replace('\n', "; "));
        }
    }
    o.push_str("\nRead next:\n\n");
    for r in &s.read_next {
        let _ = writeln!(o, "- {r}");
    }
    o
}

/// The whole debrief: the drill section, then the incident report of the drill's recording
/// (times on the drill's clock), its mistakes on the timeline. `charts`: with the SVG charts.
pub fn debrief(
    r: &Report,
    s: &Score,
    story: &str,
    commands: &[(f64, String, String)],
    injections: &[(f64, String)],
    charts: bool,
) -> String {
    let mut r = r.clone();
    add_mistakes(&mut r, s);
    for (t, text) in injections {
        r.timeline.push(Item {
            t: *t,
            kind: Kind::Injected,
            level: Level::Warn,
            text: format!("injected: {text}"),
            who: Some("facilitator".into()),
        });
    }
    r.timeline.sort_by(|a, b| a.t.total_cmp(&b.t));
    // A drill runs on its own clock from zero: its window is drill time, not a date in 1970.
    let body: String = markdown::render(&r, &TimeZone::UTC)
        .lines()
        .map(|l| match l.starts_with("Window: ") {
            true => format!("Window: drill time {} → {} (simulated)  \n", clock(r.from), clock(r.to)),
            false => format!("{l}\n"),
        })
        .collect();
    let body = if charts { body } else { body.split("\n## Charts").next().unwrap_or_default().to_string() + "\n" };
    let (title, rest) = body.split_once('\n').unwrap_or((&body, ""));
    format!("{title}\n\n{}{rest}", section(s, story, commands, injections))
}
