//! The score of a drill: the three times, the procedure, the mistakes with their passages, the
//! points and the grade.
//!
//! Points: 100, less: a late or missing detection (5 past 3 minutes after the first critical,
//! 10 past 6, 15 never), no right procedure run (20), no turn of the trend (10), and each
//! mistake's cost. A mistake the cockpit refused (a blocking finding in its plan, so nothing
//! was written) costs half: the trainee still reached for it, and a raw `kubectl` would not
//! have refused, but the platform was never harmed. Each one is listed either way, with its
//! passage, because it still teaches.

use super::catalogue::Mistake;
use super::observer::Observer;
use super::platform::{By, Op, OpKind};
use super::scenario::DrillScenario;
use crate::model::capacity::{CapacityParams, Limits};
use crate::model::state::Workload;
use serde::{Deserialize, Serialize};

/// One mistake, when it was made and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caught {
    pub t: f64,
    pub mistake: Mistake,
    /// The cockpit refused it (a blocking finding); nothing was written.
    pub by_cockpit: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub scenario: String,
    pub seed: u64,
    pub difficulty: u8,
    /// Simulated seconds since the start of the drill.
    pub ended: f64,
    /// The first critical value (the report's detection rule).
    pub first_critical: Option<f64>,
    /// The trainee's: a look at the right pane or a relevant action.
    pub detected: Option<f64>,
    pub detected_by: String,
    /// The queue (or p99) turned for good.
    pub mitigated: Option<f64>,
    /// The report's recovery rule: a minute with nothing critical.
    pub recovered: Option<f64>,
    /// The first of the right procedures that ran (not a dry run).
    pub procedure: Option<String>,
    pub right_procedures: Vec<String>,
    pub mistakes: Vec<Caught>,
    pub points: u32,
    pub grade: char,
    pub read_next: Vec<String>,
}

/// What the score is computed from.
#[derive(Clone, Copy)]
pub struct Facts<'a> {
    pub scenario: DrillScenario,
    pub seed: u64,
    pub difficulty: u8,
    pub ended: f64,
    pub observer: &'a Observer,
    pub ops: &'a [Op],
    pub first_critical: Option<f64>,
    pub recovered: Option<f64>,
    /// HPAs still pinned at the end (their names).
    pub pinned_at_end: &'a [String],
    pub limits: Limits,
    pub capacity: CapacityParams,
    /// While the drill runs (the strip): the end's judgements (given up, left pinned) wait.
    pub live: bool,
}

pub fn grade(points: u32) -> char {
    match points {
        90.. => 'A',
        75..=89 => 'B',
        60..=74 => 'C',
        40..=59 => 'D',
        _ => 'F',
    }
}

fn required(api: u32, workers: u32, p: &CapacityParams) -> f64 {
    (api as f64 * p.conns_per_api_pod + workers as f64 * p.conns_per_worker) * (1.0 + p.connection_buffer)
}

fn wname(w: Workload) -> &'static str {
    match w {
        Workload::Api => "API",
        Workload::Workers => "workers",
    }
}

/// Under load at `t` for this workload: queue past its warning (1000) for the workers, p99 past
/// its warning (500 ms) for the API.
fn under_load(o: &Observer, t: f64, w: Workload) -> bool {
    let at = o.trend.iter().rev().find(|(s, ..)| *s <= t);
    match (w, at) {
        (Workload::Workers, Some((_, q, _))) => q.is_some_and(|q| q > 1000.0),
        (Workload::Api, Some((_, _, p))) => p.is_some_and(|p| p > 500.0),
        _ => false,
    }
}

/// The mistakes in what was written and refused.
pub fn mistakes(f: &Facts) -> Vec<Caught> {
    let mut out = Vec::new();
    let mut push = |t, mistake, by_cockpit, detail: String| out.push(Caught { t, mistake, by_cockpit, detail });
    let mut notified = false;
    for op in f.ops.iter().filter(|o| o.ok && !o.dry_run) {
        let how = if op.by == By::Prompt { "kubectl" } else { "the action" };
        match &op.kind {
            OpKind::Notify => notified = true,
            OpKind::Scale { w, from, to, hpa_min, pinned } => {
                let (min, max) = match w {
                    Workload::Api => (f.limits.api_pods.min, f.limits.api_pods.max),
                    Workload::Workers => (f.limits.worker_pods.min, f.limits.worker_pods.max),
                };
                if let Some(m) = hpa_min.filter(|m| *m < *to && !*pinned) {
                    let d = format!("{how} scaled {} {from} → {to}; its HPA (min {m}) was not pinned", wname(*w));
                    push(op.t, Mistake::ManualScaleUnderHpa, false, d);
                }
                if to < from && (*to < min || under_load(f.observer, op.t, *w)) {
                    let why = if *to < min { format!("below the minimum {min}") } else { "under load".into() };
                    push(
                        op.t,
                        Mistake::ScaleDownUnderLoad,
                        false,
                        format!("{how} scaled {} {from} → {to}, {why}", wname(*w)),
                    );
                }
                // The guided emergency declares first; a guided scale to a maximum is a scale.
                if op.by == By::Prompt && *to >= max && to > from && !notified {
                    let d = format!("{how} scaled {} to its maximum {to} before any notification", wname(*w));
                    push(op.t, Mistake::EmergencyWithoutNotification, false, d);
                }
                let (need, max_c) = (required(op.api, op.workers, &f.capacity), f64::from(op.max_connections));
                if to > from && need > max_c && op.max_connections > 0 {
                    let d = format!(
                        "{how} scaled {} to {to}: API {} and workers {} need {need:.0} connections, max_connections is {}",
                        wname(*w),
                        op.api,
                        op.workers,
                        op.max_connections
                    );
                    push(op.t, Mistake::ExceedsConnections, false, d);
                }
            }
            OpKind::Annotate { w: Workload::Workers, key, set: true } if key == "drain" && op.queue >= 1000 => {
                push(
                    op.t,
                    Mistake::DrainWithQueue,
                    false,
                    format!("{how} drained the workers with {} tasks queued", op.queue),
                );
            }
            _ => {}
        }
    }
    for p in &f.observer.plans {
        let refused = |needle: &str| p.blocked.iter().find(|b| b.contains(needle)).cloned();
        if p.action == "drain-workers"
            && let Some(b) = refused("the queue holds")
        {
            push(p.t, Mistake::DrainWithQueue, true, format!("drain-workers refused: {b}"));
        }
        let down = p.action == "scale-api" && p.params.get("direction").map(String::as_str) == Some("down");
        let asked_down = refused("never scales down").or_else(|| {
            (down && under_load(f.observer, p.t, Workload::Api)).then(|| p.blocked.first().cloned()).flatten()
        });
        if let Some(b) = asked_down {
            push(p.t, Mistake::ScaleDownUnderLoad, true, format!("{} refused: {b}", p.action));
        }
    }
    if let Some(r) = f.recovered.filter(|r| *r <= f.ended && !f.live)
        && !f.pinned_at_end.is_empty()
    {
        let d = format!("recovered at {}; still pinned at the end: {}", clock(r), f.pinned_at_end.join(", "));
        push(f.ended, Mistake::HpaLeftPinned, false, d);
    }
    if !f.live && f.recovered.is_none_or(|r| r > f.ended) {
        push(f.ended, Mistake::GaveUp, false, format!("the drill ended at {} without a recovery", clock(f.ended)));
    }
    // One of each kind per minute is enough to teach it.
    out.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.mistake.cmp(&b.mistake)));
    let mut kept: Vec<Caught> = Vec::new();
    for c in out {
        if !kept.iter().any(|k| k.mistake == c.mistake && k.by_cockpit == c.by_cockpit && c.t - k.t < 60.0) {
            kept.push(c);
        }
    }
    kept
}

/// "T+12:05" of simulated seconds.
pub fn clock(t: f64) -> String {
    let s = t.max(0.0).round() as u64;
    format!("T+{:02}:{:02}", s / 60, s % 60)
}

/// When the trend of the queue (or of p99 for the API's scenarios) turned: the time of its peak
/// after `from`, once it has stayed under 90% of that peak for a minute.
pub fn mitigated(o: &Observer, from: f64, api: bool) -> Option<f64> {
    let mut peak: Option<(f64, f64)> = None;
    let mut below_since: Option<f64> = None;
    for (t, q, p) in o.trend.iter().filter(|(t, ..)| *t >= from) {
        let Some(v) = (if api { *p } else { *q }) else { continue };
        match peak {
            Some((_, pv)) if v <= pv => {
                if v <= 0.9 * pv {
                    let since = *below_since.get_or_insert(*t);
                    if t - since >= 60.0 {
                        return peak.map(|(pt, _)| pt);
                    }
                } else {
                    below_since = None;
                }
            }
            _ => {
                peak = Some((*t, v));
                below_since = None;
            }
        }
    }
    None
}

pub fn score(f: &Facts) -> Score {
    let right: Vec<String> = f.scenario.procedures().iter().map(|s| s.to_string()).collect();
    let look = f.observer.looks.iter().find(|(_, p)| f.scenario.panes().contains(p));
    let act = f.observer.plans.iter().find(|p| right.contains(&p.action));
    let (detected, detected_by) = match (look, act) {
        (Some((lt, p)), Some(a)) if a.t < *lt => (Some(a.t), format!("planned {}", a.action)),
        (Some((lt, p)), _) => (Some(*lt), format!("looked at the {} pane", p.title())),
        (None, Some(a)) => (Some(a.t), format!("planned {}", a.action)),
        (None, None) => (None, "never".into()),
    };
    let procedure = f.observer.runs.iter().find(|r| !r.dry_run && right.contains(&r.action)).map(|r| r.action.clone());
    let start = match (f.first_critical, detected) {
        (Some(c), Some(d)) => c.min(d),
        (c, d) => c.or(d).unwrap_or(0.0),
    };
    let api = f.scenario.panes() == [crate::config::keymap::PaneId::Api];
    let mitigated = mitigated(f.observer, start, api);
    // The report's recovery rule, and not before the trend turned: a queue flood keeps the
    // queue, p99 and errors under critical while the backlog still grows.
    let recovered = match (f.recovered, mitigated) {
        (Some(r), Some(m)) => Some(r.max(m)),
        _ => None,
    };
    let f = &Facts { recovered, ..*f };
    let mistakes = mistakes(f);
    let mut off = 0u32;
    off += match (detected, f.first_critical) {
        (None, _) => 15,
        (Some(d), Some(c)) if d - c > 360.0 => 10,
        (Some(d), Some(c)) if d - c > 180.0 => 5,
        _ => 0,
    };
    if procedure.is_none() {
        off += 20;
    }
    if mitigated.is_none() {
        off += 10;
    }
    for m in &mistakes {
        off += if m.by_cockpit { m.mistake.cost() / 2 } else { m.mistake.cost() };
    }
    let points = 100u32.saturating_sub(off);
    let mut read_next: Vec<String> = Vec::new();
    for m in &mistakes {
        let s = m.mistake.passage().section.to_string();
        if !read_next.contains(&s) {
            read_next.push(s);
        }
    }
    if procedure.is_none() {
        let s = match f.scenario.procedures().first() {
            Some(&"emergency") => "Emergency Scaling › Emergency Scale Procedure",
            Some(&"scale-api") => "Horizontal Scaling Steps › Scaling API Pods › Scale Up Procedure",
            _ => "Horizontal Scaling Steps › Scaling Worker Pods › Scale Up Procedure",
        };
        if !read_next.iter().any(|r| r == s) {
            read_next.push(s.to_string());
        }
    }
    if read_next.is_empty() {
        read_next
            .push("Auto-Scaling Configuration › Horizontal Pod Autoscaler (HPA): what the HPAs do on their own".into());
    }
    Score {
        scenario: f.scenario.name().to_string(),
        seed: f.seed,
        difficulty: f.difficulty,
        ended: f.ended,
        first_critical: f.first_critical,
        detected,
        detected_by,
        mitigated,
        recovered: recovered.filter(|r| *r <= f.ended),
        procedure,
        right_procedures: right,
        mistakes,
        points,
        grade: grade(points),
        read_next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: &[String] = &[];

    fn facts<'a>(o: &'a Observer, ops: &'a [Op], live: bool) -> Facts<'a> {
        Facts {
            scenario: DrillScenario::Incident,
            seed: 7,
            difficulty: 1,
            ended: 200.0,
            observer: o,
            ops,
            first_critical: Some(120.0),
            recovered: None,
            pinned_at_end: PINNED,
            limits: Limits::default(),
            capacity: CapacityParams::default(),
            live,
        }
    }

    #[test]
    fn while_the_drill_runs_nothing_is_judged_given_up() {
        let o = Observer::default();
        assert!(mistakes(&facts(&o, &[], true)).is_empty());
        let end = mistakes(&facts(&o, &[], false));
        assert_eq!(end.iter().map(|c| c.mistake).collect::<Vec<_>>(), vec![Mistake::GaveUp]);
    }

    #[test]
    fn grades_and_clock() {
        assert_eq!(grade(100), 'A');
        assert_eq!(grade(80), 'B');
        assert_eq!(grade(60), 'C');
        assert_eq!(grade(45), 'D');
        assert_eq!(grade(0), 'F');
        assert_eq!(clock(754.0), "T+12:34");
    }

    #[test]
    fn the_turn_of_a_trend_is_its_peak_once_a_minute_stays_under_ninety_percent() {
        let mut o = Observer::default();
        for t in 0..300 {
            let q = if t < 100 { t as f64 * 10.0 } else { 1000.0 - (t - 100) as f64 * 5.0 };
            o.trend.push((t as f64, Some(q), None));
        }
        assert_eq!(mitigated(&o, 0.0, false), Some(100.0));
        assert_eq!(mitigated(&o, 0.0, true), None);
    }
}
