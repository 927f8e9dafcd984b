//! Reviewer assignments.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::error::Error;
use entities::cert_reviewer::{self, Column, Entity};

/// Adds `reviewer_key` to `belt_id`; true when it was not there yet.
pub async fn add(
    conn: &impl ConnectionTrait,
    belt_id: &str,
    reviewer_key: &str,
    by: &str,
    now_us: i64,
) -> Result<bool, Error> {
    let row = cert_reviewer::ActiveModel {
        belt_id: Set(belt_id.to_owned()),
        reviewer_key: Set(reviewer_key.to_owned()),
        added_us: Set(now_us),
        added_by: Set(by.to_owned()),
    };
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::BeltId, Column::ReviewerKey])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted > 0)
}

/// Removes an assignment; false when there was none.
pub async fn remove(
    conn: &impl ConnectionTrait,
    belt_id: &str,
    reviewer_key: &str,
) -> Result<bool, Error> {
    let done = Entity::delete_many()
        .filter(Column::BeltId.eq(belt_id))
        .filter(Column::ReviewerKey.eq(reviewer_key))
        .exec(conn)
        .await?;
    Ok(done.rows_affected > 0)
}

/// The reviewers of one belt, by key.
pub async fn of_belt(
    conn: &impl ConnectionTrait,
    belt_id: &str,
) -> Result<Vec<cert_reviewer::Model>, Error> {
    Ok(Entity::find()
        .filter(Column::BeltId.eq(belt_id))
        .order_by_asc(Column::ReviewerKey)
        .all(conn)
        .await?)
}

/// The belts any of `keys` reviews.
pub async fn belts_of(conn: &impl ConnectionTrait, keys: &[String]) -> Result<Vec<String>, Error> {
    let rows = Entity::find()
        .filter(Column::ReviewerKey.is_in(keys.iter().map(String::as_str)))
        .all(conn)
        .await?;
    let mut belts: Vec<String> = rows.into_iter().map(|r| r.belt_id).collect();
    belts.sort();
    belts.dedup();
    Ok(belts)
}
