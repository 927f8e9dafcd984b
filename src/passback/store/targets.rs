//! Targets: one row per channel to the LMS (an AGS gradebook cell or an LTI 1.1 outcome
//! row, per AU), created or refreshed at launch and loaded for a claimed message.

use aws_lc_rs::digest::{SHA256, digest};
use sea_orm::ConnectionTrait;

use crate::error::Error;
use crate::passback::delivery::{Protocol, Target};
use crate::sql::Sql;

/// `lineitem_origin` of a line item the launch's claim named.
pub const CLAIM: &str = "claim";
/// `lineitem_origin` of a line item we found or created in the `lineitems` container.
pub const FOUND: &str = "found";

/// A channel to create or refresh at launch.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub protocol: Protocol,
    pub registration: String,
    pub object_id: String,
    pub source: String,
    pub user_id: String,
    pub deployment_id: Option<String>,
    pub resource_link_id: Option<String>,
    pub context_id: Option<String>,
    pub label: String,
    pub lineitem_url: Option<String>,
    pub lineitems_url: Option<String>,
    pub scopes: Vec<String>,
    pub outcome_url: Option<String>,
    pub sourcedid: Option<String>,
}

impl NewTarget {
    /// Hex SHA-256 of what identifies the channel: the gradebook cell (AGS) or outcome
    /// row (LTI 1.1), and the AU.
    pub fn key(&self) -> String {
        let none = String::new();
        let parts: Vec<&str> = match self.protocol {
            Protocol::Ags => vec![
                "ags",
                &self.source,
                self.deployment_id.as_ref().unwrap_or(&none),
                self.resource_link_id.as_ref().unwrap_or(&none),
                &self.user_id,
                &self.object_id,
            ],
            Protocol::Lti11 => vec![
                "lti11",
                &self.source,
                self.outcome_url.as_ref().unwrap_or(&none),
                self.sourcedid.as_ref().unwrap_or(&none),
                &self.object_id,
            ],
        };
        hex::encode(digest(&SHA256, parts.join("|").as_bytes()))
    }
}

/// Creates the target, or follows changed endpoints of an existing one. Returns its id
/// and whether it is new.
pub async fn upsert_target(
    conn: &impl ConnectionTrait,
    t: &NewTarget,
    now_us: i64,
) -> Result<(i64, bool), Error> {
    let mut sql = Sql::new(
        "INSERT INTO passback_targets (target_key, registration, object_id, protocol, source, \
         user_id, deployment_id, resource_link_id, context_id, label, lineitem_url, \
         lineitems_url, lineitem_origin, scopes, outcome_url, sourcedid, consecutive_failures, \
         lease_epoch, created_us, updated_us) VALUES (",
    );
    sql.bind("?", t.key())
        .bind(", ?", t.registration.clone())
        .bind(", ?", t.object_id.clone())
        .bind(", ?", t.protocol.name().to_owned())
        .bind(", ?", t.source.clone())
        .bind(", ?", t.user_id.clone())
        .bind(", ?", t.deployment_id.clone())
        .bind(", ?", t.resource_link_id.clone())
        .bind(", ?", t.context_id.clone())
        .bind(", ?", t.label.clone())
        .bind(", ?", t.lineitem_url.clone())
        .bind(", ?", t.lineitems_url.clone())
        .bind(", ?", t.lineitem_url.as_ref().map(|_| CLAIM.to_owned()))
        .bind(", ?", t.scopes.join(" "))
        .bind(", ?", t.outcome_url.clone())
        .bind(", ?", t.sourcedid.clone())
        .push(", 0, 0")
        .bind(", ?", now_us)
        .bind(", ?)", now_us)
        .push(
            " ON CONFLICT (target_key) DO UPDATE SET \
             lineitem_url = COALESCE(excluded.lineitem_url, passback_targets.lineitem_url), \
             lineitem_origin = COALESCE(excluded.lineitem_origin, passback_targets.lineitem_origin), \
             lineitems_url = excluded.lineitems_url, scopes = excluded.scopes, \
             outcome_url = excluded.outcome_url, sourcedid = excluded.sourcedid, \
             label = excluded.label, updated_us = excluded.updated_us \
             RETURNING id, created_us",
        );
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .ok_or_else(|| Error::Internal("target upsert returned no row".into()))?;
    let id: i64 = row.try_get("", "id")?;
    let created: i64 = row.try_get("", "created_us")?;
    Ok((id, created == now_us))
}

/// The targets of an AU of a registration: `(id, protocol)`.
pub async fn targets_of(
    conn: &impl ConnectionTrait,
    registration: &str,
    object_id: &str,
) -> Result<Vec<(i64, Protocol)>, Error> {
    let mut sql = Sql::new("SELECT id, protocol FROM passback_targets");
    sql.bind(" WHERE registration = ?", registration.to_owned())
        .bind(" AND object_id = ?", object_id.to_owned())
        .push(" ORDER BY id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let protocol: String = row.try_get("", "protocol")?;
        if let Some(p) = Protocol::parse(&protocol) {
            out.push((row.try_get("", "id")?, p));
        }
    }
    Ok(out)
}

/// The target as the deliverers see it; `None` when it is gone or of an unknown protocol.
pub(super) async fn load_target(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<Target>, Error> {
    let mut sql = Sql::new(
        "SELECT id, protocol, source, user_id, object_id, label, lineitem_url, lineitems_url, \
         resource_link_id, scopes, outcome_url, sourcedid, last_sent_ts_us FROM passback_targets",
    );
    sql.bind(" WHERE id = ?", id);
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    let protocol: String = row.try_get("", "protocol")?;
    let Some(protocol) = Protocol::parse(&protocol) else {
        return Ok(None);
    };
    let scopes: String = row.try_get("", "scopes")?;
    Ok(Some(Target {
        id,
        protocol,
        source: row.try_get("", "source")?,
        user_id: row.try_get("", "user_id")?,
        object_id: row.try_get("", "object_id")?,
        label: row.try_get("", "label")?,
        lineitem_url: row.try_get("", "lineitem_url")?,
        lineitems_url: row.try_get("", "lineitems_url")?,
        resource_link_id: row.try_get("", "resource_link_id")?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        outcome_url: row.try_get("", "outcome_url")?,
        sourcedid: row.try_get("", "sourcedid")?,
        last_sent_ts_us: row.try_get("", "last_sent_ts_us")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_keys_differ_by_user_and_au_and_protocol() {
        let t = NewTarget {
            protocol: Protocol::Ags,
            registration: "r".into(),
            object_id: "au".into(),
            source: "platform:1".into(),
            user_id: "u".into(),
            deployment_id: Some("d".into()),
            resource_link_id: Some("l".into()),
            context_id: None,
            label: "AU".into(),
            lineitem_url: None,
            lineitems_url: None,
            scopes: vec![],
            outcome_url: None,
            sourcedid: None,
        };
        let other_user = NewTarget {
            user_id: "v".into(),
            ..t.clone()
        };
        let other_au = NewTarget {
            object_id: "au2".into(),
            ..t.clone()
        };
        assert_eq!(t.key().len(), 64);
        assert_ne!(t.key(), other_user.key());
        assert_ne!(t.key(), other_au.key());
        assert_eq!(
            t.key(),
            NewTarget {
                label: "renamed".into(),
                ..t.clone()
            }
            .key()
        );
    }
}
