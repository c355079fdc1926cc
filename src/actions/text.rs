//! Plans and run events as plain text, for `cockpit plan` and `cockpit run`.

use super::step::{Plan, RunEvent, StepState};
use crate::model::units::duration_short;

/// The plan with its findings, as `cockpit plan` prints it.
pub fn plan_text(plan: &Plan, help: &str) -> String {
    let mut out = format!("{}: {}\n\nPreflight:\n", plan.action, plan.title);
    for f in &plan.findings {
        out.push_str(&format!("  {} {:<6} {}\n", f.severity.level().symbol(), f.severity.word(), f.text));
    }
    out.push_str("\nSteps:\n");
    for (i, s) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "  {:>2}. {}{}\n",
            i + 1,
            s.title,
            if s.always { " (runs even if the action stops early)" } else { "" }
        ));
        for c in &s.checks {
            out.push_str(&format!("        check:  {}\n", c.describe()));
        }
        if let Some(e) = &s.effect {
            out.push_str(&format!("        change: {}\n", e.describe()));
        }
        if let Some(v) = &s.verify {
            out.push_str(&format!("        verify: {} (timeout {})\n", v.describe(), duration_short(s.timeout_secs)));
        }
    }
    if let Some(w) = &plan.confirm_word {
        out.push_str(&format!("\nConfirmation word: {w} (cockpit run {} --yes --confirm-word {w})\n", plan.action));
    }
    if plan.blocked() {
        out.push_str("\nBLOCKED: a finding above must be resolved before this plan can run.\n");
    }
    out.push_str(&format!("\nAbout {}: {help}\n", plan.action));
    out
}

/// Prints run events as lines, live values at most every `every` seconds of a step.
pub struct Progress {
    total: usize,
    every: f64,
    last_live: Vec<Option<(f64, String)>>,
}

impl Progress {
    pub fn new(plan: &Plan, every: f64) -> Self {
        Progress { total: plan.steps.len(), every, last_live: vec![None; plan.steps.len()] }
    }

    /// The line to print for an event, if any.
    pub fn line(&mut self, plan: &Plan, ev: &RunEvent) -> Option<String> {
        match ev {
            RunEvent::Step { index, state } => {
                let title = plan.steps.get(*index).map(|s| s.title.as_str()).unwrap_or("?");
                let head = format!("[{:>2}/{}]", index + 1, self.total);
                match state {
                    StepState::Pending => None,
                    StepState::Running { elapsed, live: None } if *elapsed == 0.0 => Some(format!("{head} … {title}")),
                    StepState::Running { live: None, .. } => None,
                    StepState::Running { elapsed, live: Some(l) } => {
                        let slot = self.last_live.get_mut(*index)?;
                        let due = match slot {
                            Some((at, text)) => *elapsed - *at >= self.every && text != l,
                            None => true,
                        };
                        if !due {
                            return None;
                        }
                        *slot = Some((*elapsed, l.clone()));
                        Some(format!("{head}   {} {l}", duration_short(*elapsed)))
                    }
                    s => Some(format!("{head} {} {title}: {}", s.level().symbol(), s.describe())),
                }
            }
            RunEvent::Note { level, text } => Some(format!("        {} {text}", level.symbol())),
            RunEvent::Finished(_) => None,
        }
    }
}
