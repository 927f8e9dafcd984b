//! Database connections: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, with
//! migrations run on connect. SQLite writes are serialised in-process, which is faster
//! than letting writers collide on the database lock.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;
use tokio::sync::{Mutex, MutexGuard};

use entities::migration::Migrator;

/// A connection pool plus the write gate SQLite needs.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    write_gate: Option<Arc<Mutex<()>>>,
}

impl Db {
    /// Connects, applies SQLite pragmas, and runs pending migrations.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        schema: Option<&str>,
    ) -> Result<Db, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if let Some(schema) = schema {
            options.set_schema_search_path(schema.to_owned());
        }
        let is_sqlite = url.starts_with("sqlite:");
        if is_sqlite {
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        }
        let conn = Database::connect(options).await?;
        Migrator::up(&conn, None).await?;
        Ok(Db {
            conn,
            write_gate: is_sqlite.then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Hold the returned guard for the whole write transaction.
    pub async fn write_gate(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }
}

impl Db {
    /// A handle that fails every query: for generating the OpenAPI document offline.
    pub fn disconnected() -> Db {
        Db {
            conn: DatabaseConnection::default(),
            write_gate: None,
        }
    }
}
