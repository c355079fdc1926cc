//! Stream replies (XRANGE, XREVRANGE, XREAD) read from raw Redis values, in RESP2 or RESP3.

use redis::Value;

/// One stream entry: its id and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEntry {
    pub id: String,
    pub fields: Vec<(String, Vec<u8>)>,
}

impl StreamEntry {
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
    }

    /// The milliseconds of the id (the server's clock when it was added).
    pub fn millis(&self) -> Option<u64> {
        self.id.split('-').next()?.parse().ok()
    }
}

fn bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b.clone()),
        Value::SimpleString(s) => Some(s.clone().into_bytes()),
        Value::VerbatimString { text, .. } => Some(text.clone().into_bytes()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    bytes(v).and_then(|b| String::from_utf8(b).ok())
}

fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) | Value::Set(a) => a,
        _ => &[],
    }
}

fn entry(v: &Value) -> Option<StreamEntry> {
    let parts = items(v);
    let id = text(parts.first()?)?;
    let mut fields = Vec::new();
    match parts.get(1)? {
        Value::Map(m) => {
            for (k, v) in m {
                fields.push((text(k)?, bytes(v)?));
            }
        }
        other => {
            for kv in items(other).chunks(2) {
                if let [k, v] = kv {
                    fields.push((text(k)?, bytes(v)?));
                }
            }
        }
    }
    Some(StreamEntry { id, fields })
}

/// The entries of an XRANGE or XREVRANGE reply.
pub fn range(v: &Value) -> Vec<StreamEntry> {
    items(v).iter().filter_map(entry).collect()
}

/// The entries of an XREAD reply on one stream (nil when it timed out: none).
pub fn read(v: &Value) -> Vec<StreamEntry> {
    let streams: Vec<&Value> = match v {
        Value::Map(m) => m.iter().map(|(_, entries)| entries).collect(),
        Value::Array(a) => a.iter().filter_map(|s| items(s).get(1)).collect(),
        _ => Vec::new(),
    };
    streams.into_iter().flat_map(range).collect()
}

/// A hash (HGETALL) as field and value pairs.
pub fn hash(v: &Value) -> Vec<(String, Vec<u8>)> {
    match v {
        Value::Map(m) => m.iter().filter_map(|(k, v)| Some((text(k)?, bytes(v)?))).collect(),
        other => items(other)
            .chunks(2)
            .filter_map(|kv| match kv {
                [k, v] => Some((text(k)?, bytes(v)?)),
                _ => None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn resp2_and_resp3_shapes_read_alike() {
        let e = Value::Array(vec![bulk("17-0"), Value::Array(vec![bulk("k"), bulk("b"), bulk("d"), bulk("{}")])]);
        let resp2 = Value::Array(vec![Value::Array(vec![bulk("s"), Value::Array(vec![e.clone()])])]);
        let resp3 = Value::Map(vec![(bulk("s"), Value::Array(vec![e.clone()]))]);
        for r in [resp2, resp3] {
            let got = read(&r);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].id, "17-0");
            assert_eq!(got[0].millis(), Some(17));
            assert_eq!(got[0].field("k"), Some(&b"b"[..]));
            assert_eq!(got[0].field("d"), Some(&b"{}"[..]));
        }
        assert!(read(&Value::Nil).is_empty());
        let h = hash(&Value::Array(vec![bulk("redis"), bulk("x")]));
        assert_eq!(h, vec![("redis".to_string(), b"x".to_vec())]);
    }
}
