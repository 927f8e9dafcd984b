//! Registering, approving and removing LTI 1.3 platforms.

use poem::web::{Data, Form};
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::json;

use super::{HERE, PlatformForm, with_error};
use crate::console::admin::Change;
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use crate::lti::platforms::{self, NewPlatform};

pub(super) fn split_ids(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[handler]
pub(super) async fn register(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<PlatformForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let new = NewPlatform {
        name: form.name.trim().to_owned(),
        issuer: form.issuer.trim().to_owned(),
        client_id: form.client_id.trim().to_owned(),
        deployment_ids: split_ids(&form.deployment_ids),
        auth_login_url: form.auth_login_url.trim().to_owned(),
        token_url: form.token_url.trim().to_owned(),
        jwks_url: form.jwks_url.trim().to_owned(),
    };
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    match platforms::add(&change.txn, &new, "active").await {
        Ok(p) => {
            change
                .commit(
                    &viewer,
                    "lti.platform.register",
                    json!({"platform": p.id, "issuer": p.issuer}),
                )
                .await
                .map_err(page::from_error)?;
            Ok(page::see_other(&format!("{HERE}?done=registered")))
        }
        Err(e) => {
            drop(change);
            with_error(&console, &viewer, e, Some(form)).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct IdForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) id: String,
}

#[handler]
pub(super) async fn approve(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<IdForm>,
) -> poem::Result<Response> {
    platform_status(viewer, &console, form, true).await
}

#[handler]
pub(super) async fn remove(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<IdForm>,
) -> poem::Result<Response> {
    platform_status(viewer, &console, form, false).await
}

/// Approves (`approve`) or removes a platform, as the API's approve and delete do.
pub(super) async fn platform_status(
    viewer: Viewer,
    console: &Console,
    form: IdForm,
    to_approve: bool,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let Ok(id) = form.id.trim().parse::<i64>() else {
        return with_error(
            console,
            &viewer,
            Error::BadRequest(format!("Platform: {:?} is not a platform number.", form.id)),
            None,
        )
        .await;
    };
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let done = if to_approve {
        platforms::set_status(&change.txn, id, "active").await
    } else {
        platforms::remove(&change.txn, id).await
    };
    match done {
        Ok(true) => {
            let (action, done) = if to_approve {
                ("lti.platform.approve", "approved")
            } else {
                ("lti.platform.remove", "removed")
            };
            change
                .commit(&viewer, action, json!({"platform": id}))
                .await
                .map_err(page::from_error)?;
            Ok(page::see_other(&format!("{HERE}?done={done}")))
        }
        Ok(false) => {
            drop(change);
            with_error(
                console,
                &viewer,
                Error::NotFound(format!(
                    "There is no LTI platform {id}; nothing was changed."
                )),
                None,
            )
            .await
        }
        Err(e) => {
            drop(change);
            with_error(console, &viewer, e, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_ids_split_on_commas_and_space() {
        assert_eq!(split_ids("1, 2\n3"), vec!["1", "2", "3"]);
        assert!(split_ids("  ").is_empty());
    }
}
