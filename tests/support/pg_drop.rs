//! Dropping what a test or bench created on PostgreSQL (a schema, a database) when its
//! owner goes away, also when the test panicked. `Drop` cannot await, so the statement
//! runs on a fresh connection, on a thread with its own small runtime, and `drop` waits
//! for it: the test binary may exit as soon as the last test returns.

/// Runs `sql` on the server at `url` when dropped.
pub struct PgDrop {
    url: String,
    sql: String,
}

impl PgDrop {
    pub fn new(url: impl Into<String>, sql: impl Into<String>) -> PgDrop {
        PgDrop {
            url: url.into(),
            sql: sql.into(),
        }
    }
}

impl Drop for PgDrop {
    fn drop(&mut self) {
        let (url, sql) = (self.url.clone(), self.sql.clone());
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                use sea_orm::{ConnectOptions, ConnectionTrait, Database};
                let mut options = ConnectOptions::new(url);
                options.max_connections(1).sqlx_logging(false);
                let conn = Database::connect(options)
                    .await
                    .map_err(|e| e.to_string())?;
                // A task of the test's (now blocked) runtime may still hold a lock on a
                // table: give up after a while rather than hang the whole run.
                conn.execute_unprepared("SET lock_timeout = '20s'")
                    .await
                    .map_err(|e| e.to_string())?;
                conn.execute_unprepared(&sql)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => eprintln!("cleanup `{}` failed: {why}", self.sql),
            Err(_) => eprintln!("cleanup `{}` panicked", self.sql),
        }
    }
}
