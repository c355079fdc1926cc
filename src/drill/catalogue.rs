//! The mistakes a drill catches, each with the runbook passage that avoids it (the section and
//! the line, quoted from runbook/scaling-operations.md) and what to read next.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mistake {
    /// A `kubectl scale` of a deployment whose HPA was not pinned: reverted at the next sync.
    ManualScaleUnderHpa,
    /// A scale-down while the workload is under load, or below the runbook's minimum.
    ScaleDownUnderLoad,
    /// A drain of the workers with tasks still waiting in the queue.
    DrainWithQueue,
    /// The emergency scale without the declaration first.
    EmergencyWithoutNotification,
    /// Recovered, and the HPAs still pinned at the emergency counts.
    HpaLeftPinned,
    /// Pods or a database class that need more connections than the database allows.
    ExceedsConnections,
    /// The drill ended before the platform recovered.
    GaveUp,
}

/// A runbook passage: its section and the line quoted from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Passage {
    pub section: &'static str,
    pub quote: &'static str,
}

impl Mistake {
    pub const ALL: [Mistake; 7] = [
        Mistake::ManualScaleUnderHpa,
        Mistake::ScaleDownUnderLoad,
        Mistake::DrainWithQueue,
        Mistake::EmergencyWithoutNotification,
        Mistake::HpaLeftPinned,
        Mistake::ExceedsConnections,
        Mistake::GaveUp,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Mistake::ManualScaleUnderHpa => "manual-scale-under-hpa",
            Mistake::ScaleDownUnderLoad => "scale-down-under-load",
            Mistake::DrainWithQueue => "drain-with-queue",
            Mistake::EmergencyWithoutNotification => "emergency-without-notification",
            Mistake::HpaLeftPinned => "hpa-left-pinned",
            Mistake::ExceedsConnections => "exceeds-connections",
            Mistake::GaveUp => "gave-up",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Mistake::ManualScaleUnderHpa => "manual scale under an HPA that was not pinned",
            Mistake::ScaleDownUnderLoad => "scale-down under load or below the minimum",
            Mistake::DrainWithQueue => "drain with work in the queue",
            Mistake::EmergencyWithoutNotification => "emergency scale without a notification",
            Mistake::HpaLeftPinned => "HPAs left pinned after recovery",
            Mistake::ExceedsConnections => "more connections than the database allows",
            Mistake::GaveUp => "gave up before recovery",
        }
    }

    /// The passage that avoids it.
    pub fn passage(self) -> Passage {
        let p = |section, quote| Passage { section, quote };
        match self {
            Mistake::ManualScaleUnderHpa => {
                p("Emergency Scaling › Emergency Scale Procedure", "# 2. Disable HPA (to prevent conflicts)")
            }
            Mistake::ScaleDownUnderLoad => p(
                "Horizontal Scaling Steps › Scaling API Pods › Scale Down Procedure",
                "# 1. Verify low utilization (sustained for 15+ minutes)",
            ),
            Mistake::DrainWithQueue => {
                p("Horizontal Scaling Steps › Scaling Worker Pods › Scale Down Procedure", "# 1. Verify queue is empty")
            }
            Mistake::EmergencyWithoutNotification => {
                p("Emergency Scaling › Emergency Scale Procedure", "# 1. Declare scaling emergency")
            }
            Mistake::HpaLeftPinned => p("Emergency Scaling › Emergency Scale Procedure", "# 7. Re-enable HPA"),
            Mistake::ExceedsConnections => p(
                "Capacity Planning › Capacity Planning Formulas › Database Capacity",
                "Required Connections = (API Pods * Connections Per Pod) + (Workers * Connections Per Worker) + Buffer",
            ),
            Mistake::GaveUp => p("Emergency Scaling › Emergency Scaling Checklist", "- [ ] Monitor for stabilization"),
        }
    }

    /// Points off the score when it was made (half when the cockpit caught it: see `score`).
    pub fn cost(self) -> u32 {
        match self {
            Mistake::GaveUp => 40,
            Mistake::ManualScaleUnderHpa | Mistake::ScaleDownUnderLoad | Mistake::EmergencyWithoutNotification => 20,
            Mistake::DrainWithQueue | Mistake::ExceedsConnections => 15,
            Mistake::HpaLeftPinned => 10,
        }
    }
}
