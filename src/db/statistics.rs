//! Planner statistics and, on PostgreSQL, the visibility map, kept fresh after large
//! writes. The statement queries are written so that the planner walks the right index
//! whatever its statistics say (issue 19 measured them never analysed), but other reads
//! (the console's, the engine's) still lean on row estimates, and on PostgreSQL an
//! index-only scan skips the table only for pages a VACUUM has marked all-visible.
//!
//! PostgreSQL: when `autovacuum` is on, it does this and the server does nothing. When it
//! is off (as on the machine the benchmarks run on), the server applies autovacuum's own
//! default thresholds to `pg_stat_user_tables` of its schema: ANALYZE a table once
//! 50 + 10 % of its rows changed since the last one, VACUUM it once 1,000 + 20 % of its
//! rows were inserted since the last one. The counters are the database's, so several
//! instances sharing it see the same figures; two that decide at once run the same
//! command twice, which is harmless.
//!
//! SQLite: `PRAGMA optimize` over every table (mask 0x10002) with `analysis_limit`, which
//! re-analyses only tables whose size moved a lot since their last analysis and reads at
//! most a bounded sample of each index, so a refresh takes milliseconds at any size.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use tokio::task::JoinHandle;

use super::Db;

/// What one refresh did: the tables analysed and vacuumed (PostgreSQL), or that
/// `PRAGMA optimize` ran (SQLite).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refreshed {
    pub analysed: Vec<String>,
    pub vacuumed: Vec<String>,
}

/// Rows SQLite's ANALYZE reads per index at most (`PRAGMA analysis_limit`).
const SQLITE_ANALYSIS_LIMIT: u32 = 1_000;

/// Refreshes what is due, by the thresholds above. PostgreSQL with autovacuum on: nothing.
pub async fn refresh_due(db: &Db) -> Result<Refreshed, DbErr> {
    match db.backend() {
        DbBackend::Postgres => {
            if autovacuum_on(db).await? {
                return Ok(Refreshed::default());
            }
            let due = postgres_due(db).await?;
            postgres_run(db, due).await
        }
        _ => sqlite_optimize(db).await,
    }
}

/// Refreshes every table now, whatever the thresholds say (after a bulk import; the
/// query benchmark's "fresh" statistics). PostgreSQL: VACUUM (ANALYZE) of each table of
/// the schema; SQLite: as `refresh_due`, with every table analysed afresh.
pub async fn refresh_all(conn: &impl ConnectionTrait) -> Result<Refreshed, DbErr> {
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            let tables = postgres_tables(conn).await?;
            for table in &tables {
                conn.execute_unprepared(&format!("VACUUM (ANALYZE) {}", quoted(table)))
                    .await?;
            }
            Ok(Refreshed {
                analysed: tables.clone(),
                vacuumed: tables,
            })
        }
        _ => {
            conn.execute_unprepared(&format!(
                "PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}; ANALYZE"
            ))
            .await?;
            Ok(Refreshed {
                analysed: vec!["*".to_owned()],
                vacuumed: Vec::new(),
            })
        }
    }
}

/// The background task: `refresh_due` every `every`; stopped when dropped.
pub struct StatisticsRefresher(JoinHandle<()>);

impl StatisticsRefresher {
    pub fn start(db: Db, every: Duration) -> StatisticsRefresher {
        StatisticsRefresher(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is immediate; a server that just started has nothing due.
            ticks.tick().await;
            loop {
                ticks.tick().await;
                match refresh_due(&db).await {
                    Ok(done) if done.analysed.is_empty() && done.vacuumed.is_empty() => {}
                    Ok(done) => tracing::info!(
                        analysed = ?done.analysed,
                        vacuumed = ?done.vacuumed,
                        "planner statistics refreshed"
                    ),
                    // Retried on the next tick; queries keep their plans meanwhile.
                    Err(e) => tracing::warn!(error = %e, "statistics refresh failed"),
                }
            }
        }))
    }
}

impl Drop for StatisticsRefresher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn autovacuum_on(db: &Db) -> Result<bool, DbErr> {
    let row = db
        .conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('autovacuum') AS on",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("current_setting returned no row".into()))?;
    Ok(row.try_get::<String>("", "on")? == "on")
}

/// Tables past autovacuum's default thresholds: (name, analyse, vacuum).
async fn postgres_due(db: &Db) -> Result<Vec<(String, bool, bool)>, DbErr> {
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT t.relname AS name, \
               t.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0) AS analyse, \
               t.n_ins_since_vacuum > 1000 + 0.2 * GREATEST(c.reltuples, 0) AS vacuum \
             FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid \
             WHERE t.schemaname = current_schema()",
        ))
        .await?;
    let mut due = Vec::new();
    for row in &rows {
        let (analyse, vacuum) = (row.try_get("", "analyse")?, row.try_get("", "vacuum")?);
        if analyse || vacuum {
            due.push((row.try_get::<String>("", "name")?, analyse, vacuum));
        }
    }
    Ok(due)
}

async fn postgres_run(db: &Db, due: Vec<(String, bool, bool)>) -> Result<Refreshed, DbErr> {
    let mut done = Refreshed::default();
    for (table, analyse, vacuum) in due {
        // VACUUM cannot run inside a transaction: each command is its own, on the pool.
        let command = match (vacuum, analyse) {
            (true, true) => "VACUUM (ANALYZE)",
            (true, false) => "VACUUM",
            _ => "ANALYZE",
        };
        db.conn
            .execute_unprepared(&format!("{command} {}", quoted(&table)))
            .await?;
        if analyse {
            done.analysed.push(table.clone());
        }
        if vacuum {
            done.vacuumed.push(table);
        }
    }
    Ok(done)
}

async fn postgres_tables(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT relname AS name FROM pg_stat_user_tables \
             WHERE schemaname = current_schema() ORDER BY relname",
        ))
        .await?;
    rows.iter().map(|row| row.try_get("", "name")).collect()
}

/// SQLite: on the writer, under the write gate (ANALYZE writes `sqlite_stat1`). SQLite
/// does not say which tables it analysed, so nothing is reported.
async fn sqlite_optimize(db: &Db) -> Result<Refreshed, DbErr> {
    let _gate = db.write_gate().await;
    db.writer()
        .execute_unprepared(&format!(
            "PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}; PRAGMA optimize = 0x10002"
        ))
        .await?;
    Ok(Refreshed::default())
}

/// A table name from the catalogue as an identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
