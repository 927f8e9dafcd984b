//! Administration pages (admin role only): API credentials, packages, LTI platforms and
//! consumers, the passback queue, console users, the company variables.

pub mod company;
pub mod credentials;
pub mod lti;
pub mod packages;
pub mod passback;
pub mod users;

use askama::Template;
use poem::{Response, Route, get, handler};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde_json::Value;
use tokio::sync::MutexGuard;

use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::audit::{self, Entry};
use crate::db::Db;
use crate::error::Error;

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

/// An administrator's change and its audit entry, in one write transaction: the change
/// is made on `txn`, and `commit` writes the entry and commits both together, so there is
/// no change without its entry and no entry for a change that rolled back. Dropped
/// without `commit` (an error, or nothing to change), everything rolls back.
pub struct Change<'a> {
    pub txn: DatabaseTransaction,
    // Held until the end: SQLite's writes go one at a time (`Db::write_gate`).
    _gate: Option<MutexGuard<'a, ()>>,
}

impl<'a> Change<'a> {
    pub async fn begin(db: &'a Db) -> Result<Change<'a>, Error> {
        let gate = db.write_gate().await;
        let txn = db.writer().begin().await?;
        Ok(Change { txn, _gate: gate })
    }

    /// Writes the audit entry for `action` and commits it with the change.
    pub async fn commit(self, viewer: &Viewer, action: &str, details: Value) -> Result<(), Error> {
        audit::record(&self.txn, super::now_us(), entry(viewer, action, details)).await?;
        self.txn.commit().await?;
        Ok(())
    }
}

/// The audit entry of `viewer`'s `action`, for a domain function that writes it in its
/// own transaction (a package import, a voiding statement).
pub fn entry(viewer: &Viewer, action: &str, details: Value) -> Entry {
    Entry {
        actor: viewer.actor(),
        action: action.to_owned(),
        details,
        ..Entry::default()
    }
}

/// Records an attempt that changed nothing (a package upload whose content is already
/// stored): there is no change to commit it with.
/// A failure to record is logged, not shown: the upload's answer does not depend on it.
pub async fn record_after(console: &Console, viewer: &Viewer, action: &str, details: Value) {
    let entry = entry(viewer, action, details);
    if let Err(e) = audit::record(console.db.writer(), super::now_us(), entry).await {
        tracing::error!(error = %e, action, "could not record an administration change");
    }
}

/// Adds the administration pages' routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    let route = route.at("/admin", get(index));
    let route = company::routes(route);
    let route = credentials::routes(route);
    let route = lti::routes(route);
    let route = packages::routes(route);
    let route = passback::routes(route);
    users::routes(route)
}
