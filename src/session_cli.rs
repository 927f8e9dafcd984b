//! `blackbelt registrations waive` and `blackbelt sessions abandon`: the LMS acts on a
//! registration for an administrator (cmi5 §9.3.7 waived, §9.3.6 abandoned), through
//! the same service as the API.

use clap::Subcommand;

use crate::app::App;
use crate::cli_words::{WAIVE, in_cli_words};
use crate::config::Config;
use crate::launch::admin::{self, Waive};
use crate::launch::settings::LaunchSettings;
use crate::xapi::clock::WriteClock;

#[derive(Debug, Subcommand)]
pub enum RegistrationsCommand {
    /// Waive an AU of a registration (cmi5 §9.3.7): stores `waived` and the
    /// `satisfied` statements that follow, then prints the registration's progress.
    Waive {
        /// The registration (UUID).
        #[arg(long)]
        registration: String,
        /// The AU's id from cmi5.xml (`blackbelt packages list` shows it).
        #[arg(long)]
        au: String,
        /// `Tested Out`, `Equivalent AU`, `Equivalent Outside Activity` or
        /// `Administrative` (cmi5 §9.5.5.2).
        #[arg(long)]
        reason: String,
        /// Print the progress as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Abandon an open launch session (cmi5 §9.3.6): stores `abandoned`; the AU's
    /// auth token stops working at once.
    Abandon {
        /// The session id (the launch's `sessionId`).
        session_id: String,
    },
}

pub async fn registrations(config: &Config, command: RegistrationsCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    match command {
        RegistrationsCommand::Waive {
            registration,
            au,
            reason,
            json,
        } => {
            let progress = admin::waive(
                &app.db,
                &WriteClock::default(),
                &LaunchSettings::from_config(config),
                Waive {
                    registration,
                    au_id: au.clone(),
                    reason: reason.clone(),
                },
            )
            .await
            .map_err(|e| in_cli_words(&e.to_string(), WAIVE))?;
            if json {
                let out = poem_openapi::types::ToJSON::to_json(&progress).unwrap_or_default();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "waived {au} ({reason}) in registration {}: course {} is {} ({}%)",
                    progress.registration, progress.course_id, progress.status, progress.progress
                );
            }
            Ok(())
        }
    }
}

pub async fn sessions(config: &Config, command: SessionsCommand) -> Result<(), String> {
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    match command {
        SessionsCommand::Abandon { session_id } => {
            let done = admin::abandon_session(
                &app.db,
                &WriteClock::default(),
                &LaunchSettings::from_config(config),
                &session_id,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "abandoned session {} of AU {} (registration {}); its auth token no longer works",
                done.session_id, done.au_id, done.registration
            );
            Ok(())
        }
    }
}
