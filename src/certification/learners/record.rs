//! One learner's launches and passback messages, newest first and bounded, for the
//! console's learner page (registrations → launch sessions, passback targets → messages).

use sea_orm::ConnectionTrait;

use crate::error::Error;
use crate::sql::Sql;

/// One AU launch.
#[derive(Debug, Clone)]
pub struct Launch {
    pub course_id: String,
    pub au_id: String,
    pub mode: String,
    pub created_us: i64,
    pub initialized_us: Option<i64>,
    pub terminated_us: Option<i64>,
    pub abandoned: bool,
}

/// The learner's latest `limit` launches.
pub async fn launches(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    limit: u64,
) -> Result<Vec<Launch>, Error> {
    let mut sql = Sql::new(
        "SELECT r.course_id, s.au_id, s.launch_mode, s.created_us, s.initialized_us, \
         s.terminated_us, s.abandoned FROM registrations r \
         JOIN launch_sessions s ON s.registration = r.registration WHERE ",
    );
    sql.bind("r.learner_key = ?", learner_key.to_owned())
        .bind(" ORDER BY s.created_us DESC LIMIT ?", limit as i64);
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Launch {
            course_id: r.try_get_by_index(0)?,
            au_id: r.try_get_by_index(1)?,
            mode: r.try_get_by_index(2)?,
            created_us: r.try_get_by_index(3)?,
            initialized_us: r.try_get_by_index(4)?,
            terminated_us: r.try_get_by_index(5)?,
            abandoned: r.try_get_by_index(6)?,
        });
    }
    Ok(out)
}

/// One score sent (or to be sent) back to an LMS.
#[derive(Debug, Clone)]
pub struct Passback {
    pub id: i64,
    /// What the target is (its gradebook column or outcome).
    pub label: String,
    pub object_id: String,
    /// `queued`, `delivered`, `failed`… as the dispatcher keeps it.
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub event_us: i64,
}

/// The learner's latest `limit` passback messages.
pub async fn passbacks(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    limit: u64,
) -> Result<Vec<Passback>, Error> {
    let mut sql = Sql::new(
        "SELECT m.id, t.label, t.object_id, m.state, m.attempts, m.last_error, m.event_us \
         FROM registrations r JOIN passback_targets t ON t.registration = r.registration \
         JOIN passback_messages m ON m.target_id = t.id WHERE ",
    );
    sql.bind("r.learner_key = ?", learner_key.to_owned())
        .bind(" ORDER BY m.id DESC LIMIT ?", limit as i64);
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Passback {
            id: r.try_get_by_index(0)?,
            label: r.try_get_by_index(1)?,
            object_id: r.try_get_by_index(2)?,
            state: r.try_get_by_index(3)?,
            attempts: r.try_get_by_index(4)?,
            last_error: r.try_get_by_index(5)?,
            event_us: r.try_get_by_index(6)?,
        });
    }
    Ok(out)
}
