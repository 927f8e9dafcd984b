//! `blackbelt program reevaluate`: re-derives every learner's belts under the current
//! programs (after a program import), with a progress bar. Idempotent; existing awards
//! are kept (only `belts revoke` takes one away).

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::App;
use crate::config::Config;

#[derive(Debug, Args)]
pub struct ReevaluateArgs {
    /// Evaluate as of this time (RFC 3339, e.g. 2027-01-31T00:00:00Z) instead of now:
    /// windows ("within N months") and renewals are judged at that instant.
    #[arg(long)]
    pub at: Option<String>,
    /// No progress bar (for scripts and logs).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the re-evaluation on an existing database and prints what changed.
pub async fn run(config: &Config, args: ReevaluateArgs) -> Result<(), String> {
    let now = match &args.at {
        None => jiff::Timestamp::now(),
        Some(text) => text.parse::<jiff::Timestamp>().map_err(|e| {
            format!("--at `{text}` is not an RFC 3339 time (e.g. 2027-01-31T00:00:00Z): {e}")
        })?,
    };
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} learners  {elapsed} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    };
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let changed =
        crate::certification::engine::reevaluate_all(&app.db, now.as_microsecond(), &progress)
            .await
            .map_err(|e| {
                format!(
                    "re-evaluation failed (nothing after the last finished chunk was changed): {e}"
                )
            })?;
    bar.finish_and_clear();
    println!(
        "{} learners re-evaluated; {changed} awards created or renewed",
        bar.length().unwrap_or(0)
    );
    Ok(())
}
