//! Launch settings shared by the launch API and the statement write path.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth::lms_authority;
use crate::config::Config;

#[derive(Debug, Clone)]
pub struct LaunchSettings {
    /// Base URL learners' browsers reach this server at (no trailing slash).
    pub public_url: String,
    /// How long an auth token works after launch, in microseconds.
    pub token_ttl_us: i64,
    /// How long after `terminated` late statements of a session are still taken.
    pub terminated_grace_us: i64,
    /// The Agent this server acts as when it writes LMS statements.
    pub lms_authority: Arc<Value>,
    /// How long a passback message enqueued at launch is tried before it fails.
    pub passback_max_age: Duration,
    /// NRPS: a launch makes its context's roster due only after this long.
    pub nrps_refresh_min: Duration,
}

impl LaunchSettings {
    pub fn from_config(config: &Config) -> LaunchSettings {
        let public_url = config.public_url.trim_end_matches('/').to_owned();
        LaunchSettings {
            lms_authority: Arc::new(lms_authority(&public_url)),
            public_url,
            token_ttl_us: config.launch_token_ttl_secs as i64 * 1_000_000,
            terminated_grace_us: config.terminated_grace_secs as i64 * 1_000_000,
            passback_max_age: Duration::from_secs(config.passback_max_age_secs),
            nrps_refresh_min: Duration::from_secs(config.nrps_refresh_min_secs),
        }
    }
}
