//! `blackbelt users …`: console users for an operator at the server, through the same
//! functions as the users page. Changes are audited with the actor `cli`.

use std::io::BufRead;

use clap::Subcommand;

use crate::app::App;
use crate::config::Config;
use crate::console::role::Role;
use crate::console::users::{self, NewUser};
use crate::console::{now_us, setup_links};

/// The audit log's actor for what the command line does.
const ACTOR: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a console user. Prints a one-time link (24 hours) where they set their
    /// password, unless --password-stdin gives the password.
    Create {
        /// Lower-case letters, digits, `.`, `_`, `-` (1 to 64); what they type to sign in.
        username: String,
        /// admin (everything), program (L&D: program, awards, evidence, learners),
        /// reviewer (evidence of their belts), manager (read-only, their team), viewer
        /// (read-only, aggregates only).
        #[arg(long)]
        role: String,
        /// The name the console shows (default: the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// A manager's team: learners whose `org_unit` attribute is this (repeatable).
        #[arg(long = "team", value_name = "ORG_UNIT")]
        team: Vec<String>,
        /// Read the password from the first line of standard input instead of printing a
        /// setup link (for scripts; at least 12 characters, not the username).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List console users with their role, status and last sign-in.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: they cannot sign in, and their sessions end now.
    Disable { username: String },
    /// Enable a disabled user again.
    Enable { username: String },
    /// Forget a user's password, end their sessions and print a new one-time setup link.
    ResetPassword { username: String },
    /// Change a user's role (admin, program, reviewer, manager, viewer).
    Role {
        username: String,
        role: String,
        /// A manager's team (repeatable); replaces the team when given.
        #[arg(long = "team", value_name = "ORG_UNIT")]
        team: Vec<String>,
    },
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err("--password-stdin: standard input had no password on its first line".into());
    }
    Ok(password)
}

/// "YYYY-MM-DD HH:MM UTC", or "never".
pub fn when(us: Option<i64>) -> String {
    us.and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map_or_else(
            || "never".to_owned(),
            |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

fn status(user: &entities::console_user::Model) -> &'static str {
    match (user.disabled_us, &user.password_hash) {
        (Some(_), _) => "disabled",
        (None, None) => "no password yet",
        (None, Some(_)) => "active",
    }
}

pub async fn run(config: &Config, command: UsersCommand) -> Result<(), String> {
    let app = match command {
        // Like `credentials create`, this may be the first thing done to a new database.
        UsersCommand::Create { .. } => {
            App::build(Config {
                passback_enabled: false,
                ..config.clone()
            })
            .await
        }
        _ => App::open_existing(config.clone()).await,
    }
    .map_err(|e| e.to_string())?;
    let db = &app.db;
    let link = |token: &str| setup_links::url(&config.public_url, token);
    match command {
        UsersCommand::Create {
            username,
            role,
            name,
            email,
            team,
            password_stdin,
        } => {
            let role: Role = role.parse()?;
            let password = password_stdin.then(read_password).transpose()?;
            let new = NewUser {
                username,
                display_name: name.unwrap_or_default(),
                email,
                role: Some(role),
                org_units: team,
            };
            let created = users::create(db, ACTOR, new, password.as_deref(), now_us())
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "created console user {} ({})",
                created.user.username, created.user.role
            );
            if let Some(token) = created.setup_token {
                println!(
                    "They set their password at this one-time link (valid 24 hours):\n  {}",
                    link(&token)
                );
            }
        }
        UsersCommand::List { json } => {
            let mut all = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = users::list(&db.conn, after.as_deref(), 500)
                    .await
                    .map_err(|e| e.to_string())?;
                let done = page.len() < 500;
                after = page.last().map(|u| u.username.clone());
                all.extend(page);
                if done {
                    break;
                }
            }
            if json {
                let list: Vec<_> = all
                    .iter()
                    .map(|u| {
                        serde_json::json!({"username": u.username, "name": u.display_name,
                            "email": u.email, "role": u.role, "status": status(u),
                            "team": users::org_units(u), "last_sign_in": when(u.last_sign_in_us)})
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                );
            } else if all.is_empty() {
                println!(
                    "no console users; create one with `blackbelt users create NAME --role admin`"
                );
            } else {
                for u in &all {
                    println!(
                        "{:<24} {:<8} {:<15} last sign-in {:<20} {}",
                        u.username,
                        u.role,
                        status(u),
                        when(u.last_sign_in_us),
                        u.display_name
                    );
                }
            }
        }
        UsersCommand::Disable { username } => {
            let ended = users::disable(db, ACTOR, &username, now_us())
                .await
                .map_err(|e| e.to_string())?;
            println!("disabled {username}; {ended} session(s) ended");
        }
        UsersCommand::Enable { username } => {
            users::enable(db, ACTOR, &username, now_us())
                .await
                .map_err(|e| e.to_string())?;
            println!("enabled {username}");
        }
        UsersCommand::ResetPassword { username } => {
            let token = users::reset(db, ACTOR, &username, now_us())
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{username}'s password is forgotten and their sessions ended. They set a new \
                 one at this one-time link (valid 24 hours):\n  {}",
                link(&token)
            );
        }
        UsersCommand::Role {
            username,
            role,
            team,
        } => {
            let role: Role = role.parse()?;
            let team = (!team.is_empty()).then_some(team);
            let user = users::set_role(db, ACTOR, &username, role, team, now_us())
                .await
                .map_err(|e| e.to_string())?;
            println!("{} is now {}", user.username, user.role);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(when(None), "never");
        assert_eq!(when(Some(0)), "1970-01-01 00:00 UTC");
    }
}
