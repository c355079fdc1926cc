//! The runbook's Emergency Scaling Checklist, each item marked done from what the recording
//! shows (an action's step, the HPAs' pin, the replicas, the metrics), or open.

use super::{Check, Item, Kind, Mark, Report};
use crate::record::entry::{Entry, Replicas};

/// The checklist's items, in the runbook's words and order.
pub const ITEMS: [&str; 8] = [
    "Notify on-call and management",
    "Disable auto-scaling to prevent conflicts",
    "Scale to safe capacity",
    "Monitor for stabilization",
    "Identify root cause of demand spike",
    "Gradually return to normal capacity",
    "Re-enable auto-scaling",
    "Document incident",
];

pub fn marks(entries: &[Entry], r: &Report) -> Vec<Check> {
    let reps: Vec<(f64, Replicas, Replicas)> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Replicas { t, api, workers } => Some((*t, *api, *workers)),
            _ => None,
        })
        .collect();
    let step_done = |needle: &dyn Fn(&str) -> bool| -> Option<&Item> {
        r.timeline.iter().find(|i| i.kind == Kind::Action && needle(&i.text) && i.text.contains(": done"))
    };
    let from_item = |item: &str, i: Option<&Item>, open: &str| match i {
        Some(i) => done(item, format!("{} (by {})", i.text, i.who.as_deref().unwrap_or("?")), i.t),
        None => check(item, Mark::Open, open, None),
    };

    let notified = step_done(&|t| t.contains("Declare the emergency"));
    // Pinned: the HPA's minimum raised and held (the recorded replicas say so), else the step.
    let pinned_at = reps.iter().find(|(_, a, w)| a.pinned || w.pinned);
    let pin_step = step_done(&|t| t.contains("HPA") && t.contains("minReplicas"));
    // Scaled: the deployments' desired replicas raised by hand (an action's scale step, or with
    // the HPAs pinned), not an HPA's own steps; before → after from the recorded replicas.
    // A drill also records the raw `kubectl scale` typed at its prompt: a scale by hand too.
    let raw_scale = r.timeline.iter().find(|i| i.kind == Kind::Action && i.text.starts_with("kubectl scale "));
    let scale_step = step_done(&|t| t.contains(": Scale ")).or(raw_scale).map(|i| i.t);
    let scaled_at = reps.iter().enumerate().skip(1).find_map(|(i, (t, a, w))| {
        let (_, a0, w0) = reps[i - 1];
        let by_hand = a.pinned || w.pinned || scale_step.is_some_and(|s| (s - t).abs() <= 5.0);
        let up = a.desired > a0.desired || w.desired > w0.desired;
        (by_hand && up).then_some((*t, a0.desired, a.desired, w0.desired, w.desired))
    });
    // Returned: later, a deployment below what the scaling set.
    let lowered = scaled_at.and_then(|(ts, _, a_s, _, w_s)| {
        reps.iter()
            .find(|(t, a, w)| {
                *t > ts && (a.desired.is_some() && a.desired < a_s || w.desired.is_some() && w.desired < w_s)
            })
            .map(|(t, a, w)| (*t, a_s, a.desired, w_s, w.desired))
    });
    let restored = pinned_at.and_then(|(tp, ..)| reps.iter().find(|(t, a, w)| t > tp && !a.pinned && !w.pinned));
    let restore_step = step_done(&|t| t.contains("Restore HPA"));

    let mut out = Vec::new();
    out.push(from_item(ITEMS[0], notified, "no notification was sent by a guided action in the window"));
    out.push(match (pinned_at, pin_step) {
        (Some((t, a, w)), _) => done(ITEMS[1], format!("HPAs pinned: API min {}, workers min {}", min(a), min(w)), *t),
        (None, step) => from_item(ITEMS[1], step, "the HPAs were never pinned in the window"),
    });
    out.push(match scaled_at {
        Some((t, a0, a, w0, w)) => {
            done(ITEMS[2], format!("scaled: API {} → {}, workers {} → {}", n(a0), n(a), n(w0), n(w)), t)
        }
        None => check(
            ITEMS[2],
            Mark::Open,
            "no deployment was scaled by hand in the window (an HPA's own steps do not count)",
            None,
        ),
    });
    out.push(match (r.times.detect, r.times.recover) {
        (Some(_), Some(t)) => done(
            ITEMS[3],
            "a sustained minute with the queue, API p99 and error rate under critical and no emergency condition"
                .into(),
            t,
        ),
        (Some(_), None) => check(ITEMS[3], Mark::Open, "not stabilised: still critical at the end of the window", None),
        (None, _) => check(ITEMS[3], Mark::Open, "nothing went critical in the window", None),
    });
    out.push(check(ITEMS[4], Mark::Manual, "not in a recording: for the post-mortem", None));
    out.push(match lowered {
        Some((t, a0, a, w0, w)) => {
            done(ITEMS[5], format!("scaled down: API {} → {}, workers {} → {}", n(a0), n(a), n(w0), n(w)), t)
        }
        None if scaled_at.is_some() => {
            check(ITEMS[5], Mark::Open, "still at the scaled-up replicas at the end of the window", None)
        }
        None => check(ITEMS[5], Mark::Open, "nothing was scaled up, nor back down, in the window", None),
    });
    out.push(match (restored, restore_step) {
        (Some((t, a, w)), _) => done(
            ITEMS[6],
            format!("HPAs restored: API min {} max {}, workers min {} max {}", min(a), max(a), min(w), max(w)),
            *t,
        ),
        (None, Some(step)) => from_item(ITEMS[6], Some(step), ""),
        (None, None) if pinned_at.is_some() => {
            check(ITEMS[6], Mark::Open, "the HPAs are still pinned at the end of the window (reenable-hpa)", None)
        }
        (None, None) => check(ITEMS[6], Mark::Open, "no HPA was pinned, nor restored, in the window", None),
    });
    out.push(check(ITEMS[7], Mark::Manual, "this report is the start of it", None));
    out
}

fn done(item: &str, evidence: String, t: f64) -> Check {
    Check { item: item.to_string(), mark: Mark::Done, evidence, t: Some(t) }
}

fn check(item: &str, mark: Mark, evidence: &str, t: Option<f64>) -> Check {
    Check { item: item.to_string(), mark, evidence: evidence.to_string(), t }
}

fn n(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

fn min(r: &Replicas) -> String {
    n(r.hpa_min)
}

fn max(r: &Replicas) -> String {
    n(r.hpa_max)
}
