//! Submitting, deciding and withdrawing evidence, each in one transaction with its
//! audit entry; an approval re-evaluates the learner's belts in that transaction, so a
//! belt whose last requirement was this evidence is awarded with the approval.

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use super::store::{self, NewEvidence};
use crate::certification::audit::{self, Entry};
use crate::certification::engine;
use crate::certification::reviewers::Who;
use crate::db::Db;
use crate::error::Error;
use entities::cert_evidence;

/// Longest reviewer comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 4_000;

/// Stores checked evidence as pending and audits `evidence.submit`.
pub async fn submit(db: &Db, new: NewEvidence, now_us: i64) -> Result<cert_evidence::Model, Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let actor = new.submitted_by.clone();
    let row = store::insert(&txn, new, now_us).await?;
    audit::record(
        &txn,
        now_us,
        Entry {
            actor,
            action: "evidence.submit".into(),
            learner_key: Some(row.learner_key.clone()),
            belt_id: Some(row.belt_id.clone()),
            evidence_id: Some(row.id),
            details: json!({
                "requirement": row.requirement_id,
                "kind": row.kind,
                "file_sha256": row.file_sha256,
                "media_type": row.media_type,
                "file_bytes": row.file_bytes,
            }),
            ..Entry::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    fn status(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
        }
    }
}

/// Checks a comment: required to reject (the learner needs to know why), optional to
/// approve; at most `MAX_COMMENT_CHARS`.
pub fn check_comment(decision: Decision, comment: Option<&str>) -> Result<Option<String>, Error> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if decision == Decision::Reject && comment.is_none() {
        return Err(Error::BadRequest(
            "field `comment` is required to reject evidence: tell the learner what is missing"
                .into(),
        ));
    }
    if let Some(c) = comment
        && c.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(Error::BadRequest(format!(
            "field `comment` must be at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    Ok(comment.map(str::to_owned))
}

/// Decides pending evidence: 403 unless `who` reviews its belt or when it is their own,
/// 409 when it is already decided or withdrawn, 404 when there is none.
pub async fn decide(
    db: &Db,
    who: &Who,
    id: i64,
    decision: Decision,
    comment: Option<&str>,
    now_us: i64,
) -> Result<cert_evidence::Model, Error> {
    let comment = check_comment(decision, comment)?;
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let found = store::get(&txn, id).await?;
    may_decide(&txn, who, &found).await?;
    let row = store::decide(&txn, id, decision.status(), &who.actor, comment, now_us).await?;
    audit::record(
        &txn,
        now_us,
        Entry {
            actor: who.actor.clone(),
            action: format!(
                "evidence.{}",
                match decision {
                    Decision::Approve => "approve",
                    Decision::Reject => "reject",
                }
            ),
            learner_key: Some(row.learner_key.clone()),
            belt_id: Some(row.belt_id.clone()),
            evidence_id: Some(row.id),
            reason: row.comment.clone(),
            details: json!({ "requirement": row.requirement_id }),
            ..Entry::default()
        },
    )
    .await?;
    if decision == Decision::Approve {
        engine::reevaluate_learner(&txn, &row.learner_key, now_us).await?;
    }
    txn.commit().await?;
    Ok(row)
}

async fn may_decide(
    conn: &impl ConnectionTrait,
    who: &Who,
    evidence: &cert_evidence::Model,
) -> Result<(), Error> {
    if !who.reviews(conn, &evidence.belt_id).await? {
        return Err(Error::ForbiddenBecause(format!(
            "you are not a reviewer of belt `{}`; an administrator can add you with PUT \
             /api/certification/belts/{}/reviewers/{{reviewer_key}}",
            evidence.belt_id, evidence.belt_id
        )));
    }
    let own = who.learner.as_deref() == Some(evidence.learner_key.as_str())
        || evidence.submitted_by == who.actor;
    if own {
        return Err(Error::ForbiddenBecause(
            "a reviewer may not decide evidence they submitted or that is about themselves; \
             another reviewer must"
                .into(),
        ));
    }
    Ok(())
}

/// Withdraws pending evidence: its learner (own launch token) or an administrator.
pub async fn withdraw(
    db: &Db,
    who: &Who,
    id: i64,
    now_us: i64,
) -> Result<cert_evidence::Model, Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let found = store::get(&txn, id).await?;
    if !who.admin && who.learner.as_deref() != Some(found.learner_key.as_str()) {
        return Err(Error::ForbiddenBecause(
            "only the learner who the evidence is about, or an administrator, may withdraw it"
                .into(),
        ));
    }
    let row = store::decide(&txn, id, "withdrawn", &who.actor, None, now_us).await?;
    audit::record(
        &txn,
        now_us,
        Entry {
            actor: who.actor.clone(),
            action: "evidence.withdraw".into(),
            learner_key: Some(row.learner_key.clone()),
            belt_id: Some(row.belt_id.clone()),
            evidence_id: Some(row.id),
            ..Entry::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether `who` may see this evidence: its learner, a reviewer of its belt, an admin.
pub async fn may_read(
    conn: &impl ConnectionTrait,
    who: &Who,
    evidence: &cert_evidence::Model,
) -> Result<bool, Error> {
    Ok(
        who.learner.as_deref() == Some(evidence.learner_key.as_str())
            || who.reviews(conn, &evidence.belt_id).await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejecting_needs_a_comment_and_approving_does_not() {
        assert!(check_comment(Decision::Reject, None).is_err());
        assert!(check_comment(Decision::Reject, Some("  ")).is_err());
        assert_eq!(check_comment(Decision::Approve, None).unwrap(), None);
        assert_eq!(
            check_comment(Decision::Reject, Some(" needs a link ")).unwrap(),
            Some("needs a link".to_owned())
        );
    }
}
