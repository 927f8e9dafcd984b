//! `blackbelt program …`: show, validate and import certification program files.
//! (Helper "engine" adds `program reevaluate` to `ProgramCommand` here.)

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::import::{ImportError, check, import_text};
use super::model::Program;
use super::summary::{BeltSummary, belts, summary};
use super::{parse, store};
use crate::app::App;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// Show the imported programs (the current version of each), one program's stored
    /// version with `ID [--version N]`, or a program file with `--file FILE`.
    Show {
        /// A program id; all programs when absent.
        id: Option<String>,
        /// A stored version of that program (default: the current one).
        #[arg(long, requires = "id")]
        version: Option<i32>,
        /// Show this program file instead of a stored program (parsed and checked on
        /// its own, without the database).
        #[arg(long, conflicts_with_all = ["id", "version"])]
        file: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Re-derive every known learner's belts under the current programs (progress bar);
    /// idempotent, existing awards are kept.
    Reevaluate(crate::reevaluate_cli::ReevaluateArgs),
    /// Check a program file without storing it: its TOML, the JSON Schema, the rules,
    /// the AUs and courses imported in the database (`blackbelt packages import` them
    /// first) and the program's earlier versions. Works offline, with no server.
    Validate {
        /// The program file, e.g. packages/program.toml.
        file: PathBuf,
    },
    /// Import a program file: the program's next version when its content changed,
    /// nothing when it is the current version's. `packages import` and
    /// `serve --import-packages` import `program.toml` with the packages.
    Import {
        /// The program file, e.g. packages/program.toml.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: &Config, command: ProgramCommand) -> Result<(), String> {
    match command {
        ProgramCommand::Reevaluate(args) => crate::reevaluate_cli::run(config, args).await,
        ProgramCommand::Show {
            file: Some(file),
            json,
            ..
        } => {
            let program = parse::parse(&read(&file)?).map_err(|e| refused(&file, e))?;
            print_program(&program, &program_line(&program, None), json)
        }
        ProgramCommand::Show {
            id, version, json, ..
        } => {
            let app = open(config).await?;
            show_stored(&app, id, version, json).await
        }
        ProgramCommand::Validate { file } => {
            let text = read(&file)?;
            let app = open(config).await?;
            let program = check(&app.db.conn, &text)
                .await
                .map_err(|e| refused(&file, e))?;
            println!(
                "{}: valid; program {:?} with {} belts ({})",
                file.display(),
                program.program.id,
                program.belts.len(),
                program
                    .belts
                    .iter()
                    .map(|b| b.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(())
        }
        ProgramCommand::Import { file, json } => {
            let text = read(&file)?;
            let app = App::build(config.clone())
                .await
                .map_err(|e| e.to_string())?;
            let now = jiff::Timestamp::now().as_microsecond();
            let outcome = import_text(&app.db, &text, "system", now)
                .await
                .map_err(|e| refused(&file, e))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}", describe(&outcome, &file));
            }
            Ok(())
        }
    }
}

/// One line for people: `imported  program default v2 (5 belts) from packages/program.toml`.
pub fn describe(outcome: &super::import::ImportOutcome, path: &Path) -> String {
    format!(
        "{} program {} v{} ({} belts) from {}",
        if outcome.created {
            "imported "
        } else {
            "unchanged"
        },
        outcome.program_id,
        outcome.version,
        outcome.belts.len(),
        path.display()
    )
}

async fn open(config: &Config) -> Result<App, String> {
    App::open_existing(config.clone())
        .await
        .map_err(|e| e.to_string())
}

fn read(file: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if meta.len() > parse::MAX_BYTES as u64 {
        return Err(format!(
            "{}: {} bytes; a program file may have at most {}",
            file.display(),
            meta.len(),
            parse::MAX_BYTES
        ));
    }
    std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))
}

fn refused(file: &Path, err: impl Into<ImportError>) -> String {
    match err.into() {
        ImportError::Refused(super::problem::ProgramError::Invalid(problems)) => {
            let mut text = format!(
                "{}: refused, {} problem(s):",
                file.display(),
                problems.len()
            );
            for p in problems {
                text.push_str(&format!("\n  {p}"));
            }
            text
        }
        other => format!("{}: {other}", file.display()),
    }
}

fn program_line(program: &Program, version: Option<i32>) -> String {
    format!(
        "{}  {}{}",
        program.program.id,
        version.map(|v| format!("v{v}  ")).unwrap_or_default(),
        program.program.name
    )
}

fn print_program(program: &Program, head: &str, json: bool) -> Result<(), String> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(program).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!("{head}");
    for belt in belts(program) {
        print_belt(&belt);
    }
    Ok(())
}

fn print_belt(belt: &BeltSummary) {
    let validity = match belt.validity_months {
        Some(m) => format!(
            "valid {m} months + {} days grace{}",
            belt.grace_days,
            if belt.recertify { ", recertify" } else { "" }
        ),
        None => "never expires".into(),
    };
    println!(
        "  {}. {} ({}, {})  for {}  [{validity}]",
        belt.tier,
        belt.name,
        belt.id,
        belt.colour,
        if belt.audiences.is_empty() {
            "everyone".to_owned()
        } else {
            belt.audiences.join(", ")
        }
    );
    println!("     requires {}", belt.requires);
}

async fn show_stored(
    app: &App,
    id: Option<String>,
    version: Option<i32>,
    json: bool,
) -> Result<(), String> {
    let rows = match (&id, version) {
        (Some(id), Some(v)) => store::version(&app.db.conn, id, v)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect(),
        (Some(id), None) => store::versions(&app.db.conn, id)
            .await
            .map_err(|e| e.to_string())?
            .pop()
            .into_iter()
            .collect(),
        (None, _) => store::current_rows(&app.db.conn)
            .await
            .map_err(|e| e.to_string())?,
    };
    if rows.is_empty() {
        return Err(match (id, version) {
            (Some(id), Some(v)) => format!("program {id:?} has no version {v}; `blackbelt program show {id}` shows its current one"),
            (Some(id), None) => format!("no program {id:?} is imported; `blackbelt program show` lists them"),
            (None, _) => "no program is imported; import one with `blackbelt program import packages/program.toml` (or `blackbelt packages import packages`)".into(),
        });
    }
    if json {
        let mut list = Vec::new();
        for row in &rows {
            let loaded = store::loaded(row.clone()).map_err(|e| e.to_string())?;
            list.push(serde_json::json!({"summary": summary(row, &loaded.program), "definition": row.definition}));
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    for row in rows {
        let loaded = store::loaded(row.clone()).map_err(|e| e.to_string())?;
        print_program(
            &loaded.program,
            &program_line(&loaded.program, Some(row.version)),
            false,
        )?;
    }
    Ok(())
}
