//! cmi5 rules for statements an AU sends with its launch token (cmi5 §6.3, §9.3,
//! §10.2.2). Checked inside the write transaction, against the session and the
//! registration as committed, so two racing requests cannot both pass a "once" rule.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::Value;

use super::grant::{LaunchGrant, LaunchMode};
use super::{shape, vocab};
use crate::error::Error;
use crate::sql::Sql;
use crate::xapi::statements::index::agent_key;
use crate::xapi::statements::prepare::PreparedStatement;

/// What the session and registration have seen so far.
#[derive(Debug, Default, Clone)]
struct SessionSoFar {
    initialized: bool,
    terminated_us: Option<i64>,
    abandoned: bool,
    prefs_read: bool,
    verbs: Vec<String>,
    completed: bool,
    passed: bool,
}

/// Refuses the whole batch at the first statement that breaks a rule; on success,
/// records in the session what the batch used.
pub async fn check(
    conn: &impl ConnectionTrait,
    grant: &LaunchGrant,
    batch: &[PreparedStatement],
    grace_us: i64,
) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    // What the token may write follows from the statements alone and is settled before
    // any id is looked up: a statement it may not make gets 403 whether its id is taken
    // or free, so the answer tells nothing about other learners' statements.
    for (i, statement) in batch.iter().enumerate() {
        check_identity(grant, &statement.payload)
            .map_err(|rule| forbidden(&format!("statement {i} ({}): {rule}", statement.id)))?;
    }
    let already = existing_ids(conn, batch).await?;
    let mut state = load(conn, grant).await?;
    let now = jiff::Timestamp::now().as_microsecond();
    if state.abandoned {
        return Err(refused(
            "this launch session was abandoned; relaunch the module",
        ));
    }
    if !state.prefs_read {
        return Err(refused(
            "the AU must read its learner's `cmi5LearnerPreferences` Agent Profile document on startup, before sending statements (cmi5 §11)",
        ));
    }
    for (i, statement) in batch.iter().enumerate() {
        let at = |rule: &str| format!("statement {i} ({}): {rule}", statement.id);
        // cmi5 §9.3: `terminated` is the last statement of a session, so nothing after
        // it is accepted, not even a resend of something stored before it.
        if let Some(terminated) = state.terminated_us
            && now > terminated + grace_us
        {
            return Err(refused(&at(
                "the session has terminated; statements are no longer accepted for it (cmi5 §9.3.8)",
            )));
        }
        if already.contains(&statement.id) {
            continue; // a resend of a stored statement: the store answers it as before
        }
        let sent = shape::Sent {
            payload: &statement.payload,
            id_given: statement.id_given,
            timestamp_given: statement.timestamp_given,
            defined: is_defined(&statement.payload),
        };
        shape::check(grant, &sent).map_err(|rule| refused(&at(&rule)))?;
        check_order(grant, &statement.payload, &mut state).map_err(|rule| refused(&at(&rule)))?;
    }
    save(conn, grant, &state, now).await
}

fn forbidden(message: &str) -> Error {
    Error::ForbiddenBecause(message.to_owned())
}

/// cmi5 §4.2 (requirement 4.2.0.0-2 of the LMS test suite): the LMS refuses a statement
/// that breaks a cmi5 rule with 403 Forbidden, not 400 — the statement may be valid xAPI.
fn refused(message: &str) -> Error {
    Error::ForbiddenBecause(format!("cmi5: {message}"))
}

/// The token speaks for one learner in one registration, and may not void.
fn check_identity(grant: &LaunchGrant, statement: &Value) -> Result<(), String> {
    if statement.get("actor").and_then(agent_key).as_deref() != Some(grant.actor_key.as_str()) {
        return Err("the actor must be the launched learner (the `actor` launch parameter)".into());
    }
    let registration = statement
        .pointer("/context/registration")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    if registration.as_deref() != Some(grant.registration.as_str()) {
        return Err(
            "context.registration must be the launch's registration (the `registration` launch parameter)"
                .into(),
        );
    }
    if verb(statement) == vocab::VOIDED {
        return Err("a launched AU may not void statements (cmi5 §6.3)".into());
    }
    Ok(())
}

fn verb(statement: &Value) -> &str {
    statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// A "cmi5 defined" statement carries the cmi5 category (cmi5 §9.6.2.1).
fn is_defined(statement: &Value) -> bool {
    statement
        .pointer("/context/contextActivities/category")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|a| a.get("id").and_then(Value::as_str) == Some(vocab::CATEGORY_CMI5))
        })
}

fn check_order(
    grant: &LaunchGrant,
    statement: &Value,
    state: &mut SessionSoFar,
) -> Result<(), String> {
    let verb_id = verb(statement);
    if !state.initialized {
        if verb_id != vocab::INITIALIZED {
            return Err(
                "the first statement of a session must be `initialized` (cmi5 §9.3.2)".into(),
            );
        }
        state.initialized = true;
    }
    if state.terminated_us.is_some() && verb_id == vocab::TERMINATED {
        return Err("the session is already terminated (cmi5 §9.3)".into());
    }
    if !is_defined(statement) {
        return Ok(()); // cmi5 allowed statements: only the order rules above apply
    }
    let Some(short) = vocab::short_name(verb_id) else {
        return Err(format!(
            "{verb_id} is not a verb an AU may send in a cmi5 defined statement (cmi5 §9.3)"
        ));
    };
    let object_id = statement.pointer("/object/id").and_then(Value::as_str);
    if object_id != Some(grant.au_id.as_str()) {
        return Err(
            "the object of a cmi5 defined statement must be the AU (`activityId`) (cmi5 §9.4)"
                .into(),
        );
    }
    if state.verbs.iter().any(|v| v == short) {
        return Err(format!(
            "`{short}` was already sent in this session (cmi5 §9.3)"
        ));
    }
    let judged = matches!(short, "passed" | "failed" | "completed");
    if judged && grant.launch_mode != LaunchMode::Normal {
        return Err(format!(
            "`{short}` may not be sent in {} mode (cmi5 §10.2.2)",
            grant.launch_mode.name()
        ));
    }
    let scaled = statement
        .pointer("/result/score/scaled")
        .and_then(Value::as_f64);
    match short {
        "completed" if state.completed => {
            return Err("`completed` was already sent in this registration (cmi5 §9.3.3)".into());
        }
        "passed" if state.passed => {
            return Err("`passed` was already sent in this registration (cmi5 §9.3.4)".into());
        }
        "failed" if state.passed => {
            return Err("`failed` may not follow `passed` in a registration (cmi5 §9.3.5)".into());
        }
        "passed" | "failed" if state.verbs.iter().any(|v| v == "passed" || v == "failed") => {
            return Err(
                "only one of `passed` and `failed` may be sent in a session (cmi5 §9.3)".into(),
            );
        }
        _ => {}
    }
    if let (Some(mastery), Some(scaled)) = (grant.mastery_score, scaled) {
        if short == "passed" && scaled < mastery {
            return Err(format!(
                "`passed` with score.scaled {scaled} is below the mastery score {mastery} (cmi5 §9.3.4)"
            ));
        }
        if short == "failed" && scaled >= mastery {
            return Err(format!(
                "`failed` with score.scaled {scaled} reaches the mastery score {mastery} (cmi5 §9.3.5)"
            ));
        }
    }
    match short {
        "completed" => state.completed = true,
        "passed" => state.passed = true,
        "terminated" => state.terminated_us = Some(jiff::Timestamp::now().as_microsecond()),
        _ => {}
    }
    state.verbs.push(short.to_owned());
    Ok(())
}

async fn existing_ids(
    conn: &impl ConnectionTrait,
    batch: &[PreparedStatement],
) -> Result<HashSet<String>, Error> {
    let mut sql = Sql::new("SELECT id FROM statements WHERE id IN ");
    sql.bind_list(batch.iter().map(|s| s.id.clone()));
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter()
        .map(|row| row.try_get::<String>("", "id").map_err(Error::from))
        .collect()
}

async fn load(conn: &impl ConnectionTrait, grant: &LaunchGrant) -> Result<SessionSoFar, Error> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(
        "SELECT initialized_us, terminated_us, abandoned, defined_verbs, prefs_read_us \
         FROM launch_sessions",
    );
    sql.bind(" WHERE session_id = ?", grant.session_id.clone());
    if backend == DbBackend::Postgres {
        sql.push(" FOR UPDATE"); // SQLite writes are serialised already
    }
    let row = conn
        .query_one_raw(sql.build(backend))
        .await?
        .ok_or_else(super::token::dead_token)?;
    let verbs: String = row.try_get("", "defined_verbs")?;
    let mut state = SessionSoFar {
        initialized: row.try_get::<Option<i64>>("", "initialized_us")?.is_some(),
        terminated_us: row.try_get("", "terminated_us")?,
        abandoned: row.try_get("", "abandoned")?,
        prefs_read: row.try_get::<Option<i64>>("", "prefs_read_us")?.is_some(),
        verbs: verbs
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
        ..SessionSoFar::default()
    };
    let mut sql = Sql::new("SELECT completed, passed FROM progress");
    sql.bind(" WHERE registration = ?", grant.registration.clone())
        .bind(" AND object_id = ?", grant.publisher_au_id.clone());
    if let Some(row) = conn.query_one_raw(sql.build(backend)).await? {
        state.completed = row.try_get("", "completed")?;
        state.passed = row.try_get("", "passed")?;
    }
    Ok(state)
}

async fn save(
    conn: &impl ConnectionTrait,
    grant: &LaunchGrant,
    state: &SessionSoFar,
    now: i64,
) -> Result<(), Error> {
    let mut sql = Sql::new("UPDATE launch_sessions SET ");
    sql.bind("defined_verbs = ?", state.verbs.join(","))
        .bind(", terminated_us = ?", state.terminated_us);
    if state.initialized {
        sql.bind(", initialized_us = COALESCE(initialized_us, ?)", now);
    }
    sql.bind(" WHERE session_id = ?", grant.session_id.clone());
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(mode: LaunchMode) -> LaunchGrant {
        let actor = json!({"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "u1"}});
        LaunchGrant {
            session_id: "s".into(),
            registration: "6e0a0d8c-3c7e-4d43-9a0d-1a7c2c1f0b11".into(),
            au_id: "https://x.example/au".into(),
            publisher_au_id: "https://x.example/publisher/au".into(),
            actor_key: agent_key(&actor).unwrap(),
            actor,
            launch_mode: mode,
            mastery_score: Some(0.8),
        }
    }

    fn statement(g: &LaunchGrant, verb: &str, defined: bool, scaled: Option<f64>) -> Value {
        let mut s = json!({
            "actor": g.actor, "verb": {"id": verb},
            "object": {"id": g.au_id},
            "context": {"registration": g.registration, "contextActivities": {}},
        });
        if defined {
            s["context"]["contextActivities"]["category"] = json!([{"id": vocab::CATEGORY_CMI5}]);
        }
        if let Some(scaled) = scaled {
            s["result"] = json!({"score": {"scaled": scaled}});
        }
        s
    }

    #[test]
    fn identity_rules() {
        let g = grant(LaunchMode::Normal);
        let mut s = statement(&g, vocab::INITIALIZED, true, None);
        assert!(check_identity(&g, &s).is_ok());
        s["actor"]["account"]["name"] = json!("someone-else");
        assert!(check_identity(&g, &s).unwrap_err().contains("actor"));
        let mut s = statement(&g, vocab::INITIALIZED, true, None);
        s["context"]["registration"] = json!("00000000-0000-4000-8000-000000000000");
        assert!(check_identity(&g, &s).unwrap_err().contains("registration"));
        let s = statement(&g, vocab::VOIDED, false, None);
        assert!(check_identity(&g, &s).unwrap_err().contains("void"));
    }

    #[test]
    fn order_rules() {
        let g = grant(LaunchMode::Normal);
        let mut st = SessionSoFar::default();
        let err =
            check_order(&g, &statement(&g, vocab::COMPLETED, true, None), &mut st).unwrap_err();
        assert!(err.contains("initialized"), "{err}");
        check_order(&g, &statement(&g, vocab::INITIALIZED, true, None), &mut st).unwrap();
        let err =
            check_order(&g, &statement(&g, vocab::INITIALIZED, true, None), &mut st).unwrap_err();
        assert!(err.contains("already"), "{err}");
        let err =
            check_order(&g, &statement(&g, vocab::PASSED, true, Some(0.5)), &mut st).unwrap_err();
        assert!(err.contains("mastery"), "{err}");
        let err =
            check_order(&g, &statement(&g, vocab::FAILED, true, Some(0.9)), &mut st).unwrap_err();
        assert!(err.contains("mastery"), "{err}");
        check_order(&g, &statement(&g, vocab::PASSED, true, Some(0.9)), &mut st).unwrap();
        let err =
            check_order(&g, &statement(&g, vocab::FAILED, true, Some(0.1)), &mut st).unwrap_err();
        assert!(err.contains("passed"), "{err}");
        check_order(&g, &statement(&g, vocab::COMPLETED, true, None), &mut st).unwrap();
        let err =
            check_order(&g, &statement(&g, vocab::COMPLETED, true, None), &mut st).unwrap_err();
        assert!(err.contains("already"), "{err}");
        check_order(
            &g,
            &statement(&g, "http://adlnet.gov/expapi/verbs/answered", false, None),
            &mut st,
        )
        .unwrap();
        check_order(&g, &statement(&g, vocab::TERMINATED, true, None), &mut st).unwrap();
        let err =
            check_order(&g, &statement(&g, vocab::TERMINATED, true, None), &mut st).unwrap_err();
        assert!(err.contains("terminated"), "{err}");
    }

    #[test]
    fn browse_mode_refuses_judgements() {
        let g = grant(LaunchMode::Browse);
        let mut st = SessionSoFar::default();
        check_order(&g, &statement(&g, vocab::INITIALIZED, true, None), &mut st).unwrap();
        let err =
            check_order(&g, &statement(&g, vocab::COMPLETED, true, None), &mut st).unwrap_err();
        assert!(err.contains("Browse"), "{err}");
    }
}
