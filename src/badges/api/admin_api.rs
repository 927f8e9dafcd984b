//! Administrators' view of the credentials and the issuer's keys: list, read, re-sign
//! after a rotation, rotate. Admin scope (learner launch tokens and statement-only
//! credentials get 403).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::operations;
use super::public_api::{credential_id, not_found};
use super::queries;
use super::views::{CredentialDetail, CredentialSummary, Key, KeyList, Rotated};
use crate::auth::AdminAuth;
use crate::badges::issue::Badges;
use crate::badges::keys;
use crate::badges::status::live_status;
use crate::certification::api::caller::{learner_key_of, who};
use crate::certification::api::evidence_api::now_us;
use crate::certification::api::queries::AwardFilter;
use crate::certification::api::view::{self, DEFAULT_LIMIT};
use crate::error::ApiResult;
use crate::openapi::ApiTags;

pub struct AdminApi {
    pub badges: Badges,
}

/// A page of credentials, newest award first.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CredentialPage {
    pub credentials: Vec<CredentialSummary>,
    /// Pass as `after` for the next page; absent on the last.
    pub more: Option<i64>,
}

#[OpenApi(prefix_path = "/api/badges", tag = "ApiTags::Badges")]
impl AdminApi {
    /// The credentials of the awards, newest award first (a credential is made for
    /// each award listed that had none yet), with live status and public links.
    #[oai(
        path = "/credentials",
        method = "get",
        operation_id = "listBadgeCredentials"
    )]
    async fn list(
        &self,
        _admin: AdminAuth,
        /// Only this learner's (learner key).
        learner: Query<Option<String>>,
        /// Only this belt's.
        belt: Query<Option<String>>,
        /// Items per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<CredentialPage>> {
        let filter = AwardFilter {
            status: None,
            belt_id: belt.0,
            learner_key: learner.0.map(|l| learner_key_of(&l).to_owned()),
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let now = now_us();
        let rows = queries::credentials(&self.badges, &filter, limit + 1, after.0, now).await?;
        let (rows, more) = view::paged(rows, limit, |(_, award)| award.id);
        let urls = &self.badges.issuer.urls;
        Ok(Json(CredentialPage {
            credentials: rows
                .iter()
                .map(|(row, award)| {
                    CredentialSummary::new(urls, row, award, &live_status(award, now))
                })
                .collect(),
            more,
        }))
    }

    /// One credential with both signed forms (JSON with its Data Integrity proof, and
    /// the VC-JWT). 404 for an unknown id.
    #[oai(
        path = "/credentials/:id",
        method = "get",
        operation_id = "getBadgeCredentialAdmin"
    )]
    async fn get(&self, _admin: AdminAuth, id: Path<String>) -> ApiResult<Json<CredentialDetail>> {
        let id = credential_id(&id.0)?;
        let issued = self
            .badges
            .by_id(id)
            .await?
            .ok_or_else(|| not_found("credential", id))?;
        Ok(Json(CredentialDetail::of(&self.badges.issuer.urls, issued)))
    }

    /// Signs a credential again with the current keys (after a rotation; the same `id`,
    /// dates and status bit). 404 for an unknown id, 409 when its award is revoked.
    /// Audited `badge.reissue`.
    #[oai(
        path = "/credentials/:id/reissue",
        method = "post",
        operation_id = "reissueBadgeCredential"
    )]
    async fn reissue(
        &self,
        admin: AdminAuth,
        id: Path<String>,
    ) -> ApiResult<Json<CredentialDetail>> {
        let by = who(&admin).actor;
        let issued = operations::reissue(&self.badges, &by, &id.0, now_us()).await?;
        Ok(Json(CredentialDetail::of(&self.badges.issuer.urls, issued)))
    }

    /// The issuer's keys, newest first, current and retired (public halves only).
    #[oai(path = "/keys", method = "get", operation_id = "listBadgeKeys")]
    async fn keys(&self, _admin: AdminAuth) -> ApiResult<Json<KeyList>> {
        let urls = &self.badges.issuer.urls;
        let keys = keys::published(&self.badges.db).await?;
        Ok(Json(KeyList {
            keys: keys.into_iter().map(|k| Key::of(urls, k)).collect(),
        }))
    }

    /// Retires the signing keys and makes new ones. Retired keys stay published, so
    /// every credential signed before still verifies; credentials are signed with the
    /// new keys when next served. Audited `badge.keys.rotate`.
    #[oai(
        path = "/keys/rotate",
        method = "post",
        operation_id = "rotateBadgeKeys"
    )]
    async fn rotate(&self, admin: AdminAuth) -> ApiResult<Json<Rotated>> {
        let by = who(&admin).actor;
        let kids = operations::rotate(&self.badges, &by, now_us()).await?;
        Ok(Json(Rotated { kids }))
    }
}
