//! Kubernetes quantities ("500m", "2", "4Gi") as the simulator needs them.

/// CPU in cores: "2", "1.5", "500m".
pub fn cpu_cores(q: &str) -> Option<f64> {
    let q = q.trim();
    let v = if let Some(m) = q.strip_suffix('m') { m.parse::<f64>().ok()? / 1000.0 } else { q.parse::<f64>().ok()? };
    (v.is_finite() && v > 0.0).then_some(v)
}

/// Memory in MiB: "4Gi", "512Mi", "1G", "1000M", "1048576".
pub fn memory_mib(q: &str) -> Option<f64> {
    let bytes = quantity(q)?;
    (bytes > 0.0).then_some(bytes / (1024.0 * 1024.0))
}

/// Any quantity as a plain number ("100" -> 100, "1500m" -> 1.5, "1Ki" -> 1024).
pub fn quantity(q: &str) -> Option<f64> {
    const SUFFIXES: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
    ];
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let (num, mult) = SUFFIXES.iter().find_map(|(s, m)| q.strip_suffix(s).map(|n| (n, *m))).unwrap_or((q, 1.0));
    let v = num.parse::<f64>().ok()? * mult;
    (v.is_finite() && v >= 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_quantities() {
        assert_eq!(cpu_cores("2"), Some(2.0));
        assert_eq!(cpu_cores("500m"), Some(0.5));
        assert_eq!(cpu_cores("0"), None);
        assert_eq!(cpu_cores("two"), None);
        assert_eq!(memory_mib("4Gi"), Some(4096.0));
        assert_eq!(memory_mib("512Mi"), Some(512.0));
        assert_eq!(quantity("100"), Some(100.0));
        assert_eq!(quantity("1500m"), Some(1.5));
        assert_eq!(quantity(""), None);
        assert_eq!(memory_mib("-1Gi"), None);
    }
}
