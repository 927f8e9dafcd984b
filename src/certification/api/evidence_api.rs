//! Evidence: submitted by a learner (their launch token) or an administrator on their
//! behalf; listed, read and decided by reviewers; withdrawn by its learner.

use poem::Body;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiRequest, ApiResponse, Multipart, Object, OpenApi};
use serde_json::Value;

use super::caller::{admin_or_learner, learner_key_of, who};
use super::view::{self, DEFAULT_LIMIT, Evidence, EvidencePage};
use crate::auth::{BasicAuth, Scope};
use crate::certification::evidence::review::{self, Decision};
use crate::certification::evidence::store::{self, Filter, NewEvidence, NewFile, STATUSES};
use crate::certification::evidence::{file, submission};
use crate::certification::program::model::EvidenceKind;
use crate::certification::program::store::current_all;
use crate::certification::reviewers::Who;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;
use crate::xapi::statements::index::agent_key;

pub struct EvidenceApi {
    pub db: Db,
    /// `evidence_max_bytes`.
    pub max_file_bytes: usize,
    /// `evidence_media_types`.
    pub media_types: Vec<String>,
}

/// Text or a link, as JSON.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EvidenceJson {
    /// Administrators only: the learner, as a learner key (`account:<homePage>|<name>`)
    /// or an xAPI Agent. A launch token submits for its own learner.
    pub learner: Option<Value>,
    /// The belt's id.
    pub belt: String,
    /// The evidence requirement's id within the belt.
    pub requirement: String,
    /// The evidence as text (at most 10,000 characters); give `text` or `url`.
    pub text: Option<String>,
    /// The evidence as an http(s) link (at most 2,000 characters); give `text` or `url`.
    pub url: Option<String>,
}

/// A file, as multipart/form-data.
#[derive(Debug, Multipart)]
pub struct EvidenceUpload {
    /// Administrators only: the learner key, or an xAPI Agent as JSON text.
    pub learner: Option<String>,
    /// The belt's id.
    pub belt: String,
    /// The evidence requirement's id within the belt.
    pub requirement: String,
    /// The file (`evidence_max_bytes`, default 10 MiB; PDF, PNG, JPEG, WebP, plain
    /// text, DOCX or PPTX by default), with its Content-Type.
    pub file: Upload,
}

#[derive(ApiRequest)]
pub enum SubmitBody {
    /// Text or a link.
    Json(Json<EvidenceJson>),
    /// A file.
    Multipart(EvidenceUpload),
}

#[derive(ApiResponse)]
pub enum Submitted {
    /// Stored as pending review.
    #[oai(status = 201)]
    Created(Json<Evidence>),
}

/// A reviewer's decision.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why (required to reject; at most 4,000 characters).
    pub comment: Option<String>,
}

/// A stored evidence file, sent with its stored media type.
pub struct EvidenceBytes {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl Payload for EvidenceBytes {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }

    fn register(_registry: &mut Registry) {}
}

impl poem::IntoResponse for EvidenceBytes {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(self.media_type)
            .body(Body::from_vec(self.bytes))
    }
}

#[derive(ApiResponse)]
pub enum FileResponse {
    /// The file's bytes, as an attachment, in its stored media type.
    #[oai(status = 200)]
    File(
        EvidenceBytes,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "X-Content-Type-Options")] String,
    ),
}

#[OpenApi(prefix_path = "/api/certification", tag = "ApiTags::Certification")]
impl EvidenceApi {
    /// Submits evidence for an evidence requirement of a belt: JSON for text or a link,
    /// multipart/form-data for a file. With a learner's launch token, for that learner;
    /// with an admin credential, for the learner the body names. 400 naming the field
    /// (unknown belt or requirement, a kind it does not accept, text or link over its
    /// limit), 413 for a file over `evidence_max_bytes`, 415 for a refused file type or
    /// bytes that are not what the type says.
    #[oai(path = "/evidence", method = "post", operation_id = "submitEvidence")]
    async fn submit(&self, auth: BasicAuth, body: SubmitBody) -> ApiResult<Submitted> {
        let who = admin_or_learner(&auth)?;
        let now = now_us();
        let new = match body {
            SubmitBody::Json(Json(b)) => self.json_evidence(&who, b).await?,
            SubmitBody::Multipart(b) => self.file_evidence(&who, b).await?,
        };
        let row = review::submit(&self.db, new, now).await?;
        Ok(Submitted::Created(Json(row.into())))
    }

    /// The evidence queue and history, oldest first. Administrators see all; reviewers
    /// the belts they review; a launch token its own learner's (and, if that learner
    /// reviews, those belts'). 400 for an unknown `status`.
    #[oai(path = "/evidence", method = "get", operation_id = "listEvidence")]
    async fn list(
        &self,
        auth: BasicAuth,
        /// `pending`, `approved`, `rejected` or `withdrawn`; all when absent.
        status: Query<Option<String>>,
        /// Only this belt's.
        belt: Query<Option<String>>,
        /// Only this learner's (learner key).
        learner: Query<Option<String>>,
        /// Items per page (1–500, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// The previous page's `more`: evidence after that one.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<EvidencePage>> {
        let who = who(&auth);
        let belts = who.reviewed_belts(&self.db.conn).await?;
        if belts.as_ref().is_some_and(Vec::is_empty) && who.learner.is_none() {
            return Err(not_a_reviewer().into());
        }
        let filter = Filter {
            status: view::one_of("status", status.0, &STATUSES)?,
            belt_id: belt.0,
            learner_key: learner.0.map(|l| learner_key_of(&l).to_owned()),
            belts,
            own_learner: who.learner.clone(),
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        let rows = store::list(&self.db.conn, &filter, limit + 1, after.0).await?;
        let (rows, more) = view::paged(rows, limit, |r| r.id);
        Ok(Json(EvidencePage {
            evidence: rows.into_iter().map(Evidence::from).collect(),
            more,
        }))
    }

    /// One piece of evidence: its learner, reviewers of its belt, administrators.
    #[oai(path = "/evidence/:id", method = "get", operation_id = "getEvidence")]
    async fn get(&self, auth: BasicAuth, id: Path<i64>) -> ApiResult<Json<Evidence>> {
        let row = self.readable(&who(&auth), id.0).await?;
        Ok(Json(row.into()))
    }

    /// The evidence file, as an attachment in its stored media type. 404 when the
    /// evidence is not a file.
    #[oai(
        path = "/evidence/:id/file",
        method = "get",
        operation_id = "getEvidenceFile"
    )]
    async fn file(&self, auth: BasicAuth, id: Path<i64>) -> ApiResult<FileResponse> {
        let row = self.readable(&who(&auth), id.0).await?;
        let (Some(sha), Some(media_type)) = (row.file_sha256, row.media_type) else {
            return Err(Error::NotFound(format!("evidence {} is not a file", id.0)).into());
        };
        let bytes = store::file_bytes(&self.db.conn, &sha).await?;
        let name = file::safe_file_name(row.file_name.as_deref(), id.0);
        Ok(FileResponse::File(
            EvidenceBytes { media_type, bytes },
            format!("attachment; filename=\"{name}\""),
            "nosniff".to_owned(),
        ))
    }

    /// Approves pending evidence; the learner's belts are re-evaluated in the same
    /// transaction. Reviewers of the belt and administrators, never on their own
    /// evidence (403); 409 when it is no longer pending.
    #[oai(
        path = "/evidence/:id/approve",
        method = "post",
        operation_id = "approveEvidence"
    )]
    async fn approve(
        &self,
        auth: BasicAuth,
        id: Path<i64>,
        body: Json<DecisionBody>,
    ) -> ApiResult<Json<Evidence>> {
        self.decide(&auth, id.0, Decision::Approve, body.0).await
    }

    /// Rejects pending evidence; `comment` is required. As approve for who may.
    #[oai(
        path = "/evidence/:id/reject",
        method = "post",
        operation_id = "rejectEvidence"
    )]
    async fn reject(
        &self,
        auth: BasicAuth,
        id: Path<i64>,
        body: Json<DecisionBody>,
    ) -> ApiResult<Json<Evidence>> {
        self.decide(&auth, id.0, Decision::Reject, body.0).await
    }

    /// Withdraws pending evidence: its learner (launch token) or an administrator. 409
    /// when it is no longer pending.
    #[oai(
        path = "/evidence/:id/withdraw",
        method = "post",
        operation_id = "withdrawEvidence"
    )]
    async fn withdraw(&self, auth: BasicAuth, id: Path<i64>) -> ApiResult<Json<Evidence>> {
        let who = admin_or_learner(&auth)?;
        let row = review::withdraw(&self.db, &who, id.0, now_us()).await?;
        Ok(Json(row.into()))
    }
}

impl EvidenceApi {
    async fn decide(
        &self,
        auth: &BasicAuth,
        id: i64,
        decision: Decision,
        body: DecisionBody,
    ) -> ApiResult<Json<Evidence>> {
        let who = who(auth);
        if who
            .reviewed_belts(&self.db.conn)
            .await?
            .is_some_and(|b| b.is_empty())
        {
            return Err(not_a_reviewer().into());
        }
        let row = review::decide(
            &self.db,
            &who,
            id,
            decision,
            body.comment.as_deref(),
            now_us(),
        )
        .await?;
        Ok(Json(row.into()))
    }

    /// Evidence `who` may read: 403 for a caller who is neither its learner nor a
    /// reviewer of anything, 404 when there is none (or it is someone else's).
    async fn readable(&self, who: &Who, id: i64) -> Result<entities::cert_evidence::Model, Error> {
        let belts = who.reviewed_belts(&self.db.conn).await?;
        if belts.as_ref().is_some_and(Vec::is_empty) && who.learner.is_none() {
            return Err(not_a_reviewer());
        }
        let row = store::get(&self.db.conn, id).await?;
        if !review::may_read(&self.db.conn, who, &row).await? {
            return Err(Error::ForbiddenBecause(format!(
                "evidence {id} is another learner's, of a belt you do not review"
            )));
        }
        Ok(row)
    }

    async fn json_evidence(&self, who: &Who, b: EvidenceJson) -> Result<NewEvidence, Error> {
        let learner_key = learner_for(who, b.learner.as_ref())?;
        let (kind, text, url) = match (b.text, b.url) {
            (Some(text), None) => {
                submission::check_text(&text)?;
                (EvidenceKind::Text, Some(text), None)
            }
            (None, Some(url)) => {
                submission::check_url(&url)?;
                (EvidenceKind::Url, None, Some(url))
            }
            _ => {
                return Err(Error::BadRequest(
                    "give exactly one of the fields `text` and `url` (send a file as \
                     multipart/form-data)"
                        .into(),
                ));
            }
        };
        let programs = current_all(&self.db.conn).await?;
        let found = submission::find_belt(&programs, &b.belt, "field `belt`:")?;
        submission::requirement(found.belt, &b.requirement, kind)?;
        Ok(NewEvidence {
            learner_key,
            belt_id: b.belt,
            requirement_id: b.requirement,
            kind: submission::kind_name(kind),
            text,
            url,
            file: None,
            submitted_by: who.actor.clone(),
        })
    }

    async fn file_evidence(&self, who: &Who, b: EvidenceUpload) -> Result<NewEvidence, Error> {
        let learner = match b.learner.as_deref().map(str::trim) {
            Some(text) if text.starts_with('{') => {
                Some(serde_json::from_str(text).map_err(|e| {
                    Error::BadRequest(format!("field `learner` is not valid JSON: {e}"))
                })?)
            }
            Some(text) => Some(Value::String(text.to_owned())),
            None => None,
        };
        let learner_key = learner_for(who, learner.as_ref())?;
        let programs = current_all(&self.db.conn).await?;
        let found = submission::find_belt(&programs, &b.belt, "field `belt`:")?;
        submission::requirement(found.belt, &b.requirement, EvidenceKind::File)?;
        // The upload waits in a temporary file: its size is known before it is read.
        if b.file.size() > self.max_file_bytes {
            return Err(Error::TooLarge(format!(
                "field `file`: the file is {} bytes; evidence files may be at most {} bytes",
                b.file.size(),
                self.max_file_bytes
            )));
        }
        let name = b.file.file_name().map(str::to_owned);
        let declared = b.file.content_type().map(str::to_owned);
        let bytes = b
            .file
            .into_vec()
            .await
            .map_err(|e| Error::Internal(format!("reading an evidence upload: {e}")))?;
        let media_type = file::accept(declared.as_deref(), &bytes, &self.media_types)?;
        Ok(NewEvidence {
            learner_key,
            belt_id: b.belt,
            requirement_id: b.requirement,
            kind: "file",
            text: None,
            url: None,
            file: Some(NewFile {
                name: name.map(|n| n.chars().take(255).collect()),
                media_type,
                bytes,
            }),
            submitted_by: who.actor.clone(),
        })
    }
}

/// The learner a submission is for: a launch token's own; the one an administrator
/// names (required).
fn learner_for(who: &Who, named: Option<&Value>) -> Result<String, Error> {
    let named = match named {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) if !key.trim().is_empty() => {
            Some(learner_key_of(key.trim()).to_owned())
        }
        Some(agent @ Value::Object(_)) => Some(agent_key(agent).ok_or_else(|| {
            Error::BadRequest(
                "field `learner` is an Agent without an identifier (mbox, mbox_sha1sum, \
                 openid or account)"
                    .into(),
            )
        })?),
        Some(_) => {
            return Err(Error::BadRequest(
                "field `learner` must be a learner key or an xAPI Agent".into(),
            ));
        }
    };
    match (&who.learner, named) {
        (Some(own), None) => Ok(own.clone()),
        (Some(own), Some(named)) if &named == own => Ok(named),
        (Some(_), Some(_)) => Err(Error::ForbiddenBecause(
            "a launch token submits evidence for its own learner only".into(),
        )),
        (None, Some(named)) => Ok(named),
        (None, None) => Err(Error::BadRequest(
            "field `learner` is required when an administrator submits evidence".into(),
        )),
    }
}

fn not_a_reviewer() -> Error {
    Error::ForbiddenBecause(format!(
        "this credential lacks the `{}` scope and reviews no belt",
        Scope::Admin
    ))
}

pub fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}
