//! `/console/awards`: awards with filters (belt, status, learner), keyset paging and a
//! streamed CSV export; awarding a belt by hand; per award, revoking and extending. Every
//! change goes through the API's own domain calls (`manual::award`, `revoke`, `extend`),
//! so its statement and audit entry are written exactly as through the API.

mod change;
mod export;
mod grant;
mod learner;
mod list;
mod one;

use poem::{Route, get, post};

pub(super) use learner::find_learner;

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/awards", get(list::list).post(grant::award))
        .at("/awards/export", get(export::export))
        .at("/awards/:id", get(one::one))
        .at("/awards/:id/revoke", post(change::revoke))
        .at("/awards/:id/extend", post(change::extend))
}
