//! Load scenarios, after the runbook's "Load Test Types". All their numbers are in `PROFILES`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scenario {
    /// Ramp 0 -> 100 users over 2 minutes, then hold.
    Baseline,
    /// 100 users, +100 every 3 minutes up to 1000, then hold.
    Stress,
    /// 500 users for hours, with a slow memory leak in the workers.
    Soak,
    /// 100 users, 1000 for 5 minutes from minute 5 of every 20-minute cycle.
    Spike,
    /// Traffic and a batch of tasks far beyond what the HPAs' maxima can serve.
    Incident,
}

impl Scenario {
    pub const ALL: [Scenario; 5] =
        [Scenario::Baseline, Scenario::Stress, Scenario::Soak, Scenario::Spike, Scenario::Incident];

    pub fn name(self) -> &'static str {
        self.profile().name
    }

    /// This scenario's row of the table.
    pub fn profile(self) -> &'static Profile {
        &PROFILES[self as usize]
    }

    /// Simulated users at `t_secs`.
    pub fn users(self, t_secs: f64) -> f64 {
        let p = self.profile();
        let t = t_secs.max(0.0);
        match self {
            Scenario::Soak => p.start_users + p.growth_users_per_day * (t / 86_400.0).floor(),
            Scenario::Baseline | Scenario::Incident => {
                if t < p.ramp_start_secs {
                    p.start_users
                } else if p.ramp_secs <= 0.0 {
                    p.peak_users
                } else {
                    let f = ((t - p.ramp_start_secs) / p.ramp_secs).min(1.0);
                    p.start_users + (p.peak_users - p.start_users) * f
                }
            }
            Scenario::Stress => {
                let steps = if p.step_secs > 0.0 { (t / p.step_secs).floor() } else { 0.0 };
                (p.start_users + steps * p.step_users).min(p.peak_users)
            }
            Scenario::Spike => {
                let phase = if p.cycle_secs > 0.0 { t % p.cycle_secs } else { t };
                if phase >= p.ramp_start_secs && phase < p.ramp_start_secs + p.spike_secs {
                    p.peak_users
                } else {
                    p.start_users
                }
            }
        }
    }
}

/// One scenario's numbers. See `PROFILES`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    /// Users at t = 0 (and outside a spike).
    pub start_users: f64,
    /// Users at the end of the ramp, the top of the steps, or during a spike.
    pub peak_users: f64,
    /// When the ramp (or, for spike, the spike within its cycle) starts.
    pub ramp_start_secs: f64,
    /// Length of the linear ramp from start to peak.
    pub ramp_secs: f64,
    /// Stress: users added per step, and the step length.
    pub step_users: f64,
    pub step_secs: f64,
    /// Spike: cycle length and spike length.
    pub cycle_secs: f64,
    pub spike_secs: f64,
    /// API requests per second per user.
    pub rps_per_user: f64,
    /// Agent tasks submitted per second per user.
    pub tasks_per_user: f64,
    /// Memory leaked by each worker container, MiB per hour of uptime.
    pub worker_leak_mib_per_hour: f64,
    /// Soak (issue 9): users added at each simulated day's start, so a long soak grows slowly
    /// and `cockpit capacity --demo` has a trend to project. None in the first day: a demo's
    /// hours run as before.
    pub growth_users_per_day: f64,
}

/// Each user sends about 1 API request a second. Tasks: one every 400 s per user, so that the
/// baseline's 100 users (0.25 tasks/s, ~7.5 in flight) sit well inside the 5 minimum workers
/// (25 slots) even in a burst; at one per 100 s, 100 users would need 6 workers at full CPU and
/// the baseline would sit at the CPU warning. The incident adds a batch submission (0.006/user)
/// on top of a 10,000-user surge: 60 tasks/s against the 16.7/s that 100 workers finish, and
/// 10,000 req/s against the 7,500 that 50 API pods serve.
pub const PROFILES: [Profile; 5] = [
    Profile {
        name: "baseline",
        start_users: 0.0,
        peak_users: 100.0,
        ramp_start_secs: 0.0,
        ramp_secs: 120.0,
        step_users: 0.0,
        step_secs: 0.0,
        cycle_secs: 0.0,
        spike_secs: 0.0,
        rps_per_user: 1.0,
        tasks_per_user: 0.0025,
        worker_leak_mib_per_hour: 0.0,
        growth_users_per_day: 0.0,
    },
    Profile {
        name: "stress",
        start_users: 100.0,
        peak_users: 1000.0,
        ramp_start_secs: 0.0,
        ramp_secs: 0.0,
        step_users: 100.0,
        step_secs: 180.0,
        cycle_secs: 0.0,
        spike_secs: 0.0,
        rps_per_user: 1.0,
        tasks_per_user: 0.0025,
        worker_leak_mib_per_hour: 0.0,
        growth_users_per_day: 0.0,
    },
    Profile {
        name: "soak",
        start_users: 500.0,
        peak_users: 500.0,
        ramp_start_secs: 0.0,
        ramp_secs: 0.0,
        step_users: 0.0,
        step_secs: 0.0,
        cycle_secs: 0.0,
        spike_secs: 0.0,
        rps_per_user: 1.0,
        tasks_per_user: 0.0025,
        worker_leak_mib_per_hour: 300.0,
        growth_users_per_day: 10.0,
    },
    Profile {
        name: "spike",
        start_users: 100.0,
        peak_users: 1000.0,
        ramp_start_secs: 300.0,
        ramp_secs: 0.0,
        step_users: 0.0,
        step_secs: 0.0,
        cycle_secs: 1200.0,
        spike_secs: 300.0,
        rps_per_user: 1.0,
        tasks_per_user: 0.0025,
        worker_leak_mib_per_hour: 0.0,
        growth_users_per_day: 0.0,
    },
    Profile {
        name: "incident",
        start_users: 300.0,
        peak_users: 10_000.0,
        ramp_start_secs: 120.0,
        ramp_secs: 480.0,
        step_users: 0.0,
        step_secs: 0.0,
        cycle_secs: 0.0,
        spike_secs: 0.0,
        rps_per_user: 1.0,
        tasks_per_user: 0.006,
        worker_leak_mib_per_hour: 0.0,
        growth_users_per_day: 0.0,
    },
];

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scenario {0:?}: expected one of baseline, stress, soak, spike, incident")]
pub struct ScenarioParseError(pub String);

impl FromStr for Scenario {
    type Err = ScenarioParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Scenario::ALL.into_iter().find(|sc| sc.name() == wanted).ok_or_else(|| ScenarioParseError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_variants() {
        for sc in Scenario::ALL {
            assert_eq!(sc.profile().name, sc.to_string());
            assert_eq!(sc.name().parse::<Scenario>(), Ok(sc));
        }
        assert!("nope".parse::<Scenario>().is_err());
    }

    #[test]
    fn profiles_follow_the_runbook() {
        assert_eq!(Scenario::Baseline.users(0.0), 0.0);
        assert_eq!(Scenario::Baseline.users(60.0), 50.0);
        assert_eq!(Scenario::Baseline.users(600.0), 100.0);
        assert_eq!(Scenario::Stress.users(0.0), 100.0);
        assert_eq!(Scenario::Stress.users(180.0), 200.0);
        assert_eq!(Scenario::Stress.users(3600.0), 1000.0);
        assert_eq!(Scenario::Soak.users(7200.0), 500.0);
        // Issue 9: the soak grows by 10 users at each simulated day's start.
        assert_eq!(Scenario::Soak.users(86_399.0), 500.0);
        assert_eq!(Scenario::Soak.users(3.5 * 86_400.0), 530.0);
        assert_eq!(Scenario::Spike.users(299.0), 100.0);
        assert_eq!(Scenario::Spike.users(300.0), 1000.0);
        assert_eq!(Scenario::Spike.users(599.0), 1000.0);
        assert_eq!(Scenario::Spike.users(600.0), 100.0);
        assert_eq!(Scenario::Spike.users(1200.0 + 400.0), 1000.0);
        assert_eq!(Scenario::Incident.users(0.0), 300.0);
        assert_eq!(Scenario::Incident.users(1200.0), 10_000.0);
    }
}
