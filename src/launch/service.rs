//! Creating a launch (cmi5 §8, §10): registration, session, LaunchData, `launched`
//! (and `abandoned` for sessions left open), all in one transaction; then the URL.

use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use serde_json::{Value, json};

use super::grant::LaunchMode;
use super::launch_data::{self, LaunchDataInput};
use super::learner::Learner;
use super::projection::{self, RegistrationRef};
use super::resolve::resolve;
use super::settings::LaunchSettings;
use super::system::{self, activity, lms_statement};
use super::{ids, token, vocab};
use crate::db::Db;
use crate::error::Error;
use crate::packages::catalog::{au_url, move_on_name};
use crate::passback;
use crate::roster;
use crate::sql::Sql;
use crate::xapi::clock::WriteClock;
use crate::xapi::statements::index::agent_key;

/// What to launch, for whom.
pub struct NewLaunch {
    pub learner: Learner,
    pub au_id: String,
    pub course_id: Option<String>,
    /// A registration the caller chose: reused when it is this learner's for the
    /// course, created with this id when the learner has none (see `resolve`).
    pub registration: Option<uuid::Uuid>,
    pub return_url: Option<String>,
    pub launch_mode: LaunchMode,
    /// For LTI launches: what the platform sent for grade passback, stored with the
    /// session in the same transaction.
    pub lti: Option<LtiRecord>,
}

/// The LTI side of a launch.
pub struct LtiRecord {
    /// `1.3` or `1.1`.
    pub version: &'static str,
    /// `platform:<id>` or `consumer:<key>`.
    pub source: String,
    /// AGS/NRPS claims (1.3) or outcome service fields (1.1).
    pub services: Value,
}

/// A created launch.
pub struct Launched {
    pub launch_url: String,
    pub registration: String,
    pub session_id: String,
    pub course_id: String,
    pub au_id: String,
    pub package_version: i32,
    pub expires_us: i64,
}

pub async fn launch(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    request: NewLaunch,
) -> Result<Launched, Error> {
    let actor = request.learner.actor()?;
    // LTI launches name the learner by the platform's user id (1.3 `sub`, 1.1 `user_id`).
    let user_id = request.learner.account.name.clone();
    let email = request.learner.email()?;
    let learner_key = agent_key(&actor)
        .ok_or_else(|| Error::Internal("a learner account has no agent key".into()))?;
    if let Some(url) = &request.return_url {
        check_return_url(url)?;
    }
    let _gate = db.write_gate().await;
    let ticket = clock.begin();
    let txn = db.writer().begin().await?;
    let resolved = resolve(
        &txn,
        &request.au_id,
        request.course_id.as_deref(),
        &learner_key,
    )
    .await?;
    if let Some(chosen) = request.registration {
        check_chosen_registration(&txn, &chosen.to_string(), &resolved).await?;
    }
    let now = jiff::Timestamp::now().as_microsecond();
    let (registration, is_new) = match &resolved.registration {
        Some(existing) => (existing.registration.clone(), false),
        None => {
            let id = request
                .registration
                .unwrap_or_else(uuid::Uuid::new_v4)
                .to_string();
            insert_registration(
                &txn,
                &id,
                &learner_key,
                &resolved.package,
                &actor,
                email,
                now,
            )
            .await?;
            (id, true)
        }
    };
    let course_id = resolved.package.course_id.clone();
    if is_new {
        // cmi5 §9.6.1: moveOn is evaluated when the registration is created (a block of
        // `NotApplicable` AUs is satisfied at once), so its `satisfied` statements come
        // before the first `launched`, each under a session id of its own (§9.3.9).
        let reg = RegistrationRef {
            registration: registration.clone(),
            actor: actor.clone(),
            course: resolved.course.clone(),
        };
        projection::evaluate(
            &txn,
            &reg,
            &[],
            None,
            ticket.stored,
            &settings.lms_authority,
        )
        .await?;
    }
    let mut statements =
        abandon_open_sessions(&txn, &registration, &course_id, &actor, now).await?;
    let session_id = uuid::Uuid::new_v4().to_string();
    let salt = token::new_salt();
    let fetch_code = token::mint(&salt);
    let expires_us = now + settings.token_ttl_us;
    let au = &resolved.au;
    // cmi5 §8.1.5: the activityId is the LMS's, not the publisher's (see `ids`).
    let activity_id = ids::au(&course_id, &au.id);
    let mut sql = Sql::new(
        "INSERT INTO launch_sessions (session_id, registration, au_id, launch_mode, mastery_score, \
         move_on, salt, fetch_hash, token_hash, created_us, expires_us, initialized_us, \
         terminated_us, abandoned, defined_verbs, return_url) VALUES (",
    );
    sql.bind("?", session_id.clone())
        .bind(", ?", registration.clone())
        .bind(", ?", au.id.clone())
        .bind(", ?", request.launch_mode.name().to_owned())
        .bind(", ?", au.mastery_score)
        .bind(", ?", move_on_name(au.move_on).to_owned())
        .bind(", ?", salt)
        .bind(", ?", fetch_code.hash)
        .bind(", ?", None::<String>)
        .bind(", ?", now)
        .bind(", ?", expires_us)
        .bind(", ?", None::<i64>)
        .bind(", ?", None::<i64>)
        .bind(", ?", false)
        .bind(", ?", String::new())
        .bind(", ?)", request.return_url.clone());
    txn.execute_raw(sql.build(txn.get_database_backend()))
        .await?;
    launch_data::write(
        &txn,
        &LaunchDataInput {
            au,
            activity_id: &activity_id,
            actor: &actor,
            registration: &registration,
            session_id: &session_id,
            launch_mode: request.launch_mode,
            return_url: request.return_url.as_deref(),
        },
    )
    .await?;
    let page = absolute(settings, &au_url(&resolved.package.slug, &au.url));
    let fetch = format!(
        "{}/api/launches/{session_id}/token?code={}",
        settings.public_url, fetch_code.secret
    );
    let launch_url = with_params(
        &page,
        &[
            ("endpoint", &format!("{}/xapi", settings.public_url)),
            ("fetch", &fetch),
            ("actor", &actor.to_string()),
            ("registration", &registration),
            ("activityId", &activity_id),
        ],
    );
    let mut extensions = vec![
        (vocab::EXT_LAUNCH_MODE, json!(request.launch_mode.name())),
        (vocab::EXT_LAUNCH_URL, json!(page)),
        (vocab::EXT_MOVE_ON, json!(move_on_name(au.move_on))),
    ];
    if let Some(params) = &au.launch_parameters {
        extensions.push((vocab::EXT_LAUNCH_PARAMETERS, json!(params)));
    }
    if let Some(score) = au.mastery_score {
        extensions.push((vocab::EXT_MASTERY_SCORE, json!(score)));
    }
    let mut launched = lms_statement(
        &actor,
        vocab::LAUNCHED,
        activity(&activity_id, None),
        &registration,
        &session_id,
        extensions,
    );
    // cmi5 §9.6.2.3: the publisher id goes in grouping of every statement the LMS makes.
    launched["context"]["contextActivities"]["grouping"] =
        json!([{"objectType": "Activity", "id": au.id}]);
    statements.push(launched);
    system::insert(&txn, statements, ticket.stored, &settings.lms_authority).await?;
    if let Some(lti) = &request.lti {
        let mut sql = Sql::new(
            "INSERT INTO lti_launches (session_id, registration, version, source, services, created_us) VALUES (",
        );
        sql.bind("?", session_id.clone())
            .bind(", ?", registration.clone())
            .bind(", ?", lti.version.to_owned())
            .bind(", ?", lti.source.clone())
            .bind(", ?", lti.services.clone())
            .bind(", ?)", now);
        txn.execute_raw(sql.build(txn.get_database_backend()))
            .await?;
        let title = au.title.best("en").unwrap_or(au.id.as_str()).to_owned();
        passback::launch::launched(
            &txn,
            &passback::launch::LaunchedAu {
                registration: &registration,
                au_id: &au.id,
                au_title: &title,
                version: lti.version,
                source: &lti.source,
                services: &lti.services,
                user_id: &user_id,
                at: ticket.stored,
            },
            settings.passback_max_age,
        )
        .await?;
        roster::launch::launched(
            &txn,
            lti.version,
            &lti.source,
            &lti.services,
            ticket.stored,
            settings.nrps_refresh_min,
        )
        .await?;
    }
    txn.commit().await?;
    drop(ticket);
    Ok(Launched {
        launch_url,
        registration,
        session_id,
        course_id,
        au_id: au.id.clone(),
        package_version: resolved.package.version,
        expires_us,
    })
}

/// A registration the caller named is this learner's for this course, or free.
async fn check_chosen_registration(
    conn: &impl ConnectionTrait,
    chosen: &str,
    resolved: &super::resolve::Resolved,
) -> Result<(), Error> {
    if let Some(existing) = &resolved.registration {
        if existing.registration == chosen {
            return Ok(());
        }
        return Err(Error::RegistrationConflict(format!(
            "registration {chosen:?} is not this learner's registration for course {:?} (theirs is {:?}); omit `registration` or give theirs",
            resolved.package.course_id, existing.registration
        )));
    }
    let taken = entities::registration::Entity::find_by_id(chosen.to_owned())
        .one(conn)
        .await?;
    if taken.is_some() {
        return Err(Error::RegistrationConflict(format!(
            "registration {chosen:?} belongs to another learner or course; omit `registration` or give a new UUID"
        )));
    }
    Ok(())
}

fn check_return_url(url: &str) -> Result<(), Error> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        _ => Err(Error::BadRequest(format!(
            "returnUrl must be an absolute http(s) URL, got {url:?}"
        ))),
    }
}

async fn insert_registration(
    conn: &impl ConnectionTrait,
    id: &str,
    learner_key: &str,
    package: &entities::package::Model,
    actor: &Value,
    email: Option<String>,
    now: i64,
) -> Result<(), Error> {
    let mut sql = Sql::new(
        "INSERT INTO registrations (registration, learner_key, course_key, course_id, \
         package_seq, actor, email, created_us) VALUES (",
    );
    sql.bind("?", id.to_owned())
        .bind(", ?", learner_key.to_owned())
        .bind(", ?", package.course_key.clone())
        .bind(", ?", package.course_id.clone())
        .bind(", ?", package.seq)
        .bind(", ?", actor.clone())
        .bind(", ?", email)
        .bind(", ?)", now);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(
                "another launch for this learner and course is being created; try again".into(),
            ),
            _ => Error::Db(e),
        })?;
    Ok(())
}

/// cmi5 §9.3.6: a new launch abandons the registration's sessions still open.
pub async fn abandon_open_sessions(
    conn: &impl ConnectionTrait,
    registration: &str,
    course_id: &str,
    actor: &Value,
    now: i64,
) -> Result<Vec<Value>, Error> {
    let mut sql = Sql::new("SELECT session_id, au_id, created_us FROM launch_sessions");
    sql.bind(" WHERE registration = ?", registration.to_owned())
        .push(" AND terminated_us IS NULL")
        .bind(" AND abandoned = ?", false);
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut statements = Vec::with_capacity(rows.len());
    for row in rows {
        let session = OpenSession {
            session_id: row.try_get("", "session_id")?,
            registration: registration.to_owned(),
            course_id: course_id.to_owned(),
            au_id: row.try_get("", "au_id")?,
            created_us: row.try_get("", "created_us")?,
        };
        statements.push(abandon(conn, &session, actor, now).await?);
    }
    Ok(statements)
}

/// A session that is neither terminated nor abandoned.
pub struct OpenSession {
    pub session_id: String,
    pub registration: String,
    pub course_id: String,
    /// The AU's publisher id.
    pub au_id: String,
    pub created_us: i64,
}

/// cmi5 §9.3.6: marks the session abandoned (its token stops working at once) and
/// returns the `abandoned` statement to store with it: the AU's generated activityId as
/// object (§9.4), the duration since launch (§9.5.4.2), the publisher id as grouping
/// (§9.6.2.3).
pub async fn abandon(
    conn: &impl ConnectionTrait,
    session: &OpenSession,
    actor: &Value,
    now: i64,
) -> Result<Value, Error> {
    let mut sql = Sql::new("UPDATE launch_sessions SET abandoned = ");
    sql.bind("?", true)
        .bind(" WHERE session_id = ?", session.session_id.clone());
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut statement = lms_statement(
        actor,
        vocab::ABANDONED,
        activity(&ids::au(&session.course_id, &session.au_id), None),
        &session.registration,
        &session.session_id,
        vec![],
    );
    let seconds = (now - session.created_us).max(0) as f64 / 1_000_000.0;
    statement["result"] = json!({"duration": format!("PT{seconds:.2}S")});
    statement["context"]["contextActivities"]["grouping"] =
        json!([{"objectType": "Activity", "id": session.au_id}]);
    Ok(statement)
}

fn absolute(settings: &LaunchSettings, url: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", settings.public_url)
    } else {
        url.to_owned()
    }
}

/// Appends launch parameters, keeping a query the AU URL already has.
fn with_params(url: &str, params: &[(&str, &String)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}{}", query.finish());
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_parameters_keep_an_existing_query_and_fragment() {
        let reg = "r".to_owned();
        assert_eq!(
            with_params("https://a/x.html", &[("registration", &reg)]),
            "https://a/x.html?registration=r"
        );
        assert_eq!(
            with_params("https://a/x.html?lang=fr#top", &[("registration", &reg)]),
            "https://a/x.html?lang=fr&registration=r#top"
        );
    }

    #[test]
    fn return_urls_must_be_http() {
        assert!(check_return_url("https://lms.example/back").is_ok());
        assert!(check_return_url("javascript:alert(1)").is_err());
        assert!(check_return_url("/relative").is_err());
    }
}
