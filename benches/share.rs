//! What publishing costs the collector per refresh: every source's update of the incident
//! (half an hour in) encoded as the publisher encodes it (JSON), the comparison that
//! sends a marker instead when nothing changed, and its size on the stream. Prints figures;
//! `cargo bench --bench share`. The collector's whole CPU per minute is in
//! scripts/bench-share.sh; the ratio of the two is publishing's share.

use cockpit::model::{SourceId, SourceUpdate};
use cockpit::share::wire::{Msg, encode_update};
use cockpit::sim::{Scenario, SimSettings, Simulator};
use std::time::Instant;

fn main() {
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    sim.advance(1800.0);
    let mut refreshes = Vec::new();
    for _ in 0..200 {
        sim.advance(2.0);
        let at = sim.time();
        let ups: Vec<SourceUpdate> =
            sim.observe().into_iter().map(|d| SourceUpdate { source: d.source(), at, result: Ok(d) }).collect();
        refreshes.push(ups);
    }
    let mut bytes = 0usize;
    let mut last: std::collections::BTreeMap<SourceId, _> = Default::default();
    let t = Instant::now();
    for ups in &refreshes {
        for u in ups {
            // As the publisher does: a marker when the result did not change, else the update
            // encoded once (the stream's entry and the `latest` hash hold the same bytes).
            if last.get(&u.source) == Some(&u.result) {
                bytes += Msg::Same { source: u.source, at: u.at }.encode().1.len();
                continue;
            }
            last.insert(u.source, u.result.clone());
            bytes += encode_update(u).len();
        }
    }
    let per = t.elapsed().as_secs_f64() / refreshes.len() as f64;
    // Of which JSON alone (the rest is gzip).
    let t = Instant::now();
    let mut json_bytes = 0usize;
    for ups in &refreshes {
        for u in ups {
            json_bytes += serde_json::to_vec(u).map(|v| v.len()).unwrap_or(0);
        }
    }
    let json_per = t.elapsed().as_secs_f64() / refreshes.len() as f64;
    println!(
        "share: {:.0} µs of encoding per refresh of {} sources ({:.1} KiB on the stream per refresh, \
         {:.2} ms of CPU per minute at the default refresh of 2 s)",
        per * 1e6,
        SourceId::ALL.len(),
        bytes as f64 / refreshes.len() as f64 / 1024.0,
        per * 30.0 * 1000.0
    );
    println!(
        "share: of a whole refresh, JSON alone takes {:.0} µs for {:.1} KiB (the stream carries {:.1}× less: an unchanged source goes as a marker)",
        json_per * 1e6,
        json_bytes as f64 / refreshes.len() as f64 / 1024.0,
        json_bytes as f64 / bytes.max(1) as f64
    );
}
