//! The command line. Every command has `--help`; settings come from `--config FILE`,
//! `BLACKBELT_*` environment variables and flags, flags winning.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::App;
use crate::auth::{Scopes, store};
use crate::config::{Config, LogFormat};
use crate::content_cli::{LaunchArgs, PackagesCommand, import_at_start, launch_command, packages};
use crate::{db::Db, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "blackbelt",
    version,
    about = "Black Belt: xAPI LRS, cmi5 content host and LTI tool and certification engine"
)]
pub struct Cli {
    /// TOML configuration file (keys as in `Config`, e.g. `bind = "0.0.0.0:8420"`).
    #[arg(long, global = true, env = "BLACKBELT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://path?mode=rwc or postgres://user@host/db.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (runs migrations first; creates a first credential if none exists).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API credentials (HTTP Basic key + secret with scopes).
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Import and list learning content packages (cmi5 / tincan.xml).
    #[command(subcommand)]
    Packages(PackagesCommand),
    /// Launch an AU for a learner and print the launch URL (open it in a browser).
    Launch(LaunchArgs),
    /// cmi5 registrations: waive an AU (the LMS's `waived`, cmi5 §9.3.7).
    #[command(subcommand)]
    Registrations(crate::session_cli::RegistrationsCommand),
    /// cmi5 launch sessions: abandon an open one (cmi5 §9.3.6).
    #[command(subcommand)]
    Sessions(crate::session_cli::SessionsCommand),
    /// LTI: platform registrations and the tool's signing keys.
    #[command(subcommand)]
    Lti(crate::lti_cli::LtiCommand),
    /// Progress sent back to LMSs: list the outbox, retry failed messages.
    #[command(subcommand)]
    Passback(crate::passback_cli::PassbackCommand),
    /// The certification program: show, validate and import program files.
    #[command(subcommand)]
    Program(crate::certification::program::cli::ProgramCommand),
    /// Certification belts: list them and their holders, award and revoke by hand.
    #[command(subcommand)]
    Belts(crate::certification_cli::BeltsCommand),
    /// Certification evidence: list the review queue, approve, reject.
    #[command(subcommand)]
    Evidence(crate::certification_cli::EvidenceCommand),
    /// Open Badges credentials of the belts: list, show, re-sign; the issuer's keys.
    #[command(subcommand)]
    Badges(crate::badges_cli::BadgesCommand),
    /// Console users (the web console at /console): create, list, disable, enable,
    /// reset a password, change a role.
    #[command(subcommand)]
    Users(crate::users_cli::UsersCommand),
    /// Print the OpenAPI document to stdout.
    Openapi,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8420).
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Public base URL of this server, used in links and credential authorities.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Import the packages folder (`packages_dir`, default ./packages) before serving;
    /// unchanged packages are skipped.
    #[arg(long)]
    pub import_packages: bool,
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Create a credential and print its key and secret (shown only once).
    Create {
        /// Who or what uses it, e.g. "Reporting dashboard".
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: all, all/read, statements/read, statements/read/mine,
        /// statements/write, state, define, profile, admin.
        #[arg(long, value_delimiter = ',', num_args = 1..)]
        scopes: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List credentials (never their secrets).
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a credential by key; every server using the database refuses it within a
    /// second.
    Revoke {
        /// The credential key (user name), e.g. bb_0123abcd...
        key: String,
    },
}

pub async fn run(cli: Cli) -> ExitCode {
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: configuration: {err}");
            return ExitCode::from(2);
        }
    };
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    if cli.log_json {
        config.log_format = LogFormat::Json;
    }
    let level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    telemetry::init(config.log_format, level);
    let outcome = match cli.command {
        Command::Serve(args) => serve(config, args).await,
        Command::Migrate => migrate(&config).await,
        Command::Credentials(command) => credentials(&config, command).await,
        Command::Packages(command) => packages(&config, command).await,
        Command::Launch(args) => launch_command(&config, args).await,
        Command::Registrations(command) => {
            crate::session_cli::registrations(&config, command).await
        }
        Command::Sessions(command) => crate::session_cli::sessions(&config, command).await,
        Command::Lti(command) => crate::lti_cli::run(&config, command).await,
        Command::Passback(command) => crate::passback_cli::run(&config, command).await,
        Command::Program(command) => {
            crate::certification::program::cli::run(&config, command).await
        }
        Command::Belts(command) => crate::certification_cli::belts(&config, command).await,
        Command::Evidence(command) => crate::certification_cli::evidence(&config, command).await,
        Command::Badges(command) => crate::badges_cli::run(&config, command).await,
        Command::Users(command) => crate::users_cli::run(&config, command).await,
        Command::Openapi => {
            println!("{}", crate::app::openapi_json());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(mut config: Config, args: ServeArgs) -> Result<(), String> {
    if let Some(bind) = args.bind {
        config.bind = bind;
    }
    if let Some(url) = args.public_url {
        config.public_url = url;
    }
    let app = App::build(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    if args.import_packages {
        import_at_start(&app, &config).await?;
    }
    // The LTI signing key exists before any platform asks for our key set.
    crate::lti::keys::signing_key(&app.db)
        .await
        .map_err(|e| format!("LTI signing key: {e}"))?;
    let listener = bind(config.bind).await?;
    // Last, once nothing else can fail: a start that fails earlier must not have shown
    // (and so spent) the one-time secret.
    let bootstrap = bootstrap_credential(&app.db, &config).await?;
    let first_admin = first_console_admin(&app.db, &config).await?;
    let address = listener.local_addr().unwrap_or(config.bind);
    tracing::info!(%address, database = %crate::app::redact(&config.database_url), "listening");
    println!("Black Belt listening on http://{address} (API docs at /docs)");
    if let Some(text) = bootstrap {
        println!("\n{text}\n");
    }
    if let Some(text) = first_admin {
        println!("{text}\n");
    }
    app.serve_with(listener)
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

/// Binds the listening socket, saying which address failed and what to do.
async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "cannot listen on {address}: the address is already in use (another Black \
                 Belt?). Stop what uses it, or choose another address with --bind \
                 (or `bind` in the config file, BLACKBELT_BIND)"
            ),
            _ => format!(
                "cannot listen on {address}: {e}. Choose another address with --bind (or \
                 `bind` in the config file, BLACKBELT_BIND)"
            ),
        })
}

/// On first start there is no way to call the API, so make one all-powerful credential;
/// returns the text that shows it once.
async fn bootstrap_credential(db: &Db, config: &Config) -> Result<Option<String>, String> {
    if store::count_active(&db.conn)
        .await
        .map_err(|e| e.to_string())?
        > 0
    {
        return Ok(None);
    }
    let scopes = Scopes::parse_list("all,admin").map_err(|e| e.to_string())?;
    let created = store::create(&db.conn, "bootstrap", scopes, &config.public_url)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(format!(
        "First start: created a credential with every scope. Save it now; the secret is not shown again.\n  \
         key:    {}\n  secret: {}\n\
         Make narrower ones with: blackbelt credentials create --name NAME --scopes statements/write",
        created.key, created.secret
    )))
}

/// While the console has no user, make `admin` (no password) and return the text that
/// shows its one-time link to set the password.
async fn first_console_admin(db: &Db, config: &Config) -> Result<Option<String>, String> {
    use crate::console::{role::Role, setup_links, users};
    if users::count(&db.conn).await.map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    let new = users::NewUser {
        username: "admin".into(),
        display_name: "Administrator".into(),
        role: Some(Role::Admin),
        ..Default::default()
    };
    let created = users::create(db, "system", new, None, crate::console::now_us())
        .await
        .map_err(|e| format!("first console user: {e}"))?;
    let token = created
        .setup_token
        .ok_or_else(|| "first console user: no setup link was made".to_owned())?;
    Ok(Some(format!(
        "Console: open this one-time link (valid 24 hours) to set the password of the first \
         console administrator, `admin`; then sign in at {}/console.\n  setup link: {}",
        config.public_url.trim_end_matches('/'),
        setup_links::url(&config.public_url, &token)
    )))
}

async fn migrate(config: &Config) -> Result<(), String> {
    App::build(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    println!("database is up to date");
    Ok(())
}

async fn credentials(config: &Config, command: CredentialsCommand) -> Result<(), String> {
    let app = match command {
        CredentialsCommand::Create { .. } => App::build(config.clone()).await,
        _ => App::open_existing(config.clone()).await,
    }
    .map_err(|e| e.to_string())?;
    let conn = &app.db.conn;
    match command {
        CredentialsCommand::Create { name, scopes, json } => {
            let scopes = Scopes::parse_list(&scopes.join(","))?;
            let created = store::create(conn, &name, scopes, &config.public_url)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&created).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "key:    {}\nsecret: {}\nscopes: {}",
                    created.key, created.secret, created.scopes
                );
                println!("The secret is not stored and will not be shown again.");
            }
        }
        CredentialsCommand::List { json } => {
            let rows = store::list(conn).await.map_err(|e| e.to_string())?;
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|c| {
                        serde_json::json!({"key": c.key, "name": c.name, "scopes": c.scopes,
                        "created_at_ms": c.created_at_ms, "revoked": c.revoked_at_ms.is_some()})
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                );
            } else if rows.is_empty() {
                println!(
                    "no credentials in {}",
                    crate::app::redact(&config.database_url)
                );
            } else {
                for c in rows {
                    let state = if c.revoked_at_ms.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!("{}\t{}\t{}\t{}", c.key, state, c.scopes, c.name);
                }
            }
        }
        CredentialsCommand::Revoke { key } => {
            if !app.auth.revoke(&key).await.map_err(|e| e.to_string())? {
                return Err(format!(
                    "no active credential with key {key}; see `blackbelt credentials list`"
                ));
            }
            println!("revoked {key}; servers using this database refuse it within a second");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn env_names(command: &clap::Command, names: &mut Vec<String>) {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                names.push(env.to_string_lossy().into_owned());
            }
        }
        for sub in command.get_subcommands() {
            env_names(sub, names);
        }
    }

    #[test]
    fn every_environment_variable_the_cli_reads_is_kept_out_of_the_settings() {
        let mut names = Vec::new();
        env_names(&Cli::command(), &mut names);
        assert!(names.contains(&"BLACKBELT_CONFIG".to_owned()), "{names:?}");
        for name in names {
            let key = name.strip_prefix("BLACKBELT_").unwrap_or(&name);
            assert!(
                crate::config::CLI_ENV_VARS.contains(&key),
                "{name} is read by the command line but would also be read as a setting"
            );
        }
    }
}
