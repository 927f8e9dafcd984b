//! The fetch URL (cmi5 §8.2): one POST returns the auth token; every later call, and
//! any call with a wrong code, returns cmi5's error JSON (still HTTP 200, as §8.2.1
//! requires).

use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use super::token;
use crate::auth::secret;
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;
use entities::launch_session;

fn fetch_error(code: &str, text: &str) -> Value {
    json!({"error-code": code, "error-text": text})
}

pub async fn fetch_token(db: &Db, session_id: &str, code: &str) -> Result<Value, Error> {
    let Ok(session_id) = uuid::Uuid::try_parse(session_id).map(|u| u.to_string()) else {
        return Ok(fetch_error("2", "unknown launch session"));
    };
    let _gate = db.write_gate().await;
    let conn = db.writer();
    let Some(session) = launch_session::Entity::find_by_id(session_id.clone())
        .one(conn)
        .await?
    else {
        return Ok(fetch_error("2", "unknown launch session"));
    };
    if !secret::verify(&session.salt, &session.fetch_hash, code) {
        return Ok(fetch_error(
            "2",
            "the fetch code is not valid for this session",
        ));
    }
    let now = jiff::Timestamp::now().as_microsecond();
    if session.token_hash.is_some() {
        return Ok(fetch_error(
            "1",
            "The authorization token has already been returned.",
        ));
    }
    if session.abandoned || session.terminated_us.is_some() || now >= session.expires_us {
        return Ok(fetch_error(
            "1",
            "this launch session has ended or expired; launch again",
        ));
    }
    let minted = token::mint(&session.salt);
    // The `token_hash IS NULL` condition makes the URL single-use even when two
    // requests race on different instances.
    let mut sql = Sql::new("UPDATE launch_sessions SET ");
    sql.bind("token_hash = ?", minted.hash)
        .bind(" WHERE session_id = ?", session_id.clone())
        .push(" AND token_hash IS NULL");
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    if done.rows_affected() != 1 {
        return Ok(fetch_error(
            "1",
            "The authorization token has already been returned.",
        ));
    }
    Ok(json!({"auth-token": token::auth_token(&session_id, &minted.secret)}))
}
