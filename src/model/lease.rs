//! The action lock (a Kubernetes Lease on the live platform, the simulator's own lease in the
//! demo) as the dashboard shows it: who holds it and for what, that it is free, or why that is
//! not known. The wall shows it, so a war room sees who is acting even when the action runs from
//! another cockpit.

use serde::{Deserialize, Serialize};

/// Who holds the lock, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseHolder {
    pub holder: String,
    /// The guided action the holder runs (empty when the Lease does not say).
    #[serde(default)]
    pub action: String,
    /// Seconds on the platform clock when it was taken.
    pub since: f64,
    /// When it was taken on the wall clock (the live platform; the simulator's clock is
    /// simulated time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_wall: Option<jiff::Timestamp>,
}

/// The lock's state at the last read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LeaseView {
    /// Not read: a recording or a collector from before the lock was shown, or the first read
    /// has not answered yet.
    #[default]
    NotRead,
    /// Nobody holds it (no Lease, no holder, or the holder's lease expired).
    Free,
    Held(LeaseHolder),
    /// The read failed: the reason, with the permission or setting that would give it.
    Unknown {
        reason: String,
    },
}

/// When a lock was taken, as a person reads it: local time with its offset (RFC 3339) on the
/// live platform, "T+00:12:30" of simulated time on the simulator.
pub fn since_text(since: f64, since_wall: Option<jiff::Timestamp>) -> String {
    match since_wall {
        Some(t) => crate::model::report::rfc3339(&t.to_zoned(jiff::tz::TimeZone::system())),
        None => format!("T+{} (simulated time)", crate::model::units::clock(since)),
    }
}

impl LeaseHolder {
    /// The person and host, without the action's id that a cockpit's holder name carries
    /// ("ana@bastion · action 20261203T…-emergency").
    pub fn who(&self) -> &str {
        self.holder.split(" · action ").next().unwrap_or(&self.holder)
    }
}

impl LeaseView {
    /// One line: "held by ana@bastion (emergency) since …", "free", "unknown: …".
    pub fn describe(&self) -> String {
        match self {
            LeaseView::NotRead => "not read yet".into(),
            LeaseView::Free => "free: no guided action runs".into(),
            LeaseView::Held(h) => {
                let action = if h.action.is_empty() { String::new() } else { format!(" ({})", h.action) };
                format!("held by {}{action} since {}", h.who(), since_text(h.since, h.since_wall))
            }
            LeaseView::Unknown { reason } => format!("unknown: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_reads_as_a_sentence_and_an_older_state_without_it_reads_as_not_read() {
        let held = LeaseView::Held(LeaseHolder {
            holder: "ana@bastion".into(),
            action: "emergency".into(),
            since: 750.0,
            since_wall: None,
        });
        assert_eq!(held.describe(), "held by ana@bastion (emergency) since T+00:12:30 (simulated time)");
        assert_eq!(LeaseView::Free.describe(), "free: no guided action runs");
        let cockpit = LeaseView::Held(LeaseHolder {
            holder: "ana@bastion · action 20261203T190026Z-17559-0000-emergency".into(),
            action: "emergency".into(),
            since: 750.0,
            since_wall: None,
        });
        assert_eq!(cockpit.describe(), held.describe(), "the action's id is left to the journal");
        let json = serde_json::to_string(&held).expect("json");
        assert_eq!(serde_json::from_str::<LeaseView>(&json).expect("back"), held);
        let unknown = LeaseView::Unknown { reason: "forbidden".into() };
        assert_eq!(unknown.describe(), "unknown: forbidden");
    }
}
