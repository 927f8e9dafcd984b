//! The public Open Badges resources (no credential; CORS open; cacheable): the issuer,
//! its keys, the achievements, the credentials in both forms and baked into their image,
//! and the status lists. Every URL a credential names dereferences here.
//! Spec: OB 3.0 §"File formats" and "Web resource", §"Dereferencing the public key";
//! Bitstring Status List v1.0 §3.

use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};
use serde_json::{Value, json};

use super::documents;
use super::negotiate::{self, Form};
use crate::badges::credential::{CONTEXT_OB3, CONTEXT_VC2};
use crate::badges::issue::{Badges, Issued};
use crate::badges::keys;
use crate::badges::svg::{self, Baked};
use crate::error::{ApiResult, Error, ErrorBody, ErrorCode};
use crate::openapi::ApiTags;

/// Status lists change when a credential is revoked: verifiers re-read them soon.
const STATUS_MAX_AGE: u32 = 300;
/// A credential changes when renewed or re-signed after a key rotation.
const CREDENTIAL_MAX_AGE: u32 = 300;
/// The issuer, keys and achievements change rarely.
const STABLE_MAX_AGE: u32 = 3600;

pub struct PublicApi {
    pub badges: Badges,
}

/// The credential in the form `Accept` asked for.
#[derive(ResponseContent)]
pub enum CredentialBody {
    /// The `OpenBadgeCredential` with its Data Integrity proof (the default).
    #[oai(content_type = "application/vc+ld+json")]
    VcLdJson(Json<Value>),
    /// The same, as `application/ld+json`.
    #[oai(content_type = "application/ld+json")]
    LdJson(Json<Value>),
    /// The same, as `application/json`.
    #[oai(content_type = "application/json")]
    Json(Json<Value>),
    /// The VC-JWT (compact JWS, ES256).
    #[oai(content_type = "application/vc+jwt")]
    VcJwt(PlainText<String>),
    /// The VC-JWT, as `application/jwt`.
    #[oai(content_type = "application/jwt")]
    Jwt(PlainText<String>),
    /// The VC-JWT, as OB 3.0 says a JWS is served (`text/plain`).
    #[oai(content_type = "text/plain")]
    Text(PlainText<String>),
}

impl CredentialBody {
    /// `issued` in `form`.
    pub fn of(issued: Issued, form: Form) -> CredentialBody {
        match form {
            Form::VcLdJson => CredentialBody::VcLdJson(Json(issued.json)),
            Form::LdJson => CredentialBody::LdJson(Json(issued.json)),
            Form::Json => CredentialBody::Json(Json(issued.json)),
            Form::VcJwt => CredentialBody::VcJwt(PlainText(issued.jwt)),
            Form::Jwt => CredentialBody::Jwt(PlainText(issued.jwt)),
            Form::Text => CredentialBody::Text(PlainText(issued.jwt)),
        }
    }
}

#[derive(ApiResponse)]
pub enum CredentialResponse {
    /// The credential, JSON or VC-JWT by `Accept`; a revoked one is still served (its
    /// status list says revoked).
    #[oai(status = 200)]
    Ok(
        CredentialBody,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// `Accept` names none of the forms; the message lists them.
    #[oai(status = 406)]
    NotAcceptable(Json<ErrorBody>),
}

impl CredentialResponse {
    /// `issued` in the form the request asks for (`?format=` first, then `Accept`),
    /// cached as `cache` says; 406 when no form is acceptable, 400 when unreadable.
    pub fn negotiated(
        req: &Request,
        format: Option<&str>,
        issued: Issued,
        cache: String,
    ) -> Result<CredentialResponse, Error> {
        let form = match format {
            None => negotiate::choose(accept(req)?)?,
            Some("json") => Some(Form::VcLdJson),
            Some("jwt") => Some(Form::Text),
            Some(_) => {
                return Err(Error::BadRequest(
                    "query parameter `format` must be `json` or `jwt`".into(),
                ));
            }
        };
        let Some(form) = form else {
            return Ok(CredentialResponse::NotAcceptable(ErrorBody::json(
                ErrorCode::NotAcceptable,
                negotiate::not_acceptable(),
            )));
        };
        Ok(CredentialResponse::Ok(
            CredentialBody::of(issued, form),
            cache,
            "Accept".into(),
        ))
    }
}

#[derive(ApiResponse)]
pub enum Document {
    /// The document.
    #[oai(status = 200)]
    Ok(Json<Value>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub enum ListCredential {
    /// The `BitstringStatusListCredential`, signed (Data Integrity).
    #[oai(status = 200, content_type = "application/vc+ld+json")]
    Ok(Json<Value>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub enum Image {
    /// An SVG image.
    #[oai(status = 200, content_type = "image/svg+xml")]
    Ok(PlainText<String>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub enum BakedImage {
    /// The belt's SVG with the credential baked in (OB 3.0 §"Baked Badge").
    #[oai(status = 200, content_type = "image/svg+xml")]
    Ok(
        PlainText<String>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub fn cache(max_age: u32) -> String {
    format!("public, max-age={max_age}")
}

#[OpenApi(prefix_path = "/ob", tag = "ApiTags::Badges")]
impl PublicApi {
    /// The issuer's `Profile`, which is also the controller document of its Data
    /// Integrity keys: `assertionMethod` lists every Ed25519 key URL, current and
    /// retired.
    #[oai(path = "/issuer", method = "get", operation_id = "getBadgeIssuer")]
    async fn issuer(&self) -> ApiResult<Document> {
        let keys = keys::published(&self.badges.db).await?;
        let document = documents::issuer(&self.badges.issuer, &keys);
        Ok(Document::Ok(Json(document), cache(STABLE_MAX_AGE)))
    }

    /// The issuer's logo.
    #[oai(
        path = "/issuer/image.svg",
        method = "get",
        operation_id = "getBadgeIssuerImage"
    )]
    // `ApiResult` although it cannot fail here: the throttle in front of `/ob` may
    // answer 429, and the contract says so.
    async fn issuer_image(&self) -> ApiResult<Image> {
        let svg = documents::logo(&self.badges.issuer.name);
        Ok(Image::Ok(PlainText(svg), cache(STABLE_MAX_AGE)))
    }

    /// One key, current or retired: a `Multikey` document for an Ed25519 key (a Data
    /// Integrity `verificationMethod`), the public JWK for an ES256 key (a VC-JWT
    /// `kid`). 404 for an unknown kid.
    #[oai(path = "/keys/:kid", method = "get", operation_id = "getBadgeKey")]
    async fn key(&self, kid: Path<String>) -> ApiResult<Document> {
        let kid = short("key", &kid.0, 128)?;
        let key = keys::find(&self.badges.db, kid)
            .await?
            .ok_or_else(|| not_found("key", kid))?;
        let document = documents::key(&self.badges.issuer, &key);
        Ok(Document::Ok(Json(document), cache(STABLE_MAX_AGE)))
    }

    /// Every ES256 public key, current and retired, as a JWK Set.
    #[oai(path = "/jwks.json", method = "get", operation_id = "getBadgeJwks")]
    async fn jwks(&self) -> ApiResult<Document> {
        let keys = keys::published(&self.badges.db).await?;
        Ok(Document::Ok(
            Json(documents::jwks(&self.badges.issuer, &keys)),
            cache(STABLE_MAX_AGE),
        ))
    }

    /// A belt's `Achievement`, from the current program. 404 for an unknown program
    /// or belt.
    #[oai(
        path = "/achievements/:program/:belt",
        method = "get",
        operation_id = "getBadgeAchievement"
    )]
    async fn achievement(&self, program: Path<String>, belt: Path<String>) -> ApiResult<Document> {
        let (program, belt) = (
            short("program", &program.0, 100)?,
            short("belt", &belt.0, 100)?,
        );
        let mut achievement = self
            .badges
            .achievement(program, belt)
            .await?
            .ok_or_else(|| not_found("achievement", &format!("{program}/{belt}")))?;
        // Served on its own, the document names its vocabulary.
        if let Some(members) = achievement.as_object_mut() {
            members
                .entry("@context")
                .or_insert_with(|| json!([CONTEXT_VC2, CONTEXT_OB3]));
        }
        Ok(Document::Ok(Json(achievement), cache(STABLE_MAX_AGE)))
    }

    /// A belt's image (not baked).
    #[oai(
        path = "/achievements/:program/:belt/image.svg",
        method = "get",
        operation_id = "getBadgeAchievementImage"
    )]
    async fn achievement_image(
        &self,
        program: Path<String>,
        belt: Path<String>,
    ) -> ApiResult<Image> {
        let (program, belt) = (
            short("program", &program.0, 100)?,
            short("belt", &belt.0, 100)?,
        );
        let svg = self
            .badges
            .belt_image(program, belt)
            .await?
            .ok_or_else(|| not_found("achievement", &format!("{program}/{belt}")))?;
        Ok(Image::Ok(PlainText(svg), cache(STABLE_MAX_AGE)))
    }

    /// A credential: the JSON with its Data Integrity proof (`application/vc+ld+json`,
    /// the default), or the VC-JWT when `Accept` prefers `application/vc+jwt`,
    /// `application/jwt` or `text/plain`. 404 for an unknown id; 406 when `Accept`
    /// names none of these; 400 for an unreadable `Accept`. `?format=` overrides
    /// `Accept` for plain links.
    #[oai(
        path = "/credentials/:id",
        method = "get",
        operation_id = "getBadgeCredential"
    )]
    async fn credential(
        &self,
        req: &Request,
        id: Path<String>,
        /// `json` or `jwt` (served as `text/plain`): overrides `Accept`, for links.
        format: Query<Option<String>>,
    ) -> ApiResult<CredentialResponse> {
        // The credential is looked up first: an unknown id is 404 whatever `Accept` says.
        let issued = self.issued(&id.0).await?;
        let answer = CredentialResponse::negotiated(
            req,
            format.0.as_deref(),
            issued,
            cache(CREDENTIAL_MAX_AGE),
        )?;
        Ok(answer)
    }

    /// The belt's SVG with this credential baked in: the VC-JWT (`format=jwt`, the
    /// default) or the JSON credential (`format=json`). 404 for an unknown id.
    #[oai(
        path = "/credentials/:id/badge.svg",
        method = "get",
        operation_id = "getBadgeBaked"
    )]
    async fn baked(
        &self,
        id: Path<String>,
        /// `jwt` (default) or `json`.
        format: Query<Option<String>>,
    ) -> ApiResult<BakedImage> {
        let issued = self.issued(&id.0).await?;
        let svg = baked_svg(&issued, format.0.as_deref())?;
        let disposition = format!(
            "inline; filename=\"{}-{}.svg\"",
            file_safe(&issued.belt_id),
            issued.row.id
        );
        Ok(BakedImage::Ok(
            PlainText(svg),
            cache(CREDENTIAL_MAX_AGE),
            disposition,
        ))
    }

    /// Status list `n` (`BitstringStatusListCredential`, revocation), signed. 404 for
    /// a list that does not exist.
    #[oai(
        path = "/status/:n",
        method = "get",
        operation_id = "getBadgeStatusList"
    )]
    async fn status_list(&self, n: Path<i32>) -> ApiResult<ListCredential> {
        let list = self
            .badges
            .status_list(n.0)
            .await?
            .ok_or_else(|| not_found("status list", &n.0.to_string()))?;
        Ok(ListCredential::Ok(Json(list), cache(STATUS_MAX_AGE)))
    }
}

impl PublicApi {
    /// The credential `id` names, or 404 naming it (a malformed id is unknown too).
    async fn issued(&self, id: &str) -> Result<Issued, Error> {
        let id = credential_id(id)?;
        self.badges
            .by_id(id)
            .await?
            .ok_or_else(|| not_found("credential", id))
    }
}

/// The `Accept` header, or 400 when it is not text.
pub fn accept(req: &Request) -> Result<Option<&str>, Error> {
    req.headers()
        .get(poem::http::header::ACCEPT)
        .map(|v| {
            v.to_str()
                .map_err(|_| Error::BadRequest("header `Accept` is not ASCII text".into()))
        })
        .transpose()
}

/// The belt's image with `issued` baked in, in `format` (`jwt` or `json`).
pub fn baked_svg(issued: &Issued, format: Option<&str>) -> Result<String, Error> {
    let baked = match format.unwrap_or("jwt") {
        "jwt" => Baked::Jwt(issued.jwt.clone()),
        "json" => Baked::Json(
            serde_json::to_string(&issued.json).map_err(|e| Error::Internal(e.to_string()))?,
        ),
        _ => {
            return Err(Error::BadRequest(
                "query parameter `format` must be `jwt` or `json`".into(),
            ));
        }
    };
    let image = svg::belt_svg(&issued.program_name, &issued.belt_name, &issued.belt_colour);
    svg::bake(&image, &baked)
}

/// A credential id is a UUID; anything else names no credential (and is not looked up).
pub fn credential_id(id: &str) -> Result<&str, Error> {
    match uuid::Uuid::try_parse(id) {
        Ok(_) if id.len() == 36 => Ok(id),
        _ => Err(not_found("credential", id)),
    }
}

/// A path segment within `max` characters, or 404 (nothing that long exists).
fn short<'a>(what: &str, text: &'a str, max: usize) -> Result<&'a str, Error> {
    if text.is_empty() || text.chars().count() > max {
        Err(not_found(what, text))
    } else {
        Ok(text)
    }
}

/// 404 naming what was asked for (cut to 64 characters: a reply never grows with input).
pub fn not_found(what: &str, id: &str) -> Error {
    let shown: String = id.chars().take(64).collect();
    let more = if shown.len() < id.len() { "…" } else { "" };
    Error::NotFound(format!("no {what} `{shown}{more}`"))
}

/// A belt id as a file name: letters, digits, `-` and `_` only.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}
