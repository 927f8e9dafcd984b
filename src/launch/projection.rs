//! Progress per registration and AU, block and course, derived from statements in the
//! same transaction that stores them, and the `satisfied` statements the LMS owes
//! when moveOn criteria are met (cmi5 §9.3.9, §13.1.4 moveOn).

use std::collections::{BTreeMap, HashMap};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::system::{self, activity, lms_statement};
use super::{ids, vocab};
use crate::error::Error;
use crate::packages::manifest::{Au, Course, MoveOn, Node};
use crate::sql::Sql;
use crate::xapi::statements::prepare::PreparedStatement;

/// One progress row as kept in memory while a batch is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    pub kind: String,
    pub attempted: bool,
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub satisfied: bool,
    pub score: Option<f64>,
    pub progress: Option<i32>,
}

/// `result.score.{raw,max}` of the statement that set a standing's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreDetail {
    pub raw: f64,
    pub max: f64,
}

/// A standing that one commit changed: what the passback outbox reports to the LMS.
#[derive(Debug, Clone, PartialEq)]
pub struct StandingChange {
    pub registration: String,
    /// The publisher id of the AU, block or course.
    pub object_id: String,
    /// `au`, `block` or `course`.
    pub kind: String,
    pub before: Option<Standing>,
    pub after: Standing,
    /// The commit's `stored` time (server clock), not the statement's `timestamp`.
    pub at: jiff::Timestamp,
    /// Raw and max of the passed or failed statement that set the score in this commit.
    pub detail: Option<ScoreDetail>,
}

/// The changes of standing of one transaction, left in the batch's scratch map by the
/// progress participant for the ones after it (the passback outbox).
#[derive(Debug, Clone, Default)]
pub struct StandingChanges(pub Vec<StandingChange>);

/// A registration as the projection needs it.
pub struct RegistrationRef {
    pub registration: String,
    pub actor: Value,
    pub course: Course,
}

/// Updates progress for every newly stored statement of `batch` that belongs to a known
/// registration, and stores the `satisfied` statements that follow.
pub async fn apply(
    conn: &impl ConnectionTrait,
    batch: &[&PreparedStatement],
    stored: jiff::Timestamp,
    authority: &Value,
) -> Result<Vec<StandingChange>, Error> {
    let mut by_registration: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for statement in batch {
        if let Some(reg) = statement
            .payload
            .pointer("/context/registration")
            .and_then(Value::as_str)
        {
            by_registration
                .entry(reg.to_ascii_lowercase())
                .or_default()
                .push(&statement.payload);
        }
    }
    let mut changes = Vec::new();
    if by_registration.is_empty() {
        return Ok(changes);
    }
    for registration in load_registrations(conn, by_registration.keys()).await? {
        let statements = &by_registration[&registration.registration];
        changes.extend(evaluate(conn, &registration, statements, None, stored, authority).await?);
    }
    Ok(changes)
}

/// Applies `statements` to one registration's progress and issues what is newly
/// satisfied. With no statements it only evaluates moveOn (cmi5 §9.6.1: at
/// registration, `NotApplicable` AUs may already satisfy a block or the course).
///
/// Statements name AUs by the LMS-generated activityId (cmi5 §8.1.5, `ids`); progress
/// rows are kept under the publisher ids of cmi5.xml, which reports show. `session` is
/// the session id for the `satisfied` statements; else the statements' own, else a new
/// one (cmi5 §9.3.9: a unique id for those triggered outside an AU session).
/// Returns every standing that changed, in object id order.
pub async fn evaluate(
    conn: &impl ConnectionTrait,
    reg: &RegistrationRef,
    statements: &[&Value],
    session: Option<&str>,
    stored: jiff::Timestamp,
    authority: &Value,
) -> Result<Vec<StandingChange>, Error> {
    let before = load_progress(conn, &reg.registration).await?;
    let mut now = before.clone();
    let course_id = reg.course.id.as_str();
    let aus: HashMap<String, &Au> = reg
        .course
        .aus()
        .into_iter()
        .map(|a| (ids::au(course_id, &a.id), a))
        .collect();
    let mut session_id = session.map(str::to_owned);
    let mut details: HashMap<String, ScoreDetail> = HashMap::new();
    for statement in statements {
        let Some(activity_id) = statement.pointer("/object/id").and_then(Value::as_str) else {
            continue;
        };
        let Some(au) = aus.get(activity_id) else {
            continue;
        };
        let object_id = au.id.as_str();
        if let Some(id) = statement
            .pointer("/context/extensions")
            .and_then(|e| e.get(vocab::EXT_SESSION_ID))
            .and_then(Value::as_str)
            && session.is_none()
        {
            session_id = Some(id.to_owned());
        }
        let row = now.entry(object_id.to_owned()).or_insert_with(|| Standing {
            kind: "au".into(),
            ..Standing::default()
        });
        if let Some(detail) = record(row, statement) {
            details.insert(object_id.to_owned(), detail);
        }
    }
    let mut satisfied_now = Vec::new();
    roll_up(&reg.course.children, &mut now, &mut satisfied_now);
    let all_aus = aus.len().max(1) as i32;
    let satisfied_aus = aus
        .values()
        .filter(|au| now.get(&au.id).is_some_and(|r| r.satisfied))
        .count() as i32;
    let attempted = aus
        .values()
        .any(|au| now.get(&au.id).is_some_and(|r| r.attempted));
    let course_satisfied = reg.course.children.iter().all(|n| node_satisfied(n, &now));
    let course_row = now
        .entry(reg.course.id.clone())
        .or_insert_with(|| Standing {
            kind: "course".into(),
            ..Standing::default()
        });
    course_row.attempted |= attempted;
    course_row.progress = Some(satisfied_aus * 100 / all_aus);
    if course_satisfied && !course_row.satisfied {
        course_row.satisfied = true;
        course_row.completed = true;
        satisfied_now.push((reg.course.id.clone(), vocab::TYPE_COURSE));
    }
    let stamp = stored.as_microsecond();
    let mut changes = Vec::new();
    for (object_id, row) in &now {
        if before.get(object_id) != Some(row) {
            upsert(conn, &reg.registration, object_id, row, stamp).await?;
            changes.push(StandingChange {
                registration: reg.registration.clone(),
                object_id: object_id.clone(),
                kind: row.kind.clone(),
                before: before.get(object_id).cloned(),
                after: row.clone(),
                at: stored,
                detail: details.get(object_id).copied(),
            });
        }
    }
    let session = session_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let statements: Vec<Value> = satisfied_now
        .into_iter()
        .map(|(publisher_id, ty)| satisfied(reg, &publisher_id, ty, &session))
        .collect();
    system::insert(conn, statements, stored, authority).await?;
    Ok(changes)
}

/// cmi5 §9.3.9 `satisfied` for a block or the course: the object is the LMS-generated
/// id with the block or course activity type (§9.4), the publisher id is the grouping
/// activity (§9.6.2.3).
fn satisfied(reg: &RegistrationRef, publisher_id: &str, ty: &str, session: &str) -> Value {
    let object_id = if ty == vocab::TYPE_COURSE {
        ids::course(&reg.course.id)
    } else {
        ids::block(&reg.course.id, publisher_id)
    };
    let mut statement = lms_statement(
        &reg.actor,
        vocab::SATISFIED,
        activity(&object_id, Some(ty)),
        &reg.registration,
        session,
        vec![],
    );
    statement["context"]["contextActivities"]["grouping"] =
        json!([{"objectType": "Activity", "id": publisher_id}]);
    statement
}

/// Folds one statement about an AU into its standing; returns the raw and max score of
/// a passed or failed statement that set the score.
fn record(row: &mut Standing, statement: &Value) -> Option<ScoreDetail> {
    let verb = statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let scaled = statement
        .pointer("/result/score/scaled")
        .and_then(Value::as_f64);
    let detail = || {
        Some(ScoreDetail {
            raw: statement.pointer("/result/score/raw")?.as_f64()?,
            max: statement.pointer("/result/score/max")?.as_f64()?,
        })
    };
    let mut set = None;
    match verb {
        vocab::INITIALIZED | vocab::LAUNCHED => row.attempted = true,
        vocab::PROGRESSED => {
            row.attempted = true;
            if let Some(p) = statement
                .pointer("/result/extensions")
                .and_then(|e| e.get(vocab::RESULT_EXT_PROGRESS))
                .and_then(Value::as_i64)
            {
                let p = p.clamp(0, 100) as i32;
                row.progress = Some(row.progress.map_or(p, |old| old.max(p)));
            }
        }
        vocab::COMPLETED => {
            row.attempted = true;
            row.completed = true;
            row.progress = Some(100);
        }
        vocab::PASSED => {
            row.attempted = true;
            row.passed = true;
            row.failed = false;
            if scaled.is_some() {
                row.score = scaled;
                set = detail();
            }
        }
        vocab::FAILED if !row.passed => {
            row.attempted = true;
            row.failed = true;
            if scaled.is_some() {
                row.score = scaled;
                set = detail();
            }
        }
        vocab::WAIVED => row.satisfied = true,
        _ => {}
    }
    set
}

/// The moveOn rule of cmi5 §13.1.4.
fn meets_move_on(move_on: MoveOn, row: Option<&Standing>) -> bool {
    let (completed, passed) = row.map_or((false, false), |r| (r.completed, r.passed));
    match move_on {
        MoveOn::NotApplicable => true,
        MoveOn::Completed => completed,
        MoveOn::Passed => passed,
        MoveOn::CompletedAndPassed => completed && passed,
        MoveOn::CompletedOrPassed => completed || passed,
    }
}

fn node_satisfied(node: &Node, now: &BTreeMap<String, Standing>) -> bool {
    match node {
        Node::Au(au) => {
            now.get(&au.id).is_some_and(|r| r.satisfied) || au.move_on == MoveOn::NotApplicable
        }
        Node::Block(block) => now.get(&block.id).is_some_and(|r| r.satisfied),
    }
}

/// Marks AUs and blocks whose criteria are now met, depth first, collecting the blocks
/// that became satisfied in this batch (inner blocks first). cmi5 has no `satisfied`
/// statement for an AU (§9.3.9: blocks and courses), so AUs are only marked.
fn roll_up(
    nodes: &[Node],
    now: &mut BTreeMap<String, Standing>,
    out: &mut Vec<(String, &'static str)>,
) {
    for node in nodes {
        match node {
            Node::Au(au) => {
                let meets = meets_move_on(au.move_on, now.get(&au.id));
                let row = now.entry(au.id.clone()).or_insert_with(|| Standing {
                    kind: "au".into(),
                    ..Standing::default()
                });
                if meets && !row.satisfied && (row.attempted || au.move_on != MoveOn::NotApplicable)
                {
                    row.satisfied = true;
                }
            }
            Node::Block(block) => {
                roll_up(&block.children, now, out);
                let all = block.children.iter().all(|n| node_satisfied(n, now));
                let row = now.entry(block.id.clone()).or_insert_with(|| Standing {
                    kind: "block".into(),
                    ..Standing::default()
                });
                if all && !row.satisfied {
                    row.satisfied = true;
                    row.completed = true;
                    out.push((block.id.clone(), vocab::TYPE_BLOCK));
                }
            }
        }
    }
}

async fn load_registrations<'a>(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = &'a String>,
) -> Result<Vec<RegistrationRef>, Error> {
    let mut sql = Sql::new(
        "SELECT r.registration, r.actor, p.structure FROM registrations r \
         JOIN packages p ON p.seq = r.package_seq WHERE r.registration IN ",
    );
    sql.bind_list(ids.cloned());
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter()
        .map(|row| {
            let structure: Value = row.try_get("", "structure")?;
            let course: Course = serde_json::from_value(structure)
                .map_err(|e| Error::Internal(format!("stored course structure: {e}")))?;
            Ok(RegistrationRef {
                registration: row.try_get("", "registration")?,
                actor: row.try_get("", "actor")?,
                course,
            })
        })
        .collect()
}

/// Every progress row of a registration, by object id.
pub async fn load_progress(
    conn: &impl ConnectionTrait,
    registration: &str,
) -> Result<BTreeMap<String, Standing>, Error> {
    let mut sql = Sql::new(
        "SELECT object_id, kind, attempted, completed, passed, failed, satisfied, score, \
         progress_percent FROM progress",
    );
    sql.bind(" WHERE registration = ?", registration.to_owned());
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        out.insert(
            row.try_get::<String>("", "object_id")?,
            Standing {
                kind: row.try_get("", "kind")?,
                attempted: row.try_get("", "attempted")?,
                completed: row.try_get("", "completed")?,
                passed: row.try_get("", "passed")?,
                failed: row.try_get("", "failed")?,
                satisfied: row.try_get("", "satisfied")?,
                score: row.try_get("", "score")?,
                progress: row.try_get("", "progress_percent")?,
            },
        );
    }
    Ok(out)
}

async fn upsert(
    conn: &impl ConnectionTrait,
    registration: &str,
    object_id: &str,
    row: &Standing,
    updated_us: i64,
) -> Result<(), Error> {
    let mut sql = Sql::new(
        "INSERT INTO progress (registration, object_id, kind, attempted, completed, passed, \
         failed, satisfied, score, progress_percent, updated_us) VALUES (",
    );
    sql.bind("?", registration.to_owned())
        .bind(", ?", object_id.to_owned())
        .bind(", ?", row.kind.clone())
        .bind(", ?", row.attempted)
        .bind(", ?", row.completed)
        .bind(", ?", row.passed)
        .bind(", ?", row.failed)
        .bind(", ?", row.satisfied)
        .bind(", ?", row.score)
        .bind(", ?", row.progress)
        .bind(", ?)", updated_us)
        .push(
            " ON CONFLICT (registration, object_id) DO UPDATE SET attempted = excluded.attempted, \
             completed = excluded.completed, passed = excluded.passed, failed = excluded.failed, \
             satisfied = excluded.satisfied, score = excluded.score, \
             progress_percent = excluded.progress_percent, updated_us = excluded.updated_us",
        );
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// The status word reports show for a standing.
pub fn status(row: Option<&Standing>) -> &'static str {
    match row {
        None => "not_started",
        Some(r) if r.satisfied => "satisfied",
        Some(r) if r.passed => "passed",
        Some(r) if r.failed => "failed",
        Some(r) if r.completed => "completed",
        Some(r) if r.attempted || r.progress.is_some() => "in_progress",
        Some(_) => "not_started",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_on_rules() {
        let done = Standing {
            completed: true,
            ..Standing::default()
        };
        let passed = Standing {
            passed: true,
            ..Standing::default()
        };
        assert!(meets_move_on(MoveOn::Completed, Some(&done)));
        assert!(!meets_move_on(MoveOn::CompletedAndPassed, Some(&done)));
        assert!(meets_move_on(MoveOn::CompletedOrPassed, Some(&passed)));
        assert!(!meets_move_on(MoveOn::Passed, None));
        assert!(meets_move_on(MoveOn::NotApplicable, None));
    }

    #[test]
    fn statements_fold_into_standing() {
        let mut row = Standing::default();
        record(
            &mut row,
            &json!({"verb": {"id": vocab::PROGRESSED},
            "result": {"extensions": {vocab::RESULT_EXT_PROGRESS: 40}}}),
        );
        record(
            &mut row,
            &json!({"verb": {"id": vocab::PROGRESSED},
            "result": {"extensions": {vocab::RESULT_EXT_PROGRESS: 20}}}),
        );
        assert_eq!(row.progress, Some(40));
        record(
            &mut row,
            &json!({"verb": {"id": vocab::FAILED}, "result": {"score": {"scaled": 0.5}}}),
        );
        assert!(row.failed);
        record(
            &mut row,
            &json!({"verb": {"id": vocab::PASSED}, "result": {"score": {"scaled": 0.9}}}),
        );
        record(
            &mut row,
            &json!({"verb": {"id": vocab::FAILED}, "result": {"score": {"scaled": 0.1}}}),
        );
        assert!(row.passed && !row.failed);
        assert_eq!(row.score, Some(0.9));
        assert_eq!(status(Some(&row)), "passed");
        assert_eq!(status(None), "not_started");
    }

    fn au(id: &str, move_on: MoveOn) -> Node {
        Node::Au(Au {
            id: id.into(),
            title: Default::default(),
            description: Default::default(),
            url: "a.html".into(),
            launch_method: Default::default(),
            move_on,
            mastery_score: None,
            launch_parameters: None,
            entitlement_key: None,
            activity_type: None,
        })
    }

    #[test]
    fn blocks_are_satisfied_when_all_their_aus_are() {
        let structure = vec![Node::Block(crate::packages::manifest::Block {
            id: "https://x.example/block".into(),
            title: Default::default(),
            description: Default::default(),
            children: vec![
                au("https://x.example/a", MoveOn::Completed),
                au("https://x.example/b", MoveOn::NotApplicable),
            ],
        })];
        let mut now = BTreeMap::new();
        let mut out = Vec::new();
        roll_up(&structure, &mut now, &mut out);
        assert!(out.is_empty(), "nothing done yet: {out:?}");
        now.insert(
            "https://x.example/a".into(),
            Standing {
                kind: "au".into(),
                attempted: true,
                completed: true,
                ..Standing::default()
            },
        );
        roll_up(&structure, &mut now, &mut out);
        let ids: Vec<&str> = out.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            ["https://x.example/block"],
            "blocks only (cmi5 §9.3.9)"
        );
        assert_eq!(out[0].1, vocab::TYPE_BLOCK);
        assert!(now["https://x.example/a"].satisfied);
        out.clear();
        roll_up(&structure, &mut now, &mut out);
        assert!(out.is_empty(), "satisfied is issued once");
    }
}
