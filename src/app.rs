//! `App::build(Config)`: connects the database, runs migrations and assembles the HTTP
//! endpoint. `serve` and the tests use this same seam.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::middleware::Cors;
use poem::{EndpointExt, Route, get};
use tokio::net::TcpListener;

use crate::auth::{AuthService, KeyScheme};
use crate::badges::Issuer;
use crate::badges::api::admin_api::AdminApi;
use crate::badges::api::learner_api::LearnerApi;
use crate::badges::api::public_api::PublicApi;
use crate::badges::issue::Badges;
use crate::certification::api::awards_api::AwardsApi;
use crate::certification::api::belts_api::BeltsApi;
use crate::certification::api::evidence_api::EvidenceApi;
use crate::certification::engine::participant::Certification;
use crate::certification::program::api::ProgramApi;
use crate::config::Config;
use crate::console::audit_on_write::WriteAudit;
use crate::db::Db;
use crate::error::framework_error;
use crate::launch::api::LaunchApi;
use crate::launch::documents::LaunchDocuments;
use crate::launch::participant::{Progress, SessionRules};
use crate::launch::settings::LaunchSettings;
use crate::launch::token::LaunchTokens;
use crate::learn::api::LearnApi;
use crate::lti::api::LtiApi;
use crate::lti::frame::FrameAncestors;
use crate::lti::housekeeping;
use crate::lti::service_token::ServiceTokens;
use crate::openapi;
use crate::ops::api::OpsApi;
use crate::ops::metrics::{self, RequestMetrics};
use crate::outbound::{Outbound, OutboundSettings};
use crate::packages::assets::serve_asset;
use crate::packages::catalog_api::PackagesApi;
use crate::packages::runtime::serve_runtime;
use crate::packages::source::Limits;
use crate::passback::ags::AgsDeliverer;
use crate::passback::api::PassbackApi;
use crate::passback::delivery::{Deliver, Protocol};
use crate::passback::dispatch::{Deliverers, Dispatcher, PassbackSettings, Wake};
use crate::passback::lti11::Lti11Deliverer;
use crate::passback::participant::Outbox;
use crate::roster::api::RosterApi;
use crate::roster::fetch::RosterClient;
use crate::roster::sync::{RosterSettings, RosterSync, SyncWake};
use crate::server::access_log::AccessLog;
use crate::server::body_bound::{BodyBounds, BoundBodies};
use crate::server::file_limit;
use crate::server::headers::SecurityHeaders;
use crate::server::listen::{self, ConnectionLimits};
use crate::server::method_not_allowed::AllowHeader;
use crate::server::proxies::TrustedProxies;
use crate::server::routes::RouteTable;
use crate::survey::api::SurveyApi;
use crate::survey::respondent::MarkerKey;
use crate::web::api_docs;
use crate::xapi::about::AboutApi;
use crate::xapi::alternate::AlternateSyntax;
use crate::xapi::body::BodyLimit;
use crate::xapi::clock::WriteClock;
use crate::xapi::definitions::api::DefinitionsApi;
use crate::xapi::documents::activity_profile_api::ActivityProfileApi;
use crate::xapi::documents::agent_profile_api::AgentProfileApi;
use crate::xapi::documents::participant::DocumentParticipants;
use crate::xapi::documents::state_api::StateApi;
use crate::xapi::statements::api::{PageSizes, StatementsApi};
use crate::xapi::statements::cursor::{self, CursorKey};
use crate::xapi::statements::participant::Participants;
use crate::xapi::statements::writer::{StatementWriter, WriterContext};
use crate::xapi::version::VersionGate;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting that cannot be used as given (the message names it).
    #[error("{0}")]
    Setting(String),
    /// Explained by `db::connect_error` (what is wrong, what to do; no password).
    #[error("{0}")]
    Database(String),
    /// A command that only reads or changes what exists found no database.
    #[error("{0}")]
    NoDatabase(String),
    #[error("cannot read or create the server's keys in the database: {0}")]
    Keys(sea_orm::DbErr),
    #[error("cannot read or create the Open Badges signing keys: {0}")]
    BadgeKeys(String),
    #[error("cannot create the directory {path}: {source}")]
    DataDir { path: String, source: io::Error },
    #[error("{0}")]
    Outbound(String),
    /// The secrets key is missing, malformed, or not the one the database was sealed with.
    #[error("{0}")]
    Secrets(String),
}

pub struct App {
    pub endpoint: BoxEndpoint<'static>,
    /// Whose `X-Forwarded-For` names the client (`trusted_proxies`).
    pub proxies: TrustedProxies,
    pub db: Db,
    /// Credential checks, shared with the endpoint; revoke through it (`revoke`).
    pub auth: AuthService,
    pub config: Config,
    /// Delivers passback messages (`None` when `passback_enabled` is false); stopped
    /// when dropped.
    pub passback: Option<Dispatcher>,
    /// Syncs NRPS rosters (`None` when `passback_enabled` is false); stopped when
    /// dropped.
    pub roster: Option<RosterSync>,
    /// Expires and renews belts on a timer (`None` when `passback_enabled` is false or
    /// `certification_sweep_secs` is 0); stopped when dropped.
    pub certification_sweep: Option<crate::certification::engine::sweep::Sweeper>,
    /// Refreshes planner statistics after large writes (`None` when
    /// `statistics_refresh_secs` is 0); stopped when dropped.
    pub statistics: Option<crate::db::statistics::StatisticsRefresher>,
}

impl App {
    pub async fn build(config: Config) -> Result<App, StartError> {
        Self::build_with_schema(config, None).await
    }

    /// As `build`, for commands that only read or change what exists (`credentials
    /// list`, `packages list`…): a SQLite file that does not exist is an error, not
    /// created, so a command run from the wrong folder says so instead of listing an
    /// empty new database.
    pub async fn open_existing(config: Config) -> Result<App, StartError> {
        if let Some(path) = config.sqlite_path()
            && !path.exists()
        {
            let shown = std::env::current_dir()
                .map(|dir| dir.join(&path))
                .unwrap_or_else(|_| path.clone());
            return Err(StartError::NoDatabase(format!(
                "no database at {} (from {}); nothing was created. Point at the right one \
                 with --database-url, BLACKBELT_DATABASE_URL or `database_url` in the file \
                 given by --config; `blackbelt migrate` or `blackbelt serve` creates a new one",
                shown.display(),
                redact(&config.database_url)
            )));
        }
        // A command that reads or changes what exists must not start delivering
        // progress and exit halfway through an attempt.
        let config = Config {
            passback_enabled: false,
            ..config
        };
        Self::build(config).await
    }

    /// As `build`, with a PostgreSQL schema search path (tests isolate themselves so).
    pub async fn build_with_schema(
        config: Config,
        schema: Option<&str>,
    ) -> Result<App, StartError> {
        Self::build_inner(config, schema, None).await
    }

    /// As `build_with_schema`, with the passback deliverer of each protocol (tests give
    /// their own).
    pub async fn build_with_deliverers(
        config: Config,
        schema: Option<&str>,
        deliverers: Deliverers,
    ) -> Result<App, StartError> {
        Self::build_inner(config, schema, Some(deliverers)).await
    }

    /// `deliverers`: `None` for the real ones (AGS, LTI 1.1) over the outbound client.
    async fn build_inner(
        config: Config,
        schema: Option<&str>,
        deliverers: Option<Deliverers>,
    ) -> Result<App, StartError> {
        metrics::install();
        // A company variable that breaks its rule stops the start, naming it.
        config.company.values().map_err(StartError::Setting)?;
        let proxies =
            TrustedProxies::parse(&config.trusted_proxies).map_err(StartError::Setting)?;
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
        if config.database_url.starts_with("postgres") {
            crate::db::connect_error::probe_postgres(&config.database_url)
                .await
                .map_err(StartError::Database)?;
        }
        let db = Db::connect(
            &config.database_url,
            config.database_max_connections,
            schema,
            crate::db::SqliteTuning::of(&config),
        )
        .await
        .map_err(|e| {
            StartError::Database(crate::db::connect_error::explain(&config.database_url, &e))
        })?;
        let secrets = crate::crypto::key_file::load(&config).map_err(StartError::Secrets)?;
        crate::crypto::seal_stored::seal_stored(&db, &secrets)
            .await
            .map_err(StartError::Secrets)?;
        let db = db.with_secrets(secrets);
        // The issuer's keys exist before the first credential is asked for.
        crate::badges::keys::ensure(&db)
            .await
            .map_err(|e| StartError::BadgeKeys(e.to_string()))?;
        let cursor_secret = crate::db::secrets::get_or_create(&db, cursor::SECRET_NAME, 32)
            .await
            .map_err(StartError::Keys)?;
        let outbound =
            Outbound::new(OutboundSettings::from_config(&config)).map_err(StartError::Outbound)?;
        housekeeping::spawn(db.clone());
        crate::console::housekeeping::spawn(db.clone(), &config);
        crate::certification::awards::statement::configure(&config.public_url);
        // Listens for revocations before the first request is checked.
        let auth =
            AuthService::start(db.conn.clone(), &config.database_url, key_schemes(&config)).await;
        let deliverers = deliverers
            .unwrap_or_else(|| passback_deliverers(&db, &outbound, ServiceTokens::default()));
        let wake = Wake::default();
        let roster_wake = SyncWake::default();
        let roster_client = RosterClient {
            db: db.clone(),
            http: outbound.clone(),
            tokens: ServiceTokens::default(),
        };
        let endpoint = endpoint(
            &db,
            &config,
            &auth,
            CursorKey::new(&cursor_secret),
            outbound,
            &wake,
            roster_wake.clone(),
        );
        let passback = config.passback_enabled.then(|| {
            Dispatcher::start(
                db.clone(),
                deliverers,
                PassbackSettings::from_config(&config),
                wake,
            )
        });
        let roster = config.passback_enabled.then(|| {
            RosterSync::start(
                roster_client,
                RosterSettings::from_config(&config),
                roster_wake,
            )
        });
        let certification_sweep = (config.passback_enabled && config.certification_sweep_secs > 0)
            .then(|| {
                crate::certification::engine::sweep::Sweeper::start(
                    db.clone(),
                    Duration::from_secs(config.certification_sweep_secs),
                )
            });
        let statistics = (config.statistics_refresh_secs > 0).then(|| {
            crate::db::statistics::StatisticsRefresher::start(
                db.clone(),
                Duration::from_secs(config.statistics_refresh_secs),
            )
        });
        Ok(App {
            endpoint,
            proxies,
            db,
            auth,
            config,
            passback,
            roster,
            certification_sweep,
            statistics,
        })
    }

    /// Listens on `config.bind` until Ctrl-C or SIGTERM.
    pub async fn serve(self) -> io::Result<()> {
        let listener = TcpListener::bind(self.config.bind).await?;
        self.serve_with(listener).await
    }

    /// Serves on a bound listener (tests and benchmarks bind port 0).
    pub async fn serve_with(self, listener: TcpListener) -> io::Result<()> {
        let limits = connection_limits(&self.config);
        let served = listen::serve(
            listener,
            self.endpoint,
            limits,
            self.proxies,
            shutdown_signal(),
        )
        .await;
        if let Some(passback) = &self.passback {
            passback.shutdown().await;
        }
        if let Some(roster) = &self.roster {
            roster.shutdown().await;
        }
        served
    }
}

/// Who delivers each protocol's passback messages: AGS scores and LTI 1.1 outcomes, both
/// through the one outbound client.
fn passback_deliverers(db: &Db, outbound: &Outbound, tokens: ServiceTokens) -> Deliverers {
    let mut deliverers = Deliverers::new();
    deliverers.insert(
        Protocol::Ags,
        Arc::new(AgsDeliverer::new(db.clone(), outbound.clone(), tokens)) as Arc<dyn Deliver>,
    );
    deliverers.insert(
        Protocol::Lti11,
        Arc::new(Lti11Deliverer::new(db.clone(), outbound.clone())),
    );
    deliverers
}

/// The connection limits from the configuration and the process's open-file limit.
pub fn connection_limits(config: &Config) -> ConnectionLimits {
    ConnectionLimits {
        max_connections: file_limit::connection_limit(
            config.max_connections,
            file_limit::raise_and_read(),
        ),
        header_timeout: Duration::from_secs(config.header_read_timeout_secs.max(1)),
        write_timeout: Duration::from_secs(config.write_timeout_secs.max(1)),
        drain_timeout: Duration::from_secs(30),
    }
}

/// The body limits from the configuration.
pub fn body_bounds(config: &Config) -> BodyBounds {
    BodyBounds {
        large_bytes: config.max_body_bytes,
        small_bytes: config.max_small_body_bytes.min(config.max_body_bytes),
        read_timeout: Duration::from_secs(config.body_read_timeout_secs.max(1)),
        in_flight_bytes: config.max_in_flight_body_bytes.max(config.max_body_bytes),
    }
}

/// Package size limits from the configuration.
pub fn package_limits(config: &Config) -> Limits {
    Limits {
        max_files: config.max_package_files,
        max_total_bytes: config.max_package_bytes,
        ..Limits::default()
    }
}

/// The keys checked by the layer that issued them rather than as stored credentials.
fn key_schemes(config: &Config) -> Vec<Arc<dyn KeyScheme>> {
    let settings = LaunchSettings::from_config(config);
    vec![Arc::new(LaunchTokens {
        authority: settings.lms_authority,
    })]
}

/// What may refuse (or take note of) a document request made with a grant: cmi5's rules
/// for a launched AU's State and Agent Profile documents.
fn document_participants() -> DocumentParticipants {
    DocumentParticipants::new(vec![Arc::new(LaunchDocuments)])
}

/// What reacts to stored statements, in the order it runs: cmi5 session rules, then
/// progress, then belts (which read the changes progress leaves), then the passback
/// outbox (which takes them).
fn write_participants(config: &Config) -> Participants {
    let settings = LaunchSettings::from_config(config);
    let max_age = settings.passback_max_age;
    Participants::new(vec![
        Arc::new(SessionRules {
            settings: settings.clone(),
        }),
        Arc::new(Progress { settings }),
        Arc::new(Certification::default()),
        Arc::new(Outbox { max_age }),
        Arc::new(WriteAudit),
    ])
}

/// Every API of the server, sharing one database handle.
fn apis(
    db: &Db,
    clock: &WriteClock,
    config: &Config,
    cursor_key: CursorKey,
    outbound: Outbound,
    wake: &Wake,
    roster_wake: SyncWake,
) -> openapi::Apis {
    let badges = Badges::new(db.clone(), Issuer::from_config(config));
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
                participants: write_participants(config),
                postgres_writers: config.postgres_statement_writers.get(),
            }),
            cursor_key,
        },
        StateApi {
            db: db.clone(),
            participants: document_participants(),
        },
        ActivityProfileApi {
            db: db.clone(),
            participants: document_participants(),
        },
        AgentProfileApi {
            db: db.clone(),
            participants: document_participants(),
        },
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
            http: outbound,
            auto_approve: config.lti_auto_approve,
        },
        OpsApi {
            db: db.clone(),
            metrics_token: config.metrics_token.clone(),
        },
        PassbackApi {
            db: db.clone(),
            wake: wake.clone(),
            max_age: Duration::from_secs(config.passback_max_age_secs),
        },
        RosterApi {
            db: db.clone(),
            wake: roster_wake,
        },
        (
            ProgramApi { db: db.clone() },
            BeltsApi { db: db.clone() },
            AwardsApi { db: db.clone() },
            EvidenceApi {
                db: db.clone(),
                max_file_bytes: config.evidence_max_bytes,
                media_types: config.evidence_media_types.clone(),
            },
        ),
        (
            PublicApi {
                badges: badges.clone(),
            },
            LearnerApi {
                badges: badges.clone(),
            },
            AdminApi {
                badges: badges.clone(),
            },
        ),
        LearnApi {
            db: db.clone(),
            company: Arc::new(config.company.values().unwrap_or_default()),
            public_url: config.public_url.trim_end_matches('/').to_owned(),
        },
        SurveyApi {
            db: db.clone(),
            marker_key: MarkerKey::default(),
        },
    )
}

fn endpoint(
    db: &Db,
    config: &Config,
    auth: &AuthService,
    cursor_key: CursorKey,
    outbound: Outbound,
    wake: &Wake,
    roster_wake: SyncWake,
) -> BoxEndpoint<'static> {
    let clock = WriteClock::default();
    let apis = apis(db, &clock, config, cursor_key, outbound, wake, roster_wake);
    // The page uses the APIs' service: they share its cache of signed status lists.
    let badges = apis.13.0.badges.clone();
    let statements = apis.1.writer.clone();
    let statement_cursors = apis.1.cursor_key.clone();
    let service = openapi::service(apis);
    let docs_html = api_docs::page(&service.rapidoc_html());
    let security_headers = SecurityHeaders::new(&docs_html);
    let docs = api_docs::endpoint(docs_html);
    let console = crate::console::routes(crate::console::Console {
        db: db.clone(),
        config: Arc::new(config.clone()),
        sessions: crate::console::SessionSettings::from_config(config),
        auth: auth.clone(),
        badges: badges.clone(),
        passback_wake: wake.clone(),
        statements,
        cursor_key: statement_cursors,
    });
    let learn = crate::learn::home::routes(crate::learn::home::Learn {
        db: db.clone(),
        clock: clock.clone(),
        settings: LaunchSettings::from_config(config),
        company: Arc::new(config.company.values().unwrap_or_default()),
        secure: config.public_url.starts_with("https://"),
    });
    let routes = RouteTable::from_openapi(&service.spec());
    let spec = service.spec_endpoint();
    Route::new()
        .nest(
            "/",
            service
                .with(crate::auth::ExplainCredentials)
                .with(VersionGate {
                    fallback: config.xapi_version_when_unspecified,
                    clock,
                })
                .with(AlternateSyntax),
        )
        .at("/content/:slug/*path", get(serve_asset))
        .at("/runtime/*file", get(serve_runtime))
        .at(
            "/lti/close.js",
            get(crate::lti::dynamic_registration::close_script),
        )
        .at("/verify/:id", get(crate::badges::page::verify).data(badges))
        .nest("/console", console)
        .nest("/learn", learn)
        .at("/docs", docs)
        .at("/openapi.json", spec)
        .data(auth.clone())
        .data(db.clone())
        .data(BodyLimit(config.max_body_bytes))
        .catch_all_error(framework_error)
        // `/` is inside the API's nest; the console's front door is decided before it.
        .around(crate::console::front_door)
        .with(AllowHeader::new(routes.clone()))
        .with(FrameAncestors::new(
            db.clone(),
            config.frame_ancestors.clone(),
        ))
        // Outside everything that reads a body or the database, inside what logs; a
        // flood from one address is refused before its body is read.
        .with(BoundBodies::new(body_bounds(config)))
        .with(crate::lti::throttle::throttle(
            config.lti_rate_limit_burst,
            config.lti_rate_limit_per_minute,
        ))
        .with(crate::badges::throttle::throttle(
            config.public_rate_limit_burst,
            config.public_rate_limit_per_minute,
        ))
        .with(security_headers)
        .with(RequestMetrics { routes })
        .with(AccessLog)
        .with(cors())
        .boxed()
}

/// Content runs in the learner's browser on other origins; it authenticates with a
/// header, never a cookie, so any origin may call (no credentials mode). Only the
/// methods the API uses are allowed: never CONNECT or TRACE.
fn cors() -> Cors {
    Cors::new()
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
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
        CursorKey::ephemeral(),
        Outbound::unusable(),
        &Wake::default(),
        SyncWake::default(),
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
