//! Reading a content package (a folder, or a zip of one) into memory for import.
//! Packages come from outside (an admin's upload, a folder someone copied), so every
//! path is checked before it is used, links and encrypted entries are refused, and the
//! limits hold on the bytes actually read, whatever a zip's headers claim.

use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io::{Cursor, Read};
use std::path::Path;

use zip::result::ZipError;

/// Longer paths are refused: no real package needs them, and some file systems and
/// URL handlers break on them.
const MAX_PATH_BYTES: usize = 1024;

/// Unix file-type bits of a zip entry's mode, and the value that marks a link.
const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;

/// Limits applied while reading; defaults: 5_000 files, 512 MiB total, 100 MiB per file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most files one package may hold (hidden files and archiver noise not counted).
    pub max_files: usize,
    /// Most bytes all files may hold together, uncompressed.
    pub max_total_bytes: u64,
    /// Most bytes one file may hold, uncompressed.
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
    /// A course structure on its own (cmi5 14.0 "standalone XML file"): `files` holds
    /// only it, as `cmi5.xml`, and every AU must be at an absolute URL (cmi5 14.2).
    pub standalone: bool,
}

impl PackageSource {
    /// Bytes of all files together.
    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|bytes| bytes.len() as u64).sum()
    }

    /// One file's bytes, by its path inside the package.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

/// Why a package could not be read. Each message names the path and the rule, since
/// it reaches the person who made the package (an import's 400 body, the CLI).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("unsafe path `{path}`: {rule}")]
    UnsafePath { path: String, rule: &'static str },
    #[error("`{0}` is a symbolic link: packages may not contain links")]
    Link(String),
    #[error("`{0}` is not a regular file: packages may hold only files and folders")]
    NotAFile(String),
    #[error(
        "the package has more than {0} files (limit max_files, configured as max_package_files)"
    )]
    TooManyFiles(usize),
    #[error("`{path}` is larger than the {limit}-byte limit per file")]
    FileTooLarge { path: String, limit: u64 },
    #[error(
        "the package is larger than {0} bytes in total \
         (limit max_total_bytes, configured as max_package_bytes)"
    )]
    TooLarge(u64),
    #[error("not a zip archive: {0}")]
    NotZip(ZipError),
    #[error("cannot read `{path}` in the zip: {cause}")]
    Entry { path: String, cause: ZipError },
    #[error("cannot read `{path}`: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("encrypted entry `{0}` is not supported: zip the package without a password")]
    Encrypted(String),
    #[error(
        "duplicate path `{path}`: it matches `{other}` apart from letter case, \
         which case-insensitive file systems and URLs cannot tell apart"
    )]
    Duplicate { path: String, other: String },
    #[error(
        "duplicate path `{0}`: the zip holds two entries of exactly this name, \
         and only one of them could be used"
    )]
    SameName(String),
    #[error("`{0}` is both a file and a folder")]
    FileAndFolder(String),
    #[error("the package is empty (hidden files and archiver noise do not count)")]
    Empty,
}

/// Reads a package folder, a zip file of one, or a bare course structure (`.xml`). `path` itself may be a link (the
/// operator chose it); links inside the package are refused.
pub fn read_path(path: &Path, limits: &Limits) -> Result<PackageSource, SourceError> {
    let io = |cause| SourceError::Io {
        path: path.display().to_string(),
        cause,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return read_dir(path, limits);
    }
    if !meta.is_file() {
        return Err(SourceError::NotAFile(path.display().to_string()));
    }
    // The size check spares reading a huge file; `take` holds if it grows meanwhile.
    let too_large = SourceError::TooLarge(limits.max_total_bytes);
    if meta.len() > limits.max_total_bytes {
        return Err(too_large);
    }
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(io)?
        .take(limits.max_total_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_total_bytes {
        return Err(too_large);
    }
    if is_course_structure_file(path) {
        return read_course_structure(bytes, limits);
    }
    read_zip(&bytes, limits)
}

/// A bare course structure (`cmi5.xml` uploaded or named on its own, cmi5 14.0). It
/// is kept as the package's one file, so versions and content hashes work as for a zip.
pub fn read_course_structure(
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<PackageSource, SourceError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(SourceError::FileTooLarge {
            path: "cmi5.xml".into(),
            limit: limits.max_file_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(SourceError::Empty);
    }
    Ok(PackageSource {
        files: BTreeMap::from([("cmi5.xml".to_owned(), bytes)]),
        standalone: true,
    })
}

/// Whether `path` names a bare course structure rather than a zip or folder.
pub fn is_course_structure_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xml"))
}

/// Reads a package folder. Hidden files and folders (`.git`, `.DS_Store`) are not
/// content and are skipped; links are never followed.
pub fn read_dir(root: &Path, limits: &Limits) -> Result<PackageSource, SourceError> {
    let mut reader = Reader::new(limits);
    let mut pending = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let io = |cause| SourceError::Io {
            path: dir.display().to_string(),
            cause,
        };
        let mut entries = std::fs::read_dir(&dir)
            .map_err(io)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io)?;
        // Sorted, so the same folder always fails on the same file.
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(SourceError::UnsafePath {
                    path: shown(&format!("{prefix}{}", name.to_string_lossy())),
                    rule: "names must be valid UTF-8",
                });
            };
            let rel = format!("{prefix}{name}");
            if name.starts_with('.') || is_noise(&rel) {
                continue;
            }
            check_path(&rel)?;
            let meta =
                std::fs::symlink_metadata(entry.path()).map_err(|cause| SourceError::Io {
                    path: rel.clone(),
                    cause,
                })?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(SourceError::Link(rel));
            } else if kind.is_dir() {
                pending.push((entry.path(), format!("{rel}/")));
            } else if kind.is_file() {
                reader.admit(&rel)?;
                let file = open_seen(&entry.path(), &meta, &rel)?;
                reader.read(rel, file)?;
            } else {
                return Err(SourceError::NotAFile(rel));
            }
        }
    }
    reader.check_folders()?;
    reader.finish()
}

/// Opens a file that `symlink_metadata` saw as a regular file, and makes sure the file
/// opened is that one: a link swapped in meanwhile would be followed by `open`.
#[cfg_attr(not(unix), allow(unused_variables))]
fn open_seen(path: &Path, seen: &Metadata, rel: &str) -> Result<File, SourceError> {
    let io = |cause| SourceError::Io {
        path: rel.to_owned(),
        cause,
    };
    let file = File::open(path).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (seen.dev(), seen.ino()) {
            return Err(SourceError::Link(rel.to_owned()));
        }
    }
    if !opened.is_file() {
        return Err(SourceError::NotAFile(rel.to_owned()));
    }
    Ok(file)
}

/// Reads a zipped package. Names, links, encryption, duplicates and the file count are
/// all checked from the central directory before anything is decompressed.
pub fn read_zip(bytes: &[u8], limits: &Limits) -> Result<PackageSource, SourceError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(SourceError::NotZip)?;
    refuse_same_names(bytes, &archive)?;
    let mut reader = Reader::new(limits);
    let mut wanted = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(SourceError::NotZip)?;
        // The decoded name as stored, checked here rather than trusting `enclosed_name`,
        // which accepts `a/../b` and absolute Windows forms differently per platform.
        let name = entry.name();
        if is_noise(name) {
            continue;
        }
        if entry.is_dir() {
            // Skipped, but a directory entry that climbs out says the archive is hostile.
            check_path(name.strip_suffix('/').unwrap_or(name))?;
            continue;
        }
        check_path(name)?;
        let link = entry.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK);
        if link || entry.is_symlink() {
            return Err(SourceError::Link(name.to_owned()));
        }
        if entry.encrypted() {
            return Err(SourceError::Encrypted(name.to_owned()));
        }
        reader.admit(name)?;
        wanted.push((index, name.to_owned()));
    }
    reader.check_folders()?;
    for (index, name) in wanted {
        let entry = archive
            .by_index(index)
            .map_err(|cause| SourceError::Entry {
                path: name.clone(),
                cause,
            })?;
        reader.read(name, entry)?;
    }
    reader.finish()
}

/// The zip crate indexes entries by name and silently keeps one of two that share a
/// name, so exact duplicates never reach [`Reader::admit`]: count the central directory
/// records ourselves and name the first repeated one.
fn refuse_same_names(
    bytes: &[u8],
    archive: &zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<(), SourceError> {
    let names = central_directory_names(bytes, archive.central_directory_start());
    if names.len() <= archive.len() {
        return Ok(());
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    match names.into_iter().find(|name| !seen.insert(*name)) {
        Some(name) => Err(SourceError::SameName(shown(&String::from_utf8_lossy(name)))),
        None => Ok(()),
    }
}

/// The raw names of the central directory records from `start` on (APPNOTE 4.3.12:
/// signature, 42 fixed bytes, then name, extra field and comment).
fn central_directory_names(bytes: &[u8], start: u64) -> Vec<&[u8]> {
    let le16 = |at: usize| {
        bytes
            .get(at..at + 2)
            .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let mut names = Vec::new();
    let mut at = usize::try_from(start).unwrap_or(usize::MAX);
    while bytes
        .get(at..)
        .is_some_and(|rest| rest.starts_with(b"PK\x01\x02"))
    {
        let (name_len, extra_len, comment_len) = (le16(at + 28), le16(at + 30), le16(at + 32));
        let Some(name) = bytes.get(at + 46..at + 46 + name_len) else {
            break;
        };
        names.push(name);
        at += 46 + name_len + extra_len + comment_len;
    }
    names
}

/// Checks one relative path, `/`-separated: nothing that climbs out of the package,
/// means something else on another system, or hides from a person reading it.
fn check_path(path: &str) -> Result<(), SourceError> {
    match broken_rule(path) {
        Some(rule) => Err(SourceError::UnsafePath {
            path: shown(path),
            rule,
        }),
        None => Ok(()),
    }
}

/// The rule `path` breaks, if any.
fn broken_rule(path: &str) -> Option<&'static str> {
    if path.len() > MAX_PATH_BYTES {
        return Some("paths may be at most 1024 bytes long");
    }
    if path.chars().any(char::is_control) {
        return Some("paths may not contain control characters");
    }
    if path.contains('\\') {
        return Some("folders are separated by `/`, and `\\` may not appear in names");
    }
    if path.starts_with('/') {
        return Some("paths must be relative to the package, not absolute");
    }
    if matches!(path.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic()) {
        return Some("paths must be relative to the package, not start with a drive letter");
    }
    path.split('/').find_map(|part| match part {
        "" => Some("paths may not have empty parts (`//`, or a leading or trailing `/`)"),
        ".." => Some("entries must stay inside the package, so `..` is not allowed"),
        "." => Some("`.` is not allowed as a part of a path"),
        _ => None,
    })
}

/// A path as it may appear in a message: control characters escaped (a name could
/// hold terminal codes) and cut short.
fn shown(path: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut out = String::new();
    for c in path.chars().take(MAX_CHARS) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if path.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Files that archivers and Finder add and that were never part of the package:
/// `__MACOSX/` resource forks, `.DS_Store`, and `Icon\r` (a folder's custom icon).
fn is_noise(path: &str) -> bool {
    path.split('/').next() == Some("__MACOSX")
        || matches!(path.rsplit('/').next(), Some(".DS_Store" | "Icon\r"))
}

/// Collects files within the limits: paths are admitted first, then read.
struct Reader<'a> {
    limits: &'a Limits,
    /// Admitted paths by their lowercase form, to catch names that differ only in case.
    admitted: BTreeMap<String, String>,
    files: BTreeMap<String, Vec<u8>>,
    total: u64,
}

impl<'a> Reader<'a> {
    fn new(limits: &'a Limits) -> Self {
        Reader {
            limits,
            admitted: BTreeMap::new(),
            files: BTreeMap::new(),
            total: 0,
        }
    }

    /// Counts a checked path and refuses duplicates, before any of its bytes are read.
    fn admit(&mut self, path: &str) -> Result<(), SourceError> {
        if self.admitted.len() >= self.limits.max_files {
            return Err(SourceError::TooManyFiles(self.limits.max_files));
        }
        let folded = path.to_lowercase();
        if let Some(other) = self.admitted.get(&folded) {
            return Err(SourceError::Duplicate {
                path: path.to_owned(),
                other: other.clone(),
            });
        }
        self.admitted.insert(folded, path.to_owned());
        Ok(())
    }

    /// Refuses a name used both for a file and for a folder (`a` and `a/b`): it cannot
    /// be written to a disk, and its URLs would be ambiguous.
    fn check_folders(&self) -> Result<(), SourceError> {
        for folded in self.admitted.keys() {
            for (end, _) in folded.match_indices('/') {
                if let Some(file) = folded.get(..end).and_then(|f| self.admitted.get(f)) {
                    return Err(SourceError::FileAndFolder(file.clone()));
                }
            }
        }
        Ok(())
    }

    /// Reads one admitted file, stopping one byte past what the limits leave: sizes in
    /// headers can lie, the bytes that come out cannot.
    fn read(&mut self, path: String, source: impl Read) -> Result<(), SourceError> {
        let left = self.limits.max_total_bytes.saturating_sub(self.total);
        let cap = self.limits.max_file_bytes.min(left);
        let mut bytes = Vec::new();
        let read = source
            .take(cap.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|cause| SourceError::Io {
                path: path.clone(),
                cause,
            })?;
        let read = read as u64;
        if read > self.limits.max_file_bytes {
            return Err(SourceError::FileTooLarge {
                path,
                limit: self.limits.max_file_bytes,
            });
        }
        if read > left {
            return Err(SourceError::TooLarge(self.limits.max_total_bytes));
        }
        self.total += read;
        self.files.insert(path, bytes);
        Ok(())
    }

    fn finish(self) -> Result<PackageSource, SourceError> {
        if self.files.is_empty() {
            return Err(SourceError::Empty);
        }
        Ok(PackageSource {
            files: strip_single_top_folder(self.files),
            standalone: false,
        })
    }
}

/// Zips made with "compress folder" hold everything under one folder; use its inside,
/// unless a manifest already sits at the root.
fn strip_single_top_folder(files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    if files.contains_key("cmi5.xml") || files.contains_key("tincan.xml") {
        return files;
    }
    let mut tops = files
        .keys()
        .map(|path| path.split_once('/').map(|(top, _)| top));
    let Some(Some(first)) = tops.next() else {
        return files;
    };
    if !tops.all(|top| top == Some(first)) {
        return files;
    }
    let prefix = format!("{first}/");
    files
        .into_iter()
        .map(|(path, bytes)| match path.strip_prefix(&prefix) {
            Some(inner) => (inner.to_owned(), bytes),
            None => (path, bytes),
        })
        .collect()
}

#[cfg(test)]
mod tests;
