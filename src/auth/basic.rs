//! The HTTP Basic security scheme every protected operation declares.
//! Spec: xAPI-Communication 4.1 (Security: HTTP Basic Authentication).

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Basic;

use super::principal::Principal;
use super::service::AuthService;
use crate::error::ApiError;

/// HTTP Basic: the credential key as user name, its secret as password.
#[derive(SecurityScheme)]
#[oai(ty = "basic", checker = "check_basic")]
pub struct BasicAuth(pub Arc<Principal>);

async fn check_basic(req: &Request, basic: Basic) -> poem::Result<Arc<Principal>> {
    let Some(service) = req.data::<AuthService>() else {
        return Err(poem::Error::from_string(
            "authentication service missing",
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        ));
    };
    service
        .authenticate(&basic.username, &basic.password)
        .await
        .map_err(|err| {
            let response = poem::IntoResponse::into_response(ApiError::from(err));
            poem::Error::from_response(response)
        })
}

/// HTTP Basic with a credential that holds the `admin` scope. Checked before the body is
/// read, so a credential without the scope gets 403 whatever it sends.
#[derive(SecurityScheme)]
#[oai(ty = "basic", rename = "AdminBasicAuth", checker = "check_admin")]
pub struct AdminAuth(pub Arc<Principal>);

async fn check_admin(req: &Request, basic: Basic) -> poem::Result<Arc<Principal>> {
    let principal = check_basic(req, basic).await?;
    principal.require_admin().map_err(|err| {
        let response = poem::IntoResponse::into_response(ApiError::from(err));
        poem::Error::from_response(response)
    })?;
    Ok(principal)
}

impl std::ops::Deref for AdminAuth {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl std::ops::Deref for BasicAuth {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}
