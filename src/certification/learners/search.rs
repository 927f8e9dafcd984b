//! Finding learners for people (the console's learner list, its CSV and its counts):
//! a population (whose learners the reader may see), a search and filters, in
//! `learner_key` order with keyset paging. Reads the registry, awards and the progress
//! projection, never statements.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend};

use crate::error::Error;
use crate::sql::Sql;
use entities::cert_learner;

/// Whose learners a query may return (the console's team, in domain terms).
#[derive(Debug, Clone, PartialEq)]
pub enum Population {
    Everyone,
    /// Learners whose `org_unit` attribute holds one of these.
    OrgUnits(Vec<String>),
    /// These learner keys (an LTI course's roster).
    Keys(Vec<String>),
    Nobody,
}

/// How far a learner is in one course (its registrations' course standing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseStanding {
    /// The course is satisfied (every AU met its moveOn): completed.
    Satisfied,
    /// Registered, not satisfied yet.
    InProgress,
    /// No registration for the course.
    NotStarted,
}

impl CourseStanding {
    pub fn parse(text: &str) -> Option<CourseStanding> {
        match text {
            "satisfied" => Some(CourseStanding::Satisfied),
            "in_progress" => Some(CourseStanding::InProgress),
            "not_started" => Some(CourseStanding::NotStarted),
            _ => None,
        }
    }
}

/// What a list is narrowed to; `None` fields do not narrow.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Words, each the start of a word of the name, of the email (its local part, its
    /// domain) or of the learner key or account name, in any case (`cert_learner_term`).
    pub q: Option<String>,
    /// A value of the `audience` attribute.
    pub audience: Option<String>,
    /// A belt id held (an active award).
    pub belt: Option<String>,
    /// A course id, with how far the learner must be in it.
    pub course: Option<(String, CourseStanding)>,
    /// Exactly this learner (whether one learner is in the population).
    pub key: Option<String>,
}

/// Up to `limit` learners after the key `after`, in key order.
pub async fn page(
    conn: &impl ConnectionTrait,
    population: &Population,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<cert_learner::Model>, Error> {
    if *population == Population::Nobody {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(
        "SELECT l.learner_key, l.actor, l.name, l.email, l.attributes, l.created_us, \
         l.updated_us FROM cert_learners l WHERE 1 = 1",
    );
    narrow(&mut sql, backend, population, filter);
    if let Some(after) = after {
        sql.bind(" AND l.learner_key > ?", after.to_owned());
    }
    sql.bind(" ORDER BY l.learner_key LIMIT ?", limit as i64);
    let rows = conn.query_all_raw(sql.build(backend)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(cert_learner::Model {
            learner_key: row.try_get("", "learner_key")?,
            actor: row.try_get("", "actor")?,
            name: row.try_get("", "name")?,
            email: row.try_get("", "email")?,
            attributes: row.try_get("", "attributes")?,
            created_us: row.try_get("", "created_us")?,
            updated_us: row.try_get("", "updated_us")?,
        });
    }
    Ok(out)
}

/// Whether `key` is a learner of the population.
pub async fn contains(
    conn: &impl ConnectionTrait,
    population: &Population,
    key: &str,
) -> Result<bool, Error> {
    let filter = Filter {
        key: Some(key.to_owned()),
        ..Filter::default()
    };
    Ok(!page(conn, population, &filter, None, 1).await?.is_empty())
}

/// How many learners the population has.
pub async fn count(conn: &impl ConnectionTrait, population: &Population) -> Result<u64, Error> {
    if *population == Population::Nobody {
        return Ok(0);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT COUNT(*) FROM cert_learners l WHERE 1 = 1");
    narrow(&mut sql, backend, population, &Filter::default());
    one_number(conn, sql).await
}

/// Active holders per (program id, belt id) among the population.
pub async fn holders(
    conn: &impl ConnectionTrait,
    population: &Population,
) -> Result<BTreeMap<(String, String), u64>, Error> {
    let mut out = BTreeMap::new();
    if *population == Population::Nobody {
        return Ok(out);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(
        "SELECT a.program_id, a.belt_id, COUNT(*) FROM cert_awards a WHERE a.status = 'active'",
    );
    within(&mut sql, backend, population, "a.learner_key");
    sql.push(" GROUP BY a.program_id, a.belt_id");
    for row in conn.query_all_raw(sql.build(backend)).await? {
        let n: i64 = row.try_get_by_index(2)?;
        out.insert(
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?),
            u64::try_from(n).unwrap_or(0),
        );
    }
    Ok(out)
}

/// Awards earned since `since_us` (still active or not) among the population.
pub async fn awards_since(
    conn: &impl ConnectionTrait,
    population: &Population,
    since_us: i64,
) -> Result<u64, Error> {
    if *population == Population::Nobody {
        return Ok(0);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT COUNT(*) FROM cert_awards a WHERE ");
    sql.bind("a.earned_us >= ?", since_us);
    within(&mut sql, backend, population, "a.learner_key");
    one_number(conn, sql).await
}

/// Evidence waiting for a decision among the population.
pub async fn evidence_pending(
    conn: &impl ConnectionTrait,
    population: &Population,
) -> Result<u64, Error> {
    if *population == Population::Nobody {
        return Ok(0);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT COUNT(*) FROM cert_evidence e WHERE e.status = 'pending'");
    within(&mut sql, backend, population, "e.learner_key");
    one_number(conn, sql).await
}

/// Passback messages that failed for good, for the population's registrations.
pub async fn passback_failed(
    conn: &impl ConnectionTrait,
    population: &Population,
) -> Result<u64, Error> {
    if *population == Population::Nobody {
        return Ok(0);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT COUNT(*) FROM passback_messages m WHERE m.state = 'failed'");
    if *population != Population::Everyone {
        sql.push(
            " AND EXISTS (SELECT 1 FROM passback_targets t JOIN registrations r \
             ON r.registration = t.registration WHERE t.id = m.target_id",
        );
        within(&mut sql, backend, population, "r.learner_key");
        sql.push(")");
    }
    one_number(conn, sql).await
}

async fn one_number(conn: &impl ConnectionTrait, sql: Sql) -> Result<u64, Error> {
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Adds ` AND <column> is a learner of the population` (nothing for everyone).
fn within(sql: &mut Sql, backend: DbBackend, population: &Population, column: &str) {
    match population {
        Population::Everyone => {}
        Population::Nobody => {
            sql.push(" AND 1 = 0");
        }
        Population::Keys(keys) => {
            if keys.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                sql.push(&format!(" AND {column} IN "))
                    .bind_list(keys.iter().cloned());
            }
        }
        Population::OrgUnits(_) => {
            sql.push(&format!(
                " AND EXISTS (SELECT 1 FROM cert_learners l WHERE l.learner_key = {column}"
            ));
            narrow(sql, backend, population, &Filter::default());
            sql.push(")");
        }
    }
}

/// The WHERE conditions on `cert_learners l` of a population and a filter.
fn narrow(sql: &mut Sql, backend: DbBackend, population: &Population, filter: &Filter) {
    match population {
        Population::Everyone => {}
        Population::Nobody => {
            sql.push(" AND 1 = 0");
        }
        Population::Keys(_) => within(sql, backend, population, "l.learner_key"),
        Population::OrgUnits(units) => {
            sql.push(" AND (1 = 0");
            for unit in units {
                sql.push(" OR ");
                has_attribute(sql, backend, "org_unit", unit);
            }
            sql.push(")");
        }
    }
    if let Some(key) = &filter.key {
        sql.bind(" AND l.learner_key = ?", key.clone());
    }
    if let Some(q) = &filter.q {
        for word in q.to_lowercase().split_whitespace() {
            // A term range (the `(term, learner_key)` key) and LIKE for the exact rule:
            // the range may hold more under a collation that does not compare by code
            // point; the index reads only the range.
            let pattern = format!("{}%", like_escape(word));
            sql.bind(
                " AND l.learner_key IN (SELECT t.learner_key FROM cert_learner_terms t \
                 WHERE t.term >= ?",
                word.to_owned(),
            )
            .bind(" AND t.term < ?", format!("{word}{}", char::MAX))
            .bind(" AND t.term LIKE ? ESCAPE '\\')", pattern);
        }
    }
    if let Some(audience) = &filter.audience {
        sql.push(" AND ");
        has_attribute(sql, backend, "audience", audience);
    }
    if let Some(belt) = &filter.belt {
        sql.bind(
            " AND EXISTS (SELECT 1 FROM cert_awards a WHERE a.learner_key = l.learner_key \
             AND a.belt_id = ? AND a.status = 'active')",
            belt.clone(),
        );
    }
    if let Some((course, standing)) = &filter.course {
        let registered = "EXISTS (SELECT 1 FROM registrations r WHERE \
             r.learner_key = l.learner_key AND r.course_id = ?)";
        let satisfied = "EXISTS (SELECT 1 FROM registrations r JOIN progress p ON \
             p.registration = r.registration AND p.object_id = r.course_id WHERE \
             r.learner_key = l.learner_key AND r.course_id = ?";
        match standing {
            CourseStanding::NotStarted => {
                sql.bind(&format!(" AND NOT {registered}"), course.clone());
            }
            CourseStanding::Satisfied => {
                sql.bind(&format!(" AND {satisfied}"), course.clone())
                    .bind(" AND p.satisfied = ?)", true);
            }
            CourseStanding::InProgress => {
                sql.bind(&format!(" AND {registered}"), course.clone())
                    .bind(&format!(" AND NOT {satisfied}"), course.clone())
                    .bind(" AND p.satisfied = ?)", true);
            }
        }
    }
}

/// `l.attributes.<name>` is `value` or an array holding it.
fn has_attribute(sql: &mut Sql, backend: DbBackend, name: &str, value: &str) {
    // `name` is one of the fixed attribute names, never user input.
    match backend {
        DbBackend::Postgres => {
            sql.bind(
                &format!("(l.attributes -> '{name}') @> to_jsonb(CAST(? AS text))"),
                value.to_owned(),
            );
        }
        _ => {
            sql.bind(
                &format!(
                    "EXISTS (SELECT 1 FROM json_each(l.attributes, '$.{name}') j \
                     WHERE j.value = ?)"
                ),
                value.to_owned(),
            );
        }
    }
}

/// `text` with LIKE's wildcards taken literally (escape character `\`).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Active belt ids of each learner.
pub async fn active_belts(
    conn: &impl ConnectionTrait,
    keys: &[String],
) -> Result<BTreeMap<String, Vec<String>>, Error> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(
        "SELECT learner_key, belt_id FROM cert_awards WHERE status = 'active' AND learner_key IN ",
    );
    sql.bind_list(keys.iter().cloned())
        .push(" ORDER BY learner_key, earned_us");
    for row in conn.query_all_raw(sql.build(backend)).await? {
        out.entry(row.try_get_by_index(0)?)
            .or_default()
            .push(row.try_get_by_index(1)?);
    }
    Ok(out)
}

/// Courses registered and courses satisfied, per learner.
pub async fn course_counts(
    conn: &impl ConnectionTrait,
    keys: &[String],
) -> Result<BTreeMap<String, (u64, u64)>, Error> {
    let mut out = BTreeMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let backend = conn.get_database_backend();
    let mut sql = counts_query(keys);
    sql.push(" GROUP BY r.learner_key");
    for row in conn.query_all_raw(sql.build(backend)).await? {
        let started: i64 = row.try_get_by_index(1)?;
        let done: Option<i64> = row.try_get_by_index(2)?;
        out.insert(
            row.try_get_by_index::<String>(0)?,
            (
                u64::try_from(started).unwrap_or(0),
                u64::try_from(done.unwrap_or(0)).unwrap_or(0),
            ),
        );
    }
    Ok(out)
}

fn counts_query(keys: &[String]) -> Sql {
    let mut sql = Sql::new("SELECT r.learner_key, COUNT(*), SUM(CASE WHEN p.satisfied = ");
    sql.bind("?", true).push(
        " THEN 1 ELSE 0 END) FROM registrations r LEFT JOIN progress p ON \
         p.registration = r.registration AND p.object_id = r.course_id \
         WHERE r.learner_key IN ",
    );
    sql.bind_list(keys.iter().cloned());
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn course_standings_parse_from_their_names() {
        assert_eq!(
            CourseStanding::parse("not_started"),
            Some(CourseStanding::NotStarted)
        );
        assert_eq!(CourseStanding::parse("done"), None);
    }
}
