//! Configuration: defaults, then an optional TOML file, then `BLACKBELT_*` environment
//! variables, then command-line flags. Secrets are never printed.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::xapi::version::XapiVersion;

/// Everything the server needs to start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// Maximum database connections per instance.
    pub database_max_connections: u32,
    /// PostgreSQL: statement write transactions one instance runs in parallel (group
    /// commit; each holds a connection while it commits). SQLite always uses one.
    pub postgres_statement_writers: NonZeroUsize,
    /// SQLite: `full` (default) syncs every commit to disk, so an acknowledged statement
    /// survives a power loss; `normal` only survives a crash of the process.
    pub sqlite_synchronous: SqliteSynchronous,
    /// SQLite: the page cache of the one writer connection, in MiB. Larger keeps more of
    /// the index hot for writes, and adds to resident memory one for one.
    pub sqlite_writer_cache_mib: u32,
    /// The URL learners and LMSs reach this server at (used in links and authorities).
    pub public_url: String,
    /// Largest request body on routes that carry statements, documents or packages
    /// (`/xapi/*`, `POST /api/packages`), in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Largest request body on every other route (LTI forms, admin JSON), in bytes.
    pub max_small_body_bytes: usize,
    /// Most bytes of request bodies held in memory at once by all requests together;
    /// beyond it, requests wait, then get 503 with `Retry-After`.
    pub max_in_flight_body_bytes: usize,
    /// Seconds a client may take to send a request body (408 beyond).
    pub body_read_timeout_secs: u64,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// kept-alive connection stays open.
    pub header_read_timeout_secs: u64,
    /// Seconds a response may wait for a client that does not read before the
    /// connection is closed.
    pub write_timeout_secs: u64,
    /// Connections served at once (never more than the open-file limit allows).
    pub max_connections: usize,
    /// When set, `GET /metrics` requires `Authorization: Bearer <this token>`.
    pub metrics_token: Option<String>,
    /// Largest accepted statement attachment, in bytes (413 beyond).
    pub max_attachment_bytes: usize,
    /// Statements per `GET /xapi/statements` page when no `limit` is given.
    pub default_page_size: u32,
    /// Most statements one page returns (`limit=0` means this).
    pub max_page_size: u32,
    /// xAPI version named on the 400 sent to a client that named none (`1.0.3` or
    /// `2.0.0`): set it to what your clients speak.
    pub xapi_version_when_unspecified: XapiVersion,
    /// Log format: `text` or `json`.
    pub log_format: LogFormat,
    /// Folder of content packages `serve --import-packages` imports at start-up.
    pub packages_dir: PathBuf,
    /// How long a launch's auth token works, in seconds (cmi5: the session's length).
    pub launch_token_ttl_secs: u64,
    /// Seconds after `terminated` during which late statements of that session are
    /// still accepted; refused after. 0 (the default) is what cmi5 §9.3 asks:
    /// `terminated` is the last statement of a session.
    pub terminated_grace_secs: u64,
    /// Largest package accepted by import, in bytes (all files, uncompressed).
    pub max_package_bytes: u64,
    /// Most files one package may hold.
    pub max_package_files: usize,
    /// LTI Dynamic Registrations become active at once instead of waiting for an
    /// administrator's approval. Registration still needs a link an administrator made
    /// (`blackbelt lti registration-link`); whoever holds the link registers a platform.
    pub lti_auto_approve: bool,
    /// Requests one client address may make in a burst to the unauthenticated LTI
    /// endpoints (`/lti/login`, `/lti/launch`, `/lti/deep-linking`, `/lti/11/launch`,
    /// `/lti/register`) before it gets 429.
    pub lti_rate_limit_burst: u32,
    /// Requests per minute one client address regains after a burst (0: no limit).
    pub lti_rate_limit_per_minute: u32,
    /// Requests one client address may make in a burst to the public credential routes
    /// (`/ob/*`, `/verify/*`) before it gets 429.
    pub public_rate_limit_burst: u32,
    /// Requests per minute one client address regains after a burst (0: no limit).
    pub public_rate_limit_per_minute: u32,
    /// Let outbound calls (platform key sets, Dynamic Registration, service tokens)
    /// reach loopback and private networks: only for an LMS on your own network.
    pub outbound_allow_private: bool,
    /// Longest an outbound call may take, in seconds, answer included.
    pub outbound_timeout_secs: u64,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the
    /// client; empty: every client is its TCP peer.
    pub trusted_proxies: Vec<String>,
    /// Origins allowed to frame Black Belt's pages besides registered LTI platforms
    /// (e.g. an LTI 1.1 LMS: `https://lms.example.com`).
    pub frame_ancestors: Vec<String>,
    /// Deliver progress to LMSs (AGS scores, LTI 1.1 outcomes) from this instance. When
    /// false, messages are still written and wait for an instance that delivers.
    pub passback_enabled: bool,
    /// Deliveries one instance makes at once.
    pub passback_workers: usize,
    /// How often an instance looks for due messages, in milliseconds.
    pub passback_poll_ms: u64,
    /// How long an instance holds a channel while it delivers, in seconds; after that,
    /// another instance may take it over.
    pub passback_lease_secs: u64,
    /// How long a message is tried before it is marked failed, in seconds.
    pub passback_max_age_secs: u64,
    /// How often an instance expires belts past validity + grace and renews those whose
    /// renewal window opened, in seconds (0: never; instances with `passback_enabled`).
    pub certification_sweep_secs: u64,
    /// How often an instance checks whether planner statistics (and, on PostgreSQL with
    /// autovacuum off, the visibility map) need refreshing after writes, in seconds
    /// (0: never). See `db::statistics`.
    pub statistics_refresh_secs: u64,
    /// Wait after a channel's first failed delivery, in seconds (doubling per failure).
    pub passback_backoff_base_secs: u64,
    /// Longest wait between two attempts on one channel, in seconds.
    pub passback_backoff_max_secs: u64,
    /// How long shutdown waits for deliveries in flight before leaving them pending
    /// (their leases run out and they are tried again), in seconds.
    pub passback_drain_secs: u64,
    /// Delivered and superseded messages are deleted this many days after they were
    /// delivered (superseded: created); 0 keeps them.
    pub passback_keep_delivered_days: u64,
    /// Failed messages are deleted this many days after they failed; 0 keeps them.
    pub passback_keep_failed_days: u64,
    /// NRPS: a launch refetches its course's roster only when no sync was attempted for
    /// this many seconds (an administrator's sync request always does).
    pub nrps_refresh_min_secs: u64,
    /// NRPS: most pages one roster fetch follows; a longer roster fails the sync and
    /// keeps the stored members.
    pub nrps_max_pages: usize,
    /// The key that encrypts the secrets stored in the database (LTI 1.1 consumer
    /// secrets, LTI 1.3 private keys): 32 bytes in base64. Prefer `secrets_key_file`.
    pub secrets_key: Option<String>,
    /// A file holding `secrets_key`. With neither set, `secrets.key` is made once beside
    /// the SQLite database (`data/secrets.key` for PostgreSQL).
    pub secrets_key_file: Option<PathBuf>,
    /// Largest evidence file a learner may submit, in bytes (413 beyond). The request
    /// as a whole is also bounded by `max_body_bytes`.
    pub evidence_max_bytes: usize,
    /// Media types an evidence file may have; the file's first bytes must match the
    /// type where it has a known signature (a program named `.pdf` is refused, 415).
    pub evidence_media_types: Vec<String>,
    /// The Open Badges issuer's name, as wallets and the verification page show it.
    pub issuer_name: String,
    /// The issuer's web site (`Profile.url`); `public_url` when unset.
    pub issuer_url: Option<String>,
    /// A contact address for the issuer (`Profile.email`).
    pub issuer_email: Option<String>,
    /// Minutes a console session stays signed in without a request.
    pub console_idle_minutes: u32,
    /// Hours a console session lasts at most, however active.
    pub console_session_hours: u32,
    /// Failed console sign-ins allowed per account, and per client address, within
    /// `console_lockout_minutes` before further attempts are refused for that long.
    pub console_max_failures: u32,
    /// The console's sign-in throttling window and lock-out, in minutes.
    pub console_lockout_minutes: u32,
    /// Company variables AUs show (`[company]`; `BLACKBELT_COMPANY_<NAME>`, such as
    /// `BLACKBELT_COMPANY_POLICY_URL`). The console's Company page overrides each.
    pub company: crate::learn::company::CompanyConfig,
}

/// How SQLite syncs commits to disk (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit is on disk before it is acknowledged (power-loss safe). Group
    /// commit makes this cheap: one sync per group of requests.
    Full,
    /// Commits reach the disk at checkpoints: a power loss can take the last ones.
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8420)),
            database_url: "sqlite://data/blackbelt.db?mode=rwc".into(),
            database_max_connections: 16,
            // 1, 2, 4 and 8 were measured on 2 cores: 4 balanced single POSTs and batches.
            postgres_statement_writers: NonZeroUsize::MIN.saturating_add(3),
            sqlite_synchronous: SqliteSynchronous::Full,
            // 32 MiB keeps the server under 200 MB resident through a 1 M-statement
            // load and queries (64 MiB peaked at 205 MB; issue 19's query bench).
            sqlite_writer_cache_mib: 32,
            public_url: "http://127.0.0.1:8420".into(),
            max_body_bytes: 16 * 1024 * 1024,
            // An LTI 1.3 id_token with every claim is ~10-20 KiB; admin JSON is smaller.
            max_small_body_bytes: 256 * 1024,
            max_in_flight_body_bytes: 256 * 1024 * 1024,
            body_read_timeout_secs: 60,
            header_read_timeout_secs: 15,
            write_timeout_secs: 60,
            max_connections: 4096,
            metrics_token: None,
            max_attachment_bytes: 10 * 1024 * 1024,
            default_page_size: 100,
            max_page_size: 1000,
            xapi_version_when_unspecified: XapiVersion::V2_0,
            log_format: LogFormat::Text,
            packages_dir: PathBuf::from("packages"),
            launch_token_ttl_secs: 4 * 3600,
            terminated_grace_secs: 0,
            max_package_bytes: 512 * 1024 * 1024,
            max_package_files: 5_000,
            lti_auto_approve: false,
            // A class behind one NAT address launching together fits in the burst.
            lti_rate_limit_burst: 120,
            lti_rate_limit_per_minute: 300,
            // A verifier fetches the credential, the issuer, a key and a status list:
            // checking a hundred credentials at once fits in the burst.
            public_rate_limit_burst: 600,
            public_rate_limit_per_minute: 1200,
            outbound_allow_private: false,
            outbound_timeout_secs: 10,
            frame_ancestors: Vec::new(),
            trusted_proxies: Vec::new(),
            passback_enabled: true,
            passback_workers: 16,
            passback_poll_ms: 500,
            // Longer than a token, a line item and a score call at the outbound timeout.
            passback_lease_secs: 120,
            passback_max_age_secs: 3 * 24 * 3600,
            certification_sweep_secs: 300,
            statistics_refresh_secs: 60,
            passback_backoff_base_secs: 5,
            passback_backoff_max_secs: 3600,
            passback_drain_secs: 30,
            passback_keep_delivered_days: 30,
            passback_keep_failed_days: 90,
            nrps_refresh_min_secs: 600,
            nrps_max_pages: 1000,
            secrets_key: None,
            secrets_key_file: None,
            evidence_max_bytes: 10 * 1024 * 1024,
            evidence_media_types: crate::certification::evidence::file::DEFAULT_MEDIA_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            issuer_name: "Black Belt".into(),
            issuer_url: None,
            issuer_email: None,
            console_idle_minutes: 30,
            console_session_hours: 12,
            console_max_failures: 5,
            console_lockout_minutes: 15,
            company: crate::learn::company::CompanyConfig::default(),
        }
    }
}

/// `BLACKBELT_*` variables that the command line reads itself (clap `env = ...`), not
/// settings: read as settings, `deny_unknown_fields` would refuse every command.
pub const CLI_ENV_VARS: &[&str] = &["CONFIG"];

/// The `BLACKBELT_*` environment variables that are settings.
fn settings_env() -> Env {
    Env::prefixed("BLACKBELT_")
        .ignore(CLI_ENV_VARS)
        .filter(|key| !key.starts_with(COMPANY_ENV))
}

/// `BLACKBELT_COMPANY_<NAME>` sets `company.<name>` (`[company]` of the file).
const COMPANY_ENV: &str = "company_";

fn company_env() -> Env {
    Env::prefixed("BLACKBELT_COMPANY_").map(|key| format!("company.{key}").into())
}

impl Config {
    /// Loads defaults < `file` (if given) < `BLACKBELT_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(settings_env())
            .merge(company_env())
            .extract()
            .map_err(Box::new)
    }

    /// The SQLite file a `sqlite:` URL points at, if any (its directory is created).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_statement_writers_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blackbelt.toml");
        std::fs::write(&file, "postgres_statement_writers = 0\n").unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(error.contains("postgres_statement_writers"), "{error}");
        std::fs::write(&file, "postgres_statement_writers = 2\n").unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.postgres_statement_writers.get(), 2);
    }

    #[test]
    fn sqlite_synchronous_is_full_by_default_and_refuses_unknown_values_by_name() {
        assert_eq!(
            Config::default().sqlite_synchronous,
            SqliteSynchronous::Full
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blackbelt.toml");
        std::fs::write(&file, "sqlite_synchronous = \"normal\"\n").unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.sqlite_synchronous, SqliteSynchronous::Normal);
        std::fs::write(&file, "sqlite_synchronous = \"off\"\n").unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(error.contains("sqlite_synchronous"), "{error}");
        assert!(error.contains("full"), "{error}");
    }

    #[test]
    fn company_variables_are_read_from_the_company_table() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blackbelt.toml");
        std::fs::write(
            &file,
            "[company]\ncompany_name = \"Acme\"\npolicy_url = \"https://acme.example/p\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.company.company_name.as_deref(), Some("Acme"));
        assert_eq!(
            config.company.policy_url.as_deref(),
            Some("https://acme.example/p")
        );
        std::fs::write(&file, "[company]\nfavourite_colour = \"blue\"\n").unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(error.contains("favourite_colour"), "{error}");
    }

    #[test]
    fn sqlite_path_is_taken_from_the_url() {
        let config = Config::default();
        assert_eq!(
            config.sqlite_path(),
            Some(PathBuf::from("data/blackbelt.db"))
        );
        let pg = Config {
            database_url: "postgres://postgres@127.0.0.1/test".into(),
            ..Config::default()
        };
        assert_eq!(pg.sqlite_path(), None);
    }
}
