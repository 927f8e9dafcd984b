//! `App::build(Config)`: connects the database, runs migrations and assembles the HTTP
//! endpoint. `serve` and the tests use this same seam.

use std::io;

use poem::endpoint::BoxEndpoint;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{Cors, Tracing};
use poem::{EndpointExt, Route, Server, get};

use crate::auth::AuthService;
use crate::config::Config;
use crate::db::Db;
use crate::error::framework_error;
use crate::launch::api::LaunchApi;
use crate::launch::settings::LaunchSettings;
use crate::lti::api::LtiApi;
use crate::lti::frame::FrameAncestors;
use crate::openapi;
use crate::ops::api::OpsApi;
use crate::ops::metrics::{self, RequestMetrics};
use crate::packages::assets::serve_asset;
use crate::packages::catalog_api::PackagesApi;
use crate::packages::runtime::serve_runtime;
use crate::packages::source::Limits;
use crate::xapi::about::AboutApi;
use crate::xapi::alternate::AlternateSyntax;
use crate::xapi::body::BodyLimit;
use crate::xapi::clock::WriteClock;
use crate::xapi::definitions::api::DefinitionsApi;
use crate::xapi::documents::activity_profile_api::ActivityProfileApi;
use crate::xapi::documents::agent_profile_api::AgentProfileApi;
use crate::xapi::documents::state_api::StateApi;
use crate::xapi::statements::api::{PageSizes, StatementsApi};
use crate::xapi::statements::writer::{StatementWriter, WriterContext};
use crate::xapi::version::VersionGate;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database at {url}: {source}")]
    Database { url: String, source: sea_orm::DbErr },
    #[error("cannot create the directory {path}: {source}")]
    DataDir { path: String, source: io::Error },
}

pub struct App {
    pub endpoint: BoxEndpoint<'static>,
    pub db: Db,
    /// Credential checks, shared with the endpoint; revoke through it (`revoke`).
    pub auth: AuthService,
    pub config: Config,
}

impl App {
    pub async fn build(config: Config) -> Result<App, StartError> {
        Self::build_with_schema(config, None).await
    }

    /// As `build`, with a PostgreSQL schema search path (tests isolate themselves so).
    pub async fn build_with_schema(
        config: Config,
        schema: Option<&str>,
    ) -> Result<App, StartError> {
        metrics::install();
        if let Some(dir) = config
            .sqlite_path()
            .as_deref()
            .and_then(std::path::Path::parent)
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let db = Db::connect(
            &config.database_url,
            config.database_max_connections,
            schema,
            config.sqlite_synchronous,
        )
        .await
        .map_err(|source| StartError::Database {
            url: redact(&config.database_url),
            source,
        })?;
        // Listens for revocations before the first request is checked.
        let auth =
            AuthService::start(db.conn.clone(), &config.database_url, &config.public_url).await;
        let endpoint = endpoint(&db, &config, &auth);
        Ok(App {
            endpoint,
            db,
            auth,
            config,
        })
    }

    /// Listens on `config.bind` until Ctrl-C or SIGTERM.
    pub async fn serve(self) -> io::Result<()> {
        let acceptor = TcpListener::bind(self.config.bind).into_acceptor().await?;
        self.serve_with(acceptor).await
    }

    pub async fn serve_with(self, acceptor: impl Acceptor + 'static) -> io::Result<()> {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(self.endpoint, shutdown_signal(), None)
            .await
    }
}

/// The client for outbound calls (platform key sets, later grade passback).
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("BlackBelt/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// Package size limits from the configuration.
pub fn package_limits(config: &Config) -> Limits {
    Limits {
        max_files: config.max_package_files,
        max_total_bytes: config.max_package_bytes,
        ..Limits::default()
    }
}

/// Every API of the server, sharing one database handle.
fn apis(db: &Db, clock: &WriteClock, config: &Config) -> openapi::Apis {
    (
        AboutApi,
        StatementsApi {
            db: db.clone(),
            clock: clock.clone(),
            page_sizes: PageSizes {
                default: config.default_page_size,
                max: config.max_page_size,
            },
            max_attachment_bytes: config.max_attachment_bytes,
            writer: StatementWriter::spawn(WriterContext {
                db: db.clone(),
                clock: clock.clone(),
                launch: LaunchSettings::from_config(config),
                postgres_writers: config.postgres_statement_writers.get(),
            }),
        },
        StateApi { db: db.clone() },
        ActivityProfileApi { db: db.clone() },
        AgentProfileApi { db: db.clone() },
        DefinitionsApi { db: db.clone() },
        PackagesApi {
            db: db.clone(),
            limits: package_limits(config),
        },
        LaunchApi {
            db: db.clone(),
            clock: clock.clone(),
            settings: LaunchSettings::from_config(config),
        },
        LtiApi {
            db: db.clone(),
            clock: clock.clone(),
            settings: LaunchSettings::from_config(config),
            http: http_client(),
            auto_approve: config.lti_auto_approve,
        },
        OpsApi { db: db.clone() },
    )
}

fn endpoint(db: &Db, config: &Config, auth: &AuthService) -> BoxEndpoint<'static> {
    let clock = WriteClock::default();
    let apis = apis(db, &clock, config);
    let service = openapi::service(apis);
    let docs = service.swagger_ui();
    let spec = service.spec_endpoint();
    Route::new()
        .nest(
            "/",
            service
                .with(VersionGate {
                    fallback: config.xapi_version_when_unspecified,
                    clock,
                })
                .with(AlternateSyntax),
        )
        .at("/content/:slug/*path", get(serve_asset))
        .at("/runtime/*file", get(serve_runtime))
        .nest("/docs", docs)
        .at("/openapi.json", spec)
        .data(auth.clone())
        .data(db.clone())
        .data(BodyLimit(config.max_body_bytes))
        .catch_all_error(framework_error)
        .with(FrameAncestors::new(
            db.clone(),
            config.frame_ancestors.clone(),
        ))
        .with(RequestMetrics)
        .with(Tracing)
        .with(cors())
        .boxed()
}

/// Content runs in the learner's browser on other origins; it authenticates with a
/// header, never a cookie, so any origin may call.
fn cors() -> Cors {
    Cors::new()
        .allow_headers([
            "Authorization",
            "Content-Type",
            "X-Experience-API-Version",
            "If-Match",
            "If-None-Match",
            "Accept-Language",
        ])
        .expose_headers([
            "ETag",
            "Last-Modified",
            "Location",
            "X-Experience-API-Consistent-Through",
            "X-Experience-API-Version",
        ])
        .max_age(86_400)
}

/// The OpenAPI document as `blackbelt openapi` prints it.
pub fn openapi_json() -> String {
    let apis = apis(
        &Db::disconnected(),
        &WriteClock::default(),
        &Config::default(),
    );
    openapi::service(apis).spec()
}

/// Hides a password in a database URL before it is shown.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
