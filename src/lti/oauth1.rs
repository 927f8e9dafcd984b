//! OAuth 1.0a HMAC-SHA1 request signatures (RFC 5849 §3.4), as LTI 1.1 launches carry
//! them. Our own code because a popular crate got the details wrong: it sorted by name
//! only, sorted decoded names, mishandled launch URLs with a query string and host case,
//! and compared signatures in variable time. Nonce and timestamp windows are the
//! caller's job (they need the database); this module only parses and checks the MAC.

use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::STANDARD};

/// A received request, as the HTTP layer sees it.
pub struct SignedRequest<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The full URL the request was sent to: our public base URL + path + query.
    pub url: &'a str,
    /// Decoded form body parameters, in order, duplicates kept.
    pub form: &'a [(String, String)],
    /// The `Authorization` header, if any: OAuth parameters may come there.
    pub authorization: Option<&'a str>,
}

/// The `oauth_*` values a verified request carried.
#[derive(Debug, Clone)]
pub struct OAuthParams {
    pub consumer_key: String,
    pub nonce: String,
    pub timestamp: i64,
    pub signature_method: String,
}

/// Why a request's OAuth signature was not accepted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OAuthError {
    #[error("the request has no {0}")]
    Missing(&'static str),
    #[error("oauth_signature_method {0:?} is not supported; use HMAC-SHA1")]
    UnsupportedMethod(String),
    #[error("oauth_version {0:?} is not 1.0")]
    BadVersion(String),
    #[error("oauth_timestamp {0:?} is not a whole number of seconds")]
    BadTimestamp(String),
    #[error("{0} is given more than once")]
    Duplicate(&'static str),
    #[error("the URL cannot be signed: {0}")]
    BadUrl(String),
    #[error("the OAuth Authorization header is malformed: {0}")]
    BadHeader(String),
    #[error("the signature does not match the request")]
    BadSignature,
}

/// RFC 5849 §3.1 protocol parameters: each may appear once across query, body and
/// header (§3.5), or a signer and a verifier could disagree on which value counts.
const PROTOCOL: [&str; 10] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_callback",
    "oauth_verifier",
    "oauth_body_hash",
];

/// The `oauth_*` values, every parameter the base string covers, and the presented
/// signature (base64, as sent).
pub type Collected = (OAuthParams, Vec<(String, String)>, String);

/// Gathers every signed parameter (RFC 5849 §3.4.1.3.1): the URL's query, the form body
/// and the `Authorization` header's parameters except `realm`; `oauth_signature` is
/// taken out and returned on its own.
pub fn collect_params(req: &SignedRequest<'_>) -> Result<Collected, OAuthError> {
    let without_fragment = req.url.split_once('#').map_or(req.url, |(u, _)| u);
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    let mut all: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    all.extend(req.form.iter().cloned());
    if let Some(header) = req.authorization {
        all.extend(header_params(header)?);
    }
    for name in PROTOCOL {
        if all.iter().filter(|(k, _)| k == name).count() > 1 {
            return Err(OAuthError::Duplicate(name));
        }
    }
    let required = |name: &'static str| {
        all.iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .ok_or(OAuthError::Missing(name))
    };
    let consumer_key = required("oauth_consumer_key")?;
    let signature_method = required("oauth_signature_method")?;
    let signature = required("oauth_signature")?;
    let raw_timestamp = required("oauth_timestamp")?;
    let nonce = required("oauth_nonce")?;
    // §3.3: a positive integer; i64's parser alone would also take "+5" and "-5".
    let timestamp = Some(&raw_timestamp)
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| OAuthError::BadTimestamp(raw_timestamp.clone()))?;
    if let Some((_, version)) = all.iter().find(|(k, _)| k == "oauth_version")
        && version != "1.0"
    {
        return Err(OAuthError::BadVersion(version.clone()));
    }
    all.retain(|(k, _)| k != "oauth_signature");
    let params = OAuthParams {
        consumer_key,
        nonce,
        timestamp,
        signature_method,
    };
    Ok((params, all, signature))
}

/// The signature base string (RFC 5849 §3.4.1). `params` is the complete list from
/// [`collect_params`] (it already holds the query), so `url` only gives the base string
/// URI here.
pub fn base_string(
    method: &str,
    url: &str,
    params: &[(String, String)],
) -> Result<String, OAuthError> {
    // §3.4.1.3.2: sort the *encoded* pairs, by name and then by value.
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    let joined: Vec<String> = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(format!(
        "{}&{}&{}",
        encode(&method.to_ascii_uppercase()),
        encode(&base_string_uri(url)?),
        encode(&joined.join("&"))
    ))
}

/// HMAC-SHA1 over the base string (RFC 5849 §3.4.2), base64 (standard alphabet).
pub fn sign(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let tag = hmac::sign(&key(consumer_secret, token_secret), base_string.as_bytes());
    STANDARD.encode(tag.as_ref())
}

/// Checks an LTI 1.1 request's signature; the token secret is empty because LTI 1.1
/// launches carry no OAuth token.
pub fn verify(req: &SignedRequest<'_>, consumer_secret: &str) -> Result<OAuthParams, OAuthError> {
    let (params, all, presented) = collect_params(req)?;
    if params.signature_method != "HMAC-SHA1" {
        return Err(OAuthError::UnsupportedMethod(params.signature_method));
    }
    let base = base_string(req.method, req.url, &all)?;
    let tag = STANDARD
        .decode(presented)
        .map_err(|_| OAuthError::BadSignature)?;
    // hmac::verify compares in constant time, so timing leaks nothing about the MAC.
    hmac::verify(&key(consumer_secret, ""), base.as_bytes(), &tag)
        .map_err(|_| OAuthError::BadSignature)?;
    Ok(params)
}

/// `oauth_body_hash` (OAuth Request Body Hash 1.0 §3.1): base64 of the SHA-1 of the raw
/// body, which LTI 1.1 Basic Outcomes requires for its XML bodies.
pub fn body_hash(body: &[u8]) -> String {
    use aws_lc_rs::digest;
    STANDARD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, body))
}

/// An `Authorization: OAuth …` value signing a request whose body is not a form (LTI
/// 1.1 Basic Outcomes): the URL's query and the `oauth_*` parameters, `oauth_body_hash`
/// among them, are signed with HMAC-SHA1 and the consumer secret (no token).
pub fn authorization_header(
    method: &str,
    url: &str,
    consumer_key: &str,
    consumer_secret: &str,
    body: &[u8],
    nonce: &str,
    timestamp: i64,
) -> Result<String, OAuthError> {
    let oauth: Vec<(String, String)> = [
        ("oauth_body_hash", body_hash(body)),
        ("oauth_consumer_key", consumer_key.to_owned()),
        ("oauth_nonce", nonce.to_owned()),
        ("oauth_signature_method", "HMAC-SHA1".to_owned()),
        ("oauth_timestamp", timestamp.to_string()),
        ("oauth_version", "1.0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let without_fragment = url.split_once('#').map_or(url, |(u, _)| u);
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    let mut all: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    all.extend(oauth.iter().cloned());
    let signature = sign(&base_string(method, url, &all)?, consumer_secret, "");
    let mut parts = vec!["realm=\"\"".to_owned()];
    parts.extend(
        oauth
            .iter()
            .chain(std::iter::once(&("oauth_signature".to_owned(), signature)))
            .map(|(k, v)| format!("{k}=\"{}\"", encode(v))),
    );
    Ok(format!("OAuth {}", parts.join(", ")))
}

/// §3.4.2: the key is both secrets, each encoded, joined by `&`.
fn key(consumer_secret: &str, token_secret: &str) -> hmac::Key {
    let secret = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes())
}

/// §3.4.1.2: lowercase scheme and host, no default port, path kept byte for byte (a
/// URL parser would re-encode or resolve it and break the signer's bytes), no query or
/// fragment.
fn base_string_uri(url: &str) -> Result<String, OAuthError> {
    let bad = |why: &str| OAuthError::BadUrl(format!("{url:?}: {why}"));
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad("the scheme is not http or https")),
    };
    let (authority, rest) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // An IPv6 literal has colons of its own; the port comes after its `]`.
    let split_at = match host_port.rfind(']') {
        Some(end) => host_port[end..].find(':').map(|i| end + i),
        None => host_port.rfind(':'),
    };
    let (host, port) = match split_at {
        Some(i) => (&host_port[..i], &host_port[i + 1..]),
        None => (host_port, ""),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = match port {
        "" => None,
        p => Some(
            Some(p)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
                .filter(|&p| p != 0)
                .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?,
        ),
    };
    let host = host.to_ascii_lowercase();
    let netloc = match port {
        Some(p) if p != default_port => format!("{host}:{p}"),
        _ => host,
    };
    let path = if path.is_empty() { "/" } else { path };
    // As oauthlib does: a raw space cannot be in a URL, so the signer meant %20.
    Ok(format!("{scheme}://{netloc}{}", path.replace(' ', "%20")))
}

/// RFC 5849 §3.5.1: `OAuth name="percent-encoded value", ...`. Another scheme (say a
/// proxy's Basic credentials) carries no OAuth parameters and yields none.
fn header_params(header: &str) -> Result<Vec<(String, String)>, OAuthError> {
    let bad = |why: &str| OAuthError::BadHeader(why.to_owned());
    let header = header.trim_start();
    let mut rest = match header.split_at_checked(5) {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("OAuth")
                && (rest.is_empty() || rest.starts_with([' ', '\t'])) =>
        {
            rest
        }
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Ok(out);
        }
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| bad("a parameter has no value"))?;
        let quoted = after
            .trim_start()
            .strip_prefix('"')
            .ok_or_else(|| bad("values must be quoted"))?;
        // realm is an RFC 2617 quoted-string, which may hold `\"`; oauth_* values are
        // percent-encoded and never do.
        let (mut value, mut end, mut escaped) = (String::new(), None, false);
        for (i, c) in quoted.char_indices() {
            if escaped {
                value.push(c);
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '"' => {
                    end = Some(i + 1);
                    break;
                }
                _ => value.push(c),
            }
        }
        rest = &quoted[end.ok_or_else(|| bad("a quoted value is not closed"))?..];
        if !(rest.trim_start().is_empty() || rest.trim_start().starts_with(',')) {
            return Err(bad("parameters must be separated by commas"));
        }
        let name = name.trim();
        if !name.eq_ignore_ascii_case("realm") {
            out.push((decode(name)?, decode(&value)?));
        }
    }
}

/// RFC 5849 §3.6: unreserved characters stay, every other UTF-8 byte becomes `%XX`.
fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Strict percent-decoding for header values: `+` stays `+`, as §3.6 encodes a plus
/// sign as `%2B`; a malformed escape or non-UTF-8 result is an error, not a guess.
fn decode(s: &str) -> Result<String, OAuthError> {
    let malformed = || OAuthError::BadHeader(format!("{s:?} is not validly percent-encoded"));
    let hex = |b: Option<u8>| b.and_then(|b| char::from(b).to_digit(16));
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let (hi, lo) = (hex(bytes.next()), hex(bytes.next()));
            let (hi, lo) = hi.zip(lo).ok_or_else(malformed)?;
            out.push(u8::try_from(hi * 16 + lo).map_err(|_| malformed())?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).map_err(|_| malformed())
}

#[cfg(test)]
mod tests;
