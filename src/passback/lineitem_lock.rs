//! One creator per gradebook column. Targets that name only a line item container are
//! one per learner, and each dispatcher leases targets, not columns: without this, the
//! first scores of two learners on the same resource link and AU (in one instance or
//! two) would both search, find nothing, and create two columns. A row per (source,
//! container, resource link, AU, tag) holds the column's URL once known and the lease
//! of the one delivery allowed to search and create; the others wait, then reuse it.

use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue, ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::delivery::Target;
use super::lineitem::TAG;
use crate::db::Db;
use crate::error::Error;
use entities::passback_lineitem::{ActiveModel, Column, Entity};

/// How long the holder may take to search and create before another may try (a
/// crashed holder's lease runs out).
pub const LEASE: Duration = Duration::from_secs(60);

/// What a delivery may do about its target's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Found or created before: use it.
    Known(String),
    /// This delivery holds the lease (as this owner): search, create, then `settle`
    /// or `release`.
    Mine(String),
    /// Another delivery holds the lease: try again soon.
    Busy,
}

/// Hex SHA-256 of what identifies the column, each part length-prefixed so that no two
/// different tuples join to the same text.
pub fn key(target: &Target, container: &str) -> String {
    let parts = [
        target.source.as_str(),
        container,
        target.resource_link_id.as_deref().unwrap_or(""),
        target.object_id.as_str(),
        TAG,
    ];
    let mut text = String::new();
    for part in parts {
        text.push_str(&format!("{}:{part}|", part.len()));
    }
    hex::encode(digest(&SHA256, text.as_bytes()))
}

fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// The known column, or the lease to find or create it, or `Busy`.
pub async fn take(db: &Db, target: &Target, container: &str) -> Result<Claim, Error> {
    let key = key(target, container);
    if let Some(url) = known(db, &key).await? {
        return Ok(Claim::Known(url));
    }
    let owner = uuid::Uuid::new_v4().to_string();
    let now = now_us();
    let until = now + LEASE.as_micros() as i64;
    let row = ActiveModel {
        lineitem_key: ActiveValue::Set(key.clone()),
        source: ActiveValue::Set(target.source.clone()),
        lineitems_url: ActiveValue::Set(container.to_owned()),
        resource_link_id: ActiveValue::Set(target.resource_link_id.clone()),
        object_id: ActiveValue::Set(target.object_id.clone()),
        tag: ActiveValue::Set(TAG.to_owned()),
        lineitem_url: ActiveValue::Set(None),
        lease_owner: ActiveValue::Set(Some(owner.clone())),
        lease_until_us: ActiveValue::Set(Some(until)),
        created_us: ActiveValue::Set(now),
        updated_us: ActiveValue::Set(now),
        ..Default::default()
    };
    let inserted = {
        let _gate = db.write_gate().await;
        Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::LineitemKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db.writer())
            .await
    };
    match inserted {
        Ok(n) if n > 0 => return Ok(Claim::Mine(owner)),
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
        Err(e) => return Err(e.into()),
    }
    // The row exists: take its lease if nobody holds it and no URL was settled.
    let taken = {
        let _gate = db.write_gate().await;
        Entity::update_many()
            .col_expr(Column::LeaseOwner, Expr::value(owner.clone()))
            .col_expr(Column::LeaseUntilUs, Expr::value(until))
            .col_expr(Column::UpdatedUs, Expr::value(now))
            .filter(Column::LineitemKey.eq(key.clone()))
            .filter(Column::LineitemUrl.is_null())
            .filter(
                Condition::any()
                    .add(Column::LeaseUntilUs.is_null())
                    .add(Column::LeaseUntilUs.lt(now)),
            )
            .exec(db.writer())
            .await?
    };
    if taken.rows_affected > 0 {
        return Ok(Claim::Mine(owner));
    }
    Ok(match known(db, &key).await? {
        Some(url) => Claim::Known(url),
        None => Claim::Busy,
    })
}

async fn known(db: &Db, key: &str) -> Result<Option<String>, Error> {
    Ok(Entity::find()
        .filter(Column::LineitemKey.eq(key))
        .one(db.writer())
        .await?
        .and_then(|row| row.lineitem_url))
}

/// Records the column found or created under the lease, and lets go of the lease.
pub async fn settle(
    db: &Db,
    target: &Target,
    container: &str,
    owner: &str,
    url: &str,
) -> Result<(), Error> {
    let _gate = db.write_gate().await;
    // The first settled URL wins, even from a holder whose lease ran out meanwhile:
    // the column exists in the LMS either way.
    Entity::update_many()
        .col_expr(Column::LineitemUrl, Expr::value(url.to_owned()))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntilUs, Expr::value(Option::<i64>::None))
        .col_expr(Column::UpdatedUs, Expr::value(now_us()))
        .filter(Column::LineitemKey.eq(key(target, container)))
        .filter(
            Condition::any()
                .add(Column::LineitemUrl.is_null())
                .add(Column::LeaseOwner.eq(owner)),
        )
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Lets go of the lease without a column (the search or creation did not succeed), so
/// the next delivery tries at once rather than after the lease.
pub async fn release(db: &Db, target: &Target, container: &str, owner: &str) -> Result<(), Error> {
    let _gate = db.write_gate().await;
    Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntilUs, Expr::value(Option::<i64>::None))
        .col_expr(Column::UpdatedUs, Expr::value(now_us()))
        .filter(Column::LineitemKey.eq(key(target, container)))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db.writer())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::delivery::Protocol;
    use super::*;

    fn target(user: &str, link: Option<&str>) -> Target {
        Target {
            id: 1,
            protocol: Protocol::Ags,
            source: "platform:1".into(),
            user_id: user.into(),
            object_id: "https://example.com/au/1".into(),
            label: "Policy".into(),
            lineitem_url: None,
            lineitems_url: Some("https://lms.example.com/li".into()),
            resource_link_id: link.map(str::to_owned),
            scopes: vec![],
            outcome_url: None,
            sourcedid: None,
            last_sent_ts_us: None,
        }
    }

    #[test]
    fn learners_on_one_link_and_au_share_the_column_key() {
        let c = "https://lms.example.com/li";
        assert_eq!(
            key(&target("a", Some("rl")), c),
            key(&target("b", Some("rl")), c)
        );
    }

    #[test]
    fn another_link_or_container_is_another_column() {
        let c = "https://lms.example.com/li";
        let k = key(&target("a", Some("rl")), c);
        assert_ne!(k, key(&target("a", Some("rl2")), c));
        assert_ne!(k, key(&target("a", None), c));
        assert_ne!(
            k,
            key(&target("a", Some("rl")), "https://lms.example.com/li2")
        );
    }
}
