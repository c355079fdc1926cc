//! Levels, comparisons and thresholds: how a value is judged against the runbook.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a value reads at a glance. Ordered by severity so `max()` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Within thresholds.
    Ok,
    /// No value yet, or the source is not configured.
    Unknown,
    /// The last good value is too old: the source is failing.
    Stale,
    /// Past the warning threshold.
    Warn,
    /// Past the critical threshold.
    Crit,
}

impl Level {
    /// A word that reads the same without colour.
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Unknown => "N/A",
            Level::Stale => "STALE",
            Level::Warn => "WARN",
            Level::Crit => "CRIT",
        }
    }

    /// A one-cell symbol that reads the same without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Level::Ok => "✓",
            Level::Unknown => "?",
            Level::Stale => "~",
            Level::Warn => "▲",
            Level::Crit => "✖",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Unknown => "unknown",
            Level::Stale => "stale",
            Level::Warn => "warn",
            Level::Crit => "crit",
        }
    }

    /// True for the levels that need someone's attention.
    pub fn is_alarm(self) -> bool {
        matches!(self, Level::Warn | Level::Crit)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The comparison of a threshold, written as the runbook words it ("> 70%").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">")]
    Above,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
        }
    }

    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Comparison::Above => value > limit,
            Comparison::AtLeast => value >= limit,
            Comparison::Below => value < limit,
            Comparison::AtMost => value <= limit,
        }
    }

    /// True when larger values are worse.
    pub fn higher_is_worse(self) -> bool {
        matches!(self, Comparison::Above | Comparison::AtLeast)
    }
}

/// One bound: "> 1000".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub cmp: Comparison,
    pub value: f64,
}

impl Bound {
    pub const fn above(value: f64) -> Self {
        Bound { cmp: Comparison::Above, value }
    }
    pub const fn at_most(value: f64) -> Self {
        Bound { cmp: Comparison::AtMost, value }
    }
    pub const fn below(value: f64) -> Self {
        Bound { cmp: Comparison::Below, value }
    }
    pub fn holds(&self, v: f64) -> bool {
        self.cmp.holds(v, self.value)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.cmp.symbol(), crate::model::units::trim_number(self.value))
    }
}

/// Error from parsing a bound such as "> 70".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("expected a comparison and a number such as \"> 70\" or \"<= 80\", found {0:?}")]
pub struct BoundParseError(pub String);

impl FromStr for Bound {
    type Err = BoundParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (cmp, rest) = if let Some(r) = t.strip_prefix(">=") {
            (Comparison::AtLeast, r)
        } else if let Some(r) = t.strip_prefix("<=") {
            (Comparison::AtMost, r)
        } else if let Some(r) = t.strip_prefix('>') {
            (Comparison::Above, r)
        } else if let Some(r) = t.strip_prefix('<') {
            (Comparison::Below, r)
        } else {
            return Err(BoundParseError(s.to_string()));
        };
        let num = rest.trim().trim_end_matches('%').trim().replace('_', "");
        let value: f64 = num.parse().map_err(|_| BoundParseError(s.to_string()))?;
        if !value.is_finite() {
            return Err(BoundParseError(s.to_string()));
        }
        Ok(Bound { cmp, value })
    }
}

impl Serialize for Bound {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A warning and a critical bound for one metric. Either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Bound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit: Option<Bound>,
}

impl Threshold {
    pub const fn new(warn: Bound, crit: Bound) -> Self {
        Threshold { warn: Some(warn), crit: Some(crit) }
    }

    pub const NONE: Threshold = Threshold { warn: None, crit: None };

    /// Judge a value: critical first, then warning, else ok.
    pub fn level(&self, value: f64) -> Level {
        if value.is_nan() {
            return Level::Unknown;
        }
        if self.crit.is_some_and(|b| b.holds(value)) {
            Level::Crit
        } else if self.warn.is_some_and(|b| b.holds(value)) {
            Level::Warn
        } else {
            Level::Ok
        }
    }

    /// True when larger values are worse (decided by the warning bound, else the critical one).
    pub fn higher_is_worse(&self) -> bool {
        self.warn.or(self.crit).is_none_or(|b| b.cmp.higher_is_worse())
    }

    pub fn is_empty(&self) -> bool {
        self.warn.is_none() && self.crit.is_none()
    }

    /// "warn > 70 · crit > 85", or "no thresholds".
    pub fn describe(&self) -> String {
        match (self.warn, self.crit) {
            (Some(w), Some(c)) => format!("warn {w} · crit {c}"),
            (Some(w), None) => format!("warn {w}"),
            (None, Some(c)) => format!("crit {c}"),
            (None, None) => "no thresholds".to_string(),
        }
    }
}
