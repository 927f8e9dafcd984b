//! The LTI page's lists, a keyset page each: active platforms, registrations pending
//! approval (both by id) and LTI 1.1 consumers (by creation time, then key). `lti::*`
//! lists them whole for the API and CLI; the console pages them so a long list does not
//! make one huge page.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

use crate::console::paging;
use crate::error::Error;
use crate::lti::consumers::Consumer;
use crate::lti::platforms::Platform;
use crate::sql::Sql;
use entities::lti_platform;

/// The cursor of each list (absent: its first page).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Cursors {
    pub platforms_after: Option<String>,
    pub pending_after: Option<String>,
    pub consumers_after: Option<String>,
}

/// One page of a list and the link to the next, when there is one.
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
}

/// Platforms whose status is (`pending == false`: `active`) or is not (`true`) active,
/// by id, after the cursor `after`.
pub async fn platforms(
    conn: &impl ConnectionTrait,
    pending: bool,
    after: Option<&str>,
    limit: u64,
) -> Result<Listed<Platform>, Error> {
    let mut query = lti_platform::Entity::find().order_by_asc(lti_platform::Column::Id);
    query = if pending {
        query.filter(lti_platform::Column::Status.ne("active"))
    } else {
        query.filter(lti_platform::Column::Status.eq("active"))
    };
    if let Some(after) = paging::decode::<i64>(after) {
        query = query.filter(lti_platform::Column::Id.gt(after));
    }
    let rows = query.limit(limit + 1).all(conn).await?;
    let (rows, more) = paging::split(rows, limit);
    let param = if pending {
        "pending_after"
    } else {
        "platforms_after"
    };
    let next = more
        .then(|| {
            rows.last()
                .map(|p| next_link(param, &paging::encode(&p.id)))
        })
        .flatten();
    Ok(Listed {
        rows: rows.into_iter().map(Platform::from).collect(),
        next,
    })
}

/// LTI 1.1 consumers, oldest first, after the cursor `after` (creation time and key).
pub async fn consumers(
    conn: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Listed<Consumer>, Error> {
    let mut sql = Sql::new("SELECT consumer_key, name, origin, created_us FROM lti_consumers");
    if let Some((at, key)) = paging::decode::<(i64, String)>(after) {
        sql.bind(" WHERE created_us > ?", at)
            .bind(" OR (created_us = ?", at)
            .bind(" AND consumer_key > ?)", key);
    }
    sql.push(" ORDER BY created_us, consumer_key")
        .bind(" LIMIT ?", i64::try_from(limit + 1).unwrap_or(i64::MAX));
    let found = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in &found {
        let at: i64 = r.try_get("", "created_us")?;
        let consumer = Consumer {
            consumer_key: r.try_get("", "consumer_key")?,
            name: r.try_get("", "name")?,
            origin: r.try_get("", "origin")?,
        };
        rows.push((at, consumer));
    }
    let (rows, more) = paging::split(rows, limit);
    let next = more
        .then(|| {
            rows.last().map(|(at, c)| {
                next_link(
                    "consumers_after",
                    &paging::encode(&(at, c.consumer_key.as_str())),
                )
            })
        })
        .flatten();
    Ok(Listed {
        rows: rows.into_iter().map(|(_, c)| c).collect(),
        next,
    })
}

fn next_link(param: &str, cursor: &str) -> String {
    format!("/console/admin/lti?{param}={cursor}")
}
