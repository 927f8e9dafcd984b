//! The administrators' operations on credentials and keys, shared by the API and the
//! CLI, each audited in the certification log (`badge.reissue`, `badge.keys.rotate`).

use serde_json::json;

use crate::badges::issue::{Badges, Issued};
use crate::badges::keys;
use crate::certification::audit::{self, Entry};
use crate::error::Error;

/// Signs credential `id` again with the current keys (after a rotation); 404 for an
/// unknown id, 409 when its award is revoked (a revoked credential is never re-signed).
pub async fn reissue(badges: &Badges, by: &str, id: &str, now_us: i64) -> Result<Issued, Error> {
    let id = super::public_api::credential_id(id)?;
    if crate::badges::store::find(&badges.db.conn, id)
        .await?
        .is_none()
    {
        return Err(super::public_api::not_found("credential", id));
    }
    let issued = badges.reissue(id).await?;
    let entry = Entry {
        actor: by.to_owned(),
        action: "badge.reissue".into(),
        learner_key: Some(issued.row.learner_key.clone()),
        belt_id: Some(issued.belt_id.clone()),
        award_id: Some(issued.award.id),
        details: json!({"credential": id}),
        ..Entry::default()
    };
    let _gate = badges.db.write_gate().await;
    audit::record(badges.db.writer(), now_us, entry).await?;
    Ok(issued)
}

/// Retires the signing keys and makes new ones; returns the new kids. Credentials are
/// signed again with the new keys when next served (their `signed_for` names the keys).
pub async fn rotate(badges: &Badges, by: &str, now_us: i64) -> Result<Vec<String>, Error> {
    let kids = keys::rotate(&badges.db).await?;
    let entry = Entry {
        actor: by.to_owned(),
        action: "badge.keys.rotate".into(),
        details: json!({"kids": kids}),
        ..Entry::default()
    };
    let _gate = badges.db.write_gate().await;
    audit::record(badges.db.writer(), now_us, entry).await?;
    Ok(kids)
}
