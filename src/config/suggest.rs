//! "Did you mean": the nearest known name to a mistyped one, for config, theme and keymap errors
//! and for the command line.

/// The known name nearest to `word`: one that contains it or is contained in it, else one
/// within a third of its length in edits (at most 3). None when nothing is close.
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    if lower.is_empty() {
        return None;
    }
    let known: Vec<&str> = known.into_iter().collect();
    let limit = (lower.chars().count() / 3).clamp(1, 3);
    let close =
        known.iter().map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k)).filter(|(d, _)| *d <= limit).min();
    close.map(|(_, k)| k).or_else(|| {
        known.iter().copied().find(|k| lower.len() >= 3 && (k.contains(lower.as_str()) || lower.contains(*k)))
    })
}

/// `message` with a hint when it says "unknown … X … expected …" and one of the expected names
/// is near X: serde's "unknown field `refresh_sec`, expected one of `refresh_secs`, …" and our
/// own `unknown metric "queue_dept"; expected one of: queue_depth, …`.
pub fn with_hint(message: &str) -> String {
    let Some(at) = message.find("unknown ") else { return message.to_string() };
    let Some(exp) = message[at..].find("expected").map(|e| at + e) else { return message.to_string() };
    let quoted = |s: &str| -> Option<String> {
        let start = s.find(['`', '"'])?;
        let q = s[start..].chars().next()?;
        let rest = &s[start + 1..];
        Some(rest[..rest.find(q)?].to_string())
    };
    let Some(word) = quoted(&message[at..exp]) else { return message.to_string() };
    let list = &message[exp + "expected".len()..];
    let names: Vec<&str> = list
        .split([',', '`', '"', ' ', ':', ';'])
        .map(str::trim)
        .filter(|n| !n.is_empty() && !matches!(*n, "one" | "of" | "or" | "and"))
        .collect();
    match nearest(&word, names) {
        Some(n) if n != word => format!("{message}; did you mean {n:?}?"),
        _ => message.to_string(),
    }
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_our_own_messages_get_the_nearest_name() {
        let serde = "unknown field `refresh_sec`, expected one of `refresh_secs`, `theme`, `keymap`";
        assert!(with_hint(serde).ends_with("; did you mean \"refresh_secs\"?"), "{}", with_hint(serde));
        let ours = "unknown metric \"queue_dept\"; expected one of: cpu_utilization, queue_depth, api_latency_p99";
        assert!(with_hint(ours).ends_with("did you mean \"queue_depth\"?"), "{}", with_hint(ours));
        let variant = "unknown variant `hight-contrast`, expected one of `dark`, `high-contrast`, `light`";
        assert!(with_hint(variant).contains("did you mean \"high-contrast\"?"));
    }

    #[test]
    fn nothing_close_gives_no_hint() {
        let m = "unknown field `zzzzzz`, expected one of `refresh_secs`, `theme`";
        assert_eq!(with_hint(m), m);
        assert_eq!(nearest("x", ["refresh_secs"]), None);
        assert_eq!(with_hint("a message without a name"), "a message without a name");
    }
}
