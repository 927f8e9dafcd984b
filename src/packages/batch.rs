//! Importing many packages from disk, with a progress bar: what `packages import` and
//! `serve --import-packages` run.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::discover::discover;
use super::import::{ImportOutcome, import};
use super::source::{Limits, read_path};
use crate::db::Db;

/// One package's result.
pub struct Imported {
    pub path: PathBuf,
    pub outcome: Result<ImportOutcome, String>,
}

/// Imports every package under `paths`. Each package is its own transaction, so one
/// bad package does not stop the others; the caller reports failures.
pub async fn import_paths(
    db: &Db,
    paths: &[PathBuf],
    limits: &Limits,
    show_progress: bool,
) -> Result<Vec<Imported>, String> {
    let mut packages = Vec::new();
    for path in paths {
        packages.extend(discover(path)?);
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
    Ok(results)
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
