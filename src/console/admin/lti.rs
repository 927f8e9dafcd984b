//! `/console/admin/lti`: LTI 1.3 platforms (register, approve Dynamic Registrations,
//! remove), the tool's signing keys (rotate), LTI 1.1 consumers, and the values to paste
//! into an LMS, each with a copy button. Every change goes through the same `lti::*`
//! functions as the admin API. Platforms, pending registrations and consumers are keyset
//! paged (`lti_lists`); signing keys are a handful and listed whole.

mod consumer_changes;
mod key_rotation;
mod lists;
mod platform_changes;
mod registration_link;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Response, Route, get, handler, post};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Deserialize;

use crate::console::page::{self, Chrome};
use crate::console::paging::PAGE;
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use crate::lti::consumers::{Consumer, NewConsumer};
use crate::lti::platforms::Platform;
use crate::lti::registration_links::RegistrationLink;
use entities::lti_key;
use lists::{Cursors, Listed};

const HERE: &str = "/console/admin/lti";

/// A value to paste into the LMS.
pub struct Paste {
    label: &'static str,
    value: String,
}

pub struct Key {
    kid: String,
    created: String,
    retired: Option<String>,
}

fn when(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The platform form as typed (shown again with an error).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlatformForm {
    csrf: String,
    name: String,
    issuer: String,
    client_id: String,
    deployment_ids: String,
    auth_login_url: String,
    token_url: String,
    jwks_url: String,
}

#[derive(Template)]
#[template(path = "admin_lti.html")]
struct LtiPage {
    title: String,
    chrome: Chrome,
    paste: Vec<Paste>,
    platforms: Listed<Platform>,
    pending: Listed<Platform>,
    keys: Vec<Key>,
    consumers: Listed<Consumer>,
    form: PlatformForm,
    error: Option<String>,
    new_consumer: Option<NewConsumer>,
    new_link: Option<RegistrationLink>,
}

/// The LMS-facing URLs of this tool.
fn paste_values(public_url: &str) -> Vec<Paste> {
    let at = |path: &str| format!("{public_url}{path}");
    vec![
        Paste {
            label: "Login URL (OIDC login initiation)",
            value: at("/lti/login"),
        },
        Paste {
            label: "Launch URL (redirect URI, target link URI)",
            value: at("/lti/launch"),
        },
        Paste {
            label: "Deep Linking URL",
            value: at("/lti/launch"),
        },
        Paste {
            label: "Public keyset URL (JWKS)",
            value: at("/lti/jwks"),
        },
        Paste {
            label: "Dynamic Registration URL",
            value: "make a one-time link below".into(),
        },
        Paste {
            label: "LTI 1.1 launch URL",
            value: at("/lti/11/launch"),
        },
    ]
}

async fn lti_page(console: &Console, viewer: &Viewer, at: &Cursors) -> poem::Result<LtiPage> {
    let db = &console.db;
    let keys = lti_key::Entity::find()
        .order_by_desc(lti_key::Column::CreatedUs)
        .all(&db.conn)
        .await
        .map_err(|e| page::internal(&e))?
        .into_iter()
        .map(|k| Key {
            kid: k.kid,
            created: when(k.created_us),
            retired: k.retired_us.map(when),
        })
        .collect();
    Ok(LtiPage {
        title: "LTI".into(),
        chrome: Chrome::new(viewer, "/console/admin"),
        paste: paste_values(&console.config.public_url),
        platforms: lists::platforms(&db.conn, false, at.platforms_after.as_deref(), PAGE)
            .await
            .map_err(page::from_error)?,
        pending: lists::platforms(&db.conn, true, at.pending_after.as_deref(), PAGE)
            .await
            .map_err(page::from_error)?,
        keys,
        consumers: lists::consumers(&db.conn, at.consumers_after.as_deref(), PAGE)
            .await
            .map_err(page::from_error)?,
        form: PlatformForm::default(),
        error: None,
        new_consumer: None,
        new_link: None,
    })
}

/// The page with `e` said in place (what the person can fix), or an error page.
async fn with_error(
    console: &Console,
    viewer: &Viewer,
    e: Error,
    form: Option<PlatformForm>,
) -> poem::Result<Response> {
    let (status, message) = match e {
        Error::BadRequest(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        Error::Conflict(m) => (StatusCode::CONFLICT, m),
        Error::NotFound(m) => (StatusCode::NOT_FOUND, m),
        other => return Err(page::from_error(other)),
    };
    let mut page = lti_page(console, viewer, &Cursors::default()).await?;
    page.error = Some(message);
    if let Some(form) = form {
        page.form = form;
    }
    page::render_status(status, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    done: Option<String>,
    #[serde(flatten)]
    at: Cursors,
}

#[handler]
async fn show(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ShowQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let mut page = lti_page(&console, &viewer, &q.at).await?;
    let notice = match q.done.as_deref() {
        Some("registered") => Some("The platform is registered and active."),
        Some("approved") => Some("The platform is approved: its launches are accepted."),
        Some("removed") => Some("The platform is removed: its launches are refused."),
        Some("rotated") => Some("A new signing key is in use; the old ones stay published."),
        Some("consumer-removed") => Some("The consumer is removed: its launches are refused."),
        _ => None,
    };
    page.chrome = page.chrome.with_notice(notice);
    page::render(&page)
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/lti", get(show))
        .at("/admin/lti/platforms", post(platform_changes::register))
        .at(
            "/admin/lti/platforms/approve",
            post(platform_changes::approve),
        )
        .at(
            "/admin/lti/platforms/remove",
            post(platform_changes::remove),
        )
        .at("/admin/lti/keys/rotate", post(key_rotation::rotate))
        .at("/admin/lti/consumers", post(consumer_changes::add_consumer))
        .at(
            "/admin/lti/consumers/remove",
            post(consumer_changes::remove_consumer),
        )
        .at(
            "/admin/lti/registration-links",
            post(registration_link::add_link),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_values_are_on_the_public_url() {
        let v = paste_values("https://bb.example");
        assert!(v.iter().any(|p| p.value == "https://bb.example/lti/jwks"));
        assert!(v.iter().any(|p| p.value == "https://bb.example/lti/login"));
    }
}
