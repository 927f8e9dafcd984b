//! The `more` cursor of a statement query, sealed so that clients cannot forge it: it
//! carries the filter, the position and the page size, signed with a key every instance
//! shares and bound to the credential that asked. A forged page size once let one
//! request return the whole LRS in a single 72 MB page.
//! Spec: xAPI-Communication 2.1.4 (the `more` IRL is opaque to clients).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::params::Cursor;
use crate::error::Error;

/// The name of the cursor key in `server_secrets`.
pub const SECRET_NAME: &str = "statement_cursor_hmac";

#[derive(Clone)]
pub struct CursorKey(hmac::Key);

impl CursorKey {
    pub fn new(secret: &[u8]) -> Self {
        CursorKey(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// For documents and tools that never read a cursor (the OpenAPI printer).
    pub fn ephemeral() -> Self {
        let mut secret = [0u8; 32];
        let _ = aws_lc_rs::rand::fill(&mut secret);
        Self::new(&secret)
    }

    /// `<payload>.<tag>`, both base64url; the tag covers the holder and the payload.
    pub fn seal(&self, cursor: &Cursor, holder: &str) -> String {
        // Serialising plain data cannot fail.
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default());
        let tag = hmac::sign(&self.0, &signed_text(holder, &payload));
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The cursor, if this server sealed it for `holder`; its page size is clamped to
    /// `max_page_size` in case the maximum was lowered since.
    pub fn open(&self, token: &str, holder: &str, max_page_size: u32) -> Result<Cursor, Error> {
        let refused = || {
            Error::BadRequest(
                "parameter `more` is not a cursor this server issued to this credential; \
                 start the query again without `more`"
                    .into(),
            )
        };
        let (payload, tag) = token.split_once('.').ok_or_else(refused)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| refused())?;
        hmac::verify(&self.0, &signed_text(holder, payload), &tag).map_err(|_| refused())?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
        let mut cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| refused())?;
        cursor.limit = cursor.limit.clamp(1, max_page_size.max(1));
        Ok(cursor)
    }
}

/// The holder's key, a separator no key contains, then the payload.
fn signed_text(holder: &str, payload: &str) -> Vec<u8> {
    let mut text = Vec::with_capacity(holder.len() + 1 + payload.len());
    text.extend_from_slice(holder.as_bytes());
    text.push(b'\n');
    text.extend_from_slice(payload.as_bytes());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xapi::statements::format::Format;
    use crate::xapi::statements::read::{Position, StatementFilter};

    fn cursor(limit: u32) -> Cursor {
        Cursor {
            filter: StatementFilter::default(),
            after: Position {
                stored_us: 5,
                seq: 7,
            },
            limit,
            format: Format::Ids,
        }
    }

    #[test]
    fn a_sealed_cursor_opens_for_its_holder() {
        let key = CursorKey::new(b"k");
        let token = key.seal(&cursor(10), "alice");
        assert_eq!(key.open(&token, "alice", 100).unwrap(), cursor(10));
    }

    #[test]
    fn another_credential_cannot_use_the_cursor() {
        let key = CursorKey::new(b"k");
        let token = key.seal(&cursor(10), "alice");
        assert!(key.open(&token, "bob", 100).is_err());
    }

    #[test]
    fn a_changed_payload_or_another_key_is_refused() {
        let key = CursorKey::new(b"k");
        let token = key.seal(&cursor(10), "alice");
        let (_, tag) = token.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor(u32::MAX)).unwrap());
        assert!(
            key.open(&format!("{forged_payload}.{tag}"), "alice", 100)
                .is_err()
        );
        assert!(CursorKey::new(b"other").open(&token, "alice", 100).is_err());
        assert!(key.open("!!", "alice", 100).is_err());
        assert!(key.open("", "alice", 100).is_err());
    }

    #[test]
    fn the_page_size_is_clamped_to_the_current_maximum() {
        let key = CursorKey::new(b"k");
        let token = key.seal(&cursor(1000), "alice");
        assert_eq!(key.open(&token, "alice", 100).unwrap().limit, 100);
    }
}
