//! Load laid over a scenario's by the drills: bursts of extra API requests or agent tasks in a
//! window of simulated time. Empty by default: the scenarios of `cockpit demo` never see it (no
//! random number is drawn for an empty overlay, so their runs are unchanged).

/// Extra load per second between `from` and `to` (simulated seconds, `to` excluded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub from: f64,
    pub to: f64,
    pub per_sec: f64,
}

impl Burst {
    fn at(&self, t: f64) -> f64 {
        if t >= self.from && t < self.to { self.per_sec } else { 0.0 }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// API requests per second on top of the users'.
    pub requests: Vec<Burst>,
    /// Agent tasks submitted per second on top of the users' (a batch, a flood).
    pub tasks: Vec<Burst>,
}

impl Overlay {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.tasks.is_empty()
    }
    /// Extra requests per second at `t`.
    pub fn requests_at(&self, t: f64) -> f64 {
        self.requests.iter().map(|b| b.at(t)).sum()
    }
    /// Extra tasks per second at `t`.
    pub fn tasks_at(&self, t: f64) -> f64 {
        self.tasks.iter().map(|b| b.at(t)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_add_up_inside_their_windows() {
        let o = Overlay {
            requests: vec![Burst { from: 10.0, to: 20.0, per_sec: 100.0 }],
            tasks: vec![Burst { from: 0.0, to: 5.0, per_sec: 2.0 }, Burst { from: 3.0, to: 8.0, per_sec: 1.0 }],
        };
        assert_eq!(o.requests_at(9.0), 0.0);
        assert_eq!(o.requests_at(10.0), 100.0);
        assert_eq!(o.requests_at(20.0), 0.0);
        assert_eq!(o.tasks_at(4.0), 3.0);
        assert!(Overlay::default().is_empty());
    }
}
