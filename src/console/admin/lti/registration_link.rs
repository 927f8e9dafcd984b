//! One-time Dynamic Registration links.

use poem::web::{Data, Form};
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::json;

use super::lists::Cursors;
use super::{lti_page, with_error};
use crate::console::admin::Change;
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use crate::lti::registration_links::{self, NewRegistrationLink};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LinkForm {
    pub(super) csrf: String,
    pub(super) label: String,
    pub(super) valid_days: String,
}

#[handler]
pub(super) async fn add_link(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<LinkForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let valid_days = match form.valid_days.trim() {
        "" => None,
        days => match days.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                return with_error(
                    &console,
                    &viewer,
                    Error::BadRequest("Valid for: give a number of days (1 to 90).".into()),
                    None,
                )
                .await;
            }
        },
    };
    let request = NewRegistrationLink {
        label: Some(form.label.trim().to_owned()).filter(|l| !l.is_empty()),
        valid_days,
    };
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    match registration_links::create(&change.txn, &console.config.public_url, &request).await {
        Ok(link) => {
            change
                .commit(
                    &viewer,
                    "lti.registration_link.create",
                    json!({"key": link.key}),
                )
                .await
                .map_err(page::from_error)?;
            let mut page = lti_page(&console, &viewer, &Cursors::default()).await?;
            page.new_link = Some(link);
            page::render(&page)
        }
        Err(e) => {
            drop(change);
            with_error(&console, &viewer, e, None).await
        }
    }
}
