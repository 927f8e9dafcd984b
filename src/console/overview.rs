//! `/console`: the overview (a skeleton until the learners helper replaces it).

use askama::Template;
use poem::{Response, Route, get, handler};

use super::Viewer;
use super::page::{self, Chrome};
use super::role::Can;

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    title: String,
    chrome: Chrome,
}

#[handler]
async fn show(viewer: Viewer) -> poem::Result<Response> {
    viewer.require(Can::SeeAggregates)?;
    page::render(&Overview {
        title: "Overview".into(),
        chrome: Chrome::new(&viewer, "/console"),
    })
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/", get(show))
}
