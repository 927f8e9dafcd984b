//! Which packages a path given to `packages import` (or `serve --import-packages`)
//! stands for: a package folder, a zip, a bare course structure (`.xml`), or a folder
//! of those; and which certification program files come with them.

use std::path::{Path, PathBuf};

use super::source::is_course_structure_file;

fn is_package_dir(dir: &Path) -> bool {
    dir.join("cmi5.xml").is_file() || dir.join("tincan.xml").is_file()
}

/// A zip, or a bare course structure (`.xml`, cmi5 14.0).
fn is_package_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
        || is_course_structure_file(path)
}

/// The packages under `path`, sorted. A folder without a manifest is a collection: its
/// package folders, zips and `.xml` course structures are taken, except names starting
/// with `_` or `.` (the shared AU runtime lives in `packages/_runtime`).
pub fn discover(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() && is_program_file(path) {
        return Ok(Vec::new());
    }
    if meta.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    if is_package_dir(path) {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
        let child = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        if (child.is_dir() && is_package_dir(&child))
            || (child.is_file() && is_package_file(&child))
        {
            found.push(child);
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "{}: no package here (a package is a folder or zip with cmi5.xml or tincan.xml at its root, or a cmi5 course structure .xml file)",
            path.display()
        ));
    }
    Ok(found)
}

fn is_program_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
}

/// The certification program files under `path`: a `.toml` file given directly; in a
/// collection folder, its `program.toml` and every `.toml` file in its `programs/`
/// folder, sorted. One file per program; a package folder holds none.
pub fn discover_programs(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return if is_program_file(path) {
            vec![path.to_owned()]
        } else {
            Vec::new()
        };
    }
    if !path.is_dir() || is_package_dir(path) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let main = path.join("program.toml");
    if main.is_file() {
        found.push(main);
    }
    let mut more: Vec<PathBuf> = std::fs::read_dir(path.join("programs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.is_file() && is_program_file(p))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(['.', '_']))
        })
        .collect();
    more.sort();
    found.extend(more);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curriculum_folder_holds_eight_packages_and_skips_the_runtime() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
        let found = discover(&root).expect("packages/ is a collection");
        assert_eq!(found.len(), 8, "{found:?}");
        assert!(found.iter().all(|p| !p.ends_with("_runtime")));
        let one = discover(&root.join("executives")).expect("a package folder");
        assert_eq!(one, vec![root.join("executives")]);
        assert!(discover(&root.join("_runtime")).is_err());
    }

    #[test]
    fn the_curriculum_folder_holds_one_program_file_and_a_package_folder_none() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
        assert_eq!(discover_programs(&root), vec![root.join("program.toml")]);
        assert!(discover_programs(&root.join("executives")).is_empty());
        let file = root.join("program.toml");
        assert_eq!(discover_programs(&file), vec![file.clone()]);
        assert_eq!(
            discover(&file),
            Ok(Vec::new()),
            "a program file is no package"
        );
    }
}
