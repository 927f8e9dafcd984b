//! What the dispatcher hands a protocol's deliverer, and what it gets back. The
//! dispatcher owns leases, retries and bookkeeping; a deliverer makes one attempt.

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

/// The protocol a target speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// LTI Assignment and Grade Services 2.0 (LTI 1.3).
    Ags,
    /// LTI 1.1 Basic Outcomes (`replaceResult`).
    Lti11,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ags => "ags",
            Protocol::Lti11 => "lti11",
        }
    }

    pub fn parse(name: &str) -> Option<Protocol> {
        match name {
            "ags" => Some(Protocol::Ags),
            "lti11" => Some(Protocol::Lti11),
            _ => None,
        }
    }
}

/// One channel to the LMS: a gradebook cell (line item × user) or an LTI 1.1 outcome row,
/// for one AU of one registration.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub protocol: Protocol,
    /// `platform:<id>` (LTI 1.3) or `consumer:<key>` (LTI 1.1).
    pub source: String,
    /// AGS `userId` (the launch's `sub`); LTI 1.1 `user_id`.
    pub user_id: String,
    /// The AU (publisher id) whose standing this target reports.
    pub object_id: String,
    /// The AU's title: the label of a line item we create.
    pub label: String,
    /// AGS: the claim's `lineitem`, or the one found or created earlier.
    pub lineitem_url: Option<String>,
    /// AGS: the claim's `lineitems` container, to find or create a line item.
    pub lineitems_url: Option<String>,
    /// AGS: the resource link the line item belongs to.
    pub resource_link_id: Option<String>,
    /// AGS: the scopes the claim granted.
    pub scopes: Vec<String>,
    /// LTI 1.1: `lis_outcome_service_url` and `lis_result_sourcedid`.
    pub outcome_url: Option<String>,
    pub sourcedid: Option<String>,
    /// AGS: the `timestamp` of the last score the platform accepted, in microseconds;
    /// every score sent must be strictly later (platforms drop older ones).
    pub last_sent_ts_us: Option<i64>,
}

/// One pending message, leased for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub message_id: i64,
    pub target: Target,
    /// AGS: `{activityProgress, gradingProgress, scoreGiven?, scoreMaximum, comment}`
    /// (the deliverer adds `userId` and `timestamp`). LTI 1.1: `{resultScore}` in 0..=1.
    pub payload: Value,
    /// The `stored` time of the commit that caused the message, in microseconds.
    pub event_us: i64,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The LMS took it (2xx; AGS 409: it already holds something newer).
    Delivered {
        status: u16,
        /// AGS: the timestamp sent, in microseconds.
        sent_ts_us: Option<i64>,
        /// AGS: the line item found or created on the way, to keep on the target.
        lineitem_url: Option<String>,
        /// The platform's answer, shortened, for the admin view.
        answer: Option<String>,
    },
    /// Worth trying again later (timeouts, 5xx, 429).
    Retry {
        status: Option<u16>,
        /// In our words, for the admin view.
        error: String,
        retry_after: Option<Duration>,
        answer: Option<String>,
    },
    /// Will not work however often it is tried (refused, misconfigured, gone).
    Failed {
        status: Option<u16>,
        error: String,
        answer: Option<String>,
    },
}

/// Makes one delivery attempt for one protocol.
pub trait Deliver: Send + Sync + 'static {
    fn deliver<'a>(&'a self, claimed: &'a Claimed) -> BoxFuture<'a, Outcome>;
}
