//! Signed status lists: the bits of one list come from the revoked awards of its
//! credentials; the signed list credential is kept in memory and remade (with a new
//! `validFrom`) only when its bits or the signing key change.

use std::sync::PoisonError;

use aws_lc_rs::digest::{SHA256, digest};
use serde_json::Value;

use super::{Badges, now_us};
use crate::badges::credential::rfc3339;
use crate::badges::status_list::{Bits, list_credential};
use crate::badges::{integrity, keys, store};
use crate::error::Error;

/// A signed list and what it was made from.
pub(super) struct Cached {
    fingerprint: String,
    signed: Value,
}

/// List `list`, signed; `None` when no credential has its bit there.
pub(super) async fn signed(badges: &Badges, list: i32) -> Result<Option<Value>, Error> {
    let conn = &badges.db.conn;
    if !store::list_exists(conn, list).await? {
        return Ok(None);
    }
    let revoked = store::revoked_indexes(conn, list).await?;
    let keys = keys::signing(&badges.db).await?;
    let fingerprint = fingerprint(&keys.ed25519.kid, &revoked);
    {
        let cache = badges.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = cache.get(&list).filter(|c| c.fingerprint == fingerprint) {
            return Ok(Some(hit.signed.clone()));
        }
    }
    let mut bits = Bits::new();
    for index in revoked {
        bits.set(usize::try_from(index).unwrap_or(usize::MAX));
    }
    let now = rfc3339(now_us());
    let unsigned = list_credential(&badges.issuer, list, &bits, &now)?;
    let signed = integrity::sign(
        &unsigned,
        &keys.ed25519,
        &badges.issuer.urls.key(&keys.ed25519.kid),
        &now,
    )?;
    badges
        .lists
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            list,
            Cached {
                fingerprint,
                signed: signed.clone(),
            },
        );
    Ok(Some(signed))
}

/// SHA-256 of the key and the revoked indexes: equal exactly when the list is the same.
fn fingerprint(kid: &str, revoked: &[i32]) -> String {
    let mut text = kid.to_owned();
    for index in revoked {
        text.push(' ');
        text.push_str(&index.to_string());
    }
    hex::encode(digest(&SHA256, text.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_a_new_revocation_or_a_new_key() {
        let base = fingerprint("k1", &[3, 9]);
        assert_eq!(base, fingerprint("k1", &[3, 9]));
        assert_ne!(base, fingerprint("k1", &[3, 9, 12]));
        assert_ne!(base, fingerprint("k2", &[3, 9]));
        assert_ne!(fingerprint("k1", &[1, 23]), fingerprint("k1", &[12, 3]));
    }
}
