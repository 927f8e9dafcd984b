//! TODO(console): sign-in, sign-out, sign-out everywhere, password setup links.

use poem::Route;

/// Adds the sign-in routes.
pub fn routes(route: Route) -> Route {
    route
}
