//! `blackbelt passback list` and `blackbelt passback retry`: the outbox of progress sent
//! back to LMSs, for an operator at the server, through the same store as the admin API.
//! A retried message is picked up by a running server at its next poll.

use std::time::Duration;

use clap::Subcommand;

use crate::app::App;
use crate::config::Config;
use crate::passback::store;
use crate::passback::view::{self, PassbackMessage};

#[derive(Debug, Subcommand)]
pub enum PassbackCommand {
    /// List outgoing messages to LMSs, newest first: state, attempts, the platform's
    /// last status and our error words.
    List {
        /// Only messages in this state: pending, failed, delivered or superseded.
        #[arg(long)]
        state: Option<String>,
        /// At most this many messages.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Print every field as JSON (the admin API's form), with the platform's answer.
        #[arg(long)]
        json: bool,
    },
    /// Send failed messages again: pending and due now, with a fresh age limit. A line
    /// item we had found or created that answered 404 is found or created again.
    Retry {
        /// Message ids (`blackbelt passback list --state failed` shows them).
        #[arg(required_unless_present = "all_failed")]
        ids: Vec<i64>,
        /// Every failed message.
        #[arg(long, conflicts_with = "ids")]
        all_failed: bool,
    },
}

pub async fn run(config: &Config, command: PassbackCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let text = |e: crate::error::Error| e.to_string();
    match command {
        PassbackCommand::List { state, limit, json } => {
            let state = view::state_filter(state.as_deref()).map_err(text)?;
            let entries = store::list(&app.db.conn, state, limit, None)
                .await
                .map_err(text)?;
            let list: Vec<PassbackMessage> = entries.into_iter().map(Into::into).collect();
            if json {
                let out: Vec<_> = list
                    .iter()
                    .map(poem_openapi::types::ToJSON::to_json)
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
                );
            } else {
                print_table(&list);
            }
            Ok(())
        }
        PassbackCommand::Retry { ids, all_failed } => {
            let ids = if all_failed {
                failed_ids(&app).await.map_err(text)?
            } else {
                ids
            };
            let max_age = Duration::from_secs(config.passback_max_age_secs);
            let mut refused = 0;
            for id in &ids {
                let now = jiff::Timestamp::now().as_microsecond();
                match store::retry(&app.db, *id, now, max_age).await {
                    Ok(done) if done.forgot_lineitem => println!(
                        "{id}: {} (the line item will be found or created again)",
                        done.state
                    ),
                    Ok(done) => println!("{id}: {}", done.state),
                    Err(e) => {
                        refused += 1;
                        eprintln!("{id}: {e}");
                    }
                }
            }
            if all_failed && ids.is_empty() {
                println!("no failed messages");
            }
            match refused {
                0 => Ok(()),
                n => Err(format!("{n} of {} messages were not retried", ids.len())),
            }
        }
    }
}

/// Every failed message's id, oldest first, so the oldest standing is sent first.
async fn failed_ids(app: &App) -> Result<Vec<i64>, crate::error::Error> {
    let mut ids = Vec::new();
    let mut before = None;
    loop {
        let page = store::list(&app.db.conn, Some("failed"), 500, before).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        ids.extend(page.iter().map(|e| e.id));
    }
    ids.reverse();
    Ok(ids)
}

fn print_table(list: &[PassbackMessage]) {
    if list.is_empty() {
        println!("no passback messages");
        return;
    }
    println!(
        "{:>8}  {:<10}  {:<8}  {:>8}  {:>6}  {:<20}  {:<20}  ERROR / AU",
        "ID", "STATE", "PROTOCOL", "ATTEMPTS", "STATUS", "CREATED", "LEARNER"
    );
    for m in list {
        let status = m
            .last_status
            .map_or_else(|| "-".to_owned(), |s| s.to_string());
        let created: String = m.created_at.chars().take(19).collect();
        let learner: String = m.user_id.chars().take(20).collect();
        let last = m.last_error.as_deref().unwrap_or(&m.au_id);
        println!(
            "{:>8}  {:<10}  {:<8}  {:>8}  {:>6}  {:<20}  {:<20}  {}",
            m.id, m.state, m.protocol, m.attempts, status, created, learner, last
        );
    }
}
