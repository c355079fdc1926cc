//! What the jobs send back, applied to the action screen and the board: a plan to confirm (or
//! the form again with the reason it could not be made), each step of a run on the timeline,
//! and the summary, shown full even if the run was shrunk to a strip.

use super::{Desk, Outer, Pager, PlanView, Stage};
use crate::actions::jobs::JobEvent;
use crate::actions::step::RunEvent;
use crate::actions::{Outcome, rollback};
use crate::model::timeline::Category;

impl Desk {
    pub fn job_event(&mut self, ev: JobEvent, out: &mut Outer) {
        match ev {
            JobEvent::Planned { seq, result } => {
                if seq != self.seq {
                    return;
                }
                let Stage::Planning(mut form) = std::mem::replace(&mut self.stage, Stage::Closed) else { return };
                self.stage = match result {
                    Ok(plan) => Stage::Plan(Box::new(PlanView {
                        back: Some(form),
                        plan,
                        word: Default::default(),
                        pager: Pager::default(),
                        message: None,
                    })),
                    Err(e) => {
                        form.form.error = Some(e);
                        Stage::Form(form)
                    }
                };
            }
            JobEvent::Run(ev) => self.run_event(ev, out),
        }
    }

    fn run_event(&mut self, ev: RunEvent, out: &mut Outer) {
        let Stage::Run(v) = &mut self.stage else { return };
        let at = out.board.now;
        let action = v.plan.action.clone();
        match ev {
            RunEvent::Step { index, state } => {
                let title = v.plan.steps.get(index).map(|s| s.title.clone()).unwrap_or_default();
                if state.finished() && v.states.get(index) != Some(&state) {
                    let text = format!("{action}: {title}: {}", state.describe());
                    out.board.push_timeline(at, Category::Action, state.level(), text);
                }
                if let Some(s) = v.states.get_mut(index) {
                    *s = state;
                }
            }
            RunEvent::Note { level, text } => {
                out.board.push_timeline(at, Category::Action, level, format!("{action}: {text}"));
                v.notes.push((level, text));
            }
            RunEvent::Finished(summary) => {
                let level = summary.level();
                let text = summary.headline();
                out.board.push_timeline(at, Category::Action, level, text.clone());
                out.status(text, level);
                if matches!(summary.outcome, Outcome::Refused { .. } | Outcome::LockHeld { .. }) {
                    v.notes.push((level, summary.outcome.describe()));
                }
                if !summary.outcome.ok() && summary.action != rollback::ACTION {
                    v.rollback = rollback::from_summary(&summary);
                }
                v.summary = Some(summary);
                // The end is shown whole, from its first line, even if the run was a strip.
                v.pager = Pager::default();
                self.minimized = false;
            }
        }
    }
}
