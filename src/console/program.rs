//! TODO(console): this page is being built.

use poem::Route;

/// Adds this page's routes.
pub fn routes(route: Route) -> Route {
    route
}
