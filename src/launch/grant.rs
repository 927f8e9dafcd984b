//! What a launch's auth token lets the AU do: act for one learner in one registration.

use serde_json::Value;

use crate::auth::{Grant, Principal};

/// cmi5 launch modes (cmi5 §10.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchMode {
    Normal,
    Browse,
    Review,
}

impl LaunchMode {
    pub fn name(self) -> &'static str {
        match self {
            LaunchMode::Normal => "Normal",
            LaunchMode::Browse => "Browse",
            LaunchMode::Review => "Review",
        }
    }

    pub fn parse(text: &str) -> Option<LaunchMode> {
        match text {
            "Normal" => Some(LaunchMode::Normal),
            "Browse" => Some(LaunchMode::Browse),
            "Review" => Some(LaunchMode::Review),
            _ => None,
        }
    }
}

/// The session behind an auth token, as loaded when the token is presented.
#[derive(Debug, Clone)]
pub struct LaunchGrant {
    pub session_id: String,
    pub registration: String,
    /// The AU's activity id as the LMS generated it (the `activityId` launch parameter,
    /// cmi5 §8.1.5): what the object of the AU's cmi5 defined statements must be.
    pub au_id: String,
    /// The AU's id in cmi5.xml (the publisher id): progress rows are kept under it.
    pub publisher_au_id: String,
    /// The learner's Agent, exactly as in the launch URL.
    pub actor: Value,
    /// The learner's agent key, as the statement index and documents use it.
    pub actor_key: String,
    pub launch_mode: LaunchMode,
    pub mastery_score: Option<f64>,
}

impl Grant for LaunchGrant {
    fn actor_key(&self) -> &str {
        &self.actor_key
    }
}

impl LaunchGrant {
    /// The launch behind a principal's grant, when it was a launch token that presented it.
    pub fn of(principal: &Principal) -> Option<&LaunchGrant> {
        crate::auth::downcast(principal.grant.as_deref()?)
    }
}
