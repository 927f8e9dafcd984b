//! Awards: listing, one award, a learner's belts (also readable by that learner's
//! launch token), and the manual operations (award, revoke, extend) and learner
//! attributes. Admin scope unless noted.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::{Map, Value};

use super::caller::{learner_key_of, who};
use super::evidence_api::now_us;
use super::manual;
use super::queries::{self, AWARD_STATUSES, AwardFilter};
use super::view::{self, Award, AwardPage, DEFAULT_LIMIT, LearnerBelts};
use crate::auth::{AdminAuth, BasicAuth, Scope};
use crate::certification::program::store::current_all;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct AwardsApi {
    pub db: Db,
}

/// A manual award.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct AwardRequest {
    /// The learner's key (`account:<homePage>|<name>`, `mbox:mailto:…`).
    #[oai(validator(min_length = 1, max_length = 512))]
    pub learner: String,
    /// The belt's id in the current program.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub belt: String,
    /// Why (a prior certification…); required, for the audit log.
    pub reason: Option<String>,
}

/// A revocation.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why; required, for the audit log.
    pub reason: Option<String>,
}

/// An extension of validity.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ExtendRequest {
    /// The new end of validity (RFC 3339, in the future).
    pub valid_until: String,
    /// Why; required, for the audit log.
    pub reason: Option<String>,
}

/// A learner's attributes; each replaces what was stored (an absent one is emptied).
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct Attributes {
    /// Audiences (`executives`, `all-employees`…).
    #[oai(default)]
    pub audience: Vec<String>,
    /// Roles.
    #[oai(default)]
    pub role: Vec<String>,
    /// Organisational units.
    #[oai(default)]
    pub org_unit: Vec<String>,
}

#[derive(ApiResponse)]
pub enum Awarded {
    /// Awarded.
    #[oai(status = 201)]
    Created(Json<Award>),
}

#[derive(ApiResponse)]
pub enum AttributesSet {
    /// Stored; the learner's belts were re-evaluated.
    #[oai(status = 200)]
    Ok(Json<Attributes>),
}

#[OpenApi(prefix_path = "/api/certification", tag = "ApiTags::Certification")]
impl AwardsApi {
    /// Awards, newest first. 400 for an unknown `status`.
    #[oai(path = "/awards", method = "get", operation_id = "listAwards")]
    async fn list(
        &self,
        _admin: AdminAuth,
        /// `active`, `expired` or `revoked`; all when absent.
        status: Query<Option<String>>,
        /// Only this belt's.
        belt: Query<Option<String>>,
        /// Only this learner's (learner key).
        learner: Query<Option<String>>,
        /// Items per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<AwardPage>> {
        let filter = AwardFilter {
            status: view::one_of("status", status.0, &AWARD_STATUSES)?,
            belt_id: belt.0,
            learner_key: learner.0.map(|l| learner_key_of(&l).to_owned()),
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let rows = queries::awards(&self.db.conn, &filter, limit + 1, after.0).await?;
        let (rows, more) = view::paged(rows, limit, |r| r.id);
        let names = view::belt_names(&current_all(&self.db.conn).await?);
        Ok(Json(AwardPage {
            awards: rows.into_iter().map(|r| view::award(r, &names)).collect(),
            more,
        }))
    }

    /// One award.
    #[oai(path = "/awards/:id", method = "get", operation_id = "getAward")]
    async fn get(&self, _admin: AdminAuth, id: Path<i64>) -> ApiResult<Json<Award>> {
        let row = queries::award(&self.db.conn, id.0).await?;
        self.shown(row).await
    }

    /// Awards a belt by hand (a prior certification…): 400 for an unknown belt or a
    /// missing reason, 409 when the learner already holds it. Audited `award`.
    #[oai(path = "/awards", method = "post", operation_id = "awardBelt")]
    async fn award(&self, admin: AdminAuth, body: Json<AwardRequest>) -> ApiResult<Awarded> {
        let by = who(&admin).actor;
        let learner = learner_key_of(body.learner.trim()).to_owned();
        let row = manual::award(
            &self.db,
            &by,
            &learner,
            body.belt.trim(),
            body.reason.as_deref(),
            now_us(),
        )
        .await?;
        Ok(Awarded::Created(self.shown(row).await?))
    }

    /// Revokes an active award: 400 without a reason, 409 when it is not active.
    /// Audited `revoke`.
    #[oai(
        path = "/awards/:id/revoke",
        method = "post",
        operation_id = "revokeAward"
    )]
    async fn revoke(
        &self,
        admin: AdminAuth,
        id: Path<i64>,
        body: Json<RevokeRequest>,
    ) -> ApiResult<Json<Award>> {
        let by = who(&admin).actor;
        let row = manual::revoke(&self.db, &by, id.0, body.reason.as_deref(), now_us()).await?;
        self.shown(row).await
    }

    /// Moves an active award's end of validity (and its expiry) to `valid_until`: 400
    /// for a time not in the future or a missing reason, 409 when it is not active.
    /// Audited `extend`.
    #[oai(
        path = "/awards/:id/extend",
        method = "post",
        operation_id = "extendAward"
    )]
    async fn extend(
        &self,
        admin: AdminAuth,
        id: Path<i64>,
        body: Json<ExtendRequest>,
    ) -> ApiResult<Json<Award>> {
        let by = who(&admin).actor;
        let row = manual::extend(
            &self.db,
            &by,
            id.0,
            &body.valid_until,
            body.reason.as_deref(),
            now_us(),
        )
        .await?;
        self.shown(row).await
    }

    /// A learner's belts (every award, newest first). Administrators, and the learner's
    /// own launch token (403 for another learner's).
    #[oai(
        path = "/learners/:learner/belts",
        method = "get",
        operation_id = "getLearnerBelts"
    )]
    async fn learner_belts(
        &self,
        auth: BasicAuth,
        /// The learner key, percent-encoded.
        learner: Path<String>,
    ) -> ApiResult<Json<LearnerBelts>> {
        let who = who(&auth);
        let learner = learner_key_of(&learner.0).to_owned();
        match &who.learner {
            Some(own) if *own != learner => {
                return Err(Error::ForbiddenBecause(
                    "a launch token reads its own learner's belts only".into(),
                )
                .into());
            }
            None if !who.admin => return Err(Error::Forbidden(Scope::Admin).into()),
            _ => {}
        }
        let filter = AwardFilter {
            learner_key: Some(learner.clone()),
            ..AwardFilter::default()
        };
        let rows = queries::awards(&self.db.conn, &filter, 1000, None).await?;
        let names = view::belt_names(&current_all(&self.db.conn).await?);
        Ok(Json(LearnerBelts {
            learner,
            awards: rows.into_iter().map(|r| view::award(r, &names)).collect(),
        }))
    }

    /// Replaces a learner's attributes (audience, role, org_unit), which attribute
    /// requirements read; the learner's belts are re-evaluated at once. 404 for a
    /// learner never launched. Audited `learner.attributes`.
    #[oai(
        path = "/learners/:learner/attributes",
        method = "put",
        operation_id = "setLearnerAttributes"
    )]
    async fn attributes(
        &self,
        admin: AdminAuth,
        /// The learner key, percent-encoded.
        learner: Path<String>,
        body: Json<Attributes>,
    ) -> ApiResult<AttributesSet> {
        let by = who(&admin).actor;
        let learner = learner_key_of(&learner.0).to_owned();
        let checked = Attributes {
            audience: manual::check_attribute("audience", &body.audience)?,
            role: manual::check_attribute("role", &body.role)?,
            org_unit: manual::check_attribute("org_unit", &body.org_unit)?,
        };
        let mut map = Map::new();
        map.insert("audience".into(), strings(&checked.audience));
        map.insert("role".into(), strings(&checked.role));
        map.insert("org_unit".into(), strings(&checked.org_unit));
        manual::set_attributes(&self.db, &by, &learner, Value::Object(map), now_us()).await?;
        Ok(AttributesSet::Ok(Json(checked)))
    }
}

fn strings(values: &[String]) -> Value {
    Value::Array(values.iter().cloned().map(Value::String).collect())
}

impl AwardsApi {
    async fn shown(&self, row: entities::cert_award::Model) -> ApiResult<Json<Award>> {
        let names = view::belt_names(&current_all(&self.db.conn).await?);
        Ok(Json(view::award(row, &names)))
    }
}
