//! The release `blackbelt` binary as its own process: the load generator no longer shares
//! the server's runtime, and the server's peak memory is read on its own.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use super::pg_drop::PgDrop;

/// The database the bench servers run on: PostgreSQL when TEST_DATABASE_URL is a
/// `postgres` URL, else SQLite.
pub fn backend() -> &'static str {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "PostgreSQL",
        _ => "SQLite",
    }
}

pub struct ServerProcess {
    pub base: String,
    /// The server's database, for benches that set up rows beside it.
    pub database_url: String,
    pub auth: String,
    pub backend: &'static str,
    child: Child,
    /// PostgreSQL: drops the database created for this run when the server goes.
    _postgres: Option<PgDrop>,
    _dir: tempfile::TempDir,
}

/// `blackbelt serve` on a fresh SQLite file, or a fresh PostgreSQL database when
/// TEST_DATABASE_URL is set, with one `all,admin` credential.
pub async fn spawn_server_process() -> ServerProcess {
    spawn_server_process_with(&[]).await
}

/// As `spawn_server_process`, with extra `BLACKBELT_*` settings for the server.
pub async fn spawn_server_process_with(settings: &[(&str, &str)]) -> ServerProcess {
    spawn_server_process_prepared(settings, async |_| {}).await
}

/// As `spawn_server_process_with`; `prepare` gets the database URL once the schema
/// exists and before the server starts (rows a server reads at start-up, a program).
pub async fn spawn_server_process_prepared(
    settings: &[(&str, &str)],
    prepare: impl AsyncFnOnce(&str),
) -> ServerProcess {
    spawn_server_process_in(None, settings, prepare).await
}

/// As `spawn_server_process_prepared`; `kept` names a database that outlives the run
/// (created when missing: a PostgreSQL database, or a SQLite file under
/// `target/bench-data/`), so a large load is paid once and measured again later.
pub async fn spawn_server_process_in(
    kept: Option<&str>,
    settings: &[(&str, &str)],
    prepare: impl AsyncFnOnce(&str),
) -> ServerProcess {
    if let Some(name) = kept {
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "a kept database's name is letters, digits and underscores"
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, postgres, backend) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let name = match kept {
                Some(name) => name.to_ascii_lowercase(),
                None => format!("bench_{}", uuid::Uuid::new_v4().simple()),
            };
            let exists = kept.is_some() && database_exists(&url, &name).await;
            if !exists {
                execute(&url, &format!("CREATE DATABASE {name}")).await;
            }
            let mut db_url = url::Url::parse(&url).expect("TEST_DATABASE_URL");
            db_url.set_path(&name);
            let cleanup = kept
                .is_none()
                .then(|| PgDrop::new(url, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
            (db_url.to_string(), cleanup, "PostgreSQL")
        }
        _ => {
            let file = match kept {
                Some(name) => {
                    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("target")
                        .join("bench-data");
                    std::fs::create_dir_all(&folder).expect("target/bench-data");
                    folder.join(format!("{name}.db"))
                }
                None => dir.path().join("bench.db"),
            };
            (
                format!("sqlite://{}?mode=rwc", file.display()),
                None,
                "SQLite",
            )
        }
    };
    let binary = env!("CARGO_BIN_EXE_blackbelt");
    let created = Command::new(binary)
        .args([
            "credentials",
            "create",
            "--name",
            "bench",
            "--scopes",
            "all,admin",
        ])
        .args(["--json", "--database-url", &database_url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("blackbelt credentials create");
    assert!(
        created.status.success(),
        "credentials create failed: {created:?}"
    );
    let credential: serde_json::Value =
        serde_json::from_slice(&created.stdout).expect("credential JSON");
    prepare(&database_url).await;
    let port = free_port();
    let child = Command::new(binary)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &database_url])
        .env("RUST_LOG", "warn")
        .env("BLACKBELT_MAX_BODY_BYTES", (64 * 1024 * 1024).to_string())
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .expect("blackbelt serve");
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;
    let token = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        credential["key"].as_str().expect("key"),
        credential["secret"].as_str().expect("secret")
    ));
    ServerProcess {
        base,
        database_url,
        auth: format!("Basic {token}"),
        backend,
        child,
        _postgres: postgres,
        _dir: dir,
    }
}

impl ServerProcess {
    /// The server's peak resident set size so far.
    pub fn peak_rss_mb(&self) -> f64 {
        super::vm_hwm_mb(&format!("/proc/{}/status", self.child.id()))
    }

    /// Stops the server and drops its PostgreSQL database.
    pub async fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

async fn database_exists(url: &str, name: &str) -> bool {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(url).await.expect("postgres reachable");
    let row = conn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT 1 AS found FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .expect("pg_database");
    conn.close().await.expect("close");
    row.is_some()
}

async fn execute(url: &str, sql: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(url).await.expect("postgres reachable");
    conn.execute_unprepared(sql).await.expect(sql);
    conn.close().await.expect("close");
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

async fn wait_until_ready(base: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = http.get(format!("{base}/readyz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("blackbelt serve did not become ready at {base}");
}
