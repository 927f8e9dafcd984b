//! Authentication (HTTP Basic credentials with hashed secrets) and xAPI scopes.

mod basic;
mod explain;
mod principal;
mod revocation;
mod scope;
pub mod secret;
mod service;
pub mod store;

pub use basic::{AdminAuth, BasicAuth};
pub use explain::{ExplainCredentials, why_unusable};
pub use principal::Principal;
pub use scope::{Scope, Scopes};
pub use service::{AuthService, lms_authority};
