//! A report as text (80 columns for its metric table) and as Markdown (for a chat): the same
//! things in the same order as its JSON.

use super::{MetricRow, Report, SourceRow};
use crate::model::gap::Gap;
use crate::model::units;

impl Report {
    /// "taken 2025-03-01T03:12:45+01:00 (Europe/Paris)" and the simulated time of a demo.
    fn when(&self) -> String {
        let taken = format!("taken {} ({})", self.taken_at, self.time_zone);
        match &self.simulated {
            Some(s) => format!("simulated {} · {taken}", s.time),
            None => taken,
        }
    }

    fn cluster(&self) -> Option<String> {
        self.kubernetes.as_ref().map(|k| {
            let ctx = k.context.as_deref().map(|c| format!("context {c}")).unwrap_or_else(|| "in-cluster".into());
            format!("kubernetes {ctx} · namespace {} · API server {}", k.namespace, k.server)
        })
    }

    fn worst_text(&self) -> String {
        let mut s = format!("{} {}", self.worst.symbol(), self.worst.word());
        if !self.emergency.is_empty() {
            s = format!("EMERGENCY (and {s})");
        }
        s
    }

    /// The connections open now, and what the formula needs.
    fn connections_text(&self) -> (String, String) {
        let c = &self.database_connections;
        let now = match (c.open, c.max_connections) {
            (Some(open), Some(max)) if max > 0 => {
                let states: Vec<String> = c.by_state.iter().map(|(k, v)| format!("{k} {v}")).collect();
                let states = if states.is_empty() { String::new() } else { format!(" ({})", states.join(", ")) };
                format!("{open} open of max_connections {max}{states}")
            }
            (Some(open), _) => format!("{open} open"),
            _ => "open: not read (PostgreSQL is not live)".into(),
        };
        let p = &c.plan;
        let formula = format!(
            "the formula needs {} for {} API pods and {} workers{}: {}",
            units::trim_number(p.required.round()),
            p.api_pods,
            p.workers,
            if p.exceeds_max { format!(", MORE THAN max_connections {}", p.max_connections) } else { String::new() },
            p.plugged,
        );
        (now, formula)
    }

    fn source_text(s: &SourceRow) -> String {
        let word = match s.status.state {
            "live" => "✓ live",
            "stale" => "~ STALE",
            "connecting" => "… connecting",
            _ => "not configured",
        };
        match &s.status.detail {
            Some(d) => format!("{word}: {d}"),
            None => word.to_string(),
        }
    }

    fn gaps(&self) -> impl Iterator<Item = (&MetricRow, &Gap)> {
        self.metrics.iter().filter_map(|m| m.gap.as_ref().map(|g| (m, g)))
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("cockpit snapshot · {}\n", self.origin);
        if !self.emergency.is_empty() {
            out.push_str(&format!("EMERGENCY (runbook): {}\n", self.emergency.join("; ")));
        }
        out.push_str(&format!("{} · cockpit {}\n", self.when(), self.cockpit_version));
        if let Some(c) = self.cluster() {
            out.push_str(&format!("{c}\n"));
        }
        out.push_str(&format!("worst level: {}\n", self.worst_text()));
        out.push_str("\nSOURCES\n");
        for s in &self.sources {
            out.push_str(&format!("  {:<11} {}\n", s.source.name(), Self::source_text(s)));
        }
        let (now, formula) = self.connections_text();
        let formula = formula.replacen(": ", ":\n    ", 1);
        out.push_str(&format!("\nDATABASE CONNECTIONS\n  {now}\n  {formula}\n"));
        // 80 columns: the widest label (28), a value or the words of its gap ("not configured"),
        // the level, both bounds and the trend as an arrow.
        out.push_str(&format!(
            "\n{:<28} {:>14} {:<7} {:<12} {:<12} {}\n",
            "METRIC", "VALUE", "LEVEL", "WARN", "CRIT", "T"
        ));
        for m in &self.metrics {
            let line = format!(
                "{:<28} {:>14} {:<7} {:<12} {:<12} {}",
                m.label,
                m.display,
                format!("{} {}", m.level.symbol(), m.level.word()),
                m.warn.as_deref().unwrap_or("-"),
                m.crit.as_deref().unwrap_or("-"),
                trend_arrow(m.trend),
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push_str("T: trend, ↑ rising, ↓ falling, → steady (blank: not known yet)\n");
        let gaps: Vec<String> = self.gaps().map(|(m, g)| format!("  {}: {}\n", m.label, g.describe())).collect();
        if !gaps.is_empty() {
            out.push_str("\nNO VALUE\n");
            out.push_str(&gaps.concat());
        }
        out.push_str("\nREPLICAS\n");
        for r in &self.replicas {
            out.push_str(&format!(
                "  {:<14} desired {:<4} ready {:<4} hpa {}..{} -> {}\n",
                r.deployment.as_deref().unwrap_or(r.workload.label()),
                opt(r.desired),
                opt(r.ready),
                opt(r.hpa_min),
                opt(r.hpa_max),
                opt(r.hpa_desired)
            ));
        }
        if let Some(l) = &self.action_lock {
            out.push_str(&format!("\nACTION LOCK\n  {}\n", l.describe()));
        }
        out.push_str(&format!(
            "\nWORKERS\n  needed {} (recommended {}{}):\n    {}\n",
            self.capacity.needed,
            self.capacity.recommended,
            if self.capacity.exceeds_max { ", DEMAND EXCEEDS THE RUNBOOK MAXIMUM" } else { "" },
            self.capacity.plugged
        ));
        out
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!("### cockpit snapshot: {}\n\n", md(&self.origin));
        if !self.emergency.is_empty() {
            out.push_str(&format!("**EMERGENCY (runbook):** {}\n\n", md(&self.emergency.join("; "))));
        }
        out.push_str(&format!(
            "**Worst level:** {} · {} · cockpit {}\n",
            self.worst_text(),
            self.when(),
            self.cockpit_version
        ));
        if let Some(c) = self.cluster() {
            out.push_str(&format!("\n{}\n", md(&c)));
        }
        out.push_str("\n| Source | Status |\n|---|---|\n");
        for s in &self.sources {
            out.push_str(&format!("| {} | {} |\n", s.source.name(), md(&Self::source_text(s))));
        }
        let (now, formula) = self.connections_text();
        out.push_str(&format!("\n**Database connections:** {}; {}\n", md(&now), md(&formula)));
        out.push_str("\n| Metric | Value | Level | Trend | Warning | Critical |\n|---|---:|---|---|---|---|\n");
        for m in &self.metrics {
            out.push_str(&format!(
                "| {} | {} | {} {} | {} | {} | {} |\n",
                m.label,
                md(&m.display),
                m.level.symbol(),
                m.level.word(),
                m.trend,
                md(m.warn.as_deref().unwrap_or("—")),
                md(m.crit.as_deref().unwrap_or("—"))
            ));
        }
        let gaps: Vec<String> = self.gaps().map(|(m, g)| format!("- {}: {}\n", m.label, md(&g.describe()))).collect();
        if !gaps.is_empty() {
            out.push_str("\n**No value:**\n\n");
            out.push_str(&gaps.concat());
        }
        out.push_str(
            "\n| Deployment | Desired | Ready | HPA min | HPA max | HPA desired |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.replicas {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                r.deployment.as_deref().unwrap_or(r.workload.label()),
                opt(r.desired),
                opt(r.ready),
                opt(r.hpa_min),
                opt(r.hpa_max),
                opt(r.hpa_desired)
            ));
        }
        if let Some(l) = &self.action_lock {
            out.push_str(&format!("\n**Action lock:** {}\n", md(&l.describe())));
        }
        out.push_str(&format!(
            "\n**Workers:** {} → recommended **{}**{}\n",
            md(&self.capacity.plugged),
            self.capacity.recommended,
            if self.capacity.exceeds_max { " (demand exceeds the runbook maximum)" } else { "" }
        ));
        out
    }
}

fn trend_arrow(word: &str) -> &'static str {
    match word {
        "rising" => "↑",
        "falling" => "↓",
        "steady" => "→",
        _ => "",
    }
}

/// Text for a Markdown table cell: no column breaks.
fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}
