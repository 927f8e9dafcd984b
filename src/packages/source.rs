//! Reading a package (a folder, or a zip of one) into memory, safely: paths that
//! escape the package, links, encrypted entries and duplicates are refused, and the
//! limits hold on the bytes actually read, whatever a zip's headers claim.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

/// Limits applied while reading.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_files: usize,
    pub max_total_bytes: u64,
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_files: 5_000,
            max_total_bytes: 512 * 1024 * 1024,
            max_file_bytes: 100 * 1024 * 1024,
        }
    }
}

/// Files keyed by relative path with `/` separators, sorted.
#[derive(Debug, Default)]
pub struct PackageSource {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl PackageSource {
    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|b| b.len() as u64).sum()
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("unsafe path {0:?}: entries must be relative paths that stay inside the package")]
    UnsafePath(String),
    #[error("{0:?} is a symbolic link: packages may not contain links")]
    Link(String),
    #[error("the package has more than {0} files (max_package_files)")]
    TooManyFiles(usize),
    #[error("{path:?} is larger than the {limit}-byte limit per file")]
    FileTooLarge { path: String, limit: u64 },
    #[error("the package is larger than {0} bytes in total (max_package_bytes)")]
    TooLarge(u64),
    #[error("not a zip archive: {0}")]
    NotZip(String),
    #[error("cannot read {path:?}: {cause}")]
    Io { path: String, cause: String },
    #[error("encrypted entry {0:?} is not supported")]
    Encrypted(String),
    #[error("duplicate path {0:?} (paths must differ in more than letter case)")]
    Duplicate(String),
    #[error("the package is empty")]
    Empty,
}

/// Reads a folder, or a zip file.
pub fn read_path(path: &Path, limits: &Limits) -> Result<PackageSource, SourceError> {
    let io = |e: std::io::Error| SourceError::Io {
        path: path.display().to_string(),
        cause: e.to_string(),
    };
    let meta = std::fs::symlink_metadata(path).map_err(io)?;
    if meta.is_dir() {
        return read_dir(path, limits);
    }
    if meta.len() > limits.max_total_bytes {
        return Err(SourceError::TooLarge(limits.max_total_bytes));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_zip(&bytes, limits)
}

/// Checks one relative path; `/` separated, nothing that climbs out or hides.
fn check_path(path: &str) -> Result<(), SourceError> {
    let unsafe_path = || SourceError::UnsafePath(path.to_owned());
    if path.is_empty()
        || path.len() > 1024
        || path.starts_with('/')
        || path.contains('\\')
        || path.chars().any(char::is_control)
        || path.as_bytes().get(1) == Some(&b':')
    {
        return Err(unsafe_path());
    }
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(unsafe_path());
    }
    Ok(())
}

/// Archiver noise that is never part of a package.
fn is_noise(path: &str) -> bool {
    path.starts_with("__MACOSX/") || path.rsplit('/').next() == Some(".DS_Store")
}

struct Collector<'a> {
    limits: &'a Limits,
    files: BTreeMap<String, Vec<u8>>,
    folded: HashSet<String>,
    total: u64,
}

impl Collector<'_> {
    fn add(&mut self, path: String, reader: impl Read) -> Result<(), SourceError> {
        check_path(&path)?;
        if self.files.len() >= self.limits.max_files {
            return Err(SourceError::TooManyFiles(self.limits.max_files));
        }
        if !self.folded.insert(path.to_lowercase()) {
            return Err(SourceError::Duplicate(path));
        }
        let mut bytes = Vec::new();
        reader
            .take(self.limits.max_file_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| SourceError::Io {
                path: path.clone(),
                cause: e.to_string(),
            })?;
        if bytes.len() as u64 > self.limits.max_file_bytes {
            return Err(SourceError::FileTooLarge {
                path,
                limit: self.limits.max_file_bytes,
            });
        }
        self.total += bytes.len() as u64;
        if self.total > self.limits.max_total_bytes {
            return Err(SourceError::TooLarge(self.limits.max_total_bytes));
        }
        self.files.insert(path, bytes);
        Ok(())
    }

    fn finish(self) -> Result<PackageSource, SourceError> {
        if self.files.is_empty() {
            return Err(SourceError::Empty);
        }
        Ok(PackageSource {
            files: strip_single_top_folder(self.files),
        })
    }
}

/// Zips made with "compress folder" hold everything under one folder; use its inside.
fn strip_single_top_folder(files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    if files.contains_key("cmi5.xml") || files.contains_key("tincan.xml") {
        return files;
    }
    let mut tops = files.keys().map(|p| p.split_once('/').map(|(top, _)| top));
    let Some(Some(first)) = tops.next() else {
        return files;
    };
    let first = first.to_owned();
    if !tops.all(|t| t == Some(first.as_str())) {
        return files;
    }
    let prefix = format!("{first}/");
    files
        .into_iter()
        .map(|(path, bytes)| (path[prefix.len()..].to_owned(), bytes))
        .collect()
}

pub fn read_dir(root: &Path, limits: &Limits) -> Result<PackageSource, SourceError> {
    let mut collector = Collector {
        limits,
        files: BTreeMap::new(),
        folded: HashSet::new(),
        total: 0,
    };
    let mut pending = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let io = |e: std::io::Error| SourceError::Io {
            path: dir.display().to_string(),
            cause: e.to_string(),
        };
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue; // .git, .DS_Store and other hidden files are not content
            }
            let rel = format!("{prefix}{name}");
            let meta = std::fs::symlink_metadata(entry.path()).map_err(io)?;
            if meta.file_type().is_symlink() {
                return Err(SourceError::Link(rel));
            }
            if meta.is_dir() {
                pending.push((entry.path(), format!("{rel}/")));
            } else {
                if collector.files.len() >= limits.max_files {
                    return Err(SourceError::TooManyFiles(limits.max_files));
                }
                let file = std::fs::File::open(entry.path()).map_err(|e| SourceError::Io {
                    path: rel.clone(),
                    cause: e.to_string(),
                })?;
                collector.add(rel, file)?;
            }
        }
    }
    collector.finish()
}

pub fn read_zip(bytes: &[u8], limits: &Limits) -> Result<PackageSource, SourceError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| SourceError::NotZip(e.to_string()))?;
    if archive.len() > limits.max_files.saturating_mul(2) {
        return Err(SourceError::TooManyFiles(limits.max_files));
    }
    let mut collector = Collector {
        limits,
        files: BTreeMap::new(),
        folded: HashSet::new(),
        total: 0,
    };
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| SourceError::NotZip(e.to_string()))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let is_link = entry
            .unix_mode()
            .is_some_and(|mode| mode & 0o170000 == 0o120000);
        let encrypted = entry.encrypted();
        let is_dir = entry.is_dir();
        drop(entry);
        if is_noise(&name) {
            continue;
        }
        if is_link {
            return Err(SourceError::Link(name));
        }
        if is_dir {
            check_path(name.trim_end_matches('/'))?;
            continue;
        }
        if encrypted {
            return Err(SourceError::Encrypted(name));
        }
        let entry = archive
            .by_index(index)
            .map_err(|e| SourceError::NotZip(format!("{name}: {e}")))?;
        collector.add(name, entry)?;
    }
    collector.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    fn zip(entries: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn plain(entries: &[(&str, &[u8])]) -> Vec<u8> {
        zip(entries, SimpleFileOptions::default())
    }

    #[test]
    fn reads_a_zip_and_strips_a_single_top_folder() {
        let bytes = plain(&[("course/cmi5.xml", b"<x/>"), ("course/a/b.html", b"hi")]);
        let source = read_zip(&bytes, &Limits::default()).unwrap();
        assert_eq!(
            source.files.keys().collect::<Vec<_>>(),
            ["a/b.html", "cmi5.xml"]
        );
        assert_eq!(source.get("a/b.html"), Some(&b"hi"[..]));
        assert_eq!(source.total_bytes(), 6);
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for name in [
            "../evil",
            "/etc/passwd",
            "a\\b",
            "a/../../b",
            "C:/x",
            "a//b",
        ] {
            let err = read_zip(
                &plain(&[("cmi5.xml", b"x"), (name, b"x")]),
                &Limits::default(),
            )
            .unwrap_err();
            assert!(matches!(err, SourceError::UnsafePath(_)), "{name}: {err}");
        }
    }

    #[test]
    fn links_are_refused_in_zips_and_folders() {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer
            .add_symlink("link", "/etc/passwd", SimpleFileOptions::default())
            .unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        assert!(matches!(
            read_zip(&bytes, &Limits::default()),
            Err(SourceError::Link(_))
        ));

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cmi5.xml"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("pw")).unwrap();
        assert!(matches!(
            read_dir(dir.path(), &Limits::default()),
            Err(SourceError::Link(_))
        ));
    }

    #[test]
    fn limits_hold_on_decompressed_bytes() {
        let limits = Limits {
            max_files: 2,
            max_total_bytes: 1000,
            max_file_bytes: 600,
        };
        let many = plain(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        assert!(matches!(
            read_zip(&many, &limits),
            Err(SourceError::TooManyFiles(2))
        ));
        let bomb = vec![0u8; 10_000]; // compresses to a few bytes
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let err = read_zip(&zip(&[("big", &bomb)], options), &limits).unwrap_err();
        assert!(matches!(err, SourceError::FileTooLarge { .. }), "{err}");
        let total = plain(&[("a", &[1; 500]), ("b", &[2; 501])]);
        assert!(matches!(
            read_zip(&total, &limits),
            Err(SourceError::TooLarge(1000))
        ));
    }

    #[test]
    fn duplicates_noise_empty_and_garbage() {
        let dup = plain(&[("A.html", b"1"), ("a.html", b"2")]);
        assert!(matches!(
            read_zip(&dup, &Limits::default()),
            Err(SourceError::Duplicate(_))
        ));
        let noisy = plain(&[
            ("cmi5.xml", b"x"),
            ("__MACOSX/._cmi5.xml", b"y"),
            (".DS_Store", b"z"),
        ]);
        let source = read_zip(&noisy, &Limits::default()).unwrap();
        assert_eq!(source.files.len(), 1);
        assert!(matches!(
            read_zip(&plain(&[]), &Limits::default()),
            Err(SourceError::Empty)
        ));
        assert!(matches!(
            read_zip(b"nope", &Limits::default()),
            Err(SourceError::NotZip(_))
        ));
    }

    #[test]
    fn zip64_archives_are_read() {
        let options = SimpleFileOptions::default().large_file(true);
        let bytes = zip(&[("cmi5.xml", b"<x/>"), ("page.html", b"hello")], options);
        let source = read_zip(&bytes, &Limits::default()).unwrap();
        assert_eq!(source.get("page.html"), Some(&b"hello"[..]));
    }

    #[test]
    fn reads_a_folder_skipping_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("media")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("cmi5.xml"), "x").unwrap();
        std::fs::write(dir.path().join("media/logo.png"), [1, 2]).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref").unwrap();
        let source = read_path(dir.path(), &Limits::default()).unwrap();
        assert_eq!(
            source.files.keys().collect::<Vec<_>>(),
            ["cmi5.xml", "media/logo.png"]
        );
    }
}
