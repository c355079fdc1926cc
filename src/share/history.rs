//! The stream's history read back: a viewer's backfill at join, and `cockpit report --share`.

use super::bus::Bus;
use super::keys::Keys;
use super::reply;
use crate::model::SourceFailure;
use crate::record::entry::Entry;

/// Entries per request.
const PAGE: usize = 2000;

/// The history entries between the wall-clock times `from` and `to` (seconds; `to` None: up
/// to the newest), oldest first.
pub async fn range(bus: &mut Bus, keys: &Keys, from: f64, to: Option<f64>) -> Result<Vec<Entry>, SourceFailure> {
    let mut start = format!("{}", (from.max(0.0) * 1000.0) as u64);
    let end = to.map(|t| format!("{}", (t.max(0.0) * 1000.0) as u64)).unwrap_or_else(|| "+".into());
    let mut out = Vec::new();
    loop {
        let page: redis::Value =
            bus.query(redis::cmd("XRANGE").arg(&keys.history).arg(&start).arg(&end).arg("COUNT").arg(PAGE)).await?;
        let page = reply::range(&page);
        let Some(last) = page.last() else { break };
        start = format!("({}", last.id);
        let full = page.len() == PAGE;
        out.extend(page.iter().filter_map(|e| serde_json::from_slice::<Entry>(e.field("e")?).ok()));
        if !full {
            break;
        }
    }
    Ok(out)
}

/// The newest run start before `before` (wall-clock seconds): what a window that begins in
/// the middle of a run needs to read its samples (their metrics, their thresholds).
pub async fn start_before(bus: &mut Bus, keys: &Keys, before: f64) -> Result<Option<Entry>, SourceFailure> {
    let mut end = format!("({}", (before.max(0.0) * 1000.0) as u64);
    loop {
        let page: redis::Value =
            bus.query(redis::cmd("XREVRANGE").arg(&keys.history).arg(&end).arg("-").arg("COUNT").arg(PAGE)).await?;
        let page = reply::range(&page);
        let Some(last) = page.last() else { return Ok(None) };
        for e in &page {
            if let Some(Entry::Start(s)) = e.field("e").and_then(|d| serde_json::from_slice::<Entry>(d).ok()) {
                return Ok(Some(Entry::Start(s)));
            }
        }
        if page.len() < PAGE {
            return Ok(None);
        }
        end = format!("({}", last.id);
    }
}
