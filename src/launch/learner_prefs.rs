//! The `cmi5LearnerPreferences` Agent Profile document as a launched AU may write it
//! (cmi5 §11): a JSON object with `languagePreference` (comma-separated RFC 5646 tags,
//! §11.1) and `audioPreference` (`on` or `off`, §11.2). cmi5 §11 lets the LMS refuse an
//! AU's change with 403; Black Belt refuses the malformed ones.

use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::error::Error;
use crate::sql::Sql;

/// The document id cmi5 §11 names.
pub const DOCUMENT_ID: &str = "cmi5LearnerPreferences";

/// Checks a learner preferences document; the error says what is wrong.
pub fn check(content_type: &str, bytes: &[u8]) -> Result<(), String> {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(format!(
            "{DOCUMENT_ID} must be sent as application/json, got {media:?} (cmi5 §11)"
        ));
    }
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(format!("{DOCUMENT_ID} must be a JSON object (cmi5 §11)"));
    };
    let languages = doc.get("languagePreference").and_then(Value::as_str);
    match languages {
        None => {
            return Err(format!(
                "{DOCUMENT_ID} needs languagePreference, a string (cmi5 §11.1)"
            ));
        }
        Some(list) if !list.split(',').all(is_language_tag) => {
            return Err(format!(
                "languagePreference must be a comma-separated list of RFC 5646 language tags, got {list:?} (cmi5 §11.1)"
            ));
        }
        Some(_) => {}
    }
    match doc.get("audioPreference").and_then(Value::as_str) {
        Some("on" | "off") => Ok(()),
        _ => Err(format!(
            "{DOCUMENT_ID} needs audioPreference, \"on\" or \"off\" (cmi5 §11.2)"
        )),
    }
}

/// Records that the session's AU read the document (cmi5 §11: on startup, before its
/// statements, which `rules` checks).
pub async fn mark_read(conn: &impl ConnectionTrait, session_id: &str) -> Result<(), Error> {
    let mut sql = Sql::new("UPDATE launch_sessions SET ");
    sql.bind("prefs_read_us = ?", jiff::Timestamp::now().as_microsecond())
        .bind(" WHERE session_id = ?", session_id.to_owned())
        .push(" AND prefs_read_us IS NULL");
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// An RFC 5646 tag's shape: a 2–8 letter primary subtag, then 1–8 alphanumeric subtags.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";

    #[test]
    fn well_formed_preferences_pass() {
        check(
            JSON,
            br#"{"languagePreference": "en-US,fr-FR,fr-BE", "audioPreference": "on"}"#,
        )
        .unwrap();
    }

    #[test]
    fn malformed_preferences_are_refused() {
        for (ct, body) in [
            (
                "application/octet-stream",
                r#"{"languagePreference": "en", "audioPreference": "on"}"#,
            ),
            (JSON, "\"just some text\""),
            (JSON, r#"{"audioPreference": "on"}"#),
            (JSON, r#"{"languagePreference": "en"}"#),
            (
                JSON,
                r#"{"languagePreference": "not comma separated", "audioPreference": "on"}"#,
            ),
            (
                JSON,
                r#"{"languagePreference": "", "audioPreference": "on"}"#,
            ),
        ] {
            assert!(check(ct, body.as_bytes()).is_err(), "{ct} {body}");
        }
    }
}
