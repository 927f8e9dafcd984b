//! `blackbelt lti contexts|members|sync`: the NRPS rosters from the shell (the admin
//! API's `/api/lti/contexts` operations).

use clap::Subcommand;

use crate::app::App;
use crate::config::Config;
use crate::lti::service_token::ServiceTokens;
use crate::outbound::{Outbound, OutboundSettings};
use crate::roster::fetch::RosterClient;
use crate::roster::store::{self, ContextRow};
use crate::roster::sync::{RosterSettings, sync_now};

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// LMS courses (LTI contexts) whose launches carried the NRPS claim, with their
    /// roster's sync state.
    Contexts {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The members of a context, as its platform's roster last listed them.
    Members {
        /// The context's id (from `blackbelt lti contexts`).
        context_id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Fetch a context's roster now, in this process, and print the outcome (the
    /// stored members change only when every page arrived).
    Sync {
        /// The context's id (from `blackbelt lti contexts`).
        context_id: i64,
    },
}

fn text(e: crate::error::Error) -> String {
    e.to_string()
}

fn rfc3339(us: Option<i64>) -> Option<String> {
    us.and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map(|t| t.to_string())
}

fn when(us: Option<i64>) -> String {
    rfc3339(us).unwrap_or_else(|| "never".to_owned())
}

/// One line per context (and its last error), or JSON as the API lists them.
fn print_contexts(list: &[ContextRow], json: bool, now: i64) -> Result<(), String> {
    if json {
        let rows: Vec<_> = list
            .iter()
            .map(|c| {
                serde_json::json!({"id": c.id, "source": c.source, "contextId": c.context_id,
                    "title": c.title, "membershipsUrl": c.memberships_url,
                    "members": c.member_count, "lastSynced": rfc3339(c.last_synced_us),
                    "syncState": store::sync_state(c, now), "lastError": c.last_error})
            })
            .collect();
        let out = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
        println!("{out}");
        return Ok(());
    }
    if list.is_empty() {
        println!(
            "no LTI contexts with a roster yet (an LTI 1.3 launch with the NRPS claim records one)"
        );
    }
    for c in list {
        println!(
            "{}\t{}\t{}\t{}\t{} members\tsynced {}\t{}",
            c.id,
            store::sync_state(c, now),
            c.source,
            c.context_id,
            c.member_count,
            when(c.last_synced_us),
            c.title.as_deref().unwrap_or("-"),
        );
        if let Some(error) = &c.last_error {
            println!("\tlast error: {error}");
        }
    }
    Ok(())
}

fn no_context(id: i64) -> String {
    format!("no LTI context {id}; see `blackbelt lti contexts`")
}

/// Runs `command` on `app` (opened by `blackbelt lti`: an existing database, no
/// background tasks).
pub async fn run(config: &Config, app: &App, command: RosterCommand) -> Result<(), String> {
    let conn = &app.db.conn;
    let now = jiff::Timestamp::now().as_microsecond();
    match command {
        RosterCommand::Contexts { json } => {
            let list = store::list(conn).await.map_err(text)?;
            print_contexts(&list, json, now)?;
        }
        RosterCommand::Members { context_id, json } => {
            if store::get(conn, context_id).await.map_err(text)?.is_none() {
                return Err(no_context(context_id));
            }
            let (members, _) = store::members(conn, context_id, None, u32::MAX - 1)
                .await
                .map_err(text)?;
            for m in members {
                if json {
                    let row = serde_json::json!({"userId": m.user_id, "name": m.name,
                        "givenName": m.given_name, "familyName": m.family_name, "email": m.email,
                        "roles": m.roles, "status": m.status});
                    println!("{row}");
                } else {
                    let roles: Vec<&str> = m
                        .roles
                        .iter()
                        .map(|r| r.rsplit(['#', '/']).next().unwrap_or(r))
                        .collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        m.user_id,
                        m.status,
                        m.name.as_deref().unwrap_or("-"),
                        m.email.as_deref().unwrap_or("-"),
                        roles.join(",")
                    );
                }
            }
        }
        RosterCommand::Sync { context_id } => {
            if store::get(conn, context_id).await.map_err(text)?.is_none() {
                return Err(no_context(context_id));
            }
            let client = RosterClient {
                db: app.db.clone(),
                http: Outbound::new(OutboundSettings::from_config(config))?,
                tokens: ServiceTokens::default(),
            };
            let settings = RosterSettings::from_config(config);
            if !sync_now(&client, settings, context_id)
                .await
                .map_err(text)?
            {
                return Err(format!(
                    "context {context_id} is being synced by a running server right now; \
                     see `blackbelt lti contexts` in a moment"
                ));
            }
            let c = store::get(conn, context_id)
                .await
                .map_err(text)?
                .ok_or_else(|| no_context(context_id))?;
            match (&c.last_status, &c.last_error) {
                (Some(s), Some(error)) if s == "failed" => {
                    return Err(format!(
                        "the roster of context {context_id} was not fetched: {error}"
                    ));
                }
                _ => println!(
                    "context {context_id}: {} members, synced {}",
                    c.member_count,
                    when(c.last_synced_us)
                ),
            }
        }
    }
    Ok(())
}
