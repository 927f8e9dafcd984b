//! `badge_credentials` queries: the credential row of an award is made on first need
//! (random id, random free status bit, salt), found by id, listed by learner.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use sea_orm::sea_query::JoinType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
};

use super::identity::new_salt;
use super::status_list::LIST_BITS;
use crate::error::Error;
use entities::{badge_credential, cert_award};

/// A list takes new credentials until half its bits are used: past that, random
/// indexes collide too often, and a fuller list tells less about each holder.
const LIST_FILL: u64 = (LIST_BITS / 2) as u64;

/// Random indexes tried before giving up (each fails with probability under 1/2).
const INDEX_TRIES: usize = 40;

/// The credential row of `award_id`, made when missing (racing instances: one wins,
/// the other reads the winner's row). Run it inside a transaction: on PostgreSQL a
/// refused insert is undone to a savepoint.
pub async fn ensure_for_award(
    conn: &impl ConnectionTrait,
    award_id: i64,
    learner_key: &str,
    now_us: i64,
) -> Result<badge_credential::Model, Error> {
    if let Some(row) = find_by_award(conn, award_id).await? {
        return Ok(row);
    }
    let list = open_list(conn).await?;
    let subject = uuid::Uuid::new_v4();
    let salt = new_salt()?;
    for _ in 0..INDEX_TRIES {
        let row = badge_credential::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            award_id: Set(award_id),
            learner_key: Set(learner_key.to_owned()),
            status_list: Set(list),
            status_index: Set(random_index()?),
            subject_id: Set(format!("urn:uuid:{subject}")),
            subject_salt: Set(salt.clone()),
            show_name: Set(false),
            signed_for: Set(None),
            signed_json: Set(None),
            signed_jwt: Set(None),
            created_us: Set(now_us),
            updated_us: Set(now_us),
        };
        if let Some(model) = insert(conn, row).await? {
            return Ok(model);
        }
        // Either another instance made this award's row, or the index was taken.
        if let Some(row) = find_by_award(conn, award_id).await? {
            return Ok(row);
        }
    }
    Err(Error::Internal(format!(
        "no free status_index found in status list {list} after {INDEX_TRIES} random tries"
    )))
}

/// Inserts `row`; `None` when a unique index refused it.
async fn insert(
    conn: &impl ConnectionTrait,
    row: badge_credential::ActiveModel,
) -> Result<Option<badge_credential::Model>, Error> {
    // On PostgreSQL a failed INSERT aborts the transaction; a savepoint keeps it (as
    // certification::awards::store::insert_active does). SQLite carries on by itself.
    let savepoint = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
    if savepoint {
        conn.execute_unprepared("SAVEPOINT badge_credential_insert")
            .await?;
    }
    match row.insert(conn).await {
        Ok(model) => {
            if savepoint {
                conn.execute_unprepared("RELEASE SAVEPOINT badge_credential_insert")
                    .await?;
            }
            Ok(Some(model))
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            if savepoint {
                conn.execute_unprepared("ROLLBACK TO SAVEPOINT badge_credential_insert")
                    .await?;
            }
            Ok(None)
        }
        Err(e) => Err(Error::Db(e)),
    }
}

/// The list new credentials go to: the newest, or the next one when it is half full.
async fn open_list(conn: &impl ConnectionTrait) -> Result<i32, Error> {
    let newest: Option<i32> = badge_credential::Entity::find()
        .select_only()
        .column_as(badge_credential::Column::StatusList.max(), "newest")
        .into_tuple::<Option<i32>>()
        .one(conn)
        .await?
        .flatten();
    let Some(newest) = newest else {
        return Ok(1);
    };
    let used = badge_credential::Entity::find()
        .filter(badge_credential::Column::StatusList.eq(newest))
        .count(conn)
        .await?;
    Ok(if used >= LIST_FILL {
        newest + 1
    } else {
        newest
    })
}

/// A uniformly random index below `LIST_BITS` (a power of two: no modulo bias).
fn random_index() -> Result<i32, Error> {
    let mut bytes = [0u8; 4];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Internal("the system random generator failed (status index)".into()))?;
    let index = u32::from_be_bytes(bytes) % LIST_BITS as u32;
    i32::try_from(index).map_err(|_| Error::Internal("status index out of range".into()))
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<badge_credential::Model>, Error> {
    Ok(badge_credential::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?)
}

pub async fn find_by_award(
    conn: &impl ConnectionTrait,
    award_id: i64,
) -> Result<Option<badge_credential::Model>, Error> {
    Ok(badge_credential::Entity::find()
        .filter(badge_credential::Column::AwardId.eq(award_id))
        .one(conn)
        .await?)
}

/// A learner's credential rows, newest first.
pub async fn of_learner(
    conn: &impl ConnectionTrait,
    learner_key: &str,
) -> Result<Vec<badge_credential::Model>, Error> {
    Ok(badge_credential::Entity::find()
        .filter(badge_credential::Column::LearnerKey.eq(learner_key))
        .order_by_desc(badge_credential::Column::CreatedUs)
        .all(conn)
        .await?)
}

/// Stores both signed forms and what they were made for.
pub async fn set_signed(
    conn: &impl ConnectionTrait,
    row: badge_credential::Model,
    signed_for: String,
    json: serde_json::Value,
    jwt: String,
    now_us: i64,
) -> Result<badge_credential::Model, Error> {
    let mut active: badge_credential::ActiveModel = row.into();
    active.signed_for = Set(Some(signed_for));
    active.signed_json = Set(Some(json));
    active.signed_jwt = Set(Some(jwt));
    active.updated_us = Set(now_us);
    Ok(active.update(conn).await?)
}

pub async fn set_show_name(
    conn: &impl ConnectionTrait,
    row: badge_credential::Model,
    show: bool,
    now_us: i64,
) -> Result<badge_credential::Model, Error> {
    let mut active: badge_credential::ActiveModel = row.into();
    active.show_name = Set(show);
    active.updated_us = Set(now_us);
    Ok(active.update(conn).await?)
}

/// Whether any credential has its bit in list `list`.
pub async fn list_exists(conn: &impl ConnectionTrait, list: i32) -> Result<bool, Error> {
    Ok(badge_credential::Entity::find()
        .filter(badge_credential::Column::StatusList.eq(list))
        .count(conn)
        .await?
        > 0)
}

/// The indexes in list `list` whose award is revoked, ascending.
pub async fn revoked_indexes(conn: &impl ConnectionTrait, list: i32) -> Result<Vec<i32>, Error> {
    Ok(badge_credential::Entity::find()
        .select_only()
        .column(badge_credential::Column::StatusIndex)
        .join(JoinType::InnerJoin, award_relation())
        .filter(badge_credential::Column::StatusList.eq(list))
        .filter(cert_award::Column::Status.eq("revoked"))
        .order_by_asc(badge_credential::Column::StatusIndex)
        .into_tuple::<i32>()
        .all(conn)
        .await?)
}

/// `badge_credentials.award_id = cert_awards.id` (the entities declare no relations).
fn award_relation() -> sea_orm::RelationDef {
    badge_credential::Entity::belongs_to(cert_award::Entity)
        .from(badge_credential::Column::AwardId)
        .to(cert_award::Column::Id)
        .into()
}
