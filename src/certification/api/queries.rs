//! Read queries of the certification API: awards, holders and the audit log; and the
//! learner attribute write.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use crate::error::Error;
use entities::{cert_audit, cert_award, cert_learner};

/// Award statuses.
pub const AWARD_STATUSES: [&str; 3] = ["active", "expired", "revoked"];

/// What an awards listing is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct AwardFilter {
    pub status: Option<String>,
    pub belt_id: Option<String>,
    pub learner_key: Option<String>,
}

/// Awards newest first, older than the id `after`, at most `limit`.
pub async fn awards(
    conn: &impl ConnectionTrait,
    filter: &AwardFilter,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<cert_award::Model>, Error> {
    use cert_award::Column;
    let mut query = cert_award::Entity::find();
    if let Some(status) = &filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(belt) = &filter.belt_id {
        query = query.filter(Column::BeltId.eq(belt.as_str()));
    }
    if let Some(learner) = &filter.learner_key {
        query = query.filter(Column::LearnerKey.eq(learner.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.lt(after));
    }
    Ok(query
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

pub async fn award(conn: &impl ConnectionTrait, id: i64) -> Result<cert_award::Model, Error> {
    cert_award::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no award has id {id}")))
}

/// Active awards per belt id.
pub async fn holder_counts(conn: &impl ConnectionTrait) -> Result<HashMap<String, u64>, Error> {
    use cert_award::Column;
    let rows: Vec<(String, i64)> = cert_award::Entity::find()
        .select_only()
        .column(Column::BeltId)
        .column_as(Column::Id.count(), "holders")
        .filter(Column::Status.eq("active"))
        .group_by(Column::BeltId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(belt, n)| (belt, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// What an audit query is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// `credential:<id>`, `console:<user>`, `system`…
    pub actor: Option<String>,
    pub learner_key: Option<String>,
    pub belt_id: Option<String>,
    pub action: Option<String>,
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
}

/// Audit entries newest first, older than the id `after`, at most `limit`. `since` is
/// inclusive, `until` exclusive.
pub async fn audit(
    conn: &impl ConnectionTrait,
    filter: &AuditFilter,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<cert_audit::Model>, Error> {
    use cert_audit::Column;
    let mut query = cert_audit::Entity::find();
    if let Some(actor) = &filter.actor {
        query = query.filter(Column::Actor.eq(actor.as_str()));
    }
    if let Some(learner) = &filter.learner_key {
        query = query.filter(Column::LearnerKey.eq(learner.as_str()));
    }
    if let Some(belt) = &filter.belt_id {
        query = query.filter(Column::BeltId.eq(belt.as_str()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(Column::Action.eq(action.as_str()));
    }
    if let Some(since) = filter.since_us {
        query = query.filter(Column::AtUs.gte(since));
    }
    if let Some(until) = filter.until_us {
        query = query.filter(Column::AtUs.lt(until));
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.lt(after));
    }
    Ok(query
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Replaces a known learner's attributes; 404 when no learner has that key.
pub async fn set_attributes(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    attributes: Value,
    now_us: i64,
) -> Result<Value, Error> {
    use cert_learner::Column;
    let before = cert_learner::Entity::find_by_id(learner_key.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no learner has key {learner_key:?}; learners are known once they have been \
                 launched"
            ))
        })?;
    cert_learner::Entity::update_many()
        .col_expr(Column::Attributes, Expr::value(attributes))
        .col_expr(Column::UpdatedUs, Expr::value(now_us))
        .filter(Column::LearnerKey.eq(learner_key))
        .exec(conn)
        .await?;
    Ok(before.attributes)
}
