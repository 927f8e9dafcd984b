//! The contexts and their members: recorded at launch (in the launch's transaction),
//! read by the admin API and CLI, made due on request. Free functions over
//! `&impl ConnectionTrait`; the sync job's own writes are in `lease`.

use std::time::Duration;

use sea_orm::{ConnectionTrait, QueryResult};

use super::membership::RosterService;
use crate::error::Error;
use crate::sql::Sql;

/// Why a context's sync is due, kept with the due time.
pub mod cause {
    pub const FIRST_LAUNCH: &str = "first launch";
    pub const LAUNCH: &str = "launch after the refresh interval";
    pub const REQUESTED: &str = "requested by an administrator";
    pub const RETRY: &str = "retry after a failure";
}

/// A context seen at a launch.
#[derive(Debug, Clone)]
pub struct SeenContext {
    /// `platform:<id>`.
    pub source: String,
    pub context_id: String,
    pub title: Option<String>,
    pub service: RosterService,
}

/// Records the context, or follows a changed service URL or title. Its sync becomes
/// due now when it is new, or when none is due and no attempt was made in the last
/// `refresh_min` (so launches refetch a roster at most that often).
pub async fn seen(
    conn: &impl ConnectionTrait,
    c: &SeenContext,
    now_us: i64,
    refresh_min: Duration,
) -> Result<(), Error> {
    let cutoff = now_us - refresh_min.as_micros() as i64;
    let stale = "(lti_contexts.sync_due_us IS NULL AND (lti_contexts.last_attempt_us IS NULL \
                 OR lti_contexts.last_attempt_us < ?))";
    let mut sql = Sql::new(
        "INSERT INTO lti_contexts (source, context_id, title, memberships_url, \
         service_versions, sync_due_us, due_cause, lease_epoch, attempts, \
         consecutive_failures, member_count, created_us, updated_us) VALUES (",
    );
    sql.bind("?", c.source.clone())
        .bind(", ?", c.context_id.clone())
        .bind(", ?", c.title.clone())
        .bind(", ?", c.service.memberships_url.clone())
        .bind(", ?", c.service.service_versions.join(" "))
        .bind(", ?", now_us)
        .bind(", ?", cause::FIRST_LAUNCH)
        .push(", 0, 0, 0, 0")
        .bind(", ?", now_us)
        .bind(", ?)", now_us)
        .push(
            " ON CONFLICT (source, context_id) DO UPDATE SET \
             memberships_url = excluded.memberships_url, \
             service_versions = excluded.service_versions, \
             title = COALESCE(excluded.title, lti_contexts.title), \
             updated_us = excluded.updated_us, sync_due_us = CASE WHEN ",
        )
        .bind(stale, cutoff)
        .push(
            " THEN excluded.sync_due_us ELSE lti_contexts.sync_due_us END, due_cause = CASE WHEN ",
        )
        .bind(stale, cutoff)
        .bind(" THEN ? ELSE lti_contexts.due_cause END", cause::LAUNCH)
        // Unchanged and not stale: no write, so a class launching at once does not
        // queue on the row.
        .push(
            " WHERE lti_contexts.memberships_url <> excluded.memberships_url \
             OR lti_contexts.service_versions <> excluded.service_versions \
             OR (excluded.title IS NOT NULL AND (lti_contexts.title IS NULL \
             OR lti_contexts.title <> excluded.title)) OR ",
        )
        .bind(stale, cutoff);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// A context as the admin API and CLI show it.
#[derive(Debug, Clone)]
pub struct ContextRow {
    pub id: i64,
    pub source: String,
    pub context_id: String,
    pub title: Option<String>,
    pub memberships_url: String,
    pub member_count: i32,
    pub sync_due_us: Option<i64>,
    pub due_cause: Option<String>,
    pub lease_until_us: Option<i64>,
    pub last_synced_us: Option<i64>,
    pub last_attempt_us: Option<i64>,
    pub last_status: Option<String>,
    pub last_error: Option<String>,
}

/// What a context's sync is doing: `due` (waiting for or in a sync), `failed` (the last
/// attempt failed; a retry may be scheduled), `idle`.
pub fn sync_state(row: &ContextRow, now_us: i64) -> &'static str {
    let due_now = row.sync_due_us.is_some_and(|due| due <= now_us)
        || row.lease_until_us.is_some_and(|until| until >= now_us);
    if due_now {
        "due"
    } else if row.last_status.as_deref() == Some("failed") {
        "failed"
    } else if row.sync_due_us.is_some() && row.last_synced_us.is_none() {
        "due"
    } else {
        "idle"
    }
}

const CONTEXT_COLUMNS: &str = "SELECT id, source, context_id, title, memberships_url, \
    member_count, sync_due_us, due_cause, lease_until_us, last_synced_us, last_attempt_us, \
    last_status, last_error FROM lti_contexts";

fn context_row(r: &QueryResult) -> Result<ContextRow, Error> {
    Ok(ContextRow {
        id: r.try_get("", "id")?,
        source: r.try_get("", "source")?,
        context_id: r.try_get("", "context_id")?,
        title: r.try_get("", "title")?,
        memberships_url: r.try_get("", "memberships_url")?,
        member_count: r.try_get("", "member_count")?,
        sync_due_us: r.try_get("", "sync_due_us")?,
        due_cause: r.try_get("", "due_cause")?,
        lease_until_us: r.try_get("", "lease_until_us")?,
        last_synced_us: r.try_get("", "last_synced_us")?,
        last_attempt_us: r.try_get("", "last_attempt_us")?,
        last_status: r.try_get("", "last_status")?,
        last_error: r.try_get("", "last_error")?,
    })
}

/// Every context, oldest first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<ContextRow>, Error> {
    let mut sql = Sql::new(CONTEXT_COLUMNS);
    sql.push(" ORDER BY id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(context_row).collect()
}

/// One context by its id.
pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<Option<ContextRow>, Error> {
    let mut sql = Sql::new(CONTEXT_COLUMNS);
    sql.bind(" WHERE id = ?", id);
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.as_ref().map(context_row).transpose()
}

/// A stored member, as listed.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub user_id: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub status: String,
}

/// Up to `limit` members of context `id` whose user id sorts after `after`, in user id
/// order, and whether more follow.
pub async fn members(
    conn: &impl ConnectionTrait,
    id: i64,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<MemberRow>, bool), Error> {
    let mut sql = Sql::new(
        "SELECT user_id, name, given_name, family_name, email, roles, status \
         FROM lti_context_members",
    );
    sql.bind(" WHERE context_row_id = ?", id);
    if let Some(after) = after {
        sql.bind(" AND user_id > ?", after.to_owned());
    }
    sql.push(" ORDER BY user_id")
        .bind(" LIMIT ?", i64::from(limit) + 1);
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let more = rows.len() > limit as usize;
    let mut out = Vec::with_capacity(rows.len().min(limit as usize));
    for r in rows.iter().take(limit as usize) {
        let roles: String = r.try_get("", "roles")?;
        out.push(MemberRow {
            user_id: r.try_get("", "user_id")?,
            name: r.try_get("", "name")?,
            given_name: r.try_get("", "given_name")?,
            family_name: r.try_get("", "family_name")?,
            email: r.try_get("", "email")?,
            roles: serde_json::from_str(&roles)
                .map_err(|e| Error::Internal(format!("stored member roles: {e}")))?,
            status: r.try_get("", "status")?,
        });
    }
    Ok((out, more))
}

/// Makes context `id`'s sync due now (an administrator asked). `false`: no such context.
pub async fn request_sync(
    conn: &impl ConnectionTrait,
    id: i64,
    now_us: i64,
) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE lti_contexts SET ");
    sql.bind("sync_due_us = ?", now_us)
        .bind(", due_cause = ?", cause::REQUESTED)
        .bind(", updated_us = ?", now_us)
        .bind(" WHERE id = ?", id);
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The learner keys of context `id`'s members: each member is the learner an LTI 1.3
/// launch of theirs makes (the account `{homePage: platform issuer, name: user id}`, see
/// `lti::launch13`). Empty when the context or its platform is unknown.
pub async fn member_learner_keys(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Vec<String>, Error> {
    let mut sql = Sql::new(
        "SELECT p.issuer, m.user_id FROM lti_contexts c \
         JOIN lti_platforms p ON c.source = 'platform:' || CAST(p.id AS TEXT) \
         JOIN lti_context_members m ON m.context_row_id = c.id",
    );
    sql.bind(" WHERE c.id = ?", id);
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for r in rows {
        let issuer: String = r.try_get_by_index(0)?;
        let user: String = r.try_get_by_index(1)?;
        let actor = serde_json::json!({"account": {"homePage": issuer, "name": user}});
        if let Some(key) = crate::xapi::statements::index::agent_key(&actor) {
            keys.push(key);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ContextRow {
        ContextRow {
            id: 1,
            source: "platform:1".into(),
            context_id: "c".into(),
            title: None,
            memberships_url: "https://l/m".into(),
            member_count: 0,
            sync_due_us: None,
            due_cause: None,
            lease_until_us: None,
            last_synced_us: None,
            last_attempt_us: None,
            last_status: None,
            last_error: None,
        }
    }

    #[test]
    fn a_context_due_now_or_being_synced_is_due() {
        let due = ContextRow {
            sync_due_us: Some(10),
            ..row()
        };
        assert_eq!(sync_state(&due, 10), "due");
        let leased = ContextRow {
            lease_until_us: Some(50),
            last_status: Some("failed".into()),
            ..row()
        };
        assert_eq!(sync_state(&leased, 10), "due");
    }

    #[test]
    fn a_failed_context_waiting_for_its_retry_is_failed_and_a_synced_one_idle() {
        let failed = ContextRow {
            sync_due_us: Some(100),
            last_status: Some("failed".into()),
            ..row()
        };
        assert_eq!(sync_state(&failed, 10), "failed");
        let synced = ContextRow {
            last_synced_us: Some(5),
            last_status: Some("ok".into()),
            ..row()
        };
        assert_eq!(sync_state(&synced, 10), "idle");
    }
}
