//! The PostgreSQL source: connections by state against max_connections, the longest-running
//! queries, replication lag, the top statements of pg_stat_statements when it is loaded, and
//! the measured round trip. One `SELECT 1` for the round trip, then every view in one batch.

use super::poll::Poller;
use crate::live::classify;
use crate::live::postgres::{PgTarget, connect};
use crate::model::state::{PostgresState, QueryInfo, StatementInfo};
use crate::model::{FailureKind, SourceData, SourceFailure, SourceId};
use std::time::Instant;
use tokio_postgres::{Client, SimpleQueryMessage};

/// The longest queries and top statements kept.
const TOP: usize = 5;

const ACTIVITY: &str = "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity \
     WHERE backend_type = 'client backend' GROUP BY 1";
const MAX_CONNECTIONS: &str = "SELECT current_setting('max_connections')";
const LONGEST: &str = "SELECT pid, coalesce(state, ''), extract(epoch FROM clock_timestamp() - query_start), \
     left(query, 200) FROM pg_stat_activity WHERE backend_type = 'client backend' \
     AND state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid() AND query_start IS NOT NULL \
     ORDER BY query_start LIMIT 5";
/// Standbys as the primary sees them, and this server's own lag when it is a standby.
const REPLICATION: &str = "SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text), \
     coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication \
     UNION ALL SELECT 'this server', coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0) \
     WHERE pg_is_in_recovery()";
const STATEMENTS_AVAILABLE: &str = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements' \
     AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'";
const STATEMENTS: &str = "SELECT calls, mean_exec_time, total_exec_time, left(query, 200) FROM pg_stat_statements \
     ORDER BY total_exec_time DESC LIMIT 5";

pub struct PostgresSource {
    target: PgTarget,
    client: Option<Client>,
    /// Whether pg_stat_statements can be read, asked once per connection.
    statements: Option<bool>,
}

impl PostgresSource {
    pub fn new(target: PgTarget) -> PostgresSource {
        PostgresSource { target, client: None, statements: None }
    }

    async fn client(&mut self) -> Result<&Client, SourceFailure> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.target).await?);
            self.statements = None;
        }
        self.client.as_ref().ok_or_else(|| SourceFailure::new(FailureKind::Other, "postgres: no connection"))
    }
}

impl Poller for PostgresSource {
    fn id(&self) -> SourceId {
        SourceId::Postgres
    }

    fn reset(&mut self) {
        self.client = None;
    }

    async fn refresh(&mut self) -> Result<SourceData, SourceFailure> {
        let context = format!("reading {}", self.target.display);
        let known = self.statements;
        let client = self.client().await?;
        let err = |e: tokio_postgres::Error| classify::postgres(&context, &e);
        let start = Instant::now();
        client.simple_query("SELECT 1").await.map_err(err)?;
        let round_trip_ms = start.elapsed().as_secs_f64() * 1000.0;
        let statements = match known {
            Some(s) => s,
            None => {
                let rows = results(client.simple_query(STATEMENTS_AVAILABLE).await.map_err(err)?);
                cell_u64(&rows, 0, 0).unwrap_or(0) > 0
            }
        };
        let mut batch = [ACTIVITY, MAX_CONNECTIONS, LONGEST, REPLICATION].join("; ");
        if statements {
            batch = format!("{batch}; {STATEMENTS}");
        }
        let sets = split_results(client.simple_query(&batch).await.map_err(err)?);
        self.statements = Some(statements);
        let get = |i: usize| sets.get(i).cloned().unwrap_or_default();
        let mut state = PostgresState { round_trip_ms, ..PostgresState::default() };
        for row in get(0) {
            let n: u32 = row.get(1).and_then(|v| v.parse().ok()).unwrap_or(0);
            state.total += n;
            *state.by_state.entry(row.first().cloned().unwrap_or_default()).or_default() += n;
        }
        state.max_connections = cell_u64(&get(1), 0, 0)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| SourceFailure::new(FailureKind::Protocol, "postgres: no max_connections"))?;
        state.longest = get(2)
            .into_iter()
            .take(TOP)
            .map(|r| QueryInfo {
                pid: r.first().and_then(|v| v.parse().ok()).unwrap_or(0),
                state: r.get(1).cloned().unwrap_or_default(),
                seconds: r.get(2).and_then(|v| v.parse().ok()).unwrap_or(0.0),
                query: r.get(3).cloned().unwrap_or_default(),
            })
            .collect();
        state.replica_lag = get(3)
            .into_iter()
            .map(|r| (r.first().cloned().unwrap_or_default(), r.get(1).and_then(|v| v.parse().ok()).unwrap_or(0.0)))
            .collect();
        state.top_statements = statements.then(|| {
            get(4)
                .into_iter()
                .take(TOP)
                .map(|r| StatementInfo {
                    calls: r.first().and_then(|v| v.parse().ok()).unwrap_or(0),
                    mean_ms: r.get(1).and_then(|v| v.parse().ok()).unwrap_or(0.0),
                    total_ms: r.get(2).and_then(|v| v.parse().ok()).unwrap_or(0.0),
                    query: r.get(3).cloned().unwrap_or_default(),
                })
                .collect()
        });
        Ok(SourceData::Postgres(state))
    }
}

type Rows = Vec<Vec<String>>;

/// The rows of a one-statement answer, as text.
fn results(messages: Vec<SimpleQueryMessage>) -> Rows {
    split_results(messages).into_iter().next().unwrap_or_default()
}

/// The rows of each statement of a batch, in order.
fn split_results(messages: Vec<SimpleQueryMessage>) -> Vec<Rows> {
    let mut sets = Vec::new();
    let mut cur: Rows = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::Row(row) => {
                cur.push((0..row.len()).map(|i| row.get(i).unwrap_or("").to_string()).collect());
            }
            SimpleQueryMessage::CommandComplete(_) => sets.push(std::mem::take(&mut cur)),
            _ => {}
        }
    }
    sets
}

fn cell_u64(rows: &Rows, row: usize, col: usize) -> Option<u64> {
    rows.get(row)?.get(col)?.trim().parse().ok()
}
