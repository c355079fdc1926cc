//! What goes on the stream, and how it is encoded: JSON. Updates are not compressed: gzip cost
//! the collector 0.6 ms a refresh (a new compressor's tables for every update) for 14 KiB that
//! Redis keeps a few hundred of; JSON alone is 16 µs (`cargo bench --bench share`). A gzipped
//! update (from an earlier collector) is still read.

use crate::model::{BoardSettings, Level, SourceId, SourceUpdate};
#[cfg(test)]
use flate2::Compression;
use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};
use std::io::Read;
#[cfg(test)]
use std::io::Write;

/// Who publishes, on which clock, against which thresholds: the first thing a viewer reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// This run of the collector: `user@host pid N`.
    pub id: String,
    pub version: String,
    /// Wall-clock seconds (Unix) of the data clock's zero: every `at` on the stream counts
    /// from it. A collector that takes over keeps its predecessor's.
    pub epoch: f64,
    /// Wall-clock seconds when this collector started publishing.
    pub since: f64,
    pub refresh_secs: f64,
    /// The thresholds, limits and rules the collector judges by: viewers judge by the same.
    pub settings: BoardSettings,
    /// The sources the collector has configured (the others are "not configured" for viewers).
    pub configured: Vec<SourceId>,
    /// What the collector looks at ("context prod · redis://..." or "demo incident (seed 7)").
    pub target: String,
    /// "live" or "demo".
    pub origin: String,
}

/// A line of a guided action's progress (its steps, its end), as the acting cockpit's timeline
/// has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionLine {
    pub at: f64,
    pub level: Level,
    pub text: String,
}

/// One entry of the `updates` stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Hello(Box<Hello>),
    Update(Box<SourceUpdate>),
    /// The collector is alive at `at` (its clock), even when nothing changed.
    Beat {
        id: String,
        at: f64,
    },
    /// The source answered at `at` with what it answered before.
    Same {
        source: SourceId,
        at: f64,
    },
    Action(ActionLine),
}

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("unknown entry kind {0:?}")]
    Kind(String),
    #[error("entry without its {0} field")]
    Missing(&'static str),
    #[error("undecodable entry: {0}")]
    Decode(String),
}

#[derive(Serialize, Deserialize)]
struct Beat {
    id: String,
    at: f64,
}

#[derive(Serialize, Deserialize)]
struct Same {
    source: SourceId,
    at: f64,
}

impl Msg {
    /// The kind letter and the payload of the stream entry.
    pub fn encode(&self) -> (&'static str, Vec<u8>) {
        match self {
            Msg::Hello(h) => ("h", json(h.as_ref())),
            Msg::Update(u) => ("u", encode_update(u)),
            Msg::Beat { id, at } => ("b", json(&Beat { id: id.clone(), at: *at })),
            Msg::Same { source, at } => ("s", json(&Same { source: *source, at: *at })),
            Msg::Action(a) => ("a", json(a)),
        }
    }

    pub fn decode(kind: &str, data: &[u8]) -> Result<Msg, WireError> {
        let bad = |e: serde_json::Error| WireError::Decode(e.to_string());
        Ok(match kind {
            "h" => Msg::Hello(Box::new(serde_json::from_slice(data).map_err(bad)?)),
            "u" => Msg::Update(Box::new(decode_update(data)?)),
            "b" => {
                let b: Beat = serde_json::from_slice(data).map_err(bad)?;
                Msg::Beat { id: b.id, at: b.at }
            }
            "s" => {
                let s: Same = serde_json::from_slice(data).map_err(bad)?;
                Msg::Same { source: s.source, at: s.at }
            }
            "a" => Msg::Action(serde_json::from_slice(data).map_err(bad)?),
            other => return Err(WireError::Kind(other.to_string())),
        })
    }
}

/// An update as the stream and the `latest` hash keep it.
pub fn encode_update(u: &SourceUpdate) -> Vec<u8> {
    json(u)
}

pub fn decode_update(data: &[u8]) -> Result<SourceUpdate, WireError> {
    let plain = if data.starts_with(&[0x1f, 0x8b]) { gunzip(data)? } else { data.to_vec() };
    serde_json::from_slice(&plain).map_err(|e| WireError::Decode(e.to_string()))
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    GzDecoder::new(bytes).read_to_end(&mut out).map_err(|e| WireError::Decode(format!("gzip: {e}")))?;
    Ok(out)
}

/// A value as JSON (the wire's types always serialize).
fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FailureKind, SourceFailure};

    #[test]
    fn every_kind_comes_back_as_it_went() {
        let hello = Hello {
            id: "ana@bastion pid 7".into(),
            version: "0.1.0".into(),
            epoch: 1_700_000_000.25,
            since: 1_700_000_100.0,
            refresh_secs: 2.0,
            settings: BoardSettings::default(),
            configured: vec![SourceId::Kube, SourceId::Redis],
            target: "context prod".into(),
            origin: "live".into(),
        };
        let fail = SourceUpdate {
            source: SourceId::Redis,
            at: 12.5,
            result: Err(SourceFailure::new(FailureKind::Refused, "redis: connection refused")),
        };
        for m in [
            Msg::Hello(Box::new(hello)),
            Msg::Update(Box::new(fail)),
            Msg::Beat { id: "x".into(), at: 3.0 },
            Msg::Same { source: SourceId::Postgres, at: 3.5 },
            Msg::Action(ActionLine { at: 4.0, level: Level::Warn, text: "scale-workers: step 2".into() }),
        ] {
            let (k, d) = m.encode();
            assert_eq!(Msg::decode(k, &d).expect("decodes"), m);
        }
        assert!(matches!(Msg::decode("z", b"{}"), Err(WireError::Kind(_))));
        // An update gzipped by an earlier collector still reads.
        let u =
            SourceUpdate { source: SourceId::Rds, at: 1.0, result: Err(SourceFailure::new(FailureKind::Timeout, "x")) };
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&serde_json::to_vec(&u).expect("json")).expect("gzip");
        assert_eq!(decode_update(&enc.finish().expect("gzip")).expect("decodes"), u);
        assert!(matches!(Msg::decode("u", b"not gzip"), Err(WireError::Decode(_))));
    }
}
