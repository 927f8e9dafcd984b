//! Planner statistics are refreshed after large writes (`db::statistics`): on PostgreSQL
//! with autovacuum off, by autovacuum's own thresholds; on SQLite, by `PRAGMA optimize`.

use blackbelt::db::statistics::{refresh_all, refresh_due};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

use crate::helpers::{TestApp, statement};

async fn write_statements(app: &TestApp, count: u32) {
    let batch: Vec<Value> = (0..count).map(statement).collect();
    let response = app.post(&Value::Array(batch)).await;
    response.assert_status_is_ok();
}

/// PostgreSQL: waits until the statistics counters hold `count` inserted statements.
/// Backends report their counters when idle, up to 10 s after the write.
async fn counted(app: &TestApp, count: i64) {
    if app.db.backend() != DbBackend::Postgres {
        return;
    }
    for _ in 0..150 {
        let row = app
            .db
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT n_tup_ins AS n FROM pg_stat_user_tables \
                 WHERE schemaname = current_schema() AND relname = 'statements'",
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() >= count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("PostgreSQL never counted {count} inserted statements");
}

async fn autovacuum_on(app: &TestApp) -> bool {
    let row = app
        .db
        .conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('autovacuum') AS on",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "on").unwrap() == "on"
}

/// SQLite: the indexes of `table` that `sqlite_stat1` describes.
async fn sqlite_analysed(app: &TestApp, table: &str) -> usize {
    let exists = app
        .db
        .conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 AS found FROM sqlite_master WHERE name = 'sqlite_stat1'",
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        return 0;
    }
    app.db
        .conn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT idx FROM sqlite_stat1 WHERE tbl = ?",
            [table.into()],
        ))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn large_writes_get_their_statistics_refreshed_once() {
    let app = TestApp::spawn().await;
    write_statements(&app, 1_200).await;
    counted(&app, 1_200).await;
    let done = refresh_due(&app.db).await.unwrap();
    match app.db.backend() {
        DbBackend::Postgres if autovacuum_on(&app).await => {
            assert_eq!(done, Default::default(), "autovacuum's work, not ours");
        }
        DbBackend::Postgres => {
            for table in ["statements", "statement_index"] {
                assert!(done.analysed.iter().any(|t| t == table), "{done:?}");
                assert!(done.vacuumed.iter().any(|t| t == table), "{done:?}");
            }
            let row = app
                .db
                .conn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT last_analyze IS NOT NULL AND last_vacuum IS NOT NULL AS done \
                     FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                     AND relname = 'statement_index'",
                ))
                .await
                .unwrap()
                .unwrap();
            assert!(row.try_get::<bool>("", "done").unwrap());
            // Nothing changed since: nothing is due.
            let again = refresh_due(&app.db).await.unwrap();
            assert!(
                !again.analysed.iter().any(|t| t == "statement_index"),
                "{again:?}"
            );
        }
        _ => {
            assert!(sqlite_analysed(&app, "statement_index").await > 0);
        }
    }
}

#[tokio::test]
async fn a_few_writes_leave_the_statistics_alone() {
    let app = TestApp::spawn().await;
    write_statements(&app, 1_200).await;
    counted(&app, 1_200).await;
    refresh_all(&app.db.conn).await.unwrap();
    write_statements(&app, 10).await;
    counted(&app, 1_210).await;
    let done = refresh_due(&app.db).await.unwrap();
    assert!(
        !done.analysed.iter().any(|t| t == "statements"),
        "10 rows on 1,200 is under the threshold: {done:?}"
    );
    assert!(!done.vacuumed.iter().any(|t| t == "statements"), "{done:?}");
}
