//! Why a database could not be opened, in words an operator can act on: the pool's own
//! errors ("pool timed out" after 10 s, SQLite's "… at line 948") say neither what is
//! wrong nor what to do. Passwords are never shown.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::{DbErr, RuntimeErr};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// How long the first PostgreSQL connection may take before start-up gives up.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What to check when the URL itself is wrong.
const WHERE_THE_URL_COMES_FROM: &str =
    "check --database-url, BLACKBELT_DATABASE_URL or `database_url` in the config file";

/// PostgreSQL: opens one connection with a short timeout before the pool is built, so a
/// server that is down or a database that does not exist is reported at once and
/// plainly, not after the pool's acquire timeout as "pool timed out".
pub async fn probe_postgres(url: &str) -> Result<(), String> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| format!("the database URL is not valid ({e}); {WHERE_THE_URL_COMES_FROM}"))?;
    let place = format!("{}:{}", options.get_host(), options.get_port());
    match tokio::time::timeout(PROBE_TIMEOUT, options.connect()).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(explain_postgres(&e, &place, options.get_database())),
        Err(_) => Err(format!(
            "could not connect to the database at {place} (no answer within {} s): is the \
             address right and PostgreSQL reachable from here? {WHERE_THE_URL_COMES_FROM}",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

/// A PostgreSQL connection error, for the server at `place` (`HOST:PORT`).
fn explain_postgres(error: &sqlx::Error, place: &str, database: Option<&str>) -> String {
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "could not connect to the database at {place} (connection refused): is PostgreSQL \
             running and listening there? {WHERE_THE_URL_COMES_FROM}"
        ),
        sqlx::Error::Io(io) => {
            format!(
                "could not connect to the database at {place} ({io}); {WHERE_THE_URL_COMES_FROM}"
            )
        }
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("3D000") => {
                let name = database.unwrap_or("(the user's name)");
                format!(
                    "the database \"{name}\" does not exist on {place}: create it (e.g. \
                     `createdb {name}`), or {WHERE_THE_URL_COMES_FROM}"
                )
            }
            Some("28P01" | "28000") => format!(
                "the database at {place} refused the user name or password ({}); \
                 {WHERE_THE_URL_COMES_FROM}",
                db.message()
            ),
            _ => format!(
                "the database at {place} refused the connection: {}",
                db.message()
            ),
        },
        sqlx::Error::Tls(e) => format!(
            "could not set up TLS with the database at {place} ({e}); check `sslmode` in the URL"
        ),
        other => format!("could not connect to the database at {place} ({other})"),
    }
}

/// Any error from opening the database (pool or migrations), explained where it can be.
pub fn explain(url: &str, error: &DbErr) -> String {
    let sqlx = match error {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    };
    let shown = crate::app::redact(url);
    match sqlx {
        Some(sqlx::Error::PoolTimedOut) => format!(
            "no connection to the database at {shown} within 10 s: is it running and \
             reachable? {WHERE_THE_URL_COMES_FROM}"
        ),
        Some(e @ sqlx::Error::Database(db)) if url.starts_with("sqlite:") => {
            // SQLITE_CANTOPEN: missing folder, missing file without `mode=rwc`, or no
            // permission; SQLite's own text ends in "at line NNN of [...]".
            if db.code().as_deref() == Some("14") {
                format!(
                    "cannot open the SQLite database {shown}: check that the file (or, with \
                     mode=rwc, its folder) exists and is writable; {WHERE_THE_URL_COMES_FROM}"
                )
            } else {
                format!("cannot open the database at {shown}: {e}")
            }
        }
        Some(e) if url.starts_with("postgres") => match PgConnectOptions::from_str(url) {
            Ok(options) => explain_postgres(
                e,
                &format!("{}:{}", options.get_host(), options.get_port()),
                options.get_database(),
            ),
            Err(_) => format!("cannot open the database at {shown}: {e}"),
        },
        _ => format!("cannot open the database at {shown}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_postgres_connection_is_reported_at_once_with_its_address() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = std::time::Instant::now();
        let error = probe_postgres(&format!("postgres://u:hunter2@127.0.0.1:{port}/x"))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(
            error.contains(&format!("127.0.0.1:{port} (connection refused)")),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn a_pool_timeout_names_the_database_without_its_password() {
        let error = DbErr::Conn(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut.into()));
        let text = explain("postgres://u:hunter2@db.example:5432/x", &error);
        assert!(text.contains("db.example:5432"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
