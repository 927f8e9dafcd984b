//! Retiring a course: it leaves the catalog (the API, `packages list`, the Deep Linking
//! picker) and no new launch starts in it, while sessions already launched run to their
//! end and every statement stays. Restoring puts it back as it was.

use sea_orm::TransactionTrait;

use super::store;
use crate::db::Db;
use entities::package;

/// The message a refused launch of a retired course shows (CLI, API and LTI alike).
pub fn retired_message(course_id: &str) -> String {
    format!(
        "course {course_id} is retired; restore it with `blackbelt packages restore {course_id}`"
    )
}

/// What a retire or restore found and did.
pub struct Retirement {
    /// The course's newest version, as it is now.
    pub course: package::Model,
    /// False when the course already was in the asked state (nothing changed).
    pub changed: bool,
}

/// Retires (`retire = true`) or restores a course named by its id or any version's
/// slug. `None` when no course has that id or slug.
pub async fn set_retired(
    db: &Db,
    course: &str,
    retire: bool,
) -> Result<Option<Retirement>, sea_orm::DbErr> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let Some(model) = store::find_course(&txn, course).await? else {
        return Ok(None);
    };
    if model.retired_us.is_some() == retire {
        return Ok(Some(Retirement {
            course: model,
            changed: false,
        }));
    }
    let retired_us = retire.then(|| jiff::Timestamp::now().as_microsecond());
    store::set_retired(&txn, &model.course_key, retired_us).await?;
    txn.commit().await?;
    Ok(Some(Retirement {
        course: package::Model {
            retired_us,
            ..model
        },
        changed: true,
    }))
}
