//! HTTP face of the Statements resource: `PUT`, `POST` and `GET /xapi/statements`.
//! Spec: xAPI-Communication 2.1 (Statement Resource).

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use super::cursor::CursorKey;
use super::format::accept_languages;
use super::json_text::JsonText;
use super::params::{self, KNOWN, RawParams, SINGLE_ALLOWED};
use super::service;
use crate::auth::BasicAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;
use crate::xapi::attachments;
use crate::xapi::body::StatementsBody;
use crate::xapi::clock::WriteClock;
use crate::xapi::http_date;
use crate::xapi::statements::writer::StatementWriter;
use crate::xapi::version::XapiVersion;

pub struct StatementsApi {
    pub db: Db,
    pub clock: WriteClock,
    pub page_sizes: PageSizes,
    /// Largest attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// Where validated statements go to be stored (group commit).
    pub writer: StatementWriter,
    /// Seals and opens `more` cursors (shared by every instance on the database).
    pub cursor_key: CursorKey,
}

/// Default and maximum page sizes of GET /statements.
#[derive(Debug, Clone, Copy)]
pub struct PageSizes {
    pub default: u32,
    pub max: u32,
}

#[derive(ApiResponse)]
pub enum PutResponse {
    /// Stored (or already stored with the same content).
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum PostResponse {
    /// The ids of the statements, in request order.
    #[oai(status = 200)]
    Stored(Json<Vec<String>>),
}

/// Separates the parts of `attachments=true` responses; fixed and long enough that
/// statement JSON does not contain it in practice.
pub const BOUNDARY: &str = "blackbelt0attachments0b7e4d2c9a1f";

/// What a successful GET carries: JSON, or multipart/mixed when attachments are asked.
#[derive(ResponseContent)]
pub enum StatementsContent {
    /// A Statement (with statementId / voidedStatementId) or a StatementResult
    /// `{"statements": [...], "more": "..."}`.
    Json(JsonText),
    /// With `attachments=true`: the same JSON as the first part, then each attachment.
    #[oai(content_type = "multipart/mixed; boundary=blackbelt0attachments0b7e4d2c9a1f")]
    Multipart(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum GetResponse {
    /// The statement or the page of statements.
    #[oai(status = 200)]
    Found(
        StatementsContent,
        /// Every statement stored before this instant is visible to this query.
        #[oai(header = "X-Experience-API-Consistent-Through")]
        String,
        /// `stored` of the newest statement returned.
        #[oai(header = "Last-Modified")]
        String,
    ),
}

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Statements")]
impl StatementsApi {
    /// Store a statement under the id given in `statementId`.
    #[oai(path = "/statements", method = "put", operation_id = "putStatement")]
    async fn put_statement(
        &self,
        auth: BasicAuth,
        version: Data<&XapiVersion>,
        /// The id of the statement (UUID).
        #[oai(name = "statementId")]
        statement_id: Query<Option<String>>,
        body: StatementsBody,
    ) -> ApiResult<PutResponse> {
        auth.require_statement_write()?;
        let id = service::require_uuid("statementId", statement_id.as_deref())?;
        let request = attachments::request::read(
            body.content_type.as_deref(),
            &body.bytes,
            self.max_attachment_bytes,
        )?;
        service::store(&self.writer, &auth, *version.0, request, Some(&id)).await?;
        Ok(PutResponse::NoContent)
    }

    /// Store one statement or an array of statements; returns their ids.
    #[oai(path = "/statements", method = "post", operation_id = "postStatements")]
    async fn post_statements(
        &self,
        auth: BasicAuth,
        version: Data<&XapiVersion>,
        body: StatementsBody,
    ) -> ApiResult<PostResponse> {
        auth.require_statement_write()?;
        let request = attachments::request::read(
            body.content_type.as_deref(),
            &body.bytes,
            self.max_attachment_bytes,
        )?;
        let ids = service::store(&self.writer, &auth, *version.0, request, None).await?;
        Ok(PostResponse::Stored(Json(ids)))
    }

    /// Fetch one statement, or page through statements matching the filters, newest
    /// stored first (unless `ascending=true`).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/statements", method = "get", operation_id = "getStatements")]
    async fn get_statements(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// Fetch the statement with this id (not if voided).
        #[oai(name = "statementId")]
        _statement_id: Query<Option<String>>,
        /// Fetch the voided statement with this id.
        #[oai(name = "voidedStatementId")]
        _voided_statement_id: Query<Option<String>>,
        /// Agent or identified Group (JSON) that is the actor or object.
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// Verb IRI.
        #[oai(name = "verb")]
        _verb: Query<Option<String>>,
        /// Activity IRI of the object.
        #[oai(name = "activity")]
        _activity: Query<Option<String>>,
        /// Registration UUID.
        #[oai(name = "registration")]
        _registration: Query<Option<String>>,
        /// Match `activity` in context activities and sub-statements too.
        #[oai(name = "related_activities")]
        _related_activities: Query<Option<bool>>,
        /// Match `agent` as authority, instructor, team, member or in sub-statements too.
        #[oai(name = "related_agents")]
        _related_agents: Query<Option<bool>>,
        /// Only statements stored after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
        /// Only statements stored at or before this timestamp.
        #[oai(name = "until")]
        _until: Query<Option<String>>,
        /// Page size; 0 means the server maximum.
        #[oai(name = "limit")]
        _limit: Query<Option<u32>>,
        /// `exact` (default), `ids` or `canonical`.
        #[oai(name = "format")]
        _format: Query<Option<String>>,
        /// Answer multipart/mixed: the JSON, then the attachments' bytes.
        #[oai(name = "attachments")]
        _attachments: Query<Option<bool>>,
        /// Oldest first.
        #[oai(name = "ascending")]
        _ascending: Query<Option<bool>>,
        /// Cursor from a previous page's `more` link.
        #[oai(name = "more")]
        _more: Query<Option<String>>,
    ) -> ApiResult<GetResponse> {
        let visibility = auth.statement_visibility()?;
        let params = raw_params(req)?;
        let languages = accept_languages(req.header("Accept-Language"));
        let consistent = self.clock.consistent_through();
        let with_attachments = params::flag(&params, "attachments")?;
        let format = params::format(&params)?;
        let (body, last_us) = if let Some((name, id)) = single_id(&params)? {
            let (statement, stored) = service::fetch_one(
                &self.db,
                &id,
                name == "voidedStatementId",
                &visibility,
                format,
                &languages,
            )
            .await?;
            (statement, Some(stored))
        } else {
            let (mut filter, after, limit, format) = match params::get(&params, "more") {
                Some(token) => {
                    let cursor = self
                        .cursor_key
                        .open(token, &auth.key, self.page_sizes.max)?;
                    (
                        cursor.filter,
                        Some(cursor.after),
                        cursor.limit,
                        cursor.format,
                    )
                }
                None => (
                    params::filter(&params)?,
                    None,
                    params::limit(&params, self.page_sizes.default, self.page_sizes.max)?,
                    format,
                ),
            };
            filter.visibility = visibility;
            let page = service::fetch_page(
                &self.db,
                filter,
                after,
                limit,
                format,
                &languages,
                &service::MoreLink {
                    base: req.uri().path(),
                    key: &self.cursor_key,
                    holder: &auth.key,
                },
            )
            .await?;
            (page.result, page.last_stored_us)
        };
        let last_modified = last_us
            .and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
            .unwrap_or(consistent);
        let through = crate::xapi::validate::time::format_utc(consistent);
        if with_attachments {
            let out = service::with_attachments(&self.db, &body, BOUNDARY).await?;
            return Ok(GetResponse::Found(
                StatementsContent::Multipart(Binary(out)),
                through,
                http_date(last_modified),
            ));
        }
        Ok(GetResponse::Found(
            StatementsContent::Json(JsonText(body)),
            through,
            http_date(last_modified),
        ))
    }
}

/// The query string as name/value pairs; unknown names are refused.
fn raw_params(req: &Request) -> Result<RawParams, Error> {
    let pairs: RawParams = crate::xapi::query::pairs(req.uri().query())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((unknown, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
        return Err(Error::BadRequest(format!(
            "unknown parameter `{unknown}`; GET /statements accepts {}",
            KNOWN.join(", ")
        )));
    }
    Ok(pairs)
}

/// `statementId` or `voidedStatementId`, alone but for format/attachments.
fn single_id(params: &RawParams) -> Result<Option<(&'static str, String)>, Error> {
    let which = ["statementId", "voidedStatementId"]
        .into_iter()
        .find(|name| params::get(params, name).is_some());
    let Some(name) = which else {
        return Ok(None);
    };
    if let Some((other, _)) = params
        .iter()
        .find(|(k, _)| !SINGLE_ALLOWED.contains(&k.as_str()))
    {
        return Err(Error::BadRequest(format!(
            "parameter `{other}` cannot be combined with `{name}`"
        )));
    }
    if params::get(params, "statementId").is_some()
        && params::get(params, "voidedStatementId").is_some()
    {
        return Err(Error::BadRequest(
            "give statementId or voidedStatementId, not both".into(),
        ));
    }
    Ok(Some((
        name,
        service::require_uuid(name, params::get(params, name))?,
    )))
}
