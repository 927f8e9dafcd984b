//! Authentication (HTTP Basic credentials with hashed secrets) and xAPI scopes.

mod basic;
mod explain;
mod grant;
mod principal;
mod revocation;
mod scheme;
mod scope;
pub mod secret;
mod service;
pub mod store;

pub use basic::{AdminAuth, BasicAuth};
pub use explain::{ExplainCredentials, why_unusable};
pub use grant::{Grant, SharedGrant, downcast};
pub use principal::Principal;
pub use scheme::{KeyScheme, KeySchemes};
pub use scope::{Scope, Scopes};
pub use service::{AuthService, lms_authority};
