//! The catalog a learner sees: the courses for their audience (or for everyone), each
//! AU with where they stand on it.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::error::Error;
use crate::packages::catalog::entry;
use crate::packages::store::latest_of_each;
use crate::sql::Sql;
use entities::cert_learner;

/// One AU as the learner's home lists it.
#[derive(Debug, Clone)]
pub struct LearnerAu {
    pub au_id: String,
    pub title: String,
    pub description: Option<String>,
    pub state: AuState,
}

/// One course and its AUs.
#[derive(Debug, Clone)]
pub struct LearnerCourse {
    pub course_id: String,
    pub title: String,
    pub description: Option<String>,
    pub aus: Vec<LearnerAu>,
}

/// Where a learner stands on an AU (from the `progress` rows of their registrations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuState {
    NotStarted,
    Started,
    /// Completed or passed, but its move-on criterion is not met yet.
    Attempted,
    /// Its move-on criterion is met (cmi5 satisfied).
    Done,
}

impl AuState {
    pub fn words(self) -> &'static str {
        match self {
            AuState::NotStarted => "Not started",
            AuState::Started => "Started",
            AuState::Attempted => "Taken, not passed yet",
            AuState::Done => "Done",
        }
    }
}

/// The learner's audiences (`audience` attribute); empty when none is known.
pub async fn audiences(
    conn: &impl ConnectionTrait,
    learner_key: &str,
) -> Result<Vec<String>, Error> {
    use sea_orm::EntityTrait;
    let row = cert_learner::Entity::find_by_id(learner_key.to_owned())
        .one(conn)
        .await?;
    Ok(row
        .and_then(|r| r.attributes.get("audience").cloned())
        .and_then(|a| match a {
            Value::Array(list) => Some(
                list.into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Value::String(one) => Some(vec![one]),
            _ => None,
        })
        .unwrap_or_default())
}

/// Audiences that mean "every employee": everyone but a partner belongs to them.
const EVERY_EMPLOYEE: [&str; 2] = ["employees", "all-employees"];

/// Whether something for `wanted` audiences is for this learner: it names none (it is
/// for everyone), or the learner's audience is not known (nothing to filter on), or
/// they share one, or it is for every employee and the learner is not only a partner.
pub fn is_for(wanted: &[String], learner: &[String]) -> bool {
    let employee = learner.iter().any(|a| a != "partners");
    wanted.is_empty()
        || learner.is_empty()
        || wanted
            .iter()
            .any(|w| learner.contains(w) || (employee && EVERY_EMPLOYEE.contains(&w.as_str())))
}

/// Progress of every AU the learner has a row for, by publisher AU id.
async fn states(
    conn: &impl ConnectionTrait,
    learner_key: &str,
) -> Result<HashMap<String, AuState>, Error> {
    let mut sql = Sql::new(
        "SELECT p.object_id, p.attempted, p.completed, p.passed, p.satisfied FROM progress p \
         JOIN registrations r ON r.registration = p.registration WHERE ",
    );
    sql.bind("r.learner_key = ?", learner_key.to_owned())
        .bind(" AND p.kind = ?", "au".to_owned());
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let id: String = row.try_get_by_index(0)?;
        let attempted: bool = row.try_get_by_index(1)?;
        let completed: bool = row.try_get_by_index(2)?;
        let passed: bool = row.try_get_by_index(3)?;
        let satisfied: bool = row.try_get_by_index(4)?;
        let state = if satisfied {
            AuState::Done
        } else if completed || passed {
            AuState::Attempted
        } else if attempted {
            AuState::Started
        } else {
            AuState::NotStarted
        };
        let best = out.entry(id).or_insert(state);
        if (state as u8) > (*best as u8) {
            *best = state;
        }
    }
    Ok(out)
}

/// The courses for `audiences`, in catalog order, with the learner's state per AU.
pub async fn for_learner(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    audiences: &[String],
) -> Result<Vec<LearnerCourse>, Error> {
    let states = states(conn, learner_key).await?;
    let mut out = Vec::new();
    for model in latest_of_each(conn).await? {
        let course = entry(&model, "en").map_err(Error::Internal)?;
        if !is_for(&course.audiences, audiences) {
            continue;
        }
        out.push(LearnerCourse {
            course_id: course.course_id,
            title: course.title,
            description: course.description,
            aus: course
                .aus
                .into_iter()
                .map(|au| LearnerAu {
                    state: states
                        .get(&au.au_id)
                        .copied()
                        .unwrap_or(AuState::NotStarted),
                    au_id: au.au_id,
                    title: au.title,
                    description: au.description,
                })
                .collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn courses_for_everyone_or_the_learners_audience_are_shown() {
        let partners = vec!["partners".to_owned()];
        assert!(is_for(&[], &partners));
        assert!(is_for(&partners, &partners));
        assert!(!is_for(&["employees".into()], &partners));
        assert!(!is_for(&["executives".into()], &partners));
        assert!(is_for(&["executives".into()], &[]));
        let managers = vec!["middle-managers".to_owned()];
        assert!(is_for(&["employees".into()], &managers));
        assert!(is_for(&["all-employees".into()], &managers));
    }
}
