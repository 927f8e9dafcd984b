//! `GET /xapi/about`: the versions this LRS serves. No credentials needed.
//! Spec: xAPI-Communication 2.8 (About Resource).

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::openapi::ApiTags;
use crate::xapi::version::XapiVersion;

pub struct AboutApi;

/// Information about this LRS.
#[derive(Object)]
pub struct About {
    /// xAPI versions served.
    pub version: Vec<String>,
    /// Black Belt's own version, under an extension IRI.
    pub extensions: serde_json::Value,
}

#[derive(ApiResponse)]
pub enum AboutResponse {
    /// The versions and extensions.
    #[oai(status = 200)]
    Ok(Json<About>),
}

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Xapi")]
impl AboutApi {
    /// Versions of xAPI this LRS serves.
    #[oai(path = "/about", method = "get", operation_id = "getAbout")]
    async fn about(&self) -> AboutResponse {
        AboutResponse::Ok(Json(About {
            version: XapiVersion::SERVED
                .iter()
                .map(|v| (*v).to_owned())
                .collect(),
            extensions: serde_json::json!({
                "https://blackbelt.dev/xapi/extensions/server": {
                    "name": "Black Belt",
                    "version": env!("CARGO_PKG_VERSION"),
                }
            }),
        }))
    }
}
