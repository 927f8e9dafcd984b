//! `blackbelt lti …`: platform registrations and the tool's signing keys.

use clap::Subcommand;

use crate::app::App;
use crate::cli_words::{PLATFORMS_ADD, in_cli_words};
use crate::config::Config;
use crate::lti::platforms::{self, NewPlatform};
use crate::lti::registration_links::{self, NewRegistrationLink};
use crate::lti::{consumers, keys};

#[derive(Debug, Subcommand)]
pub enum LtiCommand {
    /// LTI 1.3 platform registrations.
    #[command(subcommand)]
    Platforms(PlatformsCommand),
    /// The tool's signing keys (published at /lti/jwks).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// LTI 1.1 consumers (key and shared secret per LMS).
    #[command(subcommand)]
    Consumers(ConsumersCommand),
    /// NRPS rosters: `contexts`, `members CONTEXT_ID`, `sync CONTEXT_ID`.
    #[command(flatten)]
    Roster(crate::roster_cli::RosterCommand),
    /// Make a one-time LTI Dynamic Registration link: give the printed URL to the LMS as
    /// the tool's registration URL. It works once, until it expires; /lti/register
    /// refuses every request without such a link.
    RegistrationLink {
        /// Days the link works (1 to 90).
        #[arg(long, default_value_t = crate::lti::registration_links::DEFAULT_VALID_DAYS)]
        valid_days: u32,
        /// A note for people, e.g. "Moodle (production)".
        #[arg(long)]
        label: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsumersCommand {
    /// Create a consumer key and secret for an LMS (the secret is shown once).
    Add {
        /// A name for people, e.g. "Cornerstone (production)".
        #[arg(long)]
        name: String,
        /// The LMS origin, e.g. https://lms.example.com: it may then frame the modules
        /// (Content-Security-Policy frame-ancestors) without setting `frame_ancestors`.
        #[arg(long)]
        origin: Option<String>,
    },
    /// List consumers (never their secrets).
    List,
    /// Remove a consumer; its launches stop working at once.
    Remove {
        /// The consumer key.
        key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlatformsCommand {
    /// Register a platform (values come from the LMS's tool registration page).
    Add {
        /// A name for people, e.g. "Moodle (production)".
        #[arg(long)]
        name: String,
        /// The platform's issuer, e.g. https://moodle.example.com.
        #[arg(long)]
        issuer: String,
        /// The client id the platform gave this tool.
        #[arg(long)]
        client_id: String,
        /// A deployment id to accept; repeat for several.
        #[arg(long = "deployment-id", required = true)]
        deployment_ids: Vec<String>,
        /// The platform's OIDC authentication request URL.
        #[arg(long)]
        auth_login_url: String,
        /// The platform's OAuth 2 token URL.
        #[arg(long)]
        token_url: String,
        /// The platform's public keyset URL.
        #[arg(long)]
        jwks_url: String,
    },
    /// List registrations.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Approve a registration made through Dynamic Registration.
    Approve {
        /// The registration id (from `list`).
        id: i64,
    },
    /// Remove a registration; its launches stop working at once.
    Remove {
        /// The registration id (from `list`).
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key; older keys stay published until pruned.
    Rotate,
    /// Print the published key set (JWKS).
    Show,
    /// Stop publishing keys retired more than DAYS days ago.
    Prune {
        /// Keep keys retired within this many days.
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

/// Commands that create something may create the database; the others (list, show,
/// approve, remove, prune) need one that exists.
fn creates(command: &LtiCommand) -> bool {
    matches!(
        command,
        LtiCommand::Platforms(PlatformsCommand::Add { .. })
            | LtiCommand::Consumers(ConsumersCommand::Add { .. })
            | LtiCommand::RegistrationLink { .. }
            | LtiCommand::Keys(KeysCommand::Rotate)
    )
}

pub async fn run(config: &Config, command: LtiCommand) -> Result<(), String> {
    let app = match creates(&command) {
        true => App::build(config.clone()).await,
        false => App::open_existing(config.clone()).await,
    }
    .map_err(|e| e.to_string())?;
    let database = crate::app::redact(&config.database_url);
    let conn = app.db.writer();
    let text = |e: crate::error::Error| e.to_string();
    match command {
        LtiCommand::Roster(command) => crate::roster_cli::run(config, &app, command).await?,
        LtiCommand::Platforms(PlatformsCommand::Add {
            name,
            issuer,
            client_id,
            deployment_ids,
            auth_login_url,
            token_url,
            jwks_url,
        }) => {
            let platform = platforms::add(
                conn,
                &NewPlatform {
                    name,
                    issuer,
                    client_id,
                    deployment_ids,
                    auth_login_url,
                    token_url,
                    jwks_url,
                },
                "active",
            )
            .await
            .map_err(|e| in_cli_words(&e.to_string(), PLATFORMS_ADD))?;
            println!("registered platform {} ({})", platform.id, platform.issuer);
            println!("Tool settings for the LMS:");
            println!("  login URL:    {}/lti/login", config.public_url);
            println!("  launch URL:   {}/lti/launch", config.public_url);
            println!("  keyset URL:   {}/lti/jwks", config.public_url);
        }
        LtiCommand::Platforms(PlatformsCommand::List { json }) => {
            let list = platforms::list(conn).await.map_err(text)?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|p| {
                        serde_json::json!({"id": p.id, "name": p.name, "issuer": p.issuer,
                        "clientId": p.client_id, "deploymentIds": p.deployment_ids, "status": p.status})
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
                );
            } else if list.is_empty() {
                println!("no LTI 1.3 platforms registered in {database}");
            } else {
                for p in list {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.id, p.status, p.issuer, p.client_id, p.name
                    );
                }
            }
        }
        LtiCommand::Platforms(PlatformsCommand::Approve { id }) => {
            if !platforms::set_status(conn, id, "active")
                .await
                .map_err(text)?
            {
                return Err(format!(
                    "no platform {id}; see `blackbelt lti platforms list`"
                ));
            }
            println!("platform {id} approved");
        }
        LtiCommand::Platforms(PlatformsCommand::Remove { id }) => {
            if !platforms::remove(conn, id).await.map_err(text)? {
                return Err(format!(
                    "no platform {id}; see `blackbelt lti platforms list`"
                ));
            }
            println!("platform {id} removed");
        }
        LtiCommand::Consumers(ConsumersCommand::Add { name, origin }) => {
            // Checked here first so the message names the flag, not the API field.
            if let Some(given) = origin.as_deref()
                && let Err(rule) = consumers::parse_origin(given)
            {
                return Err(format!("--origin {rule}; got {given:?}"));
            }
            let made = consumers::create(&app.db, &name, origin.as_deref(), &config.public_url)
                .await
                .map_err(text)?;
            println!(
                "consumer key: {}\nsecret:       {}\nlaunch URL:   {}",
                made.consumer_key, made.secret, made.launch_url
            );
            println!("Enter these in the LMS; set the custom parameter au=<AU id> on each link.");
            match made.origin {
                Some(origin) => println!(
                    "modules may be framed by {origin} (a running server applies it within 30 seconds)"
                ),
                None => println!(
                    "no --origin given: the LMS may frame the modules only if its origin is in \
                     frame_ancestors (or remove this consumer and add it again with --origin)"
                ),
            }
        }
        LtiCommand::Consumers(ConsumersCommand::List) => {
            let list = consumers::list(conn).await.map_err(text)?;
            if list.is_empty() {
                println!("no LTI 1.1 consumers in {database}");
            }
            for c in list {
                println!(
                    "{}\t{}\t{}",
                    c.consumer_key,
                    c.name,
                    c.origin.as_deref().unwrap_or("-")
                );
            }
        }
        LtiCommand::Consumers(ConsumersCommand::Remove { key }) => {
            if !consumers::remove(conn, &key).await.map_err(text)? {
                return Err(format!(
                    "no consumer {key}; see `blackbelt lti consumers list`"
                ));
            }
            println!("consumer {key} removed");
        }
        LtiCommand::RegistrationLink { valid_days, label } => {
            let link = registration_links::create(
                conn,
                &config.public_url,
                &NewRegistrationLink {
                    label,
                    valid_days: Some(valid_days),
                },
            )
            .await
            .map_err(text)?;
            println!("{}", link.url);
            println!(
                "Give this URL to the LMS as the tool's registration URL. It works once, until {}.",
                link.expires_at
            );
        }
        LtiCommand::Keys(KeysCommand::Rotate) => {
            let kid = keys::rotate(&app.db).await.map_err(text)?;
            println!("new signing key {kid}; older keys stay published until `lti keys prune`");
        }
        LtiCommand::Keys(KeysCommand::Show) => {
            let set = keys::jwks(&app.db).await.map_err(text)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&set).map_err(|e| e.to_string())?
            );
        }
        LtiCommand::Keys(KeysCommand::Prune { days }) => {
            let before = jiff::Timestamp::now().as_microsecond() - days * 86_400_000_000;
            let removed = keys::prune(conn, before).await.map_err(text)?;
            println!("{removed} retired key(s) removed from the key set");
        }
    }
    Ok(())
}
