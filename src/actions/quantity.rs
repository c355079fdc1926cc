//! Kubernetes quantities as the resize action needs them: compare "2" with "2000m", double a
//! limit, hold it to the node size.

/// CPU in cores: "2", "1.5", "500m".
pub fn cpu_cores(q: &str) -> Option<f64> {
    let q = q.trim();
    let v = match q.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok()? / 1000.0,
        None => q.parse::<f64>().ok()?,
    };
    (v.is_finite() && v > 0.0).then_some(v)
}

/// Memory in bytes: "4Gi", "512Mi", "1G", "1048576".
pub fn memory_bytes(q: &str) -> Option<f64> {
    const SUFFIXES: [(&str, f64); 8] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    let q = q.trim();
    let (num, mult) = SUFFIXES.iter().find_map(|(s, m)| q.strip_suffix(s).map(|n| (n, *m))).unwrap_or((q, 1.0));
    let v = num.trim().parse::<f64>().ok()? * mult;
    (v.is_finite() && v > 0.0).then_some(v)
}

/// Two CPU quantities are the same amount.
pub fn same_cpu(a: Option<&str>, b: &str) -> bool {
    match (a.and_then(cpu_cores), cpu_cores(b)) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == Some(b),
    }
}

/// Two memory quantities are the same amount.
pub fn same_memory(a: Option<&str>, b: &str) -> bool {
    match (a.and_then(memory_bytes), memory_bytes(b)) {
        (Some(x), Some(y)) => (x - y).abs() < 0.5,
        _ => a == Some(b),
    }
}

/// Cores as a quantity: 2.0 -> "2", 1.5 -> "1500m".
pub fn format_cpu(cores: f64) -> String {
    if cores.fract().abs() < 1e-9 {
        format!("{}", cores as u64)
    } else {
        format!("{}m", (cores * 1000.0).round() as u64)
    }
}

/// Bytes as a quantity in Gi or Mi: 4 GiB -> "4Gi".
pub fn format_memory(bytes: f64) -> String {
    let gi = bytes / 1073741824.0;
    if gi >= 1.0 && gi.fract().abs() < 1e-9 {
        format!("{}Gi", gi as u64)
    } else {
        format!("{}Mi", (bytes / 1048576.0).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_compares() {
        assert_eq!(cpu_cores("500m"), Some(0.5));
        assert!(same_cpu(Some("2000m"), "2"));
        assert!(!same_cpu(Some("1"), "2"));
        assert_eq!(memory_bytes("4Gi"), Some(4.0 * 1073741824.0));
        assert!(same_memory(Some("4096Mi"), "4Gi"));
        assert_eq!(format_cpu(1.5), "1500m");
        assert_eq!(format_memory(4.0 * 1073741824.0), "4Gi");
        assert_eq!(format_memory(1536.0 * 1048576.0), "1536Mi");
        assert_eq!(cpu_cores("x"), None);
    }
}
