//! The key's source, in order: `secrets_key` (base64 in the configuration or
//! `BLACKBELT_SECRETS_KEY`), `secrets_key_file`, else a key file made once beside the
//! SQLite database (or in `data/` for PostgreSQL). Never the database itself: the key
//! must not travel with what it protects.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::at_rest::SecretsKey;
use crate::config::Config;

/// The file's name when Black Belt makes it.
pub const DEFAULT_FILE: &str = "secrets.key";

/// The key the configuration names, made (and written) if it names none.
pub fn load(config: &Config) -> Result<SecretsKey, String> {
    if let Some(text) = &config.secrets_key {
        return SecretsKey::from_base64(text)
            .map_err(|rule| format!("secrets_key (BLACKBELT_SECRETS_KEY) {rule}"));
    }
    if let Some(path) = &config.secrets_key_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "secrets_key_file {}: cannot read it: {e} (make one with `openssl rand -base64 32 > {}`)",
                path.display(),
                path.display()
            )
        })?;
        return SecretsKey::from_base64(&text)
            .map_err(|rule| format!("secrets_key_file {}: the key {rule}", path.display()));
    }
    match default_path(config) {
        Some(path) => read_or_create(&path),
        // An in-memory SQLite database ends with the process, and so may its key.
        None => SecretsKey::from_base64(&SecretsKey::generate_base64()?),
    }
}

/// Beside the SQLite file; `data/` for PostgreSQL; none for an in-memory database.
pub fn default_path(config: &Config) -> Option<PathBuf> {
    if config.database_url.starts_with("postgres") {
        return Some(Path::new("data").join(DEFAULT_FILE));
    }
    let db = config.sqlite_path()?;
    Some(match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(DEFAULT_FILE),
        _ => PathBuf::from(DEFAULT_FILE),
    })
}

fn read_or_create(path: &Path) -> Result<SecretsKey, String> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return SecretsKey::from_base64(&text).map_err(|rule| {
                format!("the secrets key file {shown} (made by Black Belt) {rule}")
            });
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!(
                "the secrets key file {shown} cannot be read: {e}; set secrets_key_file or \
                 secrets_key to use another"
            ));
        }
        Err(_) => {}
    }
    let text = SecretsKey::generate_base64()?;
    if create_once(path, &text)? {
        tracing::info!(
            path = %shown,
            "created the secrets key file {shown}, which encrypts the LTI secrets stored in \
             the database: back it up apart from the database; instances sharing a \
             PostgreSQL database must all use this key (secrets_key_file or secrets_key)"
        );
    }
    // Whoever made the file first, everyone uses what it holds.
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("the secrets key file {shown} cannot be read: {e}"))?;
    SecretsKey::from_base64(&text).map_err(|rule| format!("the secrets key file {shown} {rule}"))
}

/// Writes the key to a private temporary file and links it into place, so no reader
/// ever sees a half-written key; false if another process made the file first.
fn create_once(path: &Path, text: &str) -> Result<bool, String> {
    let shown = path.display();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create {} for the secrets key file: {e}",
            dir.display()
        )
    })?;
    let temp = dir.join(format!(".{DEFAULT_FILE}.{}", uuid::Uuid::new_v4().simple()));
    let written = private_file(&temp).and_then(|mut file| {
        file.write_all(format!("{text}\n").as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write the secrets key file {shown}: {e}"));
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(format!("cannot create the secrets key file {shown}: {e}")),
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_in(dir: &Path) -> Config {
        Config {
            database_url: format!("sqlite://{}?mode=rwc", dir.join("bb.db").display()),
            ..Config::default()
        }
    }

    #[test]
    fn with_no_key_configured_a_private_file_is_made_once_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let config = sqlite_in(dir.path());
        let first = load(&config).unwrap();
        let path = dir.path().join(DEFAULT_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first.seal(b"x", "a").unwrap();
        let again = load(&config).unwrap();
        assert_eq!(again.open(&sealed, "a").unwrap(), b"x");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "not replaced"
        );
    }

    #[test]
    fn a_configured_key_wins_and_a_bad_one_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = sqlite_in(dir.path());
        config.secrets_key = Some("c2hvcnQ=".into());
        let error = load(&config).unwrap_err();
        assert!(
            error.starts_with("secrets_key (BLACKBELT_SECRETS_KEY) must be 32 bytes"),
            "{error}"
        );
        config.secrets_key = Some(SecretsKey::generate_base64().unwrap());
        load(&config).unwrap();
        assert!(!dir.path().join(DEFAULT_FILE).exists(), "no file made");
    }

    #[test]
    fn a_missing_key_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = sqlite_in(dir.path());
        config.secrets_key_file = Some(dir.path().join("nope.key"));
        let error = load(&config).unwrap_err();
        assert!(error.starts_with("secrets_key_file "), "{error}");
        assert!(error.contains("nope.key"), "{error}");
    }

    #[test]
    fn postgres_keeps_its_key_in_the_data_folder() {
        let config = Config {
            database_url: "postgres://u@h/db".into(),
            ..Config::default()
        };
        assert_eq!(
            default_path(&config),
            Some(PathBuf::from("data/secrets.key"))
        );
    }
}
