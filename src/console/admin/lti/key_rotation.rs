//! Rotating the tool's signing key.

use poem::web::{Data, Form};
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::json;

use super::HERE;
use crate::console::admin::Change;
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::lti::keys;

#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    pub(super) csrf: String,
}

#[handler]
pub(super) async fn rotate(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let key = keys::make(&console.db).map_err(page::from_error)?;
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    keys::rotate_to(&change.txn, &key)
        .await
        .map_err(page::from_error)?;
    change
        .commit(&viewer, "lti.keys.rotate", json!({"kid": key.kid}))
        .await
        .map_err(page::from_error)?;
    Ok(page::see_other(&format!("{HERE}?done=rotated")))
}
