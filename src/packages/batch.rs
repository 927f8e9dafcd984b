//! Importing many packages from disk, with a progress bar: what `packages import` and
//! `serve --import-packages` run. Certification program files found with them are
//! imported after every package, since a program names the courses' AUs.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::discover::{discover, discover_programs};
use super::import::{ImportOutcome, import};
use super::source::{Limits, read_path};
use crate::certification::program::import::{ImportOutcome as ProgramOutcome, import_text};
use crate::certification::program::parse::MAX_BYTES;
use crate::db::Db;

/// One package's result.
pub struct Imported {
    pub path: PathBuf,
    pub outcome: Result<ImportOutcome, String>,
}

/// One program file's result.
pub struct ImportedProgram {
    pub path: PathBuf,
    pub outcome: Result<ProgramOutcome, String>,
}

/// What a batch did: its packages, then its program files.
pub struct Batch {
    pub packages: Vec<Imported>,
    pub programs: Vec<ImportedProgram>,
}

impl Batch {
    /// How many packages and program files were refused.
    pub fn refused(&self) -> usize {
        self.packages.iter().filter(|r| r.outcome.is_err()).count()
            + self.programs.iter().filter(|r| r.outcome.is_err()).count()
    }
}

/// Imports every package under `paths`, then every program file (`program.toml`,
/// `programs/*.toml`). Each package and each program is its own transaction, so one bad
/// file does not stop the others; the caller reports failures.
pub async fn import_paths(
    db: &Db,
    paths: &[PathBuf],
    limits: &Limits,
    show_progress: bool,
) -> Result<Batch, String> {
    let mut packages = Vec::new();
    let mut program_files = Vec::new();
    for path in paths {
        let programs = discover_programs(path);
        match discover(path) {
            Ok(found) => packages.extend(found),
            // A folder holding only program files is fine.
            Err(_) if !programs.is_empty() => {}
            Err(e) => return Err(e),
        }
        program_files.extend(programs);
    }
    let bar = if show_progress {
        let bar = ProgressBar::new(packages.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} packages  {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut results = Vec::with_capacity(packages.len());
    for path in packages {
        bar.set_message(display_name(&path));
        let outcome = import_one(db, &path, limits).await;
        bar.inc(1);
        results.push(Imported { path, outcome });
    }
    bar.finish_and_clear();
    let mut programs = Vec::with_capacity(program_files.len());
    for path in program_files {
        let outcome = import_program(db, &path).await;
        programs.push(ImportedProgram { path, outcome });
    }
    Ok(Batch {
        packages: results,
        programs,
    })
}

async fn import_program(db: &Db, path: &Path) -> Result<ProgramOutcome, String> {
    let text = tokio::fs::read(path)
        .await
        .map_err(|e| format!("reading the program file failed: {e}"))?;
    if text.len() > MAX_BYTES {
        return Err(format!(
            "{} bytes; a program file may have at most {MAX_BYTES}",
            text.len()
        ));
    }
    let text =
        String::from_utf8(text).map_err(|_| "the program file is not UTF-8 text".to_owned())?;
    let now = jiff::Timestamp::now().as_microsecond();
    import_text(db, &text, "system", now)
        .await
        .map_err(|e| e.to_string())
}

async fn import_one(db: &Db, path: &Path, limits: &Limits) -> Result<ImportOutcome, String> {
    let owned = path.to_owned();
    let limits = *limits;
    // Reading and hashing files is blocking work; keep it off the async workers.
    let source = tokio::task::spawn_blocking(move || read_path(&owned, &limits))
        .await
        .map_err(|e| format!("reading the package failed: {e}"))?
        .map_err(|e| e.to_string())?;
    import(db, source).await.map_err(|e| e.to_string())
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `1 AU`, `3 AUs`.
fn counted(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line per package for people: what changed, or what was wrong.
pub fn describe(imported: &Imported) -> String {
    match &imported.outcome {
        Ok(o) if o.created => format!(
            "imported  {} v{} ({}, {}) from {}",
            o.course_id,
            o.version,
            counted(o.au_count, "AU", "AUs"),
            counted(o.file_count, "file", "files"),
            imported.path.display()
        ),
        Ok(o) => format!(
            "unchanged {} v{} from {}",
            o.course_id,
            o.version,
            imported.path.display()
        ),
        Err(why) => format!("REFUSED   {}: {why}", imported.path.display()),
    }
}

/// One line per program file for people.
pub fn describe_program(imported: &ImportedProgram) -> String {
    match &imported.outcome {
        Ok(o) => crate::certification::program::cli::describe(o, &imported.path),
        Err(why) => format!("REFUSED   {}: {why}", imported.path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(counted(1, "AU", "AUs"), "1 AU");
        assert_eq!(counted(0, "AU", "AUs"), "0 AUs");
        assert_eq!(counted(3, "file", "files"), "3 files");
    }
}
