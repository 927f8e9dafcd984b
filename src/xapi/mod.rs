//! The xAPI Learning Record Store (xAPI 1.0.3 and 2.0 / IEEE 9274.1.1).

pub mod about;
pub mod alternate;
pub mod attachments;
pub mod body;
pub mod clock;
pub mod definitions;
pub mod documents;
pub mod query;
pub mod statements;
pub mod validate;
pub mod version;

/// An HTTP-date (RFC 9110 5.6.7) for `Last-Modified`.
pub fn http_date(ts: jiff::Timestamp) -> String {
    ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
