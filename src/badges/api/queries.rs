//! The administrators' list of credentials: the awards matching a filter, newest first,
//! each with its credential row (made when missing, as on first need). Nothing is
//! signed here: the list shows status and links, not the signed forms.

use sea_orm::TransactionTrait;

use crate::badges::issue::Badges;
use crate::badges::store;
use crate::certification::api::queries::{self, AwardFilter};
use crate::error::Error;
use entities::{badge_credential, cert_award};

/// At most `limit` credentials of the awards `filter` selects, newest award first;
/// `after` continues from an award id (the previous page's `more`).
pub async fn credentials(
    badges: &Badges,
    filter: &AwardFilter,
    limit: u64,
    after: Option<i64>,
    now_us: i64,
) -> Result<Vec<(badge_credential::Model, cert_award::Model)>, Error> {
    let awards = queries::awards(&badges.db.conn, filter, limit, after).await?;
    let mut rows = Vec::with_capacity(awards.len());
    for award in awards {
        let row = match store::find_by_award(&badges.db.conn, award.id).await? {
            Some(row) => row,
            None => {
                // In a transaction: on PostgreSQL a refused insert (another instance won
                // the race) is undone to a savepoint.
                let _gate = badges.db.write_gate().await;
                let txn = badges.db.writer().begin().await?;
                let row =
                    store::ensure_for_award(&txn, award.id, &award.learner_key, now_us).await?;
                txn.commit().await?;
                row
            }
        };
        rows.push((row, award));
    }
    Ok(rows)
}
