//! Revoking and extending an award (`manual::revoke`, `manual::extend`).

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Response, handler};
use serde::Deserialize;

use super::grant::field_of;
use super::one::{ChangeDraft, one_page};
use crate::certification::api::manual;
use crate::certification::api::queries;
use crate::certification::awards::store::add_months;
use crate::console::audit::{day_us, iso};
use crate::console::page;
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;

#[derive(Debug, Deserialize)]
pub(super) struct RevokeForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) reason: String,
}

#[handler]
pub(super) async fn revoke(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    viewer.check_csrf(&form.csrf)?;
    let result = manual::revoke(
        &console.db,
        &viewer.actor(),
        id,
        Some(form.reason.as_str()),
        crate::console::now_us(),
    )
    .await;
    let draft = ChangeDraft {
        form: "revoke",
        reason: form.reason,
        ..ChangeDraft::default()
    };
    settle(console, &viewer, id, result.map(|_| "revoked"), draft).await
}

#[derive(Debug, Deserialize)]
pub(super) struct ExtendForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) until: String,
    #[serde(default)]
    pub(super) months: String,
    #[serde(default)]
    pub(super) reason: String,
}

#[handler]
pub(super) async fn extend(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    viewer.check_csrf(&form.csrf)?;
    let result = async {
        let current = queries::award(&console.db.conn, id).await?;
        let until_us = new_valid_until(
            &form.until,
            &form.months,
            current.valid_until_us,
            crate::console::now_us(),
        )?;
        manual::extend(
            &console.db,
            &viewer.actor(),
            id,
            &iso(until_us),
            Some(form.reason.as_str()),
            crate::console::now_us(),
        )
        .await
    }
    .await;
    let draft = ChangeDraft {
        form: "extend",
        reason: form.reason,
        until: form.until,
        months: form.months,
        ..ChangeDraft::default()
    };
    settle(console, &viewer, id, result.map(|_| "extended"), draft).await
}

/// The new end of validity from the form: a date (valid through that day) or a number
/// of months added to the current end (or to now, for a belt that never expired).
pub(super) fn new_valid_until(
    until: &str,
    months: &str,
    current_us: Option<i64>,
    now_us: i64,
) -> Result<i64, Error> {
    match (until.trim(), months.trim()) {
        ("", "") => Err(Error::BadRequest(
            "field `until`: give a new date, or a number of months to add".into(),
        )),
        (date, "") => day_us("until", date, true)
            .map_err(Error::BadRequest)?
            .ok_or_else(|| Error::BadRequest("field `until` is empty".into())),
        ("", months) => {
            let n: u32 = months
                .parse()
                .ok()
                .filter(|n| (1..=120).contains(n))
                .ok_or_else(|| {
                    Error::BadRequest("field `months` must be a whole number from 1 to 120".into())
                })?;
            Ok(add_months(current_us.unwrap_or(now_us).max(now_us), n))
        }
        _ => Err(Error::BadRequest(
            "field `until`: give either a date or a number of months, not both".into(),
        )),
    }
}

/// After revoke or extend: to the award with a notice, or its page again with the error
/// next to the field it is about.
pub(super) async fn settle(
    console: &Console,
    viewer: &Viewer,
    id: i64,
    result: Result<&'static str, Error>,
    mut draft: ChangeDraft,
) -> poem::Result<Response> {
    let status = match result {
        Ok(done) => {
            return Ok(page::see_other(&format!(
                "/console/awards/{id}?done={done}"
            )));
        }
        Err(Error::NotFound(m)) => {
            return Err(page::problem(StatusCode::NOT_FOUND, "Not found", &m));
        }
        Err(e @ (Error::BadRequest(_) | Error::Conflict(_))) => {
            let status = if matches!(e, Error::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            let field = match field_of(&e) {
                "valid_until" => "until",
                "" if draft.form == "extend" => "until",
                "" => "reason",
                f => f,
            };
            draft.error = Some((field, message_of(e)));
            status
        }
        Err(e) => return Err(page::from_error(e)),
    };
    let page = one_page(console, viewer, id, draft)
        .await
        .map_err(page::from_error)?;
    page::render_status(status, &page)
}

pub(super) fn message_of(e: Error) -> String {
    match e {
        Error::BadRequest(m) | Error::Conflict(m) | Error::NotFound(m) => m,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;

    #[test]
    pub(super) fn a_new_end_is_a_date_or_months_but_not_both() {
        let now = 1_800_000_000_000_000;
        let by_date = new_valid_until("2030-01-31", "", None, now).unwrap();
        assert_eq!(iso(by_date), "2030-02-01T00:00:00Z");
        let by_months = new_valid_until("", "2", Some(now + DAY), now).unwrap();
        assert!(by_months > now + 58 * DAY && by_months < now + 64 * DAY);
        assert!(new_valid_until("", "", None, now).is_err());
        assert!(new_valid_until("2030-01-31", "2", None, now).is_err());
        assert!(new_valid_until("", "0", None, now).is_err());
        assert!(new_valid_until("", "abc", None, now).is_err());
    }

    #[test]
    pub(super) fn domain_messages_are_placed_by_the_field_they_name() {
        let e = Error::BadRequest("field `reason` is required: say why".into());
        assert_eq!(field_of(&e), "reason");
        assert_eq!(field_of(&Error::Conflict("already holds".into())), "belt");
    }
}
