//! The one OpenAPI document: every capability's API combined, plus its tags.

use poem_openapi::{OpenApiService, Tags};

use crate::ops::api::OpsApi;
use crate::xapi::about::AboutApi;
use crate::xapi::statements::api::StatementsApi;

#[derive(Tags)]
pub enum ApiTags {
    /// xAPI: about and version negotiation.
    Xapi,
    /// xAPI Statements resource.
    Statements,
    /// Health, readiness and metrics.
    Ops,
}

pub type Apis = (AboutApi, StatementsApi, OpsApi);

/// Wraps the APIs in a service that also renders the document and the docs UI.
pub fn service(apis: Apis) -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis, "Black Belt", env!("CARGO_PKG_VERSION"))
        .description(
            "xAPI Learning Record Store (1.0.3 and 2.0), LTI tool provider and certification \
             engine for tiered social-media programs.",
        )
        .server("/")
}
