//! The roster admin API: contexts seen at LTI 1.3 launches with the NRPS claim, their
//! members as the platform last listed them, and an on-demand sync.
//! <https://www.imsglobal.org/spec/lti-nrps/v2p0>

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::store::{self, ContextRow, MemberRow};
use super::sync::SyncWake;
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct RosterApi {
    pub db: Db,
    /// Wakes this instance's sync task after a sync is requested.
    pub wake: SyncWake,
}

/// An LMS course (LTI context) whose roster Black Belt keeps.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct LtiContext {
    /// Our id for the context (use it in the other roster operations).
    pub id: i64,
    /// `platform:<id>`: the registered LTI 1.3 platform.
    pub source: String,
    /// The LMS's own context id.
    pub context_id: String,
    /// The course title from the launch or the roster, when the LMS gave one.
    pub title: Option<String>,
    /// The platform's NRPS membership service URL.
    pub memberships_url: String,
    /// Members stored from the last successful sync.
    pub members: i32,
    /// When the roster was last fetched completely (RFC 3339).
    pub last_synced: Option<String>,
    /// `due` (waiting for or in a sync), `failed` (the last attempt failed; a retry may
    /// be scheduled), or `idle`.
    pub sync_state: String,
    /// Why the last attempt failed, in our words with the platform's answer.
    pub last_error: Option<String>,
}

/// A member of a context.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ContextMember {
    /// The platform's user id (the `sub` of the user's launches).
    pub user_id: String,
    /// Full name, when the platform shares it.
    pub name: Option<String>,
    /// Given name, when the platform shares it.
    pub given_name: Option<String>,
    /// Family name, when the platform shares it.
    pub family_name: Option<String>,
    /// Email, when the platform shares it.
    pub email: Option<String>,
    /// Role URIs in the context (LIS vocabulary).
    pub roles: Vec<String>,
    /// `Active`, `Inactive` or `Deleted`, as the platform said.
    pub status: String,
}

/// A page of members, in user id order.
#[derive(Debug, Clone, Object)]
pub struct MembersPage {
    /// Up to `limit` members.
    pub members: Vec<ContextMember>,
    /// Pass as `after` for the next page; null on the last page.
    pub more: Option<String>,
}

/// A sync was made due.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct SyncAccepted {
    /// Always `due`: the sync task fetches the roster as soon as it can.
    pub sync_state: String,
}

#[derive(ApiResponse)]
pub enum SyncResponse {
    /// The sync is due; follow it with `GET /api/lti/contexts`.
    #[oai(status = 202)]
    Accepted(Json<SyncAccepted>),
}

fn rfc3339(us: Option<i64>) -> Option<String> {
    us.and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map(|t| t.to_string())
}

fn context(row: ContextRow, now_us: i64) -> LtiContext {
    LtiContext {
        sync_state: store::sync_state(&row, now_us).to_owned(),
        id: row.id,
        source: row.source,
        context_id: row.context_id,
        title: row.title,
        memberships_url: row.memberships_url,
        members: row.member_count,
        last_synced: rfc3339(row.last_synced_us),
        last_error: row.last_error,
    }
}

fn member(m: MemberRow) -> ContextMember {
    ContextMember {
        user_id: m.user_id,
        name: m.name,
        given_name: m.given_name,
        family_name: m.family_name,
        email: m.email,
        roles: m.roles,
        status: m.status,
    }
}

#[OpenApi(tag = "ApiTags::Lti")]
impl RosterApi {
    /// LTI contexts (LMS courses) whose launches carried the NRPS claim, oldest first.
    #[oai(
        path = "/api/lti/contexts",
        method = "get",
        operation_id = "listLtiContexts"
    )]
    async fn list(&self, _admin: AdminAuth) -> ApiResult<Json<Vec<LtiContext>>> {
        let now = jiff::Timestamp::now().as_microsecond();
        let rows = store::list(&self.db.conn).await?;
        Ok(Json(rows.into_iter().map(|r| context(r, now)).collect()))
    }

    /// The members of a context as its platform's roster last listed them.
    #[oai(
        path = "/api/lti/contexts/:id/members",
        method = "get",
        operation_id = "listLtiContextMembers"
    )]
    async fn members(
        &self,
        _admin: AdminAuth,
        /// The context's id (from `GET /api/lti/contexts`).
        id: Path<i64>,
        /// Members per page (1 to 1000; 100 when absent).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `more` cursor of the previous page.
        after: Query<Option<String>>,
    ) -> ApiResult<Json<MembersPage>> {
        if store::get(&self.db.conn, id.0).await?.is_none() {
            return Err(Error::ContextNotFound(id.0).into());
        }
        let limit = limit.0.unwrap_or(100);
        let (rows, more) = store::members(&self.db.conn, id.0, after.0.as_deref(), limit).await?;
        let cursor = more
            .then(|| rows.last().map(|m| m.user_id.clone()))
            .flatten();
        Ok(Json(MembersPage {
            members: rows.into_iter().map(member).collect(),
            more: cursor,
        }))
    }

    /// Fetches the context's roster again as soon as possible (whatever the refresh
    /// interval); the stored members stay until every page has arrived.
    #[oai(
        path = "/api/lti/contexts/:id/sync",
        method = "post",
        operation_id = "syncLtiContext"
    )]
    async fn sync(
        &self,
        _admin: AdminAuth,
        /// The context's id (from `GET /api/lti/contexts`).
        id: Path<i64>,
    ) -> ApiResult<SyncResponse> {
        let now = jiff::Timestamp::now().as_microsecond();
        if !store::request_sync(self.db.writer(), id.0, now).await? {
            return Err(Error::ContextNotFound(id.0).into());
        }
        self.wake.wake();
        Ok(SyncResponse::Accepted(Json(SyncAccepted {
            sync_state: "due".into(),
        })))
    }
}
