//! A learner's own credentials, with their launch token (the same token their AU holds;
//! cmi5 §8.2): the list, one credential as JSON or VC-JWT, and whether their name shows
//! on its public page. Another learner's credential is 404, as if it did not exist.

use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::public_api::{CredentialResponse, credential_id, not_found};
use super::views::{CredentialList, CredentialSummary, Visibility};
use crate::auth::BasicAuth;
use crate::badges::issue::{Badges, Issued};
use crate::badges::store;
use crate::certification::api::caller::who;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct LearnerApi {
    pub badges: Badges,
}

#[OpenApi(prefix_path = "/api/badges", tag = "ApiTags::Badges")]
impl LearnerApi {
    /// The calling learner's credentials, newest first: one per belt awarded (made
    /// when first asked for), with their live status and public links. A learner's
    /// launch token only (403 for other credentials).
    #[oai(path = "/mine", method = "get", operation_id = "listMyBadges")]
    async fn list(&self, auth: BasicAuth) -> ApiResult<Json<CredentialList>> {
        let learner = learner(&auth)?;
        let issued = self.badges.of_learner(&learner).await?;
        let urls = &self.badges.issuer.urls;
        Ok(Json(CredentialList {
            credentials: issued
                .iter()
                .map(|i| CredentialSummary::of(urls, i))
                .collect(),
        }))
    }

    /// One of the calling learner's credentials: JSON with its proof (default) or the
    /// VC-JWT by `Accept`, as the public URL serves it. 404 for an unknown id or
    /// another learner's; 406 when `Accept` names no form.
    #[oai(path = "/mine/:id", method = "get", operation_id = "getMyBadge")]
    async fn get(
        &self,
        auth: BasicAuth,
        req: &Request,
        id: Path<String>,
    ) -> ApiResult<CredentialResponse> {
        let learner = learner(&auth)?;
        let issued = self.own(&learner, &id.0).await?;
        let answer = CredentialResponse::negotiated(req, None, issued, "private, no-store".into())?;
        Ok(answer)
    }

    /// Shows or hides the learner's name on the credential's public verification page
    /// (hidden by default; the credential itself never names them). 404 for an
    /// unknown id or another learner's.
    #[oai(
        path = "/mine/:id/visibility",
        method = "put",
        operation_id = "setMyBadgeVisibility"
    )]
    async fn visibility(
        &self,
        auth: BasicAuth,
        id: Path<String>,
        body: Json<Visibility>,
    ) -> ApiResult<Json<CredentialSummary>> {
        let learner = learner(&auth)?;
        let id = credential_id(&id.0)?;
        match store::find(&self.badges.db.conn, id).await? {
            Some(row) if row.learner_key == learner => {}
            _ => return Err(not_found("credential", id).into()),
        }
        self.badges
            .set_show_name(id, &learner, body.show_name)
            .await?;
        let issued = self.own(&learner, id).await?;
        Ok(Json(CredentialSummary::of(
            &self.badges.issuer.urls,
            &issued,
        )))
    }
}

impl LearnerApi {
    /// The credential `id` when it is `learner`'s; otherwise 404, so a token learns
    /// nothing about other learners' credentials.
    async fn own(&self, learner: &str, id: &str) -> Result<Issued, Error> {
        let id = credential_id(id)?;
        match self.badges.by_id(id).await? {
            Some(issued) if issued.row.learner_key == learner => Ok(issued),
            _ => Err(not_found("credential", id)),
        }
    }
}

/// The launch token's learner; any other credential is 403.
fn learner(auth: &BasicAuth) -> Result<String, Error> {
    who(auth).learner.ok_or_else(|| {
        Error::ForbiddenBecause(
            "/api/badges/mine takes a learner's launch token; administrators use \
             /api/badges/credentials"
                .into(),
        )
    })
}
