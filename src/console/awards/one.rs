//! One award's page: its facts and the revoke and extend forms.

use std::collections::BTreeSet;

use askama::Template;
use poem::web::{Data, Path, Query};
use poem::{Response, handler};
use serde::Deserialize;

use crate::certification::api::manual::MAX_REASON_CHARS;
use crate::certification::api::queries;
use crate::console::audit::{belt_names, learner_names, when};
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use entities::cert_award;

#[derive(Debug, Default, Deserialize)]
pub(super) struct OneQuery {
    /// What the form just did (`awarded`, `revoked`, `extended`): the page says so.
    #[serde(default)]
    pub(super) done: String,
}

#[derive(Default)]
pub(super) struct ChangeDraft {
    /// `revoke` or `extend`: which form the error belongs to.
    pub(super) form: &'static str,
    pub(super) reason: String,
    pub(super) until: String,
    pub(super) months: String,
    pub(super) error: Option<(&'static str, String)>,
}

impl ChangeDraft {
    /// The error about `field` of `form`, for the template to show next to it.
    pub(super) fn error_for(&self, form: &str, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| self.form == form && *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// What was typed in `form`'s `field`, kept when the form comes back with an error.
    pub(super) fn kept(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        match field {
            "reason" => &self.reason,
            "until" => &self.until,
            "months" => &self.months,
            _ => "",
        }
    }
}

#[derive(Template)]
#[template(path = "award.html")]
pub(super) struct OnePage {
    pub(super) title: String,
    pub(super) chrome: Chrome,
    pub(super) a: cert_award::Model,
    pub(super) learner: String,
    pub(super) belt: String,
    pub(super) earned: String,
    pub(super) valid_until: String,
    pub(super) expires: String,
    pub(super) revoked: String,
    pub(super) draft: ChangeDraft,
    pub(super) max_reason: usize,
}

#[handler]
pub(super) async fn one(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Query(q): Query<OneQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let page = one_page(console, &viewer, id, ChangeDraft::default())
        .await
        .map_err(page::from_error)?;
    let notice = match q.done.as_str() {
        "awarded" => Some(format!(
            "Awarded {} to {}. It is in the audit log.",
            page.belt, page.learner
        )),
        "revoked" => Some(format!(
            "Revoked {} of {}. It is in the audit log.",
            page.belt, page.learner
        )),
        "extended" => Some(format!(
            "Extended: {} is now valid until {}. It is in the audit log.",
            page.belt, page.valid_until
        )),
        _ => None,
    };
    let page = OnePage {
        chrome: page.chrome.with_notice(notice.as_deref()),
        ..page
    };
    page::render(&page)
}

pub(super) async fn one_page(
    console: &Console,
    viewer: &Viewer,
    id: i64,
    draft: ChangeDraft,
) -> Result<OnePage, Error> {
    let conn = &console.db.conn;
    let a = queries::award(conn, id).await?;
    let names = belt_names(conn).await?;
    let people = learner_names(conn, &BTreeSet::from([a.learner_key.clone()])).await?;
    Ok(OnePage {
        title: format!("Award {id}"),
        chrome: Chrome::new(viewer, "/console/awards"),
        learner: people
            .get(&a.learner_key)
            .cloned()
            .unwrap_or_else(|| a.learner_key.clone()),
        belt: names
            .get(&a.belt_id)
            .cloned()
            .unwrap_or_else(|| a.belt_id.clone()),
        earned: when(a.earned_us),
        valid_until: a
            .valid_until_us
            .map(when)
            .unwrap_or_else(|| "never expires".into()),
        expires: a.expires_us.map(when).unwrap_or_default(),
        revoked: a.revoked_us.map(when).unwrap_or_default(),
        a,
        draft,
        max_reason: MAX_REASON_CHARS,
    })
}
