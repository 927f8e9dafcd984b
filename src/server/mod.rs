//! The HTTP edge: what every connection and every request passes through before any
//! route sees it — connection limits and deadlines, bounded bodies, response headers.

pub mod access_log;
pub mod body_bound;
pub mod file_limit;
pub mod headers;
pub mod listen;
pub mod method_not_allowed;
pub mod proxies;
pub mod routes;
pub mod throttle;
mod write_deadline;
