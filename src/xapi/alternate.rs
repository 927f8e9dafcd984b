//! The Alternate Request Syntax of xAPI 1.0.3: a browser that cannot send custom headers
//! or methods POSTs a form to `resource?method=PUT`, the headers, parameters and body
//! travelling as form fields. This middleware turns such a request back into the one it
//! stands for, before versioning and authentication look at it. xAPI 2.0 removed the
//! syntax, so a rewritten request that speaks 2.0 is refused.
//! Spec: xAPI-Communication 1.3 (Alternate Request Syntax).

use poem::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use poem::http::{HeaderName, HeaderValue, Method, Uri};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::error::{ApiError, Error};
use crate::xapi::body::BodyLimit;
use crate::xapi::version::{HEADER as VERSION_HEADER, XapiVersion};

/// Form fields that are really headers (matched without regard to case).
const HEADER_FIELDS: [&str; 6] = [
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
];

pub struct AlternateSyntax;

impl<E: Endpoint> Middleware<E> for AlternateSyntax {
    type Output = AlternateSyntaxEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AlternateSyntaxEndpoint { inner }
    }
}

pub struct AlternateSyntaxEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for AlternateSyntaxEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let is_alternate = req.uri().path().starts_with("/xapi/")
            && url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
                .any(|(name, _)| name == "method");
        if !is_alternate {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        match rewrite(req).await {
            Ok(req) => self.inner.call(req).await.map(IntoResponse::into_response),
            Err(err) => Ok(ApiError::from(err).into_response()),
        }
    }
}

async fn rewrite(mut req: Request) -> Result<Request, Error> {
    if req.method() != Method::POST {
        return Err(Error::BadRequest(
            "the alternate request syntax (?method=) must be sent as POST".into(),
        ));
    }
    let query: Vec<(String, String)> = crate::xapi::query::pairs(req.uri().query())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if let Some((extra, _)) = query.iter().find(|(name, _)| name != "method") {
        return Err(Error::BadRequest(format!(
            "alternate request syntax: `{extra}` must be a form field, not a query parameter; \
             only `method` goes in the query string"
        )));
    }
    let method = query
        .iter()
        .find(|(name, _)| name == "method")
        .map(|(_, value)| value.to_ascii_uppercase())
        .unwrap_or_default();
    let method = match method.as_str() {
        "GET" => Method::GET,
        "PUT" => Method::PUT,
        "POST" => Method::POST,
        "DELETE" => Method::DELETE,
        "HEAD" => Method::HEAD,
        other => {
            return Err(Error::BadRequest(format!(
                "alternate request syntax: method must be GET, HEAD, PUT, POST or DELETE, got {other:?}"
            )));
        }
    };
    let is_form = req
        .header("Content-Type")
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|ct| {
            ct.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(Error::BadRequest(
            "alternate request syntax: the body must be application/x-www-form-urlencoded".into(),
        ));
    }
    let limit = req.data::<BodyLimit>().map_or(usize::MAX, |l| l.0);
    let body = req
        .take_body()
        .into_bytes_limit(limit)
        .await
        .map_err(|err| match err {
            poem::error::ReadBodyError::PayloadTooLarge => Error::PayloadTooLarge(limit),
            other => Error::BadRequest(format!("could not read the request body: {other}")),
        })?;
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    let mut content: Option<String> = None;
    let mut content_type_given = false;
    req.headers_mut().remove(CONTENT_TYPE);
    for (name, value) in url::form_urlencoded::parse(&body) {
        if name == "content" {
            content = Some(value.into_owned());
        } else if let Some(header) = HEADER_FIELDS.iter().find(|h| h.eq_ignore_ascii_case(&name)) {
            if *header == "content-length" {
                continue; // the rewritten body has its own length
            }
            content_type_given |= *header == "content-type";
            let value = HeaderValue::from_str(&value).map_err(|_| {
                Error::BadRequest(format!(
                    "alternate request syntax: field `{name}` is not a valid header value"
                ))
            })?;
            req.headers_mut()
                .insert(HeaderName::from_static(header), value);
        } else {
            params.append_pair(&name, &value);
        }
    }
    if let Some(declared) = req.header(VERSION_HEADER)
        && XapiVersion::from_header(declared) == Some(XapiVersion::V2_0)
    {
        return Err(Error::BadRequest(
            "xAPI 2.0 has no alternate request syntax: send the method, headers and body as \
             they are"
                .into(),
        ));
    }
    if content.is_some() && !content_type_given {
        req.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let query = params.finish();
    let path = req.uri().path().to_owned();
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    *req.uri_mut() = uri
        .parse::<Uri>()
        .map_err(|e| Error::BadRequest(format!("alternate request syntax: {e}")))?;
    req.set_method(method);
    let bytes = content.unwrap_or_default().into_bytes();
    req.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    req.set_body(Body::from(bytes));
    Ok(req)
}
