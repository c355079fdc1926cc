//! The window of a report: `--since 2h`, or `--from T --to T` with T in RFC 3339 or `HH:MM`
//! (today, local time); and what recordings exist, to name them when a window has none.

use crate::record::entry::Entry;
use crate::record::store;
use jiff::tz::TimeZone;
use std::path::Path;

/// A time as a user writes it, in wall-clock seconds: RFC 3339 (`2026-12-03T13:05:00Z`), a
/// civil date-time in `tz` (`2026-12-03 13:05`), or `HH:MM[:SS]` today in `tz`.
pub fn parse_time(s: &str, now: f64, tz: &TimeZone) -> Result<f64, String> {
    let s = s.trim();
    let secs = |ts: jiff::Timestamp| ts.as_millisecond() as f64 / 1000.0;
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(secs(ts));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(tz.clone()).map(|z| secs(z.timestamp())).map_err(|e| e.to_string());
    }
    if let Ok(time) = s.parse::<jiff::civil::Time>() {
        let today = jiff::Timestamp::from_millisecond((now * 1000.0) as i64)
            .map_err(|e| e.to_string())?
            .to_zoned(tz.clone())
            .date();
        return today.to_datetime(time).to_zoned(tz.clone()).map(|z| secs(z.timestamp())).map_err(|e| e.to_string());
    }
    Err(format!("{s:?}: expected a time as RFC 3339 (2026-12-03T13:05:00Z), a date and time, or HH:MM today"))
}

/// The window: `--since` before now, or `from`/`to` (each defaulting to a day ago and now).
pub fn window(
    since: Option<f64>,
    from: Option<&str>,
    to: Option<&str>,
    now: f64,
    tz: &TimeZone,
) -> Result<(f64, f64), String> {
    if let Some(s) = since {
        return Ok((now - s, now));
    }
    let to = to.map(|t| parse_time(t, now, tz)).transpose()?.unwrap_or(now);
    let from = from.map(|t| parse_time(t, now, tz)).transpose()?.unwrap_or(to - 86_400.0);
    if from >= to {
        return Err("--from must be before --to".into());
    }
    Ok((from, to))
}

/// The first and last moments a context's recordings hold (from its oldest and newest day
/// files), or None.
pub fn extent(root: &Path, context: &str) -> Option<(f64, f64)> {
    let (entries, _) = store::read(root, context, 0.0, 4_102_444_800.0).ok()?;
    let times = entries.iter().filter(|e| !matches!(e, Entry::Start(_))).map(Entry::t);
    let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| (lo.min(t), hi.max(t)));
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// "demo: 2026-12-03 12:00:05 UTC → 2026-12-03 13:40:11 UTC" for every context that has a
/// recording.
pub fn what_exists(root: &Path, tz: &TimeZone) -> Vec<String> {
    store::contexts(root)
        .into_iter()
        .filter_map(|c| {
            extent(root, &c).map(|(a, b)| format!("{c}: {} → {}", super::date_time(a, tz), super::date_time(b, tz)))
        })
        .collect()
}
