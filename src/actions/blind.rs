//! Verifications and checks whose inputs are partly not visible (API p99 and error rate
//! without a load balancer, the queue without Redis): they judge on what they can see, say what
//! they cannot see and the setting that would show it, and end as a warning; the plan says so
//! first ([`hidden_inputs`]), and `cockpit run --if-blind` decides for the command line.

use super::check::Check;
use super::step::Plan;
use super::verify::Verify;
use crate::model::{Board, Gap, MetricId};
use crate::platform::{ErrorKind, PResult};

/// What `cockpit run` does when a verification of the plan cannot see all of its inputs (the
/// plan says so in a WARN finding; in the UI, confirming that plan is the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IfBlind {
    /// Run; such a verification judges on what it can see and ends as a warning.
    #[default]
    JudgeVisible,
    /// Do not run the plan (nothing is changed).
    Stop,
}

/// An input a probe read: its value, or why it cannot be seen.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Input {
    Seen(f64),
    Hidden(String),
}

impl Input {
    /// A read of an optional input: a `Blind` error or no datapoint is "not visible"; any other
    /// error is the probe's (transient ones are probed again).
    pub(super) fn read(r: PResult<Option<f64>>) -> PResult<Input> {
        match r {
            Ok(Some(v)) => Ok(Input::Seen(v)),
            Ok(None) => Ok(Input::Hidden("no recent datapoint".into())),
            Err(e) if e.kind == ErrorKind::Blind => Ok(Input::Hidden(e.message)),
            Err(e) => Err(e),
        }
    }

    pub(super) fn value(&self) -> Option<f64> {
        match self {
            Input::Seen(v) => Some(*v),
            Input::Hidden(_) => None,
        }
    }
}

/// The inputs that could not be seen, by name: ("p99 and error rate", reasons), where the
/// reasons are given once each.
pub(super) fn hidden(inputs: &[(&str, &Input)]) -> Option<(String, String)> {
    let names: Vec<&str> = inputs.iter().filter(|(_, i)| matches!(i, Input::Hidden(_))).map(|(n, _)| *n).collect();
    if names.is_empty() {
        return None;
    }
    let mut reasons: Vec<&str> = Vec::new();
    for (_, i) in inputs {
        if let Input::Hidden(r) = i
            && !reasons.contains(&r.as_str())
        {
            reasons.push(r);
        }
    }
    Some((and_list(&names), reasons.join("; ")))
}

/// "a", "a and b", "a, b and c".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The setting a reason names ("… (set aws.load_balancer)", parentheses inside allowed), for a
/// short live value.
fn setting_in(reason: &str) -> Option<&str> {
    let start = reason.rfind("(set ")? + 5;
    let mut depth = 1;
    for (i, c) in reason[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(&reason[start..start + i]);
        }
    }
    None
}

/// "p99 and error rate not visible (set aws.load_balancer)": for the live value.
pub(super) fn hidden_short(names: &str, reasons: &str) -> String {
    match setting_in(reasons) {
        Some(s) => format!("{names} not visible (set {s})"),
        None => format!("{names} not visible"),
    }
}

/// The inputs of the plan's verifications and checks that the board shows as blind spots:
/// (step title, metric, why). What `cockpit run --if-blind stop` refuses to run on.
pub fn hidden_inputs(plan: &Plan, board: &Board) -> Vec<(String, MetricId, Gap)> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let inputs = step
            .verify
            .iter()
            .flat_map(Verify::optional_inputs)
            .chain(step.checks.iter().flat_map(Check::optional_inputs));
        for id in inputs {
            if let Some(g) = board.gap(id).filter(|g| g.kind.is_blind())
                && !out.iter().any(|(t, i, _)| *t == step.title && *i == id)
            {
                out.push((step.title.clone(), id, g.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_of_a_reason_is_found_with_parentheses_inside() {
        assert_eq!(setting_in("not found: x (set aws.load_balancer)"), Some("aws.load_balancer"));
        let aws =
            "AWS is not configured: see `cockpit check` (set AWS credentials and a region (AWS_PROFILE, aws.region))";
        assert_eq!(setting_in(aws), Some("AWS credentials and a region (AWS_PROFILE, aws.region)"));
        assert_eq!(setting_in("no recent datapoint"), None);
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(hidden_short("p99", "no recent datapoint"), "p99 not visible");
    }
}
