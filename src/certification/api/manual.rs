//! Manual operations of the L&D team, each in one transaction: award, revoke, extend
//! (their statements and audit entries are written by `awards`), and learner
//! attributes (audited here, then the learner's belts re-evaluated).

use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use super::queries;
use crate::certification::audit::{self, Entry};
use crate::certification::awards::{self, Manual};
use crate::certification::evidence::submission::find_belt;
use crate::certification::program::store::current_all;
use crate::certification::{engine, reviewers};
use crate::db::Db;
use crate::error::Error;
use entities::cert_award;

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A reason: required, not blank, at most `MAX_REASON_CHARS`.
pub fn check_reason(reason: Option<&str>) -> Result<String, Error> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(Error::BadRequest(
            "field `reason` is required: say why, for the audit log".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::BadRequest(format!(
            "field `reason` must be at most {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(reason.to_owned())
}

/// Awards a belt of the current program by hand.
pub async fn award(
    db: &Db,
    by: &str,
    learner_key: &str,
    belt_id: &str,
    reason: Option<&str>,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let reason = check_reason(reason)?;
    if learner_key.trim().is_empty() {
        return Err(Error::BadRequest(
            "field `learner` must not be empty".into(),
        ));
    }
    let programs = current_all(&db.conn).await?;
    find_belt(&programs, belt_id, "field `belt`:")?;
    let who = Manual {
        by: by.to_owned(),
        reason,
    };
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let row = awards::award_manually(&txn, learner_key, belt_id, &who, now_us).await?;
    txn.commit().await?;
    Ok(row)
}

/// Revokes an active award.
pub async fn revoke(
    db: &Db,
    by: &str,
    award_id: i64,
    reason: Option<&str>,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let reason = check_reason(reason)?;
    let who = Manual {
        by: by.to_owned(),
        reason,
    };
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    queries::award(&txn, award_id).await?;
    let row = awards::revoke(&txn, award_id, &who, now_us).await?;
    txn.commit().await?;
    Ok(row)
}

/// Moves an active award's validity to `until` (RFC 3339, in the future).
pub async fn extend(
    db: &Db,
    by: &str,
    award_id: i64,
    until: &str,
    reason: Option<&str>,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let until_us = super::view::parse_time("field `valid_until`", until)?;
    if until_us <= now_us {
        return Err(Error::BadRequest(
            "field `valid_until` must be in the future".into(),
        ));
    }
    let reason = check_reason(reason)?;
    let who = Manual {
        by: by.to_owned(),
        reason,
    };
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    queries::award(&txn, award_id).await?;
    let row = awards::extend(&txn, award_id, until_us, &who, now_us).await?;
    txn.commit().await?;
    Ok(row)
}

/// The attribute names a learner can have.
pub const ATTRIBUTE_NAMES: [&str; 3] = ["audience", "role", "org_unit"];
/// Most values one attribute may have.
pub const MAX_ATTRIBUTE_VALUES: usize = 50;
/// Longest attribute value, in characters.
pub const MAX_ATTRIBUTE_CHARS: usize = 100;

/// Checks one attribute's values: each 1–100 printable characters, at most 50.
pub fn check_attribute(name: &str, values: &[String]) -> Result<Vec<String>, Error> {
    if values.len() > MAX_ATTRIBUTE_VALUES {
        return Err(Error::BadRequest(format!(
            "field `{name}` may have at most {MAX_ATTRIBUTE_VALUES} values"
        )));
    }
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        let value = value.trim();
        let chars = value.chars().count();
        if chars == 0 || chars > MAX_ATTRIBUTE_CHARS || value.chars().any(char::is_control) {
            return Err(Error::BadRequest(format!(
                "field `{name}`: each value must be 1–{MAX_ATTRIBUTE_CHARS} printable \
                 characters; got {value:?}"
            )));
        }
        if !out.iter().any(|v: &String| v == value) {
            out.push(value.to_owned());
        }
    }
    Ok(out)
}

/// Replaces a learner's attributes, audits `learner.attributes` and re-evaluates their
/// belts in the same transaction.
pub async fn set_attributes(
    db: &Db,
    by: &str,
    learner_key: &str,
    attributes: Value,
    now_us: i64,
) -> Result<(), Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let before = queries::set_attributes(&txn, learner_key, attributes.clone(), now_us).await?;
    audit::record(
        &txn,
        now_us,
        Entry {
            actor: by.to_owned(),
            action: "learner.attributes".into(),
            learner_key: Some(learner_key.to_owned()),
            details: json!({ "before": before, "after": attributes }),
            ..Entry::default()
        },
    )
    .await?;
    engine::reevaluate_learner(&txn, learner_key, now_us).await?;
    txn.commit().await?;
    Ok(())
}

/// Adds or removes a belt's reviewer, audited `reviewer.add` / `reviewer.remove`.
/// Returns whether anything changed.
pub async fn set_reviewer(
    db: &Db,
    by: &str,
    belt_id: &str,
    reviewer_key: &str,
    add: bool,
    now_us: i64,
) -> Result<bool, Error> {
    reviewers::check_key(reviewer_key)?;
    let programs = current_all(&db.conn).await?;
    find_belt(&programs, belt_id, "path segment `belt`:").map_err(|e| match e {
        Error::BadRequest(m) => Error::NotFound(m),
        other => other,
    })?;
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let changed = if add {
        reviewers::store::add(&txn, belt_id, reviewer_key, by, now_us).await?
    } else {
        reviewers::store::remove(&txn, belt_id, reviewer_key).await?
    };
    if changed {
        audit::record(
            &txn,
            now_us,
            Entry {
                actor: by.to_owned(),
                action: if add {
                    "reviewer.add"
                } else {
                    "reviewer.remove"
                }
                .into(),
                belt_id: Some(belt_id.to_owned()),
                details: json!({ "reviewer": reviewer_key }),
                ..Entry::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_trimmed() {
        assert!(check_reason(None).is_err());
        assert!(check_reason(Some("   ")).is_err());
        assert_eq!(check_reason(Some(" prior cert ")).unwrap(), "prior cert");
    }

    #[test]
    fn attribute_values_are_checked_and_deduplicated() {
        let ok = check_attribute("role", &["exec".into(), "exec".into()]).unwrap();
        assert_eq!(ok, vec!["exec".to_owned()]);
        assert!(check_attribute("role", &["".into()]).is_err());
        assert!(check_attribute("role", &["a\u{7}".into()]).is_err());
    }
}
