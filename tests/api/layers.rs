//! The LRS core and authentication depend on no layer above them (issue 16): what
//! reacts to statements or rules on documents registers itself through the seams in
//! `xapi::statements::participant`, `xapi::documents::participant` and
//! `auth::KeyScheme` when the app is built.

use std::path::{Path, PathBuf};

/// The layers built on the LRS; `src/xapi` and `src/auth` may name none of them.
const HIGHER: &[&str] = &[
    "app",
    "certification",
    "launch",
    "lti",
    "packages",
    "passback",
    "roster",
    "web",
];

/// The lower layers whose sources are checked.
const LOWER: &[&str] = &["src/xapi", "src/auth"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module names a `crate::` path at `rest` reaches: one for
/// `crate::name…`, each group member's for `crate::{a::…, b, …}`.
fn named_modules(rest: &str) -> Vec<String> {
    let ident = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut start = true;
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && !c.is_whitespace() => {
                names.push(ident(&group[at..]));
                start = false;
            }
            _ => {}
        }
    }
    names
}

/// Every `file:line: crate::<layer>` in `text` that names a higher layer. Whole-line
/// comments are skipped, so documentation may mention the layers it serves.
fn violations(file: &str, text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let line = code[..at].matches('\n').count() + 1;
        for name in named_modules(&code[at + "crate::".len()..]) {
            if HIGHER.contains(&name.as_str()) {
                found.push(format!("{file}:{line}: crate::{name}"));
            }
        }
    }
    found
}

#[test]
fn the_lrs_core_and_authentication_import_no_higher_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in LOWER {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "no Rust files under {dir}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            found.extend(violations(&name, &text));
        }
    }
    assert!(
        found.is_empty(),
        "src/xapi and src/auth must not import a higher layer; register a participant \
         (xapi::statements::participant, xapi::documents::participant) or a key scheme \
         (auth::KeyScheme) in src/app.rs instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layer_check_finds_plain_grouped_and_multiline_imports() {
    let text = "use crate::launch::grant;\n\
                // crate::passback is only mentioned\n\
                use crate::{db::Db, roster::x};\n\
                use crate::{\n    error::Error,\n    lti,\n};\n\
                fn f() { crate::web::page(); crate::xapi::ok(); }\n";
    assert_eq!(
        violations("f.rs", text),
        vec![
            "f.rs:1: crate::launch",
            "f.rs:3: crate::roster",
            "f.rs:4: crate::lti",
            "f.rs:8: crate::web",
        ]
    );
}
