//! The log's account of the sources: one line per transition, never one per retry. A source
//! that goes down is a warning with the reason; a source still down for another kind of
//! reason is another warning; a source that comes back says how long it was down and why.
//! Every update of every source passes through [`HealthLog::observe`] on its way to the app.

use crate::model::units::duration_short;
use crate::model::{FailureKind, SourceId, SourceUpdate};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
enum State {
    Up,
    Down { since: f64, kind: FailureKind, message: String, failures: u32 },
}

/// What the log was told about each source so far.
#[derive(Debug, Default)]
pub struct HealthLog {
    states: BTreeMap<SourceId, State>,
}

/// A line the log gets for a transition: its level and its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Up(String),
    Down(String),
    Recovered(String),
}

impl HealthLog {
    /// Take one update in; log it when it changes the source's state.
    pub fn observe(&mut self, u: &SourceUpdate) {
        match self.transition(u) {
            Some(Transition::Up(text)) | Some(Transition::Recovered(text)) => {
                tracing::info!(source = %u.source, "{text}")
            }
            Some(Transition::Down(text)) => tracing::warn!(source = %u.source, "{text}"),
            None => {}
        }
    }

    /// The transition an update makes, if any (and remember it).
    pub fn transition(&mut self, u: &SourceUpdate) -> Option<Transition> {
        let s = u.source;
        let previous = self.states.get(&s).cloned();
        match (&u.result, previous) {
            (Ok(_), None) => {
                self.states.insert(s, State::Up);
                Some(Transition::Up(format!("{s}: live")))
            }
            (Ok(_), Some(State::Up)) => None,
            (Ok(_), Some(State::Down { since, message, failures, .. })) => {
                self.states.insert(s, State::Up);
                let tries =
                    if failures == 1 { "1 failed refresh".into() } else { format!("{failures} failed refreshes") };
                Some(Transition::Recovered(format!(
                    "{s}: recovered after {} down ({tries}; last reason: {message})",
                    duration_short((u.at - since).max(0.0))
                )))
            }
            (Err(f), Some(State::Down { since, kind, failures, .. })) if kind == f.kind => {
                self.states.insert(s, State::Down { since, kind, message: f.message.clone(), failures: failures + 1 });
                None
            }
            (Err(f), Some(State::Down { since, failures, .. })) => {
                self.states
                    .insert(s, State::Down { since, kind: f.kind, message: f.message.clone(), failures: failures + 1 });
                Some(Transition::Down(format!("{s}: still down, now {f}")))
            }
            (Err(f), previous) => {
                self.states
                    .insert(s, State::Down { since: u.at, kind: f.kind, message: f.message.clone(), failures: 1 });
                let was = if previous.is_some() { "down" } else { "down from the start" };
                Some(Transition::Down(format!("{s}: {was}: {f}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceData, SourceFailure};

    fn ok(at: f64) -> SourceUpdate {
        SourceUpdate { source: SourceId::Redis, at, result: Ok(SourceData::Redis(Default::default())) }
    }

    fn err(at: f64, kind: FailureKind, message: &str) -> SourceUpdate {
        SourceUpdate { source: SourceId::Redis, at, result: Err(SourceFailure::new(kind, message)) }
    }

    #[test]
    fn one_line_per_transition_with_the_reason_and_the_time_down() {
        let mut log = HealthLog::default();
        let lines: Vec<Option<Transition>> = [
            ok(0.0),
            ok(2.0),
            err(4.0, FailureKind::Refused, "connecting to redis: Connection refused (os error 111)"),
            err(6.0, FailureKind::Refused, "connecting to redis: Connection refused (os error 111)"),
            err(8.0, FailureKind::Refused, "connecting to redis: Connection refused (os error 111)"),
            err(10.0, FailureKind::Authentication, "WRONGPASS"),
            ok(94.0),
            ok(96.0),
        ]
        .iter()
        .map(|u| log.transition(u))
        .collect();
        assert_eq!(
            lines,
            vec![
                Some(Transition::Up("redis: live".into())),
                None,
                Some(Transition::Down(
                    "redis: down: connection refused: connecting to redis: Connection refused (os error 111)".into()
                )),
                None,
                None,
                Some(Transition::Down("redis: still down, now authentication failed: WRONGPASS".into())),
                Some(Transition::Recovered(
                    "redis: recovered after 1m30s down (4 failed refreshes; last reason: WRONGPASS)".into()
                )),
                None,
            ]
        );
    }

    #[test]
    fn a_source_down_from_the_start_says_so() {
        let mut log = HealthLog::default();
        let t = log.transition(&err(0.0, FailureKind::Other, "REDIS_URL is not a valid URL"));
        assert_eq!(t, Some(Transition::Down("redis: down from the start: error: REDIS_URL is not a valid URL".into())));
    }
}
