//! Administration pages (admin role only): API credentials, packages, LTI platforms and
//! consumers, the passback queue, console users.

pub mod credentials;
pub mod lti;
pub mod lti_lists;
pub mod packages;
pub mod passback;
pub mod users;

use askama::Template;
use poem::{Response, Route, get, handler};
use serde_json::Value;

use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::audit::{self, Entry};

#[derive(Template)]
#[template(path = "admin.html")]
struct Index {
    title: String,
    chrome: Chrome,
}

/// `/console/admin`: what there is to administer.
#[handler]
async fn index(viewer: Viewer) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    page::render(&Index {
        title: "Administration".into(),
        chrome: Chrome::new(&viewer, "/console/admin"),
    })
}

/// Records an administrator's change in the audit log. The change itself is made by
/// its domain function first (in that function's own transaction); a failure to record
/// is logged, not shown, since the change already happened.
pub async fn record(console: &Console, viewer: &Viewer, action: &str, details: Value) {
    let entry = Entry {
        actor: viewer.actor(),
        action: action.to_owned(),
        details,
        ..Entry::default()
    };
    if let Err(e) = audit::record(console.db.writer(), super::now_us(), entry).await {
        tracing::error!(error = %e, action, "could not record an administration change");
    }
}

/// Adds the administration pages' routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    let route = route.at("/admin", get(index));
    let route = credentials::routes(route);
    let route = lti::routes(route);
    let route = packages::routes(route);
    let route = passback::routes(route);
    users::routes(route)
}
