//! Statement attachments: `multipart/mixed` requests and responses, content-addressed
//! storage, and signed statements.

mod der;
pub mod multipart;
pub mod request;
pub mod signature;
pub mod store;

pub use request::{AttachmentPart, StatementRequest};
