//! Labels shorten by rule, values never. Each label the panes show has its shorter forms here,
//! longest first; a pane asks for the longest form that fits its label column.

use super::flow::width;

/// A label and its shorter forms, longest first.
const TABLE: &[(&str, &[&str])] = &[
    // The Overview's rows (the runbook's key table).
    ("CPU (workers)", &["CPU wkrs", "CPU"]),
    ("Memory (workers)", &["Mem (workers)", "Mem wkrs", "Mem"]),
    ("Queue depth", &["Queue"]),
    ("API latency p99", &["API p99", "p99"]),
    ("Agent wait time", &["Agent wait", "Wait"]),
    // The model's full labels, as the "also needs attention" lines and the tiny layout use them.
    ("CPU utilization (workers)", &["CPU (workers)", "CPU wkrs"]),
    ("Memory utilization (workers)", &["Memory (workers)", "Mem wkrs"]),
    ("API error rate (5xx)", &["API 5xx rate", "API 5xx"]),
    ("API requests", &["API reqs"]),
    ("Tasks in flight", &["In flight"]),
    ("Worker throughput", &["Throughput", "Done"]),
    ("Time to drain queue", &["Drain time", "Drain"]),
    ("Redis clients (of max)", &["Redis clients", "Clients"]),
    ("Redis operations", &["Redis ops"]),
    ("Cache hit rate", &["Hit rate"]),
    ("DB connections (of max)", &["DB connections", "DB conns"]),
    ("Replica lag (max)", &["Replica lag", "Lag"]),
    ("DB round trip", &["DB RTT"]),
    // Pane rows.
    ("In flight", &["Inflight"]),
    ("Queue RTT", &["RTT"]),
    ("Requests", &["Reqs"]),
    ("Hit rate", &["Hits"]),
    ("Memory", &["Mem"]),
    ("Drain in", &["Drain"]),
    ("Replicas", &["Ready"]),
];

/// The forms of a label, longest first (the label itself when the table does not know it).
pub fn forms(label: &str) -> Vec<&str> {
    let mut out = vec![label];
    if let Some((_, short)) = TABLE.iter().find(|(full, _)| *full == label) {
        out.extend(short.iter().copied());
    }
    out
}

/// The longest form of `label` that fits in `w` cells. A label with no form that fits is cut:
/// the only text that is ever cut, because a label names a row and its value is whole beside it.
pub fn fit(label: &str, w: usize) -> String {
    forms(label)
        .into_iter()
        .find(|f| width(f) <= w)
        .map(str::to_string)
        .unwrap_or_else(|| label.chars().take(w).collect())
}

/// The width of the longest form of `label` that fits in `w`.
pub fn fit_width(label: &str, w: usize) -> usize {
    width(&fit(label, w))
}

/// The shortest form of a label.
pub fn shortest(label: &str) -> &str {
    forms(label).last().copied().unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_shortens_by_its_rule() {
        assert_eq!(fit("CPU (workers)", 17), "CPU (workers)");
        assert_eq!(fit("CPU (workers)", 12), "CPU wkrs");
        assert_eq!(fit("CPU (workers)", 5), "CPU");
        assert_eq!(fit("Agent wait time", 12), "Agent wait");
        assert_eq!(fit("Agent wait time", 6), "Wait");
        assert_eq!(shortest("API latency p99"), "p99");
    }

    #[test]
    fn every_shorter_form_is_shorter() {
        for (full, short) in TABLE {
            let mut last = width(full);
            for s in *short {
                assert!(width(s) < last, "{s:?} is not shorter than the form before it ({full:?})");
                last = width(s);
            }
        }
    }
}
