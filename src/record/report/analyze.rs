//! From the entries of a recording to the report's facts: the timeline, the three times, the
//! peaks and the series of the charts.

use super::{
    DETECT_METRICS, Item, KEY_METRICS, Kind, Peak, RECOVERY_METRICS, RECOVERY_SECS, Report, Run, Series, Times,
};
use crate::model::MetricId;
use crate::model::level::Level;
use crate::model::timeline::Category;
use crate::record::entry::{Entry, Replicas, Start, letter_level};

/// Build the report of `context` over `[from, to]` from its entries, oldest first.
pub fn build(entries: &[Entry], context: &str, from: f64, to: f64, skipped: usize) -> Report {
    let mut runs = Vec::new();
    let mut timeline = Vec::new();
    let mut charts: Vec<Series> = KEY_METRICS.iter().map(|m| series(*m, None)).collect();
    let mut start: Option<&Start> = None;
    let mut who = String::new();
    let mut last_reps: Option<(Replicas, Replicas)> = None;
    let mut emergency: Vec<String> = Vec::new();
    // Each moment: critical for detection, and still critical for the recovery.
    let mut crit_times: Vec<(f64, bool, bool)> = Vec::new();
    let mut emergency_now = false;
    for e in entries {
        match e {
            Entry::Start(s) => {
                start = Some(s);
                who = s.who.clone();
                if s.t <= to {
                    runs.push(Run {
                        t: s.t.max(from),
                        origin: s.origin.clone(),
                        who: s.who.clone(),
                        version: s.version.clone(),
                    });
                }
                for c in &mut charts {
                    if let Some(id) = c.id
                        && let Some(th) = s.thresholds.get(id.key())
                    {
                        c.threshold = *th;
                    }
                }
                last_reps = None;
            }
            Entry::Sample { t, v, l } => {
                let Some(s) = start else { continue };
                let (mut detect, mut hold) = (emergency_now, emergency_now);
                for (i, key) in s.metrics.iter().enumerate() {
                    let crit = l.chars().nth(i).map(letter_level) == Some(Level::Crit);
                    detect |= crit && DETECT_METRICS.iter().any(|m| m.key() == key);
                    hold |= crit && RECOVERY_METRICS.iter().any(|m| m.key() == key);
                    if let Some(c) = charts.iter_mut().find(|c| c.metric == *key) {
                        c.points.push((*t, v.get(i).copied().flatten().map(f64::from)));
                    }
                }
                crit_times.push((*t, detect, hold));
            }
            Entry::Event { t, cat, lvl, text } => {
                let kind = match cat {
                    Category::Level => Kind::Level,
                    Category::Cluster => Kind::Cluster,
                    Category::Source => Kind::Source,
                    Category::Action => Kind::Action,
                };
                let who = (kind == Kind::Action).then(|| who.clone());
                timeline.push(Item { t: *t, kind, level: *lvl, text: text.clone(), who });
            }
            Entry::Emergency { t, reasons } => {
                let text = if reasons.is_empty() {
                    format!("emergency over: no condition of the runbook holds (was: {})", emergency.join("; "))
                } else if emergency.is_empty() {
                    format!("emergency: {}", reasons.join("; "))
                } else {
                    format!("emergency conditions now: {}", reasons.join("; "))
                };
                let level = if reasons.is_empty() { Level::Ok } else { Level::Crit };
                timeline.push(Item { t: *t, kind: Kind::Emergency, level, text, who: None });
                emergency_now = !reasons.is_empty();
                if emergency_now {
                    crit_times.push((*t, true, true));
                }
                emergency = reasons.clone();
            }
            Entry::Replicas { t, api, workers } => {
                if let Some((a0, w0)) = last_reps {
                    for (name, before, now) in [("API", a0, *api), ("workers", w0, *workers)] {
                        if let Some(text) = replicas_change(name, before, now) {
                            timeline.push(Item { t: *t, kind: Kind::Replicas, level: Level::Ok, text, who: None });
                        }
                    }
                }
                last_reps = Some((*api, *workers));
            }
        }
    }
    timeline.sort_by(|a, b| a.t.total_cmp(&b.t));
    let times = times(&crit_times, &timeline);
    let peaks = charts.iter().map(peak).collect();
    let mut report = Report {
        context: context.to_string(),
        from,
        to,
        runs,
        timeline,
        times,
        peaks,
        checklist: Vec::new(),
        charts,
        skipped,
    };
    report.checklist = super::checklist::marks(entries, &report);
    report
}

fn series(id: MetricId, _s: Option<&Start>) -> Series {
    Series {
        metric: id.key().to_string(),
        label: id.label().to_string(),
        unit: id.unit().label().to_string(),
        threshold: id.default_threshold(),
        points: Vec::new(),
        id: Some(id),
    }
}

/// "workers: desired 10 → 60 (ready 10)", "workers: HPA pinned at min 60" when they change.
fn replicas_change(name: &str, before: Replicas, now: Replicas) -> Option<String> {
    let mut parts = Vec::new();
    if before.desired != now.desired {
        parts.push(format!("desired {} → {} (ready {})", opt(before.desired), opt(now.desired), opt(now.ready)));
    }
    if before.pinned != now.pinned || (now.pinned && before.hpa_min != now.hpa_min) {
        parts.push(if now.pinned {
            format!("HPA pinned at min {} (was min {})", opt(now.hpa_min), opt(before.hpa_min))
        } else {
            format!("HPA restored to min {} max {}", opt(now.hpa_min), opt(now.hpa_max))
        });
    }
    (!parts.is_empty()).then(|| format!("{name}: {}", parts.join("; ")))
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

fn times(crit: &[(f64, bool, bool)], timeline: &[Item]) -> Times {
    let detect = crit.iter().find(|(_, c, _)| *c).map(|(t, ..)| *t);
    let Some(d) = detect else { return Times::default() };
    let act = timeline.iter().find(|i| i.kind == Kind::Action && i.t >= d).map(|i| i.t);
    // The first calm moment after detection from which a minute passes with nothing critical.
    let mut recover = None;
    let mut calm_since: Option<f64> = None;
    for (t, _, c) in crit.iter().filter(|(t, ..)| *t >= d) {
        if *c {
            calm_since = None;
            continue;
        }
        let since = *calm_since.get_or_insert(*t);
        if t - since >= RECOVERY_SECS {
            recover = Some(since);
            break;
        }
    }
    Times { detect, act, recover }
}

fn peak(s: &Series) -> Peak {
    let worse_high = s.threshold.higher_is_worse();
    let best =
        s.points.iter().filter_map(|(t, v)| v.map(|v| (*t, v))).fold(
            None,
            |acc: Option<(f64, f64)>, (t, v)| match acc {
                Some((_, pv)) if (worse_high && v <= pv) || (!worse_high && v >= pv) => acc,
                _ => Some((t, v)),
            },
        );
    let unit = s.id.map(|m| m.unit());
    Peak {
        metric: s.metric.clone(),
        label: s.label.clone(),
        value: best.map(|b| b.1),
        shown: match (best, unit) {
            (Some((_, v)), Some(u)) => u.format(v),
            _ => "no value".into(),
        },
        t: best.map(|b| b.0),
        level: best.map(|b| s.threshold.level(b.1)).unwrap_or(Level::Unknown),
    }
}
