//! Durability settings of the database connections.

use blackbelt::config::SqliteSynchronous;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::TestApp;

/// `PRAGMA synchronous` on the connection statements are written through.
async fn writer_synchronous(app: &TestApp) -> Option<i64> {
    let writer = app.db.writer();
    if writer.get_database_backend() != DbBackend::Sqlite {
        return None; // PostgreSQL syncs every commit; it has no such pragma
    }
    let row = writer
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA synchronous",
        ))
        .await
        .unwrap()
        .unwrap();
    Some(row.try_get_by_index::<i64>(0).unwrap())
}

#[tokio::test]
async fn sqlite_writes_survive_a_power_loss_by_default_and_normal_is_an_opt_in() {
    let default = TestApp::spawn().await;
    let normal = TestApp::spawn_with(|c| c.sqlite_synchronous = SqliteSynchronous::Normal).await;
    if default.db.backend() != DbBackend::Sqlite {
        return;
    }
    // 2 is FULL, 1 is NORMAL.
    assert_eq!(writer_synchronous(&default).await, Some(2));
    assert_eq!(writer_synchronous(&normal).await, Some(1));
}
