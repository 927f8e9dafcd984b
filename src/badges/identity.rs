//! The subject's `IdentityObject`: the learner is named by a salted SHA-256 of their
//! email (or account), never in clear (OB 3.0 `IdentityHash`: `sha256$` + hex of
//! SHA-256(identifier ‖ salt)).

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use crate::error::Error;

/// `identityType` of an email address (OB 3.0 `IdentifierTypeEnum`).
pub const EMAIL: &str = "emailAddress";
/// `identityType` of an LMS account, written `<homePage>|<name>` as `agent_key` does.
pub const ACCOUNT: &str = "accountId";
/// `identityType` of any other xAPI identifier (openid, mbox_sha1sum): the learner key.
pub const OTHER: &str = "identifier";

/// `sha256$` + lowercase hex of SHA-256(identifier ‖ salt), the salt appended as the
/// spec's example does (`a@example.com` + `Kosher`).
pub fn identity_hash(identifier: &str, salt: &str) -> String {
    let mut input = String::with_capacity(identifier.len() + salt.len());
    input.push_str(identifier);
    input.push_str(salt);
    format!(
        "sha256${}",
        hex::encode(digest(&SHA256, input.as_bytes()).as_ref())
    )
}

/// `{"type": "IdentityObject", "hashed": true, "identityHash": "sha256$…",
/// "identityType": …, "salt": …}`; `identity_type` is `emailAddress` or `ext:…`.
pub fn identity_object(identifier: &str, identity_type: &str, salt: &str) -> Value {
    json!({
        "type": "IdentityObject",
        "hashed": true,
        "identityHash": identity_hash(identifier, salt),
        "identityType": identity_type,
        "salt": salt,
    })
}

/// The identifier a verifier who knows the learner would hash, and its type: the email
/// (without `mailto:`, trimmed and lowercased, since people type it in any case), else
/// the LMS account, else the learner key.
pub fn of_learner<'a>(
    learner_key: &'a str,
    email: Option<&'a str>,
    actor: &'a Value,
) -> (String, &'static str) {
    if let Some(email) = email {
        let bare = email.strip_prefix("mailto:").unwrap_or(email);
        return (bare.trim().to_lowercase(), EMAIL);
    }
    if let Some(mbox) = actor.get("mbox").and_then(Value::as_str) {
        let bare = mbox.strip_prefix("mailto:").unwrap_or(mbox);
        return (bare.trim().to_lowercase(), EMAIL);
    }
    let account = actor.get("account");
    let home = account
        .and_then(|a| a.get("homePage"))
        .and_then(Value::as_str);
    let name = account.and_then(|a| a.get("name")).and_then(Value::as_str);
    match (home, name) {
        (Some(home), Some(name)) => (format!("{home}|{name}"), ACCOUNT),
        _ => (learner_key.to_owned(), OTHER),
    }
}

/// A fresh random salt: 16 bytes from the system's secure generator, as hex.
pub fn new_salt() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Internal("the system random generator failed (salt)".into()))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_the_spec_example_with_the_salt_appended() {
        assert_eq!(
            identity_hash("a@example.com", "Kosher"),
            "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
        );
    }

    #[test]
    fn hash_matches_the_implementation_guide_example() {
        assert!(
            identity_hash("jjefferson18@example.com", "FleurDeSel").starts_with("sha256$658625b2")
        );
    }

    #[test]
    fn identity_object_has_every_required_field_and_no_clear_identifier() {
        let object = identity_object("a@example.com", EMAIL, "Kosher");
        assert_eq!(object["type"], "IdentityObject");
        assert_eq!(object["hashed"], true);
        assert_eq!(object["identityType"], "emailAddress");
        assert_eq!(object["salt"], "Kosher");
        assert!(!object.to_string().contains("a@example.com"));
    }

    #[test]
    fn salts_are_32_hex_digits_and_differ() {
        let (a, b) = (new_salt().unwrap(), new_salt().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn email_is_used_without_mailto_and_lowercased() {
        let (id, kind) = of_learner("k", Some("mailto:A@Example.com "), &Value::Null);
        assert_eq!((id.as_str(), kind), ("a@example.com", EMAIL));
    }

    #[test]
    fn account_is_used_as_home_page_bar_name_when_there_is_no_email() {
        let actor = json!({"account": {"homePage": "https://lms.example.com", "name": "42"}});
        let (id, kind) = of_learner("k", None, &actor);
        assert_eq!((id.as_str(), kind), ("https://lms.example.com|42", ACCOUNT));
    }

    #[test]
    fn learner_key_is_the_last_resort() {
        let (id, kind) = of_learner("openid:x", None, &json!({"openid": "x"}));
        assert_eq!((id.as_str(), kind), ("openid:x", OTHER));
    }
}
