//! The catalog: what learners can be launched into, as the API and LTI Deep Linking
//! show it.

use poem_openapi::Object;
use serde_json::Value;

use super::manifest::{Au, Course, LaunchMethod, MoveOn, Node};
use entities::package;

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CourseEntry {
    pub course_id: String,
    pub title: String,
    pub description: Option<String>,
    /// Title and description in every language the manifest gives (language maps).
    pub titles: Value,
    pub descriptions: Value,
    /// Who the course is for (e.g. `executives`), from the manifest's Black Belt extension.
    pub audiences: Vec<String>,
    /// 1 for the first import, +1 per changed re-import.
    pub version: i32,
    /// `cmi5` or `tincan`.
    pub format: String,
    /// Files are served under `/content/{slug}/`.
    pub slug: String,
    /// RFC 3339.
    pub imported_at: String,
    pub file_count: i32,
    pub total_bytes: i64,
    /// RFC 3339; present when the course is retired: it is out of the catalog and no new
    /// launch starts in it (`POST /api/courses/{course}/restore` brings it back).
    pub retired_at: Option<String>,
    pub aus: Vec<AuEntry>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AuEntry {
    pub au_id: String,
    pub title: String,
    pub description: Option<String>,
    /// The block the AU sits in, if any.
    pub block_id: Option<String>,
    /// `AnyWindow` or `OwnWindow`.
    pub launch_method: String,
    /// `Passed`, `Completed`, `CompletedAndPassed`, `CompletedOrPassed` or `NotApplicable`.
    pub move_on: String,
    pub mastery_score: Option<f64>,
    /// Where the AU's page is served (launch parameters are added at launch).
    pub url: String,
}

pub fn entry(model: &package::Model, language: &str) -> Result<CourseEntry, String> {
    let course: Course = serde_json::from_value(model.structure.clone())
        .map_err(|e| format!("package {} has an unreadable structure: {e}", model.slug))?;
    let mut aus = Vec::new();
    collect_aus(&course.children, None, &model.slug, language, &mut aus);
    Ok(CourseEntry {
        course_id: course.id.clone(),
        title: model.title.clone(),
        description: course.description.best(language).map(str::to_owned),
        titles: serde_json::to_value(&course.title).unwrap_or_default(),
        descriptions: serde_json::to_value(&course.description).unwrap_or_default(),
        audiences: course.audiences.clone(),
        version: model.version,
        format: model.format.clone(),
        slug: model.slug.clone(),
        imported_at: jiff::Timestamp::from_microsecond(model.imported_us)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        file_count: model.file_count,
        total_bytes: model.total_bytes,
        retired_at: model
            .retired_us
            .and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
            .map(|t| t.to_string()),
        aus,
    })
}

fn collect_aus(
    nodes: &[Node],
    block: Option<&str>,
    slug: &str,
    language: &str,
    out: &mut Vec<AuEntry>,
) {
    for node in nodes {
        match node {
            Node::Au(au) => out.push(au_entry(au, block, slug, language)),
            Node::Block(b) => collect_aus(&b.children, Some(&b.id), slug, language, out),
        }
    }
}

fn au_entry(au: &Au, block: Option<&str>, slug: &str, language: &str) -> AuEntry {
    AuEntry {
        au_id: au.id.clone(),
        title: au.title.best(language).unwrap_or(&au.id).to_owned(),
        description: au.description.best(language).map(str::to_owned),
        block_id: block.map(str::to_owned),
        launch_method: launch_method_name(au.launch_method).into(),
        move_on: move_on_name(au.move_on).into(),
        mastery_score: au.mastery_score,
        url: au_url(slug, &au.url),
    }
}

/// The AU page's URL: absolute URLs as given, package paths under `/content/{slug}/`.
pub fn au_url(slug: &str, url: &str) -> String {
    let absolute = super::manifest::au_url::scheme(url)
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    if absolute {
        url.to_owned()
    } else {
        format!("/content/{slug}/{url}")
    }
}

pub fn launch_method_name(method: LaunchMethod) -> &'static str {
    match method {
        LaunchMethod::AnyWindow => "AnyWindow",
        LaunchMethod::OwnWindow => "OwnWindow",
    }
}

pub fn move_on_name(move_on: MoveOn) -> &'static str {
    match move_on {
        MoveOn::Passed => "Passed",
        MoveOn::Completed => "Completed",
        MoveOn::CompletedAndPassed => "CompletedAndPassed",
        MoveOn::CompletedOrPassed => "CompletedOrPassed",
        MoveOn::NotApplicable => "NotApplicable",
    }
}
