//! Which package version and AU a launch request names. A learner who already has a
//! registration for the course keeps its package version.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::Error;
use crate::packages::manifest::{Au, Course};
use crate::packages::retire::retired_message;
use crate::packages::store;
use entities::{package, registration};

pub struct Resolved {
    pub package: package::Model,
    pub course: Course,
    pub au: Au,
    pub registration: Option<registration::Model>,
}

fn course_of(model: &package::Model) -> Result<Course, Error> {
    serde_json::from_value(model.structure.clone())
        .map_err(|e| Error::Internal(format!("package {} structure: {e}", model.slug)))
}

fn find_au(course: &Course, au_id: &str) -> Option<Au> {
    course.aus().into_iter().find(|a| a.id == au_id).cloned()
}

/// Finds the course holding `au_id` (in `course_id` when given), then the learner's
/// registration for it and the version that registration is pinned to.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    au_id: &str,
    course_id: Option<&str>,
    learner_key: &str,
) -> Result<Resolved, Error> {
    let latest = match course_id {
        Some(id) => {
            let model = store::latest_of(conn, id).await?.ok_or_else(|| {
                Error::NotFound(format!(
                    "courseId {id:?} is not in the catalog; import its package first (GET /api/courses lists courses)"
                ))
            })?;
            vec![model]
        }
        None => store::latest_of_each_with_retired(conn).await?,
    };
    let mut matches = Vec::new();
    let mut retired = None;
    for model in latest {
        let course = course_of(&model)?;
        if find_au(&course, au_id).is_some() {
            if model.retired_us.is_some() {
                retired = Some(model);
            } else {
                matches.push(model);
            }
        }
    }
    // No new launch starts in a retired course, even for a learner registered in it:
    // sessions already launched finish, since they no longer come through here.
    if let (true, Some(model)) = (matches.is_empty(), retired) {
        return Err(Error::Conflict(retired_message(&model.course_id)));
    }
    let latest = match matches.len() {
        0 => {
            return Err(Error::NotFound(format!(
                "auId {au_id:?} is not an AU of {}; GET /api/courses lists the AUs",
                course_id.map_or("any imported course".to_owned(), |c| format!(
                    "course {c:?}"
                ))
            )));
        }
        1 => matches.remove(0),
        _ => {
            return Err(Error::BadRequest(format!(
                "auId {au_id:?} is in more than one course; give courseId too"
            )));
        }
    };
    let existing = registration::Entity::find()
        .filter(registration::Column::LearnerKey.eq(learner_key))
        .filter(registration::Column::CourseKey.eq(latest.course_key.clone()))
        .one(conn)
        .await?;
    let package =
        match &existing {
            Some(reg) if reg.package_seq != latest.seq => store::by_seq(conn, reg.package_seq)
                .await?
                .ok_or_else(|| Error::Internal("registration names a missing package".into()))?,
            _ => latest,
        };
    let course = course_of(&package)?;
    let au = find_au(&course, au_id).ok_or_else(|| {
        Error::Conflict(format!(
            "the learner's registration is on version {} of this course, which has no AU {au_id:?}",
            package.version
        ))
    })?;
    Ok(Resolved {
        package,
        course,
        au,
        registration: existing,
    })
}
