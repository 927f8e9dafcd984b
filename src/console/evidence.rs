//! `/console/evidence`: the review queue (oldest first; a reviewer sees the belts they
//! review, program and admin every belt), one submission with its file and earlier
//! submissions, and the decision, made through the same domain call as the JSON API
//! (`review::decide`: audited, and an approval awards a completed belt in the same
//! transaction).
//!
//! A console user acts as `console:<username>`: that is their audit actor and the key
//! they are listed under as a belt's reviewer. Admin and program users review every belt.

mod decide;
mod download;
mod item;
mod queue;
mod reviewers;
mod standing;

use poem::{Route, get};

use crate::certification::reviewers::Who;
use crate::console::Viewer;
use crate::console::role::Role;

/// How the console acts in certification terms: admin and program users review every
/// belt (as an API admin credential does); a reviewer the belts they are listed for.
pub fn who(viewer: &Viewer) -> Who {
    Who {
        actor: viewer.actor(),
        admin: matches!(viewer.role, Role::Admin | Role::Program),
        learner: None,
    }
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    let route = route
        .at("/evidence", get(queue::queue))
        .at("/evidence/:id", get(item::open))
        .at("/evidence/:id/decide", poem::post(decide::decide))
        .at("/evidence/:id/file", get(download::download));
    reviewers::routes(route)
}
