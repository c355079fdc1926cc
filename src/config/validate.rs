//! Validation of every value a user can set in `config.toml`: ranges, min <= max, names that
//! cannot be empty. An error points at the value itself (file, line and column from a second,
//! spanned parse of the text), never at the first place the key's name happens to appear.

use super::Config;
use super::error::ConfigError;
use crate::model::MetricId;
use crate::model::units::Unit;
use crate::model::units::trim_number;
use std::ops::{Range, RangeInclusive};
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// Where the values of a TOML document are.
pub struct Spans<'a> {
    root: Option<DeTable<'a>>,
}

impl<'a> Spans<'a> {
    pub fn parse(text: &'a str) -> Spans<'a> {
        Spans { root: DeTable::parse(text).ok().map(|t| t.into_inner()) }
    }

    /// The span of the value at `path` (`["limits", "api_pods", "min"]`), if the file sets it.
    pub fn value(&self, path: &[&str]) -> Option<Range<usize>> {
        let (last, parents) = path.split_last()?;
        let mut table = self.root.as_ref()?;
        for key in parents {
            match table.get(*key).map(|v| v.get_ref()) {
                Some(DeValue::Table(t)) => table = t,
                _ => return None,
            }
        }
        table.get(*last).map(|v| v.span())
    }

    /// The span of the key at `path` (for a value whose position is the whole table).
    pub fn key(&self, path: &[&str]) -> Option<Range<usize>> {
        let (last, parents) = path.split_last()?;
        let mut table = self.root.as_ref()?;
        for key in parents {
            match table.get(*key).map(|v| v.get_ref()) {
                Some(DeValue::Table(t)) => table = t,
                _ => return None,
            }
        }
        table.get_key_value(*last).map(|(k, _)| k.span())
    }
}

/// One value found wrong.
struct Problem {
    path: Vec<&'static str>,
    message: String,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: &[&'static str], message: impl Into<String>) {
        self.0.push(Problem { path: path.to_vec(), message: message.into() });
    }

    /// `value` must lie in `range` (and be a finite number).
    fn number(&mut self, path: &[&'static str], value: f64, range: RangeInclusive<f64>, expected: &str) {
        if !value.is_finite() || !range.contains(&value) {
            self.add(path, format!("{} = {}: expected {expected}", path.join("."), trim_number(value)));
        }
    }

    fn name(&mut self, path: &[&'static str], value: &str) {
        if value.trim().is_empty() {
            self.add(path, format!("{}: expected a name, found an empty string", path.join(".")));
        }
    }
}

/// Check every value of `c`; the error names the first bad value in the file's order.
pub fn validate(c: &Config, file: &Path, text: &str) -> Result<(), ConfigError> {
    let mut p = Problems::default();
    p.number(&["refresh_secs"], c.refresh_secs, 0.2..=3600.0, "a number of seconds between 0.2 and 3600");
    p.number(&["log_max_files"], c.log_max_files as f64, 1.0..=3660.0, "a number of files from 1 to 3660");
    limits(c, &mut p);
    capacity(c, &mut p);
    emergency(c, &mut p);
    sources(c, &mut p);
    actions(c, &mut p);
    record(c, &mut p);
    share(c, &mut p);
    let Some(first) = p.0.into_iter().map(|pr| locate(pr, file, text)).min_by_key(|e| (e.line, e.column)) else {
        return Ok(());
    };
    Err(first)
}

fn locate(pr: Problem, file: &Path, text: &str) -> ConfigError {
    let spans = Spans::parse(text);
    let span = spans.value(&pr.path).or_else(|| {
        // A value the file does not set is a default: blame the nearest table the file has.
        (1..pr.path.len()).rev().find_map(|n| spans.key(&pr.path[..n]))
    });
    match span {
        Some(s) => ConfigError::at(file, text, s.start, pr.message),
        None => ConfigError::whole_file(file, pr.message),
    }
}

fn limits(c: &Config, p: &mut Problems) {
    let l = &c.limits;
    // The API, the workers and the Redis shards cannot run on zero; a database may run without
    // replicas.
    for (name, r, least) in [
        ("api_pods", l.api_pods, 1),
        ("worker_pods", l.worker_pods, 1),
        ("redis_shards", l.redis_shards, 1),
        ("db_replicas", l.db_replicas, 0),
    ] {
        let (min_ok, max_ok) = (r.min >= least, r.max >= least.max(1));
        if !min_ok {
            p.add(&["limits", name, "min"], format!("limits.{name}.min = {}: expected at least {least}", r.min));
        }
        if !max_ok {
            p.add(
                &["limits", name, "max"],
                format!("limits.{name}.max = {}: expected at least {}", r.max, least.max(1)),
            );
        }
        if min_ok && max_ok && r.min > r.max {
            p.add(&["limits", name, "min"], format!("limits.{name}: min {} is above max {}", r.min, r.max));
        }
    }
}

fn capacity(c: &Config, p: &mut Problems) {
    let k = &c.capacity;
    let positive = "a positive number";
    p.number(&["capacity", "tasks_per_worker"], k.tasks_per_worker, f64::MIN_POSITIVE..=10_000.0, positive);
    p.number(&["capacity", "avg_processing_secs"], k.avg_processing_secs, f64::MIN_POSITIVE..=86_400.0, positive);
    p.number(&["capacity", "target_queue_secs"], k.target_queue_secs, f64::MIN_POSITIVE..=86_400.0, positive);
    let conns = "a number of connections, 0 or more";
    p.number(&["capacity", "conns_per_api_pod"], k.conns_per_api_pod, 0.0..=10_000.0, conns);
    p.number(&["capacity", "conns_per_worker"], k.conns_per_worker, 0.0..=10_000.0, conns);
    p.number(
        &["capacity", "connection_buffer"],
        k.connection_buffer,
        0.0..=1.0,
        "a fraction between 0 and 1 (0.2 for the runbook's 20% buffer)",
    );
}

fn emergency(c: &Config, p: &mut Problems) {
    let e = &c.emergency;
    p.number(&["emergency", "queue_depth"], e.queue_depth, 1.0..=f64::MAX, "a number of tasks above 0");
    p.number(&["emergency", "api_latency_ms"], e.api_latency_ms, 1.0..=3_600_000.0, "milliseconds above 0");
    p.number(
        &["emergency", "error_rate_pct"],
        e.error_rate_pct,
        f64::MIN_POSITIVE..=100.0,
        "a percentage above 0 and at most 100",
    );
    for (key, th) in &c.thresholds {
        let Some(id) = MetricId::from_key(key.get_ref()) else { continue };
        let id_key: &'static str = id.key();
        for (which, bound) in [("warn", th.get_ref().warn), ("crit", th.get_ref().crit)] {
            let Some(b) = bound else { continue };
            let most = if of_a_maximum(id) { 100.0 } else { f64::MAX };
            if !(0.0..=most).contains(&b.value) {
                let range = if most == 100.0 { "between 0 and 100" } else { "0 or more" };
                p.add(
                    &["thresholds", id_key, which],
                    format!("thresholds.{id_key}.{which} = \"{b}\": expected a value {range}"),
                );
            }
        }
    }
}

/// Percentages of a maximum (memory of maxmemory, connections of max_connections): above 100
/// they can never be reached.
pub(crate) fn of_a_maximum(id: MetricId) -> bool {
    id.unit() == Unit::Percent
        && matches!(
            id,
            MetricId::RedisMemory
                | MetricId::RedisClients
                | MetricId::RedisHitRate
                | MetricId::DbConnections
                | MetricId::DbCpu
                | MetricId::ApiErrorRate
        )
}

fn sources(c: &Config, p: &mut Problems) {
    let k = &c.kubernetes;
    for (name, v) in [
        ("namespace", &k.namespace),
        ("api_deployment", &k.api_deployment),
        ("worker_deployment", &k.worker_deployment),
        ("api_hpa", &k.api_hpa),
        ("worker_hpa", &k.worker_hpa),
        ("lease_name", &k.lease_name),
    ] {
        p.name(&["kubernetes", name], v);
    }
    if k.health_port == 0 {
        p.add(&["kubernetes", "health_port"], "kubernetes.health_port = 0: expected a port between 1 and 65535");
    }
    if !k.health_path.starts_with('/') {
        p.add(&["kubernetes", "health_path"], "kubernetes.health_path: expected a path starting with /");
    }
    let secs = "a number of seconds between 1 and 3600";
    p.number(&["kubernetes", "metrics_refresh_secs"], k.metrics_refresh_secs, 1.0..=3600.0, secs);
    if c.redis.queues.is_empty() {
        p.add(&["redis", "queues"], "redis.queues: expected at least one queue key");
    }
    if c.redis.queues.iter().any(|q| q.trim().is_empty()) {
        p.add(&["redis", "queues"], "redis.queues: expected queue keys, found an empty string");
    }
    p.name(&["redis", "processing_set"], &c.redis.processing_set);
    let a = &c.aws;
    p.number(&["aws", "cloudwatch_refresh_secs"], a.cloudwatch_refresh_secs, 1.0..=3600.0, secs);
    p.number(&["aws", "rds_refresh_secs"], a.rds_refresh_secs, 1.0..=3600.0, secs);
    if !statistic_ok(&a.latency_statistic) {
        p.add(
            &["aws", "latency_statistic"],
            format!(
                "aws.latency_statistic = {:?}: expected a percentile such as \"p99\" or one of Average, Maximum, Minimum, Sum, SampleCount",
                a.latency_statistic
            ),
        );
    }
    if let Some(w) = &c.notify.webhook
        && !(w.starts_with("https://") || w.starts_with("http://"))
    {
        // The URL itself is not repeated: a webhook's secret is often in it.
        p.add(&["notify", "webhook"], "notify.webhook: expected an http:// or https:// URL");
    }
}

/// A CloudWatch statistic: a named one or a percentile "pNN(.N)".
fn statistic_ok(s: &str) -> bool {
    if ["Average", "Maximum", "Minimum", "Sum", "SampleCount"].contains(&s) {
        return true;
    }
    s.strip_prefix('p').and_then(|n| n.parse::<f64>().ok()).is_some_and(|v| v > 0.0 && v <= 100.0)
}

fn actions(c: &Config, p: &mut Problems) {
    let a = &c.actions;
    let mut secs = |name: &'static str, v: u64, lo: u64, hi: u64, why: &str| {
        if !(lo..=hi).contains(&v) {
            p.add(&["actions", name], format!("actions.{name} = {v}: expected {lo} to {hi} seconds{why}"));
        }
    };
    // The lock is renewed at safe points a third of its TTL apart: shorter than this and a
    // single write or probe could outlast it.
    secs("lock_ttl_secs", a.lock_ttl_secs, 15, 3600, " (the lock is renewed every third of it)");
    secs("ready_timeout_secs", a.ready_timeout_secs, 10, 86_400, "");
    // The drain form asks for 1 to 240 minutes.
    secs("drain_timeout_secs", a.drain_timeout_secs, 60, 240 * 60, "");
    secs("scale_down_wait_secs", a.scale_down_wait_secs, 0, 86_400, "");
    secs("rds_timeout_secs", a.rds_timeout_secs, 60, 86_400, "");
    // Redis cluster (issue 9)
    secs("reshard_timeout_secs", a.reshard_timeout_secs, 10, 86_400, "");
    // Read replicas (issue 9)
    let conns = "a number of connections, 0 or more";
    if let Some(v) = a.replica_conns_per_api_pod {
        p.number(&["actions", "replica_conns_per_api_pod"], v, 0.0..=10_000.0, conns);
    }
    if let Some(v) = a.replica_conns_per_worker {
        p.number(&["actions", "replica_conns_per_worker"], v, 0.0..=10_000.0, conns);
    }
    for (id, hp) in &c.postgres.replica_hosts {
        let ok = hp.rsplit_once(':').is_some_and(|(h, port)| !h.is_empty() && port.parse::<u16>().is_ok());
        if !ok {
            p.add(&["postgres", "replica_hosts"], format!("postgres.replica_hosts.{id} = {hp:?}: expected HOST:PORT"));
        }
    }
}

fn share(c: &Config, p: &mut Problems) {
    let s = &c.share;
    p.number(
        &["share", "history_minutes"],
        s.history_minutes as f64,
        10.0..=10_080.0,
        "minutes from 10 to 10080 (a week)",
    );
    p.number(
        &["share", "history_max_entries"],
        s.history_max_entries as f64,
        1000.0..=10_000_000.0,
        "a number of entries from 1000 to 10000000",
    );
    if let Some(name) = &s.name {
        p.name(&["share", "name"], name);
    }
}

fn record(c: &Config, p: &mut Problems) {
    let r = &c.record;
    p.number(&["record", "keep_days"], r.keep_days as f64, 1.0..=3660.0, "a number of days from 1 to 3660");
    p.number(&["record", "max_mib"], r.max_mib as f64, 1.0..=1_048_576.0, "a number of MiB from 1 to 1048576");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        Config::parse(Path::new("c.toml"), text).expect_err(text)
    }

    #[test]
    fn spans_point_at_values_in_inline_and_dotted_tables() {
        let text = "[limits]\napi_pods = { min = 0, max = 0 }\n[capacity]\nconnection_buffer = -0.5\n";
        let s = Spans::parse(text);
        let r = s.value(&["limits", "api_pods", "max"]).unwrap();
        assert_eq!(&text[r], "0");
        let r = s.value(&["capacity", "connection_buffer"]).unwrap();
        assert_eq!(&text[r], "-0.5");
        assert!(s.value(&["capacity", "tasks_per_worker"]).is_none());
    }

    #[test]
    fn the_error_is_at_the_value_not_at_the_first_mention_of_its_name() {
        // "queue_depth" appears first as a threshold: the emergency's is the bad one.
        let e = err("[thresholds]\nqueue_depth = { warn = \"> 10\" }\n[emergency]\nqueue_depth = -5\n");
        assert_eq!((e.line, e.column), (4, 15), "{e}");
        assert!(e.message.contains("emergency.queue_depth = -5: expected a number of tasks above 0"), "{e}");
    }

    #[test]
    fn record_is_a_switch_or_a_table_and_its_bounds_are_checked() {
        let off = Config::parse(Path::new("c.toml"), "record = false\n").expect("record = false");
        assert!(!off.record.enabled);
        let t = Config::parse(Path::new("c.toml"), "[record]\nkeep_days = 3\nmax_mib = 64\n").expect("table");
        assert!(t.record.enabled);
        assert_eq!(t.record.retention().max_bytes, 64 * 1024 * 1024);
        assert!(Config::default().record.enabled, "on unless turned off");
        let e = err("refresh_secs = 2\n[record]\nkeep_days = 0\n");
        assert_eq!((e.line, e.column), (3, 13), "{e}");
        assert!(e.message.contains("record.keep_days = 0: expected a number of days from 1 to 3660"), "{e}");
        let e = err("[record]\nmax_mib = 0\n");
        assert!(e.message.contains("record.max_mib = 0"), "{e}");
        let e = err("[record]\nkeepdays = 3\n");
        assert!(e.message.contains("unknown field `keepdays`") && e.line == 2, "{e}");
        assert!(err("record = 3\n").message.contains("true, false, or a table"));
    }
}
