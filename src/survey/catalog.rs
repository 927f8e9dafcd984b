//! Which AUs are anonymous surveys, and what they ask. An AU is one when its page is
//! marked `main[data-bb-survey="anonymous"]` (the contract's own marker, the one the
//! runtime obeys) and it is unscored in cmi5.xml (no `masteryScore`, `moveOn`
//! `Completed` or `NotApplicable`): no list of survey ids to keep in step.
//!
//! A page is parsed once per content: the stored file's SHA-256 keys the cache, and a
//! package version's files never change (a new version is a new import).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use sea_orm::{ConnectionTrait, EntityTrait};

use super::form::{Form, parse};
use crate::error::Error;
use crate::launch::grant::LaunchGrant;
use crate::packages::manifest::au_url::scheme;
use crate::packages::manifest::{Au, Course, MoveOn};
use crate::packages::store;
use crate::packages::validate::percent_decode;
use entities::{package, registration};

/// Parsed pages kept; past it the cache starts again (a bound, not an expected size).
const CACHED_FORMS: usize = 256;

static FORMS: LazyLock<Mutex<HashMap<String, Arc<Form>>>> = LazyLock::new(Mutex::default);

/// An anonymous survey AU of an imported course version.
#[derive(Debug, Clone)]
pub struct Survey {
    /// The AU's publisher id (cmi5.xml `au@id`): the survey id everywhere.
    pub id: String,
    pub title: String,
    pub course_title: String,
    pub form: Arc<Form>,
}

/// The survey a launch is for, or `None` when its AU is not an anonymous survey.
pub async fn of_launch(
    conn: &impl ConnectionTrait,
    grant: &LaunchGrant,
) -> Result<Option<Survey>, Error> {
    let Some(reg) = registration::Entity::find_by_id(grant.registration.clone())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(package) = store::by_seq(conn, reg.package_seq).await? else {
        return Ok(None);
    };
    let course = course_of(&package)?;
    let Some(au) = course
        .aus()
        .into_iter()
        .find(|a| a.id == grant.publisher_au_id)
    else {
        return Ok(None);
    };
    survey_of(conn, &package, &course, au).await
}

/// Every anonymous survey of the newest version of each course (retired ones too: their
/// answers stay reportable), in catalog order.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<Survey>, Error> {
    let mut out = Vec::new();
    for package in store::latest_of_each_with_retired(conn).await? {
        let course = course_of(&package)?;
        for au in course.aus() {
            if let Some(survey) = survey_of(conn, &package, &course, au).await? {
                out.push(survey);
            }
        }
    }
    Ok(out)
}

/// The survey with this id, as its newest course version asks it.
pub async fn find(conn: &impl ConnectionTrait, id: &str) -> Result<Option<Survey>, Error> {
    Ok(all(conn).await?.into_iter().find(|s| s.id == id))
}

async fn survey_of(
    conn: &impl ConnectionTrait,
    package: &package::Model,
    course: &Course,
    au: &Au,
) -> Result<Option<Survey>, Error> {
    let unscored = au.mastery_score.is_none()
        && matches!(au.move_on, MoveOn::Completed | MoveOn::NotApplicable);
    if !unscored {
        return Ok(None);
    }
    let Some(form) = form_of(conn, package.seq, &au.url).await? else {
        return Ok(None);
    };
    if !form.is_anonymous_survey() {
        return Ok(None);
    }
    Ok(Some(Survey {
        id: au.id.clone(),
        title: au.title.best("en").unwrap_or(&au.id).to_owned(),
        course_title: course.title.best("en").unwrap_or(&course.id).to_owned(),
        form,
    }))
}

/// The form of the AU page at `url` in package version `seq` (`None`: the page is not
/// in the package, e.g. an absolute URL).
async fn form_of(
    conn: &impl ConnectionTrait,
    seq: i64,
    url: &str,
) -> Result<Option<Arc<Form>>, Error> {
    let Some(path) = file_path(url) else {
        return Ok(None);
    };
    let Some(file) = store::file(conn, seq, &path).await? else {
        return Ok(None);
    };
    if let Some(form) = cached(&file.sha256) {
        return Ok(Some(form));
    }
    let Some(bytes) = store::blob(conn, &file.sha256).await? else {
        return Ok(None);
    };
    let form = Arc::new(parse(&String::from_utf8_lossy(&bytes)));
    if let Ok(mut forms) = FORMS.lock() {
        if forms.len() >= CACHED_FORMS {
            forms.clear();
        }
        forms.insert(file.sha256, form.clone());
    }
    Ok(Some(form))
}

fn cached(sha256: &str) -> Option<Arc<Form>> {
    FORMS.lock().ok()?.get(sha256).cloned()
}

/// The package path of a relative AU url: no query or fragment, percent-decoded.
fn file_path(url: &str) -> Option<String> {
    if scheme(url).is_some() || url.starts_with('/') {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path.trim_start_matches("./"));
    (!path.is_empty()).then_some(path)
}

fn course_of(model: &package::Model) -> Result<Course, Error> {
    serde_json::from_value(model.structure.clone())
        .map_err(|e| Error::Internal(format!("package {} structure: {e}", model.slug)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_au_urls_name_package_files() {
        assert_eq!(
            file_path("survey.html?x=1#top").as_deref(),
            Some("survey.html")
        );
        assert_eq!(file_path("./a%20b/s.html").as_deref(), Some("a b/s.html"));
        assert_eq!(file_path("https://cdn.example/s.html"), None);
        assert_eq!(file_path("/abs.html"), None);
    }
}
