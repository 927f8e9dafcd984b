//! TODO(console): one learner's page is being built.

use poem::Route;

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
}
