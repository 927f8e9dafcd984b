//! The domain `Error`, and `ApiError`, its one HTTP mapping. Bodies are always
//! `{"error": "snake_case_code", "message": "..."}`; internal causes are logged, never sent.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object};

use crate::auth::Scope;
use crate::xapi::validate::ValidationError;

/// What can go wrong, in the terms callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidStatement(#[from] ValidationError),
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or wrong credentials")]
    Unauthorized,
    #[error("this credential lacks the `{0}` scope")]
    Forbidden(Scope),
    /// Authenticated, but this request is outside what the credential may do.
    #[error("{0}")]
    ForbiddenBecause(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A launch named a registration that is not this learner's for this course.
    #[error("{0}")]
    RegistrationConflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    /// No LTI context with this id (NRPS rosters).
    #[error("no LTI context {0}; GET /api/lti/contexts lists them")]
    ContextNotFound(i64),
    #[error("the request body (or one of its attachments) is larger than the {0}-byte limit")]
    PayloadTooLarge(usize),
    /// Something in the request is over a limit of its own (an evidence file), in words.
    #[error("{0}")]
    TooLarge(String),
    /// A file of a type this operation refuses, or whose bytes are not what it claims.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotImplemented(String),
    /// A service we depend on (a platform's key set, say) failed.
    #[error("{0}")]
    BadGateway(String),
    /// No passback message has that id.
    #[error("no passback message has id {0}")]
    PassbackNotFound(i64),
    /// Only a failed passback message can be retried.
    #[error("{0}")]
    NotFailed(String),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Stable machine-readable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidStatement,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RegistrationConflict,
    PreconditionFailed,
    ContextNotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotImplemented,
    NotAcceptable,
    BadGateway,
    Internal,
    MethodNotAllowed,
    RequestTimeout,
    TooManyRequests,
    ServiceUnavailable,
    PassbackNotFound,
    NotFailed,
}

/// The body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// Stable code to branch on.
    pub error: ErrorCode,
    /// What went wrong and, where it helps, what to do about it.
    pub message: String,
}

impl ErrorBody {
    /// The body with `error` and `message`, as JSON.
    pub fn json(error: ErrorCode, message: impl Into<String>) -> Json<ErrorBody> {
        Json(ErrorBody {
            error,
            message: message.into(),
        })
    }
}

/// The HTTP face of `Error`.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed or breaks a rule; nothing was stored.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Credentials are missing or wrong.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>, #[oai(header = "WWW-Authenticate")] String),
    /// The credential is valid but lacks the scope this operation needs.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Nothing exists under that key.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with what is stored.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// `If-Match` / `If-None-Match` did not hold; nothing was changed.
    #[oai(status = 412)]
    PreconditionFailed(Json<ErrorBody>),
    /// The method is not one this resource has; `Allow` lists those it has.
    #[oai(status = 405)]
    MethodNotAllowed(Json<ErrorBody>, #[oai(header = "Allow")] String),
    /// The body did not arrive within `body_read_timeout_secs`.
    #[oai(status = 408)]
    RequestTimeout(Json<ErrorBody>),
    /// The body is over the configured limit.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body's Content-Type is not one this operation reads.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Too many requests from this client; wait as `Retry-After` says.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
    /// Something failed on our side; details are in the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// Not available in this version of the server.
    #[oai(status = 501)]
    NotImplemented(Json<ErrorBody>),
    /// A remote service this request needed failed; try again later.
    #[oai(status = 502)]
    BadGateway(Json<ErrorBody>),
    /// The server is at a limit (request bodies in memory); retry after `Retry-After`.
    #[oai(status = 503)]
    ServiceUnavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
}

pub const BASIC_CHALLENGE: &str = "Basic realm=\"Black Belt\", charset=\"UTF-8\"";

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let message = err.to_string();
        match err {
            Error::InvalidStatement(_) => {
                ApiError::BadRequest(ErrorBody::json(ErrorCode::InvalidStatement, message))
            }
            Error::BadRequest(_) => {
                ApiError::BadRequest(ErrorBody::json(ErrorCode::BadRequest, message))
            }
            Error::Unauthorized => ApiError::Unauthorized(
                ErrorBody::json(
                    ErrorCode::Unauthorized,
                    "these credentials were not accepted: the key is unknown or revoked, the \
                     secret is wrong, or the launch session has ended",
                ),
                BASIC_CHALLENGE.to_owned(),
            ),
            Error::Forbidden(_) | Error::ForbiddenBecause(_) => {
                ApiError::Forbidden(ErrorBody::json(ErrorCode::Forbidden, message))
            }
            Error::NotFound(_) => ApiError::NotFound(ErrorBody::json(ErrorCode::NotFound, message)),
            Error::Conflict(_) => ApiError::Conflict(ErrorBody::json(ErrorCode::Conflict, message)),
            Error::RegistrationConflict(_) => {
                ApiError::Conflict(ErrorBody::json(ErrorCode::RegistrationConflict, message))
            }
            Error::ContextNotFound(_) => {
                ApiError::NotFound(ErrorBody::json(ErrorCode::ContextNotFound, message))
            }
            Error::PreconditionFailed(_) => ApiError::PreconditionFailed(ErrorBody::json(
                ErrorCode::PreconditionFailed,
                message,
            )),
            Error::PayloadTooLarge(_) => {
                ApiError::PayloadTooLarge(ErrorBody::json(ErrorCode::PayloadTooLarge, message))
            }
            Error::TooLarge(_) => {
                ApiError::PayloadTooLarge(ErrorBody::json(ErrorCode::PayloadTooLarge, message))
            }
            Error::UnsupportedMediaType(_) => ApiError::UnsupportedMediaType(ErrorBody::json(
                ErrorCode::UnsupportedMediaType,
                message,
            )),
            Error::NotImplemented(_) => {
                ApiError::NotImplemented(ErrorBody::json(ErrorCode::NotImplemented, message))
            }
            Error::BadGateway(_) => {
                ApiError::BadGateway(ErrorBody::json(ErrorCode::BadGateway, message))
            }
            Error::PassbackNotFound(_) => {
                ApiError::NotFound(ErrorBody::json(ErrorCode::PassbackNotFound, message))
            }
            Error::NotFailed(_) => {
                ApiError::Conflict(ErrorBody::json(ErrorCode::NotFailed, message))
            }
            Error::Db(cause) => {
                tracing::error!(error = %cause, debug = ?cause, "database error");
                ApiError::Internal(ErrorBody::json(
                    ErrorCode::Internal,
                    "internal error; see the server log",
                ))
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                ApiError::Internal(ErrorBody::json(
                    ErrorCode::Internal,
                    "internal error; see the server log",
                ))
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Uniform JSON body for errors raised by the framework itself (unparseable query
/// parameters, unknown routes, missing Content-Type...).
pub async fn framework_error(err: poem::Error) -> poem::Response {
    uniform_error(err)
}

/// As `framework_error`, for middleware that needs a response synchronously. Errors that
/// already carry one of our responses pass through unchanged.
pub fn uniform_error(err: poem::Error) -> poem::Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        406 => ErrorCode::NotAcceptable,
        408 => ErrorCode::RequestTimeout,
        412 => ErrorCode::PreconditionFailed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        429 => ErrorCode::TooManyRequests,
        400..=499 => ErrorCode::BadRequest,
        _ => ErrorCode::Internal,
    };
    let message = if code == ErrorCode::Internal {
        tracing::error!(error = %err, "unhandled error");
        "internal error; see the server log".to_owned()
    } else {
        framework_message(&err).unwrap_or_else(|| err.to_string())
    };
    let mut response = error_response(status, code, message);
    if status.as_u16() == 401 {
        response.headers_mut().insert(
            "WWW-Authenticate",
            poem::http::HeaderValue::from_static(BASIC_CHALLENGE),
        );
    }
    response
}

/// The API's own words for an error poem-openapi raised before a handler ran: which
/// parameter or body, and which rule, instead of the framework's type names.
fn framework_message(err: &poem::Error) -> Option<String> {
    use poem_openapi::error::{
        AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        // Every parameter this API declares is a query parameter (headers are read by
        // hand), so the framework's parameter errors are all about the query string.
        return Some(format!("query parameter `{}` {}", e.name, rule(&e.reason)));
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return Some(format!("path segment `{}` {}", e.name, rule(&e.reason)));
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        // poem-openapi names the object a bad field was in, but not the field.
        return Some(match e.reason.split_once(" (occurred while parsing \"") {
            Some((inner, outer)) => {
                let object = outer.split('"').next().unwrap_or_default();
                // An absent object field reaches the parser as null.
                let what = match rule(inner) {
                    rule if rule == "is required" || rule.ends_with(", not null") => {
                        "a required field is missing or null".to_owned()
                    }
                    rule => format!("a field {rule}"),
                };
                format!("the request body does not match `{object}` (see /docs): {what}")
            }
            None => format!("the request body {}", rule(&e.reason)),
        });
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return Some(format!(
            "the multipart request body is malformed: {}",
            e.reason
        ));
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return Some(match e {
            ContentTypeError::NotSupported { content_type } => format!(
                "this operation does not read a `{content_type}` body; see /docs for the \
                 Content-Type it takes"
            ),
            ContentTypeError::ExpectContentType => {
                "the Content-Type header is required with this request's body".to_owned()
            }
        });
    }
    if err.is::<AuthorizationError>() {
        return Some(crate::auth::why_unusable(None));
    }
    None
}

/// A parse failure's reason from poem-openapi, as a rule: "is required", "must be ...".
fn rule(reason: &str) -> String {
    let reason = reason.trim_end_matches('.');
    if reason.starts_with("Type \"") && reason.ends_with("expects an input value") {
        return "is required".to_owned();
    }
    if let Some((ty, found)) = reason
        .strip_prefix("Expected input type \"")
        .and_then(|rest| rest.split_once("\", found "))
    {
        return format!("must be {}, not {found}", kind(ty));
    }
    if let Some((ty, why)) = reason
        .strip_prefix("failed to parse \"")
        .and_then(|rest| rest.split_once("\": "))
    {
        return format!("must be {} ({})", kind(ty), own_words(why));
    }
    format!("is not valid: {}", own_words(reason))
}

/// A poem-openapi type name as a client would say it.
fn kind(ty: &str) -> String {
    match ty {
        "boolean" => "true or false".to_owned(),
        "string" => "text".to_owned(),
        "object" => "a JSON object".to_owned(),
        "array" => "a JSON array".to_owned(),
        ty if ty.starts_with("integer(u") => "a whole number, 0 or more".to_owned(),
        ty if ty.starts_with("integer") => "a whole number".to_owned(),
        ty if ty.starts_with("number") => "a number".to_owned(),
        ty => match ty.strip_prefix("string(").and_then(|f| f.strip_suffix(')')) {
            Some(format) => format!("text ({format})"),
            None => format!("a `{ty}` (see /docs)"),
        },
    }
}

/// Validator and field messages ("field `x` verification failed. maxLength(64)") in ours.
fn own_words(why: &str) -> String {
    if let Some((field, validator)) = why
        .strip_prefix("field `")
        .and_then(|rest| rest.split_once("` verification failed. "))
    {
        return format!("field `{field}` breaks the rule {validator}");
    }
    if let Some(validator) = why.strip_prefix("verification failed. ") {
        return format!("breaks the rule {validator}");
    }
    why.trim_end_matches('.').to_owned()
}

/// An error response with our body, for code outside the `ApiError` mapping
/// (middleware refusing a request before any handler runs).
pub fn error_response(
    status: poem::http::StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
) -> poem::Response {
    let body = serde_json::json!({ "error": code.to_str(), "message": message.into() });
    poem::Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

pub trait CodeName {
    fn to_str(self) -> &'static str;
}

impl CodeName for ErrorCode {
    fn to_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidStatement => "invalid_statement",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RegistrationConflict => "registration_conflict",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::ContextNotFound => "context_not_found",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotImplemented => "not_implemented",
            ErrorCode::NotAcceptable => "not_acceptable",
            ErrorCode::BadGateway => "bad_gateway",
            ErrorCode::Internal => "internal",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::PassbackNotFound => "passback_not_found",
            ErrorCode::NotFailed => "not_failed",
        }
    }
}
