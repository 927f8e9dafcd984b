//! SQLite WAL checkpoints off the write path. By default the connection whose commit
//! pushes the WAL past its limit copies the WAL back into the database and fsyncs it,
//! inside that commit: every write queued behind it waits hundreds of milliseconds.
//! Here a background task checkpoints on a read connection instead; PASSIVE mode never
//! blocks the writer, which keeps appending to the WAL meanwhile.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::task::JoinHandle;

/// How often the WAL is copied back. Short enough that the WAL stays small (it is reused
/// from the start once fully copied), long enough that a checkpoint copies many commits'
/// worth of pages at once.
const INTERVAL: Duration = Duration::from_millis(500);

/// The running checkpointer; dropping it stops the task.
pub struct Checkpointer(JoinHandle<()>);

impl Checkpointer {
    pub fn spawn(conn: DatabaseConnection) -> Checkpointer {
        Checkpointer(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                // A failed checkpoint is retried on the next tick; the writer's own
                // (much larger) autocheckpoint limit is the backstop.
                if let Err(e) = conn
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::ConnectionTrait;

    use crate::db::Db;

    #[tokio::test]
    async fn the_wal_reaches_the_database_file_without_a_commit_copying_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("checkpoint.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let db = Db::connect(&url, 2, None, crate::db::SqliteTuning::default())
            .await
            .expect("connect");
        let writer = db.writer();
        writer
            .execute_unprepared("CREATE TABLE filler (bytes BLOB)")
            .await
            .expect("table");
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let before = std::fs::metadata(&file).expect("db file").len();
        // 2 MiB in one commit: far below the writer's own autocheckpoint limit (256 MiB
        // of WAL), so only the background task can copy it into the database file.
        writer
            .execute_unprepared(
                "INSERT INTO filler SELECT randomblob(1024) FROM \
                 (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2048) \
                 SELECT i FROM n)",
            )
            .await
            .expect("insert");
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let after = std::fs::metadata(&file).expect("db file").len();
        assert!(
            after >= before + 2 * 1024 * 1024,
            "database file grew from {before} to {after} bytes only"
        );
    }
}
