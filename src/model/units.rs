//! Units and the compact formatting the panes and snapshots share.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Millis,
    Seconds,
    Tasks,
    TasksPerMin,
    ReqPerSec,
    OpsPerSec,
    Count,
    Pods,
    Bytes,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Tasks => "tasks",
            Unit::TasksPerMin => "tasks/min",
            Unit::ReqPerSec => "req/s",
            Unit::OpsPerSec => "ops/s",
            Unit::Count => "",
            Unit::Pods => "pods",
            Unit::Bytes => "B",
        }
    }

    /// A value with its unit, short enough for a pane row: "72.4%", "1.2s", "10.3k".
    pub fn format(self, v: f64) -> String {
        if !v.is_finite() {
            return if v.is_infinite() { "∞".into() } else { "—".into() };
        }
        match self {
            Unit::Percent => {
                if v.abs() < 10.0 {
                    format!("{v:.1}%")
                } else {
                    format!("{v:.0}%")
                }
            }
            Unit::Millis => {
                if v >= 1000.0 {
                    format!("{:.2}s", v / 1000.0)
                } else {
                    format!("{v:.0}ms")
                }
            }
            Unit::Seconds => duration_short(v),
            Unit::Bytes => bytes(v),
            Unit::Tasks | Unit::Count | Unit::Pods => si(v),
            Unit::TasksPerMin => format!("{}/min", si(v)),
            Unit::ReqPerSec | Unit::OpsPerSec => format!("{}/s", si(v)),
        }
    }
}

/// "12", "1.2k", "45k", "1.3M".
pub fn si(v: f64) -> String {
    let a = v.abs();
    if a < 1000.0 {
        if a < 10.0 && a.fract().abs() > 0.05 { format!("{v:.1}") } else { format!("{v:.0}") }
    } else if a < 10_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if a < 1_000_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else {
        format!("{:.1}M", v / 1_000_000.0)
    }
}

/// "512B", "1.5KiB", "3.2GiB".
pub fn bytes(v: f64) -> String {
    const K: f64 = 1024.0;
    if v < K {
        format!("{v:.0}B")
    } else if v < K * K {
        format!("{:.1}KiB", v / K)
    } else if v < K * K * K {
        format!("{:.1}MiB", v / (K * K))
    } else {
        format!("{:.2}GiB", v / (K * K * K))
    }
}

/// "45s", "3m05s", "2h10m", "3d4h".
pub fn duration_short(secs: f64) -> String {
    if !secs.is_finite() {
        return "∞".into();
    }
    if secs < 10.0 {
        return format!("{secs:.1}s");
    }
    let s = secs.round() as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d{}h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// "T+00:12:30" style clock for simulated or elapsed time.
pub fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

/// A number without trailing zeros: 70 -> "70", 0.5 -> "0.5".
pub fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Parse "30m", "90s", "2h", "1h30m", "45" (seconds) into seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(v) = t.parse::<f64>() {
        return if v >= 0.0 { Ok(v) } else { Err(format!("negative duration {s:?}")) };
    }
    let mut total = 0.0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mult = match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86_400.0,
            _ => return Err(format!("unknown unit {c:?} in duration {s:?} (use s, m, h, d)")),
        };
        let v: f64 = num.parse().map_err(|_| format!("bad duration {s:?}: expected e.g. 30m, 90s, 1h30m"))?;
        total += v * mult;
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!("bad duration {s:?}: a number without a unit at the end"));
    }
    Ok(total)
}
