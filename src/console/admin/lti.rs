//! `/console/admin/lti`: LTI 1.3 platforms (register, approve Dynamic Registrations,
//! remove), the tool's signing keys (rotate), LTI 1.1 consumers, and the values to paste
//! into an LMS, each with a copy button. Every change goes through the same `lti::*`
//! functions as the admin API. Platforms, pending registrations and consumers are keyset
//! paged (`lti_lists`); signing keys are a handful and listed whole.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler, post};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Deserialize;
use serde_json::json;

use super::lti_lists::{self, Cursors, Listed};
use super::{Change, record_after};
use crate::console::page::{self, Chrome};
use crate::console::paging::PAGE;
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use crate::lti::consumers::{self, Consumer, NewConsumer};
use crate::lti::keys;
use crate::lti::platforms::{self, NewPlatform, Platform};
use crate::lti::registration_links::{self, NewRegistrationLink, RegistrationLink};
use entities::lti_key;

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
        platforms: lti_lists::platforms(&db.conn, false, at.platforms_after.as_deref(), PAGE)
            .await
            .map_err(page::from_error)?,
        pending: lti_lists::platforms(&db.conn, true, at.pending_after.as_deref(), PAGE)
            .await
            .map_err(page::from_error)?,
        keys,
        consumers: lti_lists::consumers(&db.conn, at.consumers_after.as_deref(), PAGE)
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

fn split_ids(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[handler]
async fn register(
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
struct IdForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

#[handler]
async fn approve(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<IdForm>,
) -> poem::Result<Response> {
    platform_status(viewer, &console, form, true).await
}

#[handler]
async fn remove(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<IdForm>,
) -> poem::Result<Response> {
    platform_status(viewer, &console, form, false).await
}

/// Approves (`approve`) or removes a platform, as the API's approve and delete do.
async fn platform_status(
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

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[handler]
async fn rotate(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let kid = keys::rotate(&console.db).await.map_err(page::from_error)?;
    record_after(&console, &viewer, "lti.keys.rotate", json!({"kid": kid})).await;
    Ok(page::see_other(&format!("{HERE}?done=rotated")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConsumerForm {
    csrf: String,
    name: String,
    origin: String,
}

#[handler]
async fn add_consumer(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<ConsumerForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let origin = Some(form.origin.trim()).filter(|o| !o.is_empty());
    match consumers::create(&console.db, &form.name, origin, &console.config.public_url).await {
        Ok(made) => {
            record_after(
                &console,
                &viewer,
                "lti.consumer.create",
                json!({"key": made.consumer_key}),
            )
            .await;
            let mut page = lti_page(&console, &viewer, &Cursors::default()).await?;
            page.new_consumer = Some(made);
            page::render(&page)
        }
        Err(e) => with_error(&console, &viewer, e, None).await,
    }
}

#[derive(Debug, Deserialize)]
struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
}

#[handler]
async fn remove_consumer(
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LinkForm {
    csrf: String,
    label: String,
    valid_days: String,
}

#[handler]
async fn add_link(
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

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/lti", get(show))
        .at("/admin/lti/platforms", post(register))
        .at("/admin/lti/platforms/approve", post(approve))
        .at("/admin/lti/platforms/remove", post(remove))
        .at("/admin/lti/keys/rotate", post(rotate))
        .at("/admin/lti/consumers", post(add_consumer))
        .at("/admin/lti/consumers/remove", post(remove_consumer))
        .at("/admin/lti/registration-links", post(add_link))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_ids_split_on_commas_and_space() {
        assert_eq!(split_ids("1, 2\n3"), vec!["1", "2", "3"]);
        assert!(split_ids("  ").is_empty());
    }

    #[test]
    fn paste_values_are_on_the_public_url() {
        let v = paste_values("https://bb.example");
        assert!(v.iter().any(|p| p.value == "https://bb.example/lti/jwks"));
        assert!(v.iter().any(|p| p.value == "https://bb.example/lti/login"));
    }
}
