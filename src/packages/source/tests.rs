use std::io::Write;

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::*;

fn zip_with(entries: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip_with(entries, stored)
}

fn folder_of(entries: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in entries {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn small(max_files: usize, max_total_bytes: u64, max_file_bytes: u64) -> Limits {
    Limits {
        max_files,
        max_total_bytes,
        max_file_bytes,
    }
}

fn keys(source: &PackageSource) -> Vec<&str> {
    source.files.keys().map(String::as_str).collect()
}

/// Overwrites every `from` in the zip with `to`, to forge headers the writer would
/// not produce.
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    let mut count = 0;
    for at in 0..=bytes.len().saturating_sub(from.len()) {
        if bytes[at..].starts_with(from) {
            bytes[at..at + to.len()].copy_from_slice(to);
            count += 1;
        }
    }
    count
}

/// Sets bit 0 ("encrypted") of the general-purpose flags in every local and central
/// header: they sit 6 and 8 bytes after the signatures.
fn mark_encrypted(bytes: &mut [u8]) {
    for at in 0..bytes.len().saturating_sub(10) {
        if bytes[at..].starts_with(b"PK\x03\x04") {
            bytes[at + 6] |= 1;
        } else if bytes[at..].starts_with(b"PK\x01\x02") {
            bytes[at + 8] |= 1;
        }
    }
}

fn refused_path(bytes: &[u8]) -> String {
    match read_zip(bytes, &Limits::default()) {
        Err(err @ SourceError::UnsafePath { .. }) => err.to_string(),
        other => panic!("expected an unsafe path, got {other:?}"),
    }
}

#[test]
fn reads_a_folder_and_skips_hidden_files() {
    let dir = folder_of(&[
        ("cmi5.xml", b"<x/>"),
        ("media/logo.png", &[1, 2]),
        (".git/HEAD", b"ref"),
        ("media/.DS_Store", b"z"),
    ]);
    let source = read_path(dir.path(), &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["cmi5.xml", "media/logo.png"]);
    assert_eq!(source.get("media/logo.png"), Some(&[1u8, 2][..]));
}

#[test]
fn reads_a_zip_with_compressed_and_stored_files() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    writer
        .start_file("a/b.html", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(b"hi").unwrap();
    writer.start_file("cmi5.xml", stored).unwrap();
    writer.write_all(b"<x/>").unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["a/b.html", "cmi5.xml"]);
    assert_eq!(source.get("a/b.html"), Some(&b"hi"[..]));
    assert_eq!(source.total_bytes(), 6);
}

#[test]
fn reads_a_zip_file_from_disk() {
    let dir = folder_of(&[("course.zip", &zip_of(&[("cmi5.xml", b"<x/>")]))]);
    let source = read_path(&dir.path().join("course.zip"), &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["cmi5.xml"]);
}

#[test]
fn strips_a_single_top_folder() {
    let bytes = zip_of(&[("course/cmi5.xml", b"<x/>"), ("course/a/b.html", b"hi")]);
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["a/b.html", "cmi5.xml"]);
}

#[test]
fn keeps_paths_when_files_sit_in_several_top_folders() {
    let bytes = zip_of(&[("a/x.html", b"1"), ("b/y.html", b"2")]);
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["a/x.html", "b/y.html"]);
}

#[test]
fn refuses_zip_slip_paths() {
    for name in ["../evil", "a/../../evil", "a/.."] {
        let message = refused_path(&zip_of(&[("cmi5.xml", b"x"), (name, b"x")]));
        assert!(message.contains("stay inside the package"), "{message}");
    }
}

#[test]
fn refuses_absolute_paths_and_drive_letters() {
    for name in ["/etc/passwd", "C:/Windows/x", "c:x"] {
        let message = refused_path(&zip_of(&[(name, b"x")]));
        assert!(message.contains("relative"), "{message}");
    }
}

#[test]
fn refuses_backslashes_in_paths() {
    for name in ["a\\b.html", "..\\evil"] {
        let message = refused_path(&zip_of(&[(name, b"x")]));
        assert!(message.contains("`\\`"), "{message}");
    }
}

#[test]
fn refuses_dot_empty_control_and_overlong_paths() {
    let long = "a/".repeat(600) + "b";
    for name in ["./a", "a//b", "a\0b", "a\u{1b}[31m", long.as_str()] {
        refused_path(&zip_of(&[(name, b"x")]));
    }
}

#[test]
fn messages_escape_control_characters() {
    let message = refused_path(&zip_of(&[("a\u{1b}[2J", b"x")]));
    assert!(message.contains("a\\u{1b}[2J"), "{message}");
}

#[test]
fn refuses_a_symlink_in_a_folder() {
    let dir = folder_of(&[("cmi5.xml", b"x")]);
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("pw")).unwrap();
    let err = read_dir(dir.path(), &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, SourceError::Link(path) if path == "pw"),
        "{err}"
    );
}

#[test]
fn refuses_a_symlink_entry_in_a_zip() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    writer.start_file("cmi5.xml", options).unwrap();
    writer.add_symlink("link", "/etc/passwd", options).unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    let err = read_zip(&bytes, &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, SourceError::Link(path) if path == "link"),
        "{err}"
    );
}

#[test]
fn refuses_encrypted_entries() {
    let mut bytes = zip_of(&[("cmi5.xml", b"x")]);
    mark_encrypted(&mut bytes);
    let err = read_zip(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::Encrypted(_)), "{err}");
}

#[test]
fn refuses_more_files_than_max_files() {
    let limits = small(2, 1000, 1000);
    let bytes = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
    let err = read_zip(&bytes, &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooManyFiles(2)), "{err}");
    let dir = folder_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
    let err = read_dir(dir.path(), &limits).unwrap_err();
    assert!(matches!(err, SourceError::TooManyFiles(2)), "{err}");
}

#[test]
fn refuses_a_file_over_the_per_file_limit() {
    let err = read_zip(&zip_of(&[("big.mp4", &[7; 601])]), &small(10, 1000, 600));
    let err = err.unwrap_err();
    assert_eq!(
        err.to_string(),
        "`big.mp4` is larger than the 600-byte limit per file"
    );
}

#[test]
fn refuses_a_highly_compressed_file_that_unpacks_past_the_limit() {
    let zeros = vec![0u8; 10 * 1024 * 1024];
    let bytes = zip_with(&[("bomb", &zeros)], SimpleFileOptions::default());
    assert!(bytes.len() < 100 * 1024, "deflate should shrink zeros");
    let err = read_zip(&bytes, &small(10, 1 << 30, 1024 * 1024)).unwrap_err();
    assert!(matches!(err, SourceError::FileTooLarge { .. }), "{err}");
}

#[test]
fn refuses_a_bomb_whose_headers_understate_its_size() {
    let zeros = vec![0u8; 1024 * 1024];
    let mut bytes = zip_with(&[("bomb", &zeros)], SimpleFileOptions::default());
    let real = (1024u32 * 1024).to_le_bytes();
    // The local and the central header both claim 10 bytes.
    assert_eq!(patch(&mut bytes, &real, &10u32.to_le_bytes()), 2);
    let err = read_zip(&bytes, &small(10, 1 << 30, 1000)).unwrap_err();
    assert!(matches!(err, SourceError::FileTooLarge { .. }), "{err}");
}

#[test]
fn refuses_a_package_over_the_total_limit() {
    let bytes = zip_of(&[("a", &[1; 500]), ("b", &[2; 501])]);
    let err = read_zip(&bytes, &small(10, 1000, 600)).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge(1000)), "{err}");
    let dir = folder_of(&[("big.zip", &bytes)]);
    let err = read_path(&dir.path().join("big.zip"), &small(10, 100, 100)).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge(100)), "{err}");
}

#[test]
fn refuses_names_that_differ_only_in_case() {
    let err = read_zip(
        &zip_of(&[("A.html", b"1"), ("a.html", b"2")]),
        &Limits::default(),
    );
    assert!(matches!(err, Err(SourceError::Duplicate { .. })), "{err:?}");
}

#[test]
fn refuses_two_entries_of_exactly_the_same_name() {
    // The writer refuses a repeated name, so write two names of equal length and make
    // the second one the first in its local and central headers.
    let mut bytes = zip_of(&[("a.html", b"1"), ("b.html", b"2")]);
    assert_eq!(patch(&mut bytes, b"b.html", b"a.html"), 2);
    let err = read_zip(&bytes, &Limits::default());
    assert!(
        matches!(&err, Err(SourceError::SameName(path)) if path == "a.html"),
        "{err:?}"
    );
}

#[test]
fn refuses_a_name_used_for_a_file_and_a_folder() {
    let err = read_zip(&zip_of(&[("a", b"1"), ("A/b", b"2")]), &Limits::default());
    assert!(matches!(err, Err(SourceError::FileAndFolder(_))), "{err:?}");
}

#[test]
fn ignores_macos_archiver_noise() {
    let bytes = zip_of(&[
        ("course/cmi5.xml", b"x"),
        ("__MACOSX/course/._cmi5.xml", b"y"),
        ("course/.DS_Store", b"z"),
    ]);
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(keys(&source), ["cmi5.xml"]);
}

#[test]
fn reads_a_zip64_archive() {
    let options = SimpleFileOptions::default().large_file(true);
    let bytes = zip_with(&[("cmi5.xml", b"<x/>"), ("page.html", b"hello")], options);
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(source.get("page.html"), Some(&b"hello"[..]));
    assert_eq!(source.get("cmi5.xml"), Some(&b"<x/>"[..]));
}

#[test]
fn refuses_an_empty_package() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer
        .add_directory("course/", SimpleFileOptions::default())
        .unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    assert!(matches!(
        read_zip(&bytes, &Limits::default()),
        Err(SourceError::Empty)
    ));
    let dir = folder_of(&[(".hidden", b"x")]);
    assert!(matches!(
        read_dir(dir.path(), &Limits::default()),
        Err(SourceError::Empty)
    ));
}

#[test]
fn refuses_bytes_that_are_not_a_zip() {
    let err = read_zip(b"not a zip", &Limits::default()).unwrap_err();
    assert!(matches!(err, SourceError::NotZip(_)), "{err}");
}

#[test]
fn a_bare_course_structure_is_one_standalone_file() {
    let source = read_course_structure(b"<courseStructure/>".to_vec(), &Limits::default()).unwrap();
    assert!(source.standalone);
    assert_eq!(source.files.keys().collect::<Vec<_>>(), ["cmi5.xml"]);
    let limits = small(10, 1000, 4);
    let err = read_course_structure(b"<courseStructure/>".to_vec(), &limits).unwrap_err();
    assert!(matches!(err, SourceError::FileTooLarge { .. }), "{err}");
    assert!(matches!(
        read_course_structure(Vec::new(), &Limits::default()),
        Err(SourceError::Empty)
    ));
}

#[test]
fn a_path_ending_in_xml_is_read_as_a_bare_course_structure() {
    let dir = folder_of(&[("course.XML", b"<courseStructure/>")]);
    let source = read_path(&dir.path().join("course.XML"), &Limits::default()).unwrap();
    assert!(source.standalone);
    assert_eq!(source.get("cmi5.xml"), Some(&b"<courseStructure/>"[..]));
    let zipped = read_zip(&zip_of(&[("cmi5.xml", b"x")]), &Limits::default()).unwrap();
    assert!(!zipped.standalone);
}

#[test]
fn zip64_archives_are_read() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().large_file(true);
    for (name, bytes) in [("cmi5.xml", &b"<x/>"[..]), ("index.html", b"hi")] {
        writer.start_file(name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.set_zip64_comment(Some("zip64"));
    let bytes = writer.finish().unwrap().into_inner();
    assert!(bytes.windows(4).any(|w| w == [0x50, 0x4b, 0x06, 0x06]));
    let source = read_zip(&bytes, &Limits::default()).unwrap();
    assert_eq!(source.get("index.html"), Some(&b"hi"[..]));
}
