//! What an administrator does to a registration on the LMS's behalf: waive an AU
//! (cmi5 §9.3.7) and abandon a session (cmi5 §9.3.6). Each stores its LMS statements
//! and what follows from them (progress, `satisfied`) in one transaction.

use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use serde_json::json;

use super::projection::{self, RegistrationRef};
use super::report::{self, RegistrationProgress};
use super::service::{OpenSession, abandon};
use super::settings::LaunchSettings;
use super::system::{self, activity, lms_statement};
use super::{ids, vocab};
use crate::db::Db;
use crate::error::Error;
use crate::packages::manifest::Course;
use crate::packages::store;
use crate::xapi::clock::WriteClock;
use entities::{launch_session, registration};

/// A waive request, as the API and CLI give it.
pub struct Waive {
    pub registration: String,
    /// The AU's publisher id (cmi5.xml).
    pub au_id: String,
    pub reason: String,
}

/// cmi5 §9.3.7: stores `waived` for the AU (result.success and completion true, the
/// §9.5.5.2 reason, a session id of its own, the moveOn category per §9.6.2.2) and the
/// `satisfied` statements that follow, then answers the registration's progress.
pub async fn waive(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    request: Waive,
) -> Result<RegistrationProgress, Error> {
    if !vocab::WAIVE_REASONS.contains(&request.reason.as_str()) {
        return Err(Error::BadRequest(format!(
            "reason must be one of {} (cmi5 §9.5.5.2), got {:?}",
            vocab::WAIVE_REASONS.map(|r| format!("{r:?}")).join(", "),
            request.reason
        )));
    }
    let _gate = db.write_gate().await;
    let ticket = clock.begin();
    let txn = db.writer().begin().await?;
    let (reg, course) = load_registration(&txn, &request.registration).await?;
    let Some(au) = course.aus().into_iter().find(|a| a.id == request.au_id) else {
        return Err(Error::NotFound(format!(
            "auId {:?} is not an AU of course {:?} (registration {}); GET /api/registrations/{}/progress lists its AUs",
            request.au_id, course.id, reg.registration, reg.registration
        )));
    };
    let progress = projection::load_progress(&txn, &reg.registration).await?;
    if progress.get(&au.id).is_some_and(|row| row.satisfied) {
        return Err(Error::Conflict(format!(
            "AU {:?} is already satisfied or waived in registration {} (cmi5 §9.3: one waived per AU and registration)",
            au.id, reg.registration
        )));
    }
    let session = uuid::Uuid::new_v4().to_string();
    let mut waived = lms_statement(
        &reg.actor,
        vocab::WAIVED,
        activity(&ids::au(&course.id, &au.id), None),
        &reg.registration,
        &session,
        vec![],
    );
    waived["result"] = json!({
        "success": true,
        "completion": true,
        "extensions": {vocab::RESULT_EXT_REASON: request.reason},
    });
    waived["context"]["contextActivities"]["category"] = json!([
        {"objectType": "Activity", "id": vocab::CATEGORY_CMI5},
        {"objectType": "Activity", "id": vocab::CATEGORY_MOVEON},
    ]);
    waived["context"]["contextActivities"]["grouping"] =
        json!([{"objectType": "Activity", "id": au.id}]);
    let authority = &settings.lms_authority;
    system::insert(&txn, vec![waived.clone()], ticket.stored, authority).await?;
    let reg_ref = RegistrationRef {
        registration: reg.registration.clone(),
        actor: reg.actor.clone(),
        course,
    };
    let changes = projection::evaluate(
        &txn,
        &reg_ref,
        &[&waived],
        Some(&session),
        ticket.stored,
        authority,
    )
    .await?;
    // A waiver is a standing the LMS hears about like any other.
    crate::passback::store::enqueue_changes(&txn, &changes, settings.passback_max_age).await?;
    txn.commit().await?;
    drop(ticket);
    report::for_registration(&db.conn, &reg.registration).await
}

/// What an abandoned session was.
pub struct Abandoned {
    pub session_id: String,
    pub registration: String,
    /// The AU's publisher id.
    pub au_id: String,
}

/// cmi5 §9.3.6: the LMS ends an open session: `abandoned` is stored and the session's
/// token stops working, so the AU's later statements get 403.
pub async fn abandon_session(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    session_id: &str,
) -> Result<Abandoned, Error> {
    let missing = || Error::NotFound(format!("no launch session {session_id:?}"));
    let id = uuid::Uuid::try_parse(session_id).map_err(|_| missing())?;
    let _gate = db.write_gate().await;
    let ticket = clock.begin();
    let txn = db.writer().begin().await?;
    let session = launch_session::Entity::find_by_id(id.to_string())
        .one(&txn)
        .await?
        .ok_or_else(missing)?;
    if session.abandoned || session.terminated_us.is_some() {
        let how = if session.abandoned {
            "abandoned"
        } else {
            "terminated"
        };
        return Err(Error::Conflict(format!(
            "launch session {} is already {how}; only an open session can be abandoned",
            session.session_id
        )));
    }
    let (reg, course) = load_registration(&txn, &session.registration).await?;
    let open = OpenSession {
        session_id: session.session_id.clone(),
        registration: reg.registration.clone(),
        course_id: course.id.clone(),
        au_id: session.au_id.clone(),
        created_us: session.created_us,
    };
    let now = jiff::Timestamp::now().as_microsecond();
    let statement = abandon(&txn, &open, &reg.actor, now).await?;
    system::insert(
        &txn,
        vec![statement],
        ticket.stored,
        &settings.lms_authority,
    )
    .await?;
    txn.commit().await?;
    drop(ticket);
    Ok(Abandoned {
        session_id: session.session_id,
        registration: reg.registration,
        au_id: session.au_id,
    })
}

async fn load_registration(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<(registration::Model, Course), Error> {
    let reg = registration::Entity::find_by_id(id.to_ascii_lowercase())
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no registration {id:?}")))?;
    let package = store::by_seq(conn, reg.package_seq)
        .await?
        .ok_or_else(|| Error::Internal("registration names a missing package".into()))?;
    let course: Course = serde_json::from_value::<Course>(package.structure)
        .map_err(|e| Error::Internal(format!("stored course structure: {e}")))?;
    Ok((reg, course))
}
