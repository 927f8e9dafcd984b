//! Belts of the current programs, their holders and reviewers, and the audit log.
//! Admin scope.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::caller::{learner_key_of, who};
use super::evidence_api::now_us;
use super::manual;
use super::queries::{self, AuditFilter, AwardFilter};
use super::view::{
    self, AuditEntry, AuditPage, AwardPage, BeltList, BeltSummary, DEFAULT_LIMIT, Reviewer,
    ReviewerList,
};
use crate::auth::AdminAuth;
use crate::certification::evidence::submission::find_belt;
use crate::certification::program::store::current_all;
use crate::certification::reviewers;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct BeltsApi {
    pub db: Db,
}

#[derive(ApiResponse)]
pub enum ReviewerChanged {
    /// Done (also when it already was so).
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/api/certification", tag = "ApiTags::Certification")]
impl BeltsApi {
    /// The current programs' belts, lowest tier first, with how many learners hold each.
    #[oai(path = "/belts", method = "get", operation_id = "listBelts")]
    async fn belts(&self, _admin: AdminAuth) -> ApiResult<Json<BeltList>> {
        let programs = current_all(&self.db.conn).await?;
        let counts = queries::holder_counts(&self.db.conn).await?;
        let mut belts = Vec::new();
        for program in &programs {
            for (i, belt) in program.program.belts.iter().enumerate() {
                belts.push(BeltSummary {
                    id: belt.id.clone(),
                    name: belt.name.clone(),
                    colour: belt.colour.clone(),
                    description: belt.description.clone(),
                    tier: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    program: program.program_id.clone(),
                    program_version: program.version,
                    audiences: belt.audiences.clone(),
                    validity_months: belt.validity_months,
                    grace_days: belt.grace_days,
                    holders: counts.get(&belt.id).copied().unwrap_or_default(),
                });
            }
        }
        Ok(Json(BeltList { belts }))
    }

    /// The learners holding a belt now (active awards), newest first. 404 for a belt
    /// no current program has.
    #[oai(
        path = "/belts/:belt/holders",
        method = "get",
        operation_id = "listBeltHolders"
    )]
    async fn holders(
        &self,
        _admin: AdminAuth,
        belt: Path<String>,
        /// Items per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<AwardPage>> {
        let programs = current_all(&self.db.conn).await?;
        known_belt(&programs, &belt.0)?;
        let filter = AwardFilter {
            status: Some("active".into()),
            belt_id: Some(belt.0),
            learner_key: None,
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let rows = queries::awards(&self.db.conn, &filter, limit + 1, after.0).await?;
        let (rows, more) = view::paged(rows, limit, |r| r.id);
        let names = view::belt_names(&programs);
        Ok(Json(AwardPage {
            awards: rows.into_iter().map(|r| view::award(r, &names)).collect(),
            more,
        }))
    }

    /// Who may review a belt's evidence besides administrators.
    #[oai(
        path = "/belts/:belt/reviewers",
        method = "get",
        operation_id = "listBeltReviewers"
    )]
    async fn reviewers(
        &self,
        _admin: AdminAuth,
        belt: Path<String>,
    ) -> ApiResult<Json<ReviewerList>> {
        let programs = current_all(&self.db.conn).await?;
        known_belt(&programs, &belt.0)?;
        let rows = reviewers::store::of_belt(&self.db.conn, &belt.0).await?;
        Ok(Json(ReviewerList {
            reviewers: rows.into_iter().map(Reviewer::from).collect(),
        }))
    }

    /// Makes a credential (`credential:<id>`) or a learner (`learner:<learner key>`) a
    /// reviewer of the belt. Audited `reviewer.add`.
    #[oai(
        path = "/belts/:belt/reviewers/:reviewer_key",
        method = "put",
        operation_id = "addBeltReviewer"
    )]
    async fn add_reviewer(
        &self,
        admin: AdminAuth,
        belt: Path<String>,
        reviewer_key: Path<String>,
    ) -> ApiResult<ReviewerChanged> {
        let by = who(&admin).actor;
        manual::set_reviewer(&self.db, &by, &belt.0, &reviewer_key.0, true, now_us()).await?;
        Ok(ReviewerChanged::Done)
    }

    /// Removes a reviewer of the belt. Audited `reviewer.remove`.
    #[oai(
        path = "/belts/:belt/reviewers/:reviewer_key",
        method = "delete",
        operation_id = "removeBeltReviewer"
    )]
    async fn remove_reviewer(
        &self,
        admin: AdminAuth,
        belt: Path<String>,
        reviewer_key: Path<String>,
    ) -> ApiResult<ReviewerChanged> {
        let by = who(&admin).actor;
        manual::set_reviewer(&self.db, &by, &belt.0, &reviewer_key.0, false, now_us()).await?;
        Ok(ReviewerChanged::Done)
    }

    /// The certification audit log, newest first: every award, renewal, expiry,
    /// revocation, extension, evidence submission and decision, reviewer and attribute
    /// change. `since` is inclusive, `until` exclusive (RFC 3339).
    #[oai(
        path = "/audit",
        method = "get",
        operation_id = "listCertificationAudit"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        _admin: AdminAuth,
        /// Only entries about this learner (learner key).
        learner: Query<Option<String>>,
        /// Only entries about this belt.
        belt: Query<Option<String>>,
        /// Only this action (`award`, `revoke`, `evidence.approve`…).
        action: Query<Option<String>>,
        /// Entries at or after this time (RFC 3339).
        since: Query<Option<String>>,
        /// Entries before this time (RFC 3339).
        until: Query<Option<String>>,
        /// Items per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<AuditPage>> {
        let time = |name: &str, v: Option<String>| {
            v.map(|t| view::parse_time(&format!("query parameter `{name}`"), &t))
                .transpose()
        };
        let filter = AuditFilter {
            actor: None,
            learner_key: learner.0.map(|l| learner_key_of(&l).to_owned()),
            belt_id: belt.0,
            action: action.0,
            since_us: time("since", since.0)?,
            until_us: time("until", until.0)?,
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let rows = queries::audit(&self.db.conn, &filter, limit + 1, after.0).await?;
        let (rows, more) = view::paged(rows, limit, |r| r.id);
        Ok(Json(AuditPage {
            entries: rows.into_iter().map(AuditEntry::from).collect(),
            more,
        }))
    }
}

/// 404 for a belt no current program has.
fn known_belt(
    programs: &[crate::certification::program::store::LoadedProgram],
    belt: &str,
) -> Result<(), Error> {
    find_belt(programs, belt, "belt")
        .map(|_| ())
        .map_err(|e| match e {
            Error::BadRequest(m) => Error::NotFound(m),
            other => other,
        })
}
