//! The certification API's JSON: awards, evidence, belts, reviewers, audit entries.

use std::collections::HashMap;

use poem_openapi::Object;
use serde_json::Value;

use crate::certification::program::store::LoadedProgram;
use crate::error::Error;
use crate::passback::view::rfc3339;
use entities::{cert_audit, cert_award, cert_evidence, cert_reviewer};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 50;

/// A revocation: when, why and by whom.
#[derive(Debug, Clone, Object)]
pub struct Revocation {
    /// When it was revoked (RFC 3339).
    pub at: String,
    /// Why.
    pub reason: Option<String>,
    /// Who (`credential:<id>`, `console:<user>`…).
    pub by: Option<String>,
}

/// A belt held, or once held, by a learner.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Award {
    /// The award's id.
    pub id: i64,
    /// The learner's key (`account:<homePage>|<name>`, `mbox:mailto:…`).
    pub learner: String,
    /// The belt's id.
    pub belt: String,
    /// The belt's name in the current program (its id if the belt is no longer there).
    pub belt_name: String,
    /// The program's id.
    pub program: String,
    /// The program version the belt was earned under.
    pub program_version: i32,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// When it was earned (RFC 3339).
    pub earned_at: String,
    /// End of validity (RFC 3339); absent when the belt never expires.
    pub valid_until: Option<String>,
    /// When it expires unless renewed: validity plus grace (RFC 3339).
    pub expires_at: Option<String>,
    /// `rules` (earned from statements) or `manual` (awarded by a person).
    pub source: String,
    /// Why a manual award was made.
    pub reason: Option<String>,
    /// What satisfied the requirements.
    pub evidence: Value,
    /// Renewals, oldest first.
    pub renewals: Value,
    /// Present when revoked.
    pub revoked: Option<Revocation>,
}

/// Belt names by belt id, from the current programs.
pub fn belt_names(programs: &[LoadedProgram]) -> HashMap<String, String> {
    programs
        .iter()
        .flat_map(|p| p.program.belts.iter())
        .map(|b| (b.id.clone(), b.name.clone()))
        .collect()
}

pub fn award(row: cert_award::Model, names: &HashMap<String, String>) -> Award {
    Award {
        id: row.id,
        belt_name: names
            .get(&row.belt_id)
            .cloned()
            .unwrap_or_else(|| row.belt_id.clone()),
        learner: row.learner_key,
        belt: row.belt_id,
        program: row.program_id,
        program_version: row.program_version,
        status: row.status,
        earned_at: rfc3339(row.earned_us),
        valid_until: row.valid_until_us.map(rfc3339),
        expires_at: row.expires_us.map(rfc3339),
        source: row.source,
        reason: row.reason,
        evidence: row.evidence,
        renewals: row.renewals,
        revoked: row.revoked_us.map(|at| Revocation {
            at: rfc3339(at),
            reason: row.revoked_reason,
            by: row.revoked_by,
        }),
    }
}

/// A page of awards, newest first.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AwardPage {
    /// The awards.
    pub awards: Vec<Award>,
    /// Pass as `after` for the next page; absent on the last page.
    pub more: Option<i64>,
}

/// A learner's belts: every award, active or not.
#[derive(Debug, Clone, Object)]
pub struct LearnerBelts {
    /// The learner's key.
    pub learner: String,
    /// Their awards, newest first.
    pub awards: Vec<Award>,
}

/// A file submitted as evidence.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EvidenceFile {
    /// The name it was uploaded with.
    pub name: Option<String>,
    /// Its media type, checked against its bytes.
    pub media_type: String,
    /// Its size in bytes.
    pub bytes: i64,
    /// SHA-256 of its bytes (hex).
    pub sha256: String,
}

/// Evidence submitted for a belt's evidence requirement, and its review.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Evidence {
    /// The evidence's id.
    pub id: i64,
    /// The learner it is for.
    pub learner: String,
    /// The belt.
    pub belt: String,
    /// The evidence requirement's id in the program.
    pub requirement: String,
    /// `text`, `url` or `file`.
    pub kind: String,
    /// The text, for `text`.
    pub text: Option<String>,
    /// The link, for `url`.
    pub url: Option<String>,
    /// The file, for `file` (`GET …/evidence/{id}/file` downloads it).
    pub file: Option<EvidenceFile>,
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub status: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// Who submitted it (`learner:<key>` or `credential:<id>`).
    pub submitted_by: String,
    /// When it was decided or withdrawn (RFC 3339).
    pub decided_at: Option<String>,
    /// Who decided or withdrew it.
    pub decided_by: Option<String>,
    /// The reviewer's comment.
    pub comment: Option<String>,
}

impl From<cert_evidence::Model> for Evidence {
    fn from(row: cert_evidence::Model) -> Evidence {
        let file = match (row.file_sha256, row.media_type) {
            (Some(sha256), Some(media_type)) => Some(EvidenceFile {
                name: row.file_name,
                media_type,
                bytes: row.file_bytes.unwrap_or_default(),
                sha256,
            }),
            _ => None,
        };
        Evidence {
            id: row.id,
            learner: row.learner_key,
            belt: row.belt_id,
            requirement: row.requirement_id,
            kind: row.kind,
            text: row.text,
            url: row.url,
            file,
            status: row.status,
            submitted_at: rfc3339(row.submitted_us),
            submitted_by: row.submitted_by,
            decided_at: row.decided_us.map(rfc3339),
            decided_by: row.decided_by,
            comment: row.comment,
        }
    }
}

/// A page of evidence, oldest first (the order a queue is worked in).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EvidencePage {
    /// The evidence.
    pub evidence: Vec<Evidence>,
    /// Pass as `after` for the next page; absent on the last page.
    pub more: Option<i64>,
}

/// A belt of a current program.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BeltSummary {
    /// The belt's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its colour (`#rrggbb`).
    pub colour: String,
    /// What it stands for.
    pub description: String,
    /// Its tier: 1 for the program's first belt.
    pub tier: u32,
    /// The program's id.
    pub program: String,
    /// The program's current version.
    pub program_version: i32,
    /// Who it is for.
    pub audiences: Vec<String>,
    /// Months an award is valid; absent when it never expires.
    pub validity_months: Option<u32>,
    /// Days of grace after validity ends.
    pub grace_days: u32,
    /// Learners holding it now (active awards).
    pub holders: u64,
}

/// The belts of the current programs, program by program, lowest tier first.
#[derive(Debug, Clone, Object)]
pub struct BeltList {
    /// The belts.
    pub belts: Vec<BeltSummary>,
}

/// Someone who may review a belt's evidence.
#[derive(Debug, Clone, Object)]
pub struct Reviewer {
    /// The belt.
    pub belt: String,
    /// `credential:<id>` or `learner:<learner key>`.
    pub reviewer_key: String,
    /// When they were added (RFC 3339).
    pub added_at: String,
    /// Who added them.
    pub added_by: String,
}

impl From<cert_reviewer::Model> for Reviewer {
    fn from(row: cert_reviewer::Model) -> Reviewer {
        Reviewer {
            belt: row.belt_id,
            reviewer_key: row.reviewer_key,
            added_at: rfc3339(row.added_us),
            added_by: row.added_by,
        }
    }
}

/// A belt's reviewers.
#[derive(Debug, Clone, Object)]
pub struct ReviewerList {
    /// The reviewers, by key.
    pub reviewers: Vec<Reviewer>,
}

/// One audit entry.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntry {
    /// The entry's id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who: `system`, `credential:<id>`, `learner:<key>`, `console:<user>`.
    pub actor: String,
    /// What: `award`, `revoke`, `extend`, `evidence.submit`, `evidence.approve`…
    pub action: String,
    /// The learner concerned.
    pub learner: Option<String>,
    /// The belt concerned.
    pub belt: Option<String>,
    /// The award concerned.
    pub award_id: Option<i64>,
    /// The evidence concerned.
    pub evidence_id: Option<i64>,
    /// Why (a manual change's reason, a reviewer's comment).
    pub reason: Option<String>,
    /// More about the change.
    pub details: Value,
}

impl From<cert_audit::Model> for AuditEntry {
    fn from(row: cert_audit::Model) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at: rfc3339(row.at_us),
            actor: row.actor,
            action: row.action,
            learner: row.learner_key,
            belt: row.belt_id,
            award_id: row.award_id,
            evidence_id: row.evidence_id,
            reason: row.reason,
            details: row.details,
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    pub more: Option<i64>,
}

/// `limit + 1` rows read: the extra one only says there is more; `more` is the last id.
pub fn paged<T>(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> (Vec<T>, Option<i64>) {
    let more = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(&id)
    } else {
        None
    };
    (rows, more)
}

/// A `status` filter, checked against the allowed values.
pub fn one_of(
    param: &str,
    value: Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, Error> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(Error::BadRequest(format!(
            "query parameter `{param}` must be one of {}; got {v:?}",
            allowed.join(", ")
        ))),
        other => Ok(other),
    }
}

/// An RFC 3339 time in a query or body, as microseconds; 400 naming `field`.
pub fn parse_time(field: &str, text: &str) -> Result<i64, Error> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_microsecond())
        .map_err(|e| {
            Error::BadRequest(format!(
                "{field} must be an RFC 3339 time such as 2027-01-31T00:00:00Z ({e})"
            ))
        })
}
