//! The learner an award form or filter names.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::certification::api::caller::learner_key_of;
use crate::certification::learners;
use crate::error::Error;
use crate::xapi::statements::index::agent_key;

/// The learner a form or filter names: a learner key (`account:…|…`, `mbox:mailto:…`,
/// optionally `learner:`-prefixed) or an email address; `None` when nobody known.
pub(in crate::console) async fn find_learner(
    conn: &impl ConnectionTrait,
    text: &str,
) -> Result<Option<String>, Error> {
    let text = text.trim();
    let is_email = !text.contains(':') && text.contains('@');
    let key = if is_email || text.starts_with("mailto:") {
        let mbox = if is_email {
            format!("mailto:{text}")
        } else {
            text.to_owned()
        };
        agent_key(&json!({ "mbox": mbox }))
    } else {
        Some(learner_key_of(text).to_owned())
    };
    let Some(key) = key else {
        return Ok(None);
    };
    Ok(learners::resolve(conn, &BTreeSet::from([key.clone()]))
        .await?
        .remove(&key))
}
