//! What the trainee did, as the drill saw it: where they looked (focus and zoom changes), the
//! plans they asked for (with what the cockpit refused), the actions they ran, the raw commands
//! they typed, and the two trends the mitigation is judged on.

use crate::actions::step::{Plan, Severity};
use crate::config::keymap::PaneId;
use crate::model::{Board, MetricId};
use crate::ui::app::{App, Effect};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanSeen {
    pub t: f64,
    pub action: String,
    pub params: std::collections::BTreeMap<String, String>,
    /// The plan's blocking findings: what the cockpit refused.
    pub blocked: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunSeen {
    pub t: f64,
    pub action: String,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub t: f64,
    pub line: String,
    pub answer: String,
}

#[derive(Debug, Clone, Default)]
pub struct Observer {
    focus: Option<(PaneId, bool)>,
    /// Each change of the focused pane (or of its zoom): when, and the pane.
    pub looks: Vec<(f64, PaneId)>,
    pub plans: Vec<PlanSeen>,
    pub runs: Vec<RunSeen>,
    pub commands: Vec<Command>,
    /// (t, queue depth, API p99 ms) every observed second.
    pub trend: Vec<(f64, Option<f64>, Option<f64>)>,
}

impl Observer {
    /// After the keys of a moment: where the trainee looks now.
    pub fn look(&mut self, t: f64, app: &App) {
        let now = (app.focus, app.zoom);
        match self.focus {
            None => self.focus = Some(now),
            Some(before) if before != now => {
                self.focus = Some(now);
                self.looks.push((t, app.focus));
            }
            Some(_) => {}
        }
    }

    /// The effects the app asked for, before the host carries them out.
    pub fn effects(&mut self, t: f64, effects: &[Effect]) {
        for e in effects {
            if let Effect::Run { plan, dry_run, .. } = e {
                self.runs.push(RunSeen { t, action: plan.action.clone(), dry_run: *dry_run });
            }
        }
    }

    /// A plan the jobs made.
    pub fn planned(&mut self, t: f64, plan: &Plan) {
        let of = |s: Severity| plan.findings.iter().filter(|f| f.severity == s).map(|f| f.text.clone()).collect();
        self.plans.push(PlanSeen {
            t,
            action: plan.action.clone(),
            params: plan.params.clone(),
            blocked: of(Severity::Block),
            warnings: of(Severity::Warn),
        });
    }

    pub fn sample(&mut self, board: &Board) {
        let v = |m| board.reading(m).value;
        self.trend.push((board.now, v(MetricId::QueueDepth), v(MetricId::ApiP99)));
    }
}
