//! `blackbelt belts …` and `blackbelt evidence …`: the certification's manual
//! operations for an operator at the server, through the same functions as the API.
//! Changes made here are audited as `console:<OS user>` (from `$USER`, or `$LOGNAME`),
//! the form the audit log uses for people at the console.

use clap::Subcommand;

use crate::app::App;
use crate::certification::api::evidence_api::now_us;
use crate::certification::api::manual;
use crate::certification::api::queries::{self, AwardFilter};
use crate::certification::api::view::{self, Award, Evidence};
use crate::certification::evidence::review::{self, Decision};
use crate::certification::evidence::store::{self, Filter, STATUSES};
use crate::certification::program::store::current_all;
use crate::certification::reviewers::Who;
use crate::cli_words::{Words, in_cli_words};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum BeltsCommand {
    /// List the current program's belts, lowest tier first, with their holders.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the learners holding a belt now.
    Holders {
        /// The belt's id (`blackbelt belts list` shows them).
        belt: String,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Print JSON (the API's award form).
        #[arg(long)]
        json: bool,
    },
    /// Award a belt by hand (a prior certification…); the reason is audited.
    Award {
        /// The learner's key, e.g. `account:https://lms.example.com|ada`.
        #[arg(long)]
        learner: String,
        /// The belt's id.
        #[arg(long)]
        belt: String,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
    },
    /// Revoke an active award; the reason is audited.
    Revoke {
        /// The award's id (`blackbelt belts holders <belt>` shows them).
        award: i64,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// List evidence, oldest first (the review queue with `--status pending`).
    List {
        /// pending, approved, rejected or withdrawn; all when absent.
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Print JSON (the API's form).
        #[arg(long)]
        json: bool,
    },
    /// Approve pending evidence; the learner's belts are re-evaluated at once.
    Approve {
        /// The evidence's id (`blackbelt evidence list --status pending`).
        id: i64,
        /// A comment for the learner.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Reject pending evidence, saying why.
    Reject {
        /// The evidence's id.
        id: i64,
        /// What is missing (required).
        #[arg(long)]
        comment: String,
    },
}

/// `console:<user>`: who made a change at the console.
pub fn console_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    format!("console:{user}")
}

/// The API's words in the CLI's: fields as flags, routes as commands.
const WORDS: Words = &[
    ("field `reason`", "--reason"),
    ("field `belt`:", "--belt"),
    ("field `learner`", "--learner"),
    ("field `comment`", "--comment"),
    (
        "GET /api/certification/belts lists them",
        "`blackbelt belts list` lists them",
    ),
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

pub async fn belts(config: &Config, command: BeltsCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let db = &app.db;
    let by = console_actor();
    match command {
        BeltsCommand::List { json } => {
            let programs = current_all(&db.conn).await.map_err(text)?;
            let counts = queries::holder_counts(&db.conn).await.map_err(text)?;
            let rows: Vec<serde_json::Value> = programs
                .iter()
                .flat_map(|p| {
                    p.program.belts.iter().enumerate().map(|(i, b)| {
                        serde_json::json!({
                            "id": b.id, "name": b.name, "tier": i + 1,
                            "program": p.program_id, "program_version": p.version,
                            "holders": counts.get(&b.id).copied().unwrap_or_default(),
                        })
                    })
                })
                .collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
                );
            } else if rows.is_empty() {
                println!("no program imported; `blackbelt packages import` imports one");
            } else {
                println!(
                    "{:>4}  {:<20}  {:<28}  {:>8}  PROGRAM",
                    "TIER", "ID", "NAME", "HOLDERS"
                );
                for r in &rows {
                    println!(
                        "{:>4}  {:<20}  {:<28}  {:>8}  {} v{}",
                        r["tier"],
                        str_of(&r["id"]),
                        str_of(&r["name"]),
                        r["holders"],
                        str_of(&r["program"]),
                        r["program_version"]
                    );
                }
            }
            Ok(())
        }
        BeltsCommand::Holders { belt, limit, json } => {
            let programs = current_all(&db.conn).await.map_err(text)?;
            crate::certification::evidence::submission::find_belt(&programs, &belt, "belt")
                .map_err(text)?;
            let filter = AwardFilter {
                status: Some("active".into()),
                belt_id: Some(belt.clone()),
                learner_key: None,
            };
            let rows = queries::awards(&db.conn, &filter, limit, None)
                .await
                .map_err(text)?;
            let names = view::belt_names(&programs);
            let awards: Vec<Award> = rows.into_iter().map(|r| view::award(r, &names)).collect();
            if json {
                return print_json(&awards);
            }
            if awards.is_empty() {
                println!("nobody holds {belt}");
            }
            for a in &awards {
                println!(
                    "{:>8}  {:<20}  {:<6}  {}",
                    a.id,
                    a.earned_at.chars().take(19).collect::<String>(),
                    a.source,
                    a.learner
                );
            }
            Ok(())
        }
        BeltsCommand::Award {
            learner,
            belt,
            reason,
        } => {
            let row = manual::award(db, &by, &learner, &belt, Some(&reason), now_us())
                .await
                .map_err(text)?;
            println!("awarded {belt} to {learner}: award {}", row.id);
            Ok(())
        }
        BeltsCommand::Revoke { award, reason } => {
            let row = manual::revoke(db, &by, award, Some(&reason), now_us())
                .await
                .map_err(text)?;
            println!(
                "revoked award {} ({} of {})",
                row.id, row.belt_id, row.learner_key
            );
            Ok(())
        }
    }
}

fn str_of(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub async fn evidence(config: &Config, command: EvidenceCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let db = &app.db;
    let who = Who {
        actor: console_actor(),
        admin: true,
        learner: None,
    };
    match command {
        EvidenceCommand::List {
            status,
            limit,
            json,
        } => {
            let filter = Filter {
                status: view::one_of("--status", status, &STATUSES).map_err(text)?,
                ..Filter::default()
            };
            let rows = store::list(&db.conn, &filter, limit, None)
                .await
                .map_err(text)?;
            let list: Vec<Evidence> = rows.into_iter().map(Evidence::from).collect();
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!("no evidence");
            }
            for e in &list {
                let what = e
                    .text
                    .as_deref()
                    .map(|t| t.chars().take(40).collect::<String>())
                    .or_else(|| e.url.clone())
                    .or_else(|| e.file.as_ref().map(|f| f.media_type.clone()))
                    .unwrap_or_default();
                println!(
                    "{:>6}  {:<9}  {:<12}  {:<16}  {:<5}  {}  {}",
                    e.id, e.status, e.belt, e.requirement, e.kind, e.learner, what
                );
            }
            Ok(())
        }
        EvidenceCommand::Approve { id, comment } => {
            let row = review::decide(
                db,
                &who,
                id,
                Decision::Approve,
                comment.as_deref(),
                now_us(),
            )
            .await
            .map_err(text)?;
            println!(
                "approved evidence {} ({} for {})",
                row.id, row.belt_id, row.learner_key
            );
            Ok(())
        }
        EvidenceCommand::Reject { id, comment } => {
            let row = review::decide(db, &who, id, Decision::Reject, Some(&comment), now_us())
                .await
                .map_err(text)?;
            println!(
                "rejected evidence {} ({} for {})",
                row.id, row.belt_id, row.learner_key
            );
            Ok(())
        }
    }
}
