//! TODO(console): this administration page is being built.

use poem::Route;

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
}
