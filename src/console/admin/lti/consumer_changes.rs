//! Adding and removing LTI 1.1 consumers.

use poem::web::{Data, Form};
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::json;

use super::lists::Cursors;
use super::{HERE, lti_page, with_error};
use crate::console::admin::Change;
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use crate::lti::consumers::{self};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ConsumerForm {
    pub(super) csrf: String,
    pub(super) name: String,
    pub(super) origin: String,
}

#[handler]
pub(super) async fn add_consumer(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<ConsumerForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let origin = Some(form.origin.trim()).filter(|o| !o.is_empty());
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let made = consumers::create_on(
        &console.db,
        &change.txn,
        &form.name,
        origin,
        &console.config.public_url,
    )
    .await;
    match made {
        Ok(made) => {
            change
                .commit(
                    &viewer,
                    "lti.consumer.create",
                    json!({"key": made.consumer_key}),
                )
                .await
                .map_err(page::from_error)?;
            let mut page = lti_page(&console, &viewer, &Cursors::default()).await?;
            page.new_consumer = Some(made);
            page::render(&page)
        }
        Err(e) => {
            drop(change); // nothing written: roll back and let the page read freely
            with_error(&console, &viewer, e, None).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct KeyForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) key: String,
}

#[handler]
pub(super) async fn remove_consumer(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<KeyForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    match consumers::remove(&change.txn, form.key.trim()).await {
        Ok(true) => {
            change
                .commit(
                    &viewer,
                    "lti.consumer.remove",
                    json!({"key": form.key.trim()}),
                )
                .await
                .map_err(page::from_error)?;
            Ok(page::see_other(&format!("{HERE}?done=consumer-removed")))
        }
        Ok(false) => {
            drop(change);
            with_error(
                &console,
                &viewer,
                Error::NotFound(format!(
                    "There is no LTI 1.1 consumer {:?}; nothing was changed.",
                    form.key.trim()
                )),
                None,
            )
            .await
        }
        Err(e) => {
            drop(change);
            with_error(&console, &viewer, e, None).await
        }
    }
}
