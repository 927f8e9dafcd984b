//! Database connections: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, with
//! migrations run on connect. SQLite writes are serialised in-process, which is faster
//! than letting writers collide on the database lock.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;
use tokio::sync::{Mutex, MutexGuard};

use entities::migration::Migrator;

use crate::config::SqliteSynchronous;
use crate::crypto::SecretsKey;

mod checkpoint;
pub mod connect_error;
mod nodelay;
pub mod secrets;
pub mod statistics;
use checkpoint::Checkpointer;

/// A connection pool plus, on SQLite, the single writer connection.
#[derive(Clone)]
pub struct Db {
    /// Reads (and, on PostgreSQL, writes).
    pub conn: DatabaseConnection,
    /// SQLite: one dedicated connection for writes. A SQLite connection drops its page
    /// cache whenever another connection has written, so rotating writes over a pool
    /// would make every write start cold; one writer keeps its cache warm.
    writer: Option<DatabaseConnection>,
    write_gate: Option<Arc<Mutex<()>>>,
    /// SQLite: copies the WAL back into the database in the background.
    _checkpointer: Option<Arc<Checkpointer>>,
    /// Seals and opens the secrets stored in this database (`crate::crypto`); set by
    /// `App::build` with [`Db::with_secrets`].
    secrets: Option<SecretsKey>,
}

/// Per-connection SQLite settings.
#[derive(Clone, Copy)]
struct SqliteSettings {
    cache_kib: u32,
    synchronous: SqliteSynchronous,
}

/// SQLite page cache per read connection, in KiB (the writer's is configured).
const READER_CACHE_KIB: u32 = 2 * 1024;

/// SQLite settings of an instance (ignored on PostgreSQL).
#[derive(Debug, Clone, Copy)]
pub struct SqliteTuning {
    pub synchronous: SqliteSynchronous,
    pub writer_cache_mib: u32,
}

impl SqliteTuning {
    /// The configured settings.
    pub fn of(config: &crate::config::Config) -> SqliteTuning {
        SqliteTuning {
            synchronous: config.sqlite_synchronous,
            writer_cache_mib: config.sqlite_writer_cache_mib,
        }
    }
}

impl Default for SqliteTuning {
    fn default() -> Self {
        SqliteTuning::of(&crate::config::Config::default())
    }
}

impl Db {
    /// Connects, applies SQLite pragmas, and runs pending migrations. `synchronous`
    /// applies to every SQLite connection, so whichever one commits, the commit is as
    /// durable as configured.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        schema: Option<&str>,
        tuning: SqliteTuning,
    ) -> Result<Db, DbErr> {
        let synchronous = tuning.synchronous;
        let is_sqlite = url.starts_with("sqlite:");
        let sqlite = SqliteSettings {
            cache_kib: READER_CACHE_KIB,
            synchronous,
        };
        let conn = Database::connect(Self::options(url, max_connections, schema, sqlite)).await?;
        // sea-orm-migration logs every migration it checks at info; one line is enough.
        let pending = Migrator::get_pending_migrations(&conn).await?.len();
        Migrator::up(&conn, None).await?;
        if pending > 0 {
            tracing::info!(
                "applied {pending} migration{}",
                if pending == 1 { "" } else { "s" }
            );
        }
        let writer = match is_sqlite {
            true => {
                let sqlite = SqliteSettings {
                    cache_kib: tuning.writer_cache_mib.saturating_mul(1024),
                    synchronous,
                };
                Some(Database::connect(Self::options(url, 1, schema, sqlite)).await?)
            }
            false => None,
        };
        Ok(Db {
            _checkpointer: is_sqlite.then(|| Arc::new(Checkpointer::spawn(conn.clone()))),
            conn,
            writer,
            write_gate: is_sqlite.then(|| Arc::new(Mutex::new(()))),
            secrets: None,
        })
    }

    /// This handle with the key of the secrets stored in its database.
    pub fn with_secrets(self, key: SecretsKey) -> Db {
        Db {
            secrets: Some(key),
            ..self
        }
    }

    /// The key of the stored secrets (an error before `with_secrets`).
    pub fn secrets(&self) -> Result<&SecretsKey, crate::error::Error> {
        self.secrets.as_ref().ok_or_else(|| {
            crate::error::Error::Internal(
                "no secrets key: the database was opened without one".into(),
            )
        })
    }

    fn options(
        url: &str,
        max_connections: u32,
        schema: Option<&str>,
        sqlite: SqliteSettings,
    ) -> ConnectOptions {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if url.starts_with("postgres") {
            Self::postgres_options(&mut options, url, schema);
        }
        if url.starts_with("sqlite:") {
            let cache = format!("-{}", sqlite.cache_kib);
            let synchronous = match sqlite.synchronous {
                SqliteSynchronous::Full => sqlx::sqlite::SqliteSynchronous::Full,
                SqliteSynchronous::Normal => sqlx::sqlite::SqliteSynchronous::Normal,
            };
            options.map_sqlx_sqlite_opts(move |opts| {
                // WAL: writers do not block readers. FULL syncs the WAL at every commit,
                // so an acknowledged statement survives a power loss; group commit makes
                // that one sync per group. NORMAL (opt-in) syncs only at checkpoints:
                // commits survive a crash of the process but not of the machine.
                // The writer's large page cache keeps hot index pages
                // in memory. Checkpoints run in the background (checkpoint.rs); the
                // autocheckpoint limit (256 MiB of WAL) only matters if they fall behind.
                // Memory-mapped reads were tried: about 40 % faster batch ingest, but
                // resident memory tripled (600 MB at 100 k statements).
                opts.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("cache_size", cache.clone())
                    .pragma("wal_autocheckpoint", "65536")
                    .pragma("temp_store", "memory")
            });
        }
        options
    }

    fn postgres_options(options: &mut ConnectOptions, url: &str, schema: Option<&str>) {
        if let Some(schema) = schema {
            // Sent in the startup packet, so it leaves the pool's after-connect hook free.
            let schema = schema.to_owned();
            options.map_sqlx_postgres_opts(move |opts| opts.options([("search_path", &schema)]));
        }
        if let Some(port) = nodelay::tcp_port(url) {
            options.map_sqlx_postgres_pool_opts(move |pool| {
                pool.after_connect(move |_, _| {
                    Box::pin(async move {
                        if let Err(e) = nodelay::set_on_database_sockets(port) {
                            tracing::warn!(error = %e, "could not set TCP_NODELAY on database connections; large writes may stall ~40 ms");
                        }
                        Ok(())
                    })
                })
            });
        }
    }

    /// The connection write transactions run on (hold `write_gate` around them).
    pub fn writer(&self) -> &DatabaseConnection {
        self.writer.as_ref().unwrap_or(&self.conn)
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Whether writes go through one connection, one at a time (SQLite).
    pub fn has_single_writer(&self) -> bool {
        self.write_gate.is_some()
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
            writer: None,
            write_gate: None,
            _checkpointer: None,
            secrets: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnectionTrait;

    async fn cache_size(conn: &DatabaseConnection) -> i64 {
        conn.query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA cache_size",
        ))
        .await
        .expect("pragma")
        .expect("a row")
        .try_get_by_index(0)
        .expect("an integer")
    }

    #[tokio::test]
    async fn the_writer_has_the_configured_cache_and_readers_their_own() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("c.db").display());
        let tuning = SqliteTuning {
            writer_cache_mib: 5,
            ..SqliteTuning::default()
        };
        let db = Db::connect(&url, 2, None, tuning).await.expect("connect");
        // Negative: KiB, as SQLite reads it.
        assert_eq!(cache_size(db.writer()).await, -5 * 1024);
        assert_eq!(cache_size(&db.conn).await, -i64::from(READER_CACHE_KIB));
    }
}
