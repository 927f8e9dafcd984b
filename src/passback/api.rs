//! The passback admin API: what is waiting, delivered or failed, with the platform's
//! answer, and a retry for failed messages. Admin scope.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::dispatch::Wake;
use super::store;
use super::view::{self, DEFAULT_LIMIT, PassbackMessage, PassbackPage};
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct PassbackApi {
    pub db: Db,
    /// The dispatcher's wake signal: a retried message is sent now, not at the next poll.
    pub wake: Wake,
    /// `passback_max_age_secs`: a retried message gets this long again.
    pub max_age: std::time::Duration,
}

#[derive(ApiResponse)]
pub enum RetryResponse {
    /// The message is pending again and due now (or `superseded`, when the channel
    /// already sent or holds a newer standing).
    #[oai(status = 200)]
    Retried(Json<PassbackMessage>),
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Passback")]
impl PassbackApi {
    /// Lists outgoing messages to LMSs, newest first: 400 for an unknown `state`.
    #[oai(path = "/passback", method = "get", operation_id = "listPassback")]
    async fn list(
        &self,
        _admin: AdminAuth,
        /// `pending`, `failed`, `delivered` or `superseded`; all when absent.
        state: Query<Option<String>>,
        /// Messages per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`: messages older than that one.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<PassbackPage>> {
        let state = view::state_filter(state.0.as_deref())?;
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let entries = store::list(&self.db.conn, state, limit + 1, after.0).await?;
        Ok(Json(view::page(entries, limit)))
    }

    /// One message; 404 `passback_not_found`.
    #[oai(path = "/passback/:id", method = "get", operation_id = "getPassback")]
    async fn get(&self, _admin: AdminAuth, id: Path<i64>) -> ApiResult<Json<PassbackMessage>> {
        let entry = store::get(&self.db.conn, id.0)
            .await?
            .ok_or(Error::PassbackNotFound(id.0))?;
        Ok(Json(entry.into()))
    }

    /// Sends a failed message again: pending, due now, its age limit counted afresh,
    /// its attempts kept. After a 404 on a line item we had found or created, that line
    /// item is forgotten so the next attempt finds or re-creates it. 409 `not_failed`
    /// for a message in another state; 404 `passback_not_found`.
    #[oai(
        path = "/passback/:id/retry",
        method = "post",
        operation_id = "retryPassback"
    )]
    async fn retry(&self, _admin: AdminAuth, id: Path<i64>) -> ApiResult<RetryResponse> {
        let now = jiff::Timestamp::now().as_microsecond();
        store::retry(&self.db, id.0, now, self.max_age).await?;
        self.wake.now();
        let entry = store::get(&self.db.conn, id.0)
            .await?
            .ok_or(Error::PassbackNotFound(id.0))?;
        Ok(RetryResponse::Retried(Json(entry.into())))
    }
}
