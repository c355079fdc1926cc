//! The facilitator's injections: a peer killed for a while, load added. Typed at the drill's
//! prompt (`inject kill redis 3m`, `inject load api x2 10m`, `inject load tasks 20000 5m`) or
//! chosen from the facilitator's menu of `cockpit drill --host`. Each is applied to the
//! simulator at once and kept for the debrief; none is written where the team would see it
//! announced (the stream, the timeline): they see only its effects, as on a real night.

use crate::sim::Simulator;
use crate::sim::outage::Peer;

/// What the facilitator's menu offers, in order (each a line for the prompt).
pub const MENU: [(&str, &str); 6] = [
    ("inject kill kubernetes 3m", "kill the Kubernetes API server for 3 minutes"),
    ("inject kill redis 3m", "kill the queue's Redis for 3 minutes"),
    ("inject kill postgres 3m", "kill PostgreSQL for 3 minutes"),
    ("inject load api x2 10m", "double the API traffic for 10 minutes"),
    ("inject load tasks 20000 5m", "a batch of 20,000 agent tasks over 5 minutes"),
    ("inject load tasks 100000 10m", "a flood of 100,000 agent tasks over 10 minutes"),
];

pub const USAGE: &str = "usage: inject kill kubernetes|redis|postgres [DURATION] · inject load api [xN] [DURATION] · \
                         inject load tasks N [DURATION]";

/// One injection, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Injection {
    Kill {
        peer: Peer,
        secs: f64,
    },
    /// The API traffic times `factor` (extra requests: factor − 1 times the users' now).
    Api {
        factor: f64,
        secs: f64,
    },
    Tasks {
        count: f64,
        secs: f64,
    },
}

fn duration(word: Option<&&str>, default: f64) -> Result<f64, String> {
    match word {
        None => Ok(default),
        Some(w) => crate::drill::script::parse_duration(w)
            .filter(|s| *s > 0.0 && *s <= 4.0 * 3600.0)
            .ok_or_else(|| format!("{w}: not a duration between 1s and 4h (e.g. 90s, 3m, 1h)")),
    }
}

fn fail<T>(m: String) -> Result<T, String> {
    Err(format!("{m}; {USAGE}"))
}

/// `inject …` (the word `inject` included); `Err` with what is wrong and the usage.
pub fn parse(line: &str) -> Result<Injection, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["inject", "kill", peer, rest @ ..] if rest.len() <= 1 => match Peer::parse(peer) {
            Some(peer) => Ok(Injection::Kill { peer, secs: duration(rest.first(), 180.0).or_else(fail)? }),
            None => fail(format!("{peer}: not a peer the drill can kill")),
        },
        ["inject", "load", "api", rest @ ..] if rest.len() <= 2 => {
            let (factor, rest) = match rest.first().and_then(|w| w.strip_prefix('x')) {
                Some(n) => match n.parse::<f64>() {
                    Ok(f) if f > 1.0 && f <= 20.0 => (f, &rest[1..]),
                    _ => return fail(format!("x{n}: a factor between x1.1 and x20")),
                },
                None => (2.0, rest),
            };
            if rest.len() > 1 {
                return fail("too many words".into());
            }
            Ok(Injection::Api { factor, secs: duration(rest.first(), 600.0).or_else(fail)? })
        }
        ["inject", "load", "tasks", n, rest @ ..] if rest.len() <= 1 => {
            match n.replace([',', '_'], "").parse::<f64>() {
                Ok(count) if (1.0..=10_000_000.0).contains(&count) => {
                    Ok(Injection::Tasks { count, secs: duration(rest.first(), 300.0).or_else(fail)? })
                }
                _ => fail(format!("{n}: a number of tasks between 1 and 10,000,000")),
            }
        }
        _ => fail("not an injection".into()),
    }
}

impl Injection {
    /// Apply it to the simulator; what was done, in words.
    pub fn apply(&self, sim: &mut Simulator) -> String {
        let mins = |s: f64| crate::model::units::duration_short(s);
        match *self {
            Injection::Kill { peer, secs } => {
                sim.kill_peer(peer, secs);
                format!("killed {} for {}", peer.label(), mins(secs))
            }
            Injection::Api { factor, secs } => {
                let extra = (factor - 1.0) * sim.users_rps();
                sim.add_load(extra, 0.0, secs);
                format!("API traffic x{factor} ({extra:.0} more requests/s) for {}", mins(secs))
            }
            Injection::Tasks { count, secs } => {
                sim.add_load(0.0, count / secs, secs);
                format!("{count:.0} extra agent tasks over {}", mins(secs))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_menu_line_parses_and_mistakes_say_what_is_wrong() {
        for (line, _) in MENU {
            assert!(parse(line).is_ok(), "{line}");
        }
        assert_eq!(parse("inject kill pg 90s"), Ok(Injection::Kill { peer: Peer::Postgres, secs: 90.0 }));
        assert_eq!(parse("inject load api"), Ok(Injection::Api { factor: 2.0, secs: 600.0 }));
        assert_eq!(parse("inject load tasks 20,000"), Ok(Injection::Tasks { count: 20000.0, secs: 300.0 }));
        let e = parse("inject kill dns").unwrap_err();
        assert!(e.starts_with("dns: not a peer the drill can kill; usage: inject kill"), "{e}");
        assert!(parse("inject load api x0.5").unwrap_err().starts_with("x0.5: a factor"));
        assert!(parse("inject kill redis forever").unwrap_err().starts_with("forever: not a duration"));
        assert!(parse("inject").is_err());
    }
}
