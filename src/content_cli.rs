//! `blackbelt packages …` and `blackbelt launch`: content and launches from the shell.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::app::{App, package_limits};
use crate::cli_words::{LAUNCH, in_cli_words};
use crate::config::Config;
use crate::launch::grant::LaunchMode;
use crate::launch::learner::{Learner, LearnerAccount};
use crate::launch::service::{NewLaunch, launch};
use crate::launch::settings::LaunchSettings;
use crate::packages::batch::{describe, describe_program, import_paths};
use crate::packages::retire::{retired_message, set_retired};
use crate::packages::{catalog, store};
use crate::xapi::clock::WriteClock;

#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// Import packages: folders or zips with cmi5.xml or tincan.xml, cmi5 course
    /// structures on their own (`.xml` files whose AUs are at absolute URLs, cmi5 14.0),
    /// or folders of them. Unchanged packages are skipped; changed ones become a new
    /// version.
    Import {
        /// Package folders, zips, `.xml` course structures, or folders holding packages
        /// (e.g. ./packages).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the catalog: the newest version of each course and its AUs.
    List {
        /// Also list retired courses (marked `retired`).
        #[arg(long)]
        all: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Retire a course: it leaves the catalog and the LTI Deep Linking picker, and new
    /// launches of its AUs are refused. Sessions already launched finish; statements
    /// stay. Re-importing its package keeps it retired.
    Retire {
        /// The course id (IRI) or a slug, as `blackbelt packages list` shows them.
        course: String,
    },
    /// Restore a retired course to the catalog.
    Restore {
        /// The course id (IRI) or a slug, as `blackbelt packages list --all` shows them.
        course: String,
    },
}

#[derive(Debug, Args)]
pub struct LaunchArgs {
    /// The AU id (IRI) to launch; `blackbelt packages list` shows them.
    #[arg(long)]
    pub au: String,
    /// The learner's account homePage (the URL of the system that knows them).
    #[arg(long)]
    pub home_page: String,
    /// The learner's account name (a stable user id in that system).
    #[arg(long)]
    pub name: String,
    /// The learner's display name.
    #[arg(long)]
    pub display_name: Option<String>,
    /// The learner's email address.
    #[arg(long)]
    pub email: Option<String>,
    /// The course id, when the AU id is in several courses.
    #[arg(long)]
    pub course: Option<String>,
    /// Where the AU sends the learner on exit.
    #[arg(long)]
    pub return_url: Option<String>,
    /// The base URL learners reach the server at, as `serve --public-url` was given
    /// (default: `public_url` from the configuration).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Print JSON instead of the URL alone.
    #[arg(long)]
    pub json: bool,
}

pub async fn packages(config: &Config, command: PackagesCommand) -> Result<(), String> {
    let app = match command {
        PackagesCommand::Import { .. } => App::build(config.clone()).await,
        _ => App::open_existing(config.clone()).await,
    }
    .map_err(|e| e.to_string())?;
    match command {
        PackagesCommand::Import { paths, json } => {
            let show_progress = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let batch =
                import_paths(&app.db, &paths, &package_limits(config), show_progress).await?;
            let refused = batch.refused();
            let results = &batch.packages;
            if json {
                let mut list: Vec<_> = results
                    .iter()
                    .map(|r| match &r.outcome {
                        Ok(o) => serde_json::json!({"path": r.path, "ok": true, "outcome": o}),
                        Err(e) => serde_json::json!({"path": r.path, "ok": false, "error": e}),
                    })
                    .collect();
                list.extend(batch.programs.iter().map(|r| match &r.outcome {
                    Ok(o) => serde_json::json!({"path": r.path, "ok": true, "program": o}),
                    Err(e) => serde_json::json!({"path": r.path, "ok": false, "error": e}),
                }));
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                );
            } else {
                for result in results {
                    println!("{}", describe(result));
                }
                for result in &batch.programs {
                    println!("{}", describe_program(result));
                }
            }
            for o in results.iter().filter_map(|r| r.outcome.as_ref().ok()) {
                if o.retired && !json {
                    println!("          {}", retired_message(&o.course_id));
                }
            }
            if refused > 0 {
                return Err(format!(
                    "{refused} package(s) or program file(s) refused; nothing of them was stored"
                ));
            }
        }
        PackagesCommand::List { all, json } => {
            let models = if all {
                store::latest_of_each_with_retired(&app.db.conn).await
            } else {
                store::latest_of_each(&app.db.conn).await
            }
            .map_err(|e| e.to_string())?;
            let mut entries = Vec::new();
            for model in &models {
                entries.push(catalog::entry(model, "en")?);
            }
            if json {
                let list: Vec<_> = entries
                    .iter()
                    .map(|c| {
                        serde_json::json!({"courseId": c.course_id, "title": c.title, "version": c.version,
                            "audiences": c.audiences, "retired": c.retired_at.is_some(),
                            "aus": c.aus.iter().map(|a| serde_json::json!({"auId": a.au_id, "title": a.title})).collect::<Vec<_>>()})
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                );
            } else if entries.is_empty() {
                println!(
                    "no packages in {}; import some with `blackbelt packages import PATH`",
                    crate::app::redact(&config.database_url)
                );
            } else {
                for course in entries {
                    let mark = if course.retired_at.is_some() {
                        "  (retired)"
                    } else {
                        ""
                    };
                    println!(
                        "{}  v{}  {}{mark}",
                        course.course_id, course.version, course.title
                    );
                    for au in course.aus {
                        println!("    {}  {}", au.au_id, au.title);
                    }
                }
            }
        }
        PackagesCommand::Retire { course } => retire_command(&app, &course, true).await?,
        PackagesCommand::Restore { course } => retire_command(&app, &course, false).await?,
    }
    Ok(())
}

/// `packages retire|restore COURSE`: one line saying what changed.
async fn retire_command(app: &App, course: &str, retire: bool) -> Result<(), String> {
    let done = set_retired(&app.db, course, retire)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!("no course has the id or slug {course:?}; `blackbelt packages list --all` lists courses")
        })?;
    let id = &done.course.course_id;
    let line = match (retire, done.changed) {
        (true, true) => format!(
            "retired {id}: it left the catalog and new launches are refused; sessions already \
             launched finish. Undo with `blackbelt packages restore {id}`"
        ),
        (true, false) => format!("{id} was already retired; nothing changed"),
        (false, true) => format!("restored {id}: it is back in the catalog"),
        (false, false) => format!("{id} is not retired; nothing changed"),
    };
    println!("{line}");
    Ok(())
}

pub async fn launch_command(config: &Config, args: LaunchArgs) -> Result<(), String> {
    let mut config = config.clone();
    let base_from = match &args.public_url {
        Some(url) => {
            config.public_url = url.trim_end_matches('/').to_owned();
            "--public-url"
        }
        None => "the configuration's public_url (pass --public-url if the server runs elsewhere)",
    };
    let config = &config;
    let app = App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let launched = launch(
        &app.db,
        &WriteClock::default(),
        &LaunchSettings::from_config(config),
        NewLaunch {
            registration: None,
            learner: Learner {
                account: LearnerAccount {
                    home_page: args.home_page,
                    name: args.name,
                },
                name: args.display_name,
                mbox: args.email,
            },
            au_id: args.au,
            course_id: args.course,
            return_url: args.return_url,
            launch_mode: LaunchMode::Normal,
            lti: None,
        },
    )
    .await
    .map_err(|e| in_cli_words(&e.to_string(), LAUNCH))?;
    if args.json {
        let out = serde_json::json!({"launchUrl": launched.launch_url, "registration": launched.registration,
            "sessionId": launched.session_id, "courseId": launched.course_id, "auId": launched.au_id});
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        println!("{}", launched.launch_url);
    }
    // On stderr, so scripts reading the URL from stdout are unaffected.
    eprintln!(
        "launch URL built on {} (from {base_from})",
        config.public_url
    );
    Ok(())
}

/// `serve --import-packages`: imports the configured folder before listening.
pub async fn import_at_start(app: &App, config: &Config) -> Result<(), String> {
    let dir = &config.packages_dir;
    let batch = import_paths(
        &app.db,
        std::slice::from_ref(dir),
        &package_limits(config),
        false,
    )
    .await
    .map_err(|e| format!("--import-packages: {e}"))?;
    // One line per package, for the person starting the server (not a log line too).
    for result in &batch.packages {
        match &result.outcome {
            Ok(_) => println!("{}", describe(result)),
            Err(_) => eprintln!("{}", describe(result)),
        }
    }
    for result in &batch.programs {
        match &result.outcome {
            Ok(_) => println!("{}", describe_program(result)),
            Err(_) => eprintln!("{}", describe_program(result)),
        }
    }
    Ok(())
}
