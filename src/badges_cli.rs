//! `blackbelt badges …`: the Open Badges credentials and the issuer's keys for an
//! operator at the server, through the same functions as the admin API. Re-issues and
//! rotations are audited as `console:<OS user>`.

use clap::Subcommand;

use crate::app::App;
use crate::badges::Issuer;
use crate::badges::api::operations;
use crate::badges::api::queries;
use crate::badges::api::views::{CredentialSummary, Key};
use crate::badges::issue::Badges;
use crate::badges::keys;
use crate::badges::status::live_status;
use crate::certification::api::caller::learner_key_of;
use crate::certification::api::evidence_api::now_us;
use crate::certification::api::queries::AwardFilter;
use crate::certification_cli::console_actor;
use crate::cli_words::{Words, in_cli_words};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum BadgesCommand {
    /// List credentials, newest award first, with their status and public links (a
    /// credential is made for each award listed that had none yet).
    List {
        /// Only this learner's (learner key, e.g. `account:https://lms.example.com|ada`).
        #[arg(long)]
        learner: Option<String>,
        /// Only this belt's.
        #[arg(long)]
        belt: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Print JSON (the API's form).
        #[arg(long)]
        json: bool,
    },
    /// Print one credential: the JSON with its Data Integrity proof, or the VC-JWT.
    Show {
        /// The credential's id (the UUID at the end of its URL).
        id: String,
        /// Print the VC-JWT instead of the JSON.
        #[arg(long)]
        jwt: bool,
    },
    /// Sign a credential again with the current keys (after a rotation); refused for a
    /// revoked award.
    Reissue {
        /// The credential's id.
        id: String,
    },
    /// The issuer's signing keys: list them, rotate them.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the keys, newest first, current and retired (public halves only).
    List {
        /// Print JSON (the API's form).
        #[arg(long)]
        json: bool,
    },
    /// Retire the signing keys and make new ones. Retired keys stay published, so every
    /// credential signed before still verifies; credentials are signed with the new keys
    /// when next served.
    Rotate,
}

/// The API's words in the CLI's.
const WORDS: Words = &[
    ("GET /api/badges/credentials", "`blackbelt badges list`"),
    ("field `learner`", "--learner"),
];

fn text(e: crate::error::Error) -> String {
    in_cli_words(&e.to_string(), WORDS)
}

fn print_json<T: poem_openapi::types::ToJSON>(items: &[T]) -> Result<(), String> {
    let out: Vec<_> = items.iter().map(T::to_json).collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}

pub async fn run(config: &Config, command: BadgesCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let badges = Badges::new(app.db.clone(), Issuer::from_config(config));
    let urls = &badges.issuer.urls;
    match command {
        BadgesCommand::List {
            learner,
            belt,
            limit,
            json,
        } => {
            let filter = AwardFilter {
                status: None,
                belt_id: belt,
                learner_key: learner.map(|l| learner_key_of(&l).to_owned()),
            };
            let now = now_us();
            let rows = queries::credentials(&badges, &filter, limit, None, now)
                .await
                .map_err(text)?;
            let list: Vec<CredentialSummary> = rows
                .iter()
                .map(|(row, award)| {
                    CredentialSummary::new(urls, row, award, &live_status(award, now))
                })
                .collect();
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!("no credentials: no belt has been awarded");
            }
            for c in &list {
                println!(
                    "{}  {:<8}  {:<16}  {}  {}",
                    c.id, c.status.name, c.belt, c.learner, c.links.verify_page
                );
            }
            Ok(())
        }
        BadgesCommand::Show { id, jwt } => {
            let id = crate::badges::api::public_api::credential_id(&id).map_err(text)?;
            let issued = badges.by_id(id).await.map_err(text)?.ok_or_else(|| {
                format!("no credential `{id}`; `blackbelt badges list` lists them")
            })?;
            if jwt {
                println!("{}", issued.jwt);
            } else {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&issued.json).map_err(|e| e.to_string())?
                );
            }
            Ok(())
        }
        BadgesCommand::Reissue { id } => {
            let issued = operations::reissue(&badges, &console_actor(), &id, now_us())
                .await
                .map_err(text)?;
            println!(
                "re-signed credential {} ({} of {}): {}",
                issued.row.id,
                issued.belt_id,
                issued.row.learner_key,
                urls.credential(&issued.row.id)
            );
            Ok(())
        }
        BadgesCommand::Keys(KeysCommand::List { json }) => {
            let list: Vec<Key> = keys::published(&badges.db)
                .await
                .map_err(text)?
                .into_iter()
                .map(|k| Key::of(urls, k))
                .collect();
            if json {
                return print_json(&list);
            }
            for k in &list {
                println!(
                    "{:<8}  {:<7}  {:<8}  {}  {}",
                    k.alg,
                    if k.current { "current" } else { "retired" },
                    k.created_at.chars().take(19).collect::<String>(),
                    k.kid,
                    k.url
                );
            }
            Ok(())
        }
        BadgesCommand::Keys(KeysCommand::Rotate) => {
            let kids = operations::rotate(&badges, &console_actor(), now_us())
                .await
                .map_err(text)?;
            println!(
                "rotated: new signing keys {}; the old keys are retired and stay published",
                kids.join(", ")
            );
            Ok(())
        }
    }
}
