//! The filtered awards as a streamed CSV.

use poem::web::{Data, Query};
use poem::{Response, handler};

use super::list::{ListQuery, filter_of};
use crate::certification::api::queries;
use crate::console::audit::iso;
use crate::console::page;
use crate::console::role::Can;
use crate::console::{Console, Viewer, csv};
use entities::cert_award;

#[handler]
pub(super) async fn export(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let filter = filter_of(&console.db.conn, &q)
        .await
        .map_err(page::from_error)?;
    let conn = console.db.conn.clone();
    let header = csv::line([
        "id",
        "learner",
        "belt",
        "status",
        "earned",
        "valid_until",
        "expires",
        "source",
        "reason",
        "awarded_by",
        "revoked",
        "revoked_reason",
        "revoked_by",
    ]);
    // A filter naming nobody sends only the header.
    let fetch = move |after: Option<i64>, limit: u64| {
        let conn = conn.clone();
        let filter = filter.clone();
        async move {
            match filter {
                Some(filter) => queries::awards(&conn, &filter, limit, after).await,
                None => Ok(Vec::new()),
            }
        }
    };
    Ok(csv::keyset_download(
        "awards.csv",
        header,
        fetch,
        |r: &cert_award::Model| r.id,
        csv_line,
    ))
}

pub(super) fn csv_line(r: &cert_award::Model) -> String {
    let opt = |v: Option<i64>| v.map(iso).unwrap_or_default();
    csv::line([
        r.id.to_string(),
        r.learner_key.clone(),
        r.belt_id.clone(),
        r.status.clone(),
        iso(r.earned_us),
        opt(r.valid_until_us),
        opt(r.expires_us),
        r.source.clone(),
        r.reason.clone().unwrap_or_default(),
        r.awarded_by.clone().unwrap_or_default(),
        opt(r.revoked_us),
        r.revoked_reason.clone().unwrap_or_default(),
        r.revoked_by.clone().unwrap_or_default(),
    ])
}
