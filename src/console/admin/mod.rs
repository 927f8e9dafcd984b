//! Administration pages (admin role only): API credentials, packages, LTI platforms and
//! consumers, the passback queue, console users.

pub mod credentials;
pub mod lti;
pub mod packages;
pub mod passback;
pub mod users;

use poem::Route;

/// Adds the administration pages' routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    let route = credentials::routes(route);
    let route = lti::routes(route);
    let route = packages::routes(route);
    let route = passback::routes(route);
    users::routes(route)
}
