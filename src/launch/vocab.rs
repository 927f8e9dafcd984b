//! cmi5 identifiers (cmi5 §9.3 verbs, §9.6 context).

pub const LAUNCHED: &str = "http://adlnet.gov/expapi/verbs/launched";
pub const INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
pub const PROGRESSED: &str = "http://adlnet.gov/expapi/verbs/progressed";
pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
pub const ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";
pub const WAIVED: &str = "https://w3id.org/xapi/adl/verbs/waived";
pub const SATISFIED: &str = "https://w3id.org/xapi/adl/verbs/satisfied";
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

pub const CATEGORY_CMI5: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
pub const CATEGORY_MOVEON: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";

pub const EXT_SESSION_ID: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
pub const EXT_MASTERY_SCORE: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
pub const EXT_LAUNCH_MODE: &str = "https://w3id.org/xapi/cmi5/context/extensions/launchmode";
pub const EXT_LAUNCH_URL: &str = "https://w3id.org/xapi/cmi5/context/extensions/launchurl";
pub const EXT_MOVE_ON: &str = "https://w3id.org/xapi/cmi5/context/extensions/moveon";
pub const EXT_LAUNCH_PARAMETERS: &str =
    "https://w3id.org/xapi/cmi5/context/extensions/launchparameters";
pub const RESULT_EXT_REASON: &str = "https://w3id.org/xapi/cmi5/result/extensions/reason";
pub const RESULT_EXT_PROGRESS: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

pub const TYPE_COURSE: &str = "https://w3id.org/xapi/cmi5/activitytype/course";
pub const TYPE_BLOCK: &str = "https://w3id.org/xapi/cmi5/activitytype/block";

/// The State document the LMS writes before every launch (cmi5 §10).
pub const LAUNCH_DATA: &str = "LMS.LaunchData";

/// The reasons cmi5 §9.5.5.2 lists for `waived`.
pub const WAIVE_REASONS: [&str; 4] = [
    "Tested Out",
    "Equivalent AU",
    "Equivalent Outside Activity",
    "Administrative",
];

/// The short name of a cmi5 verb, as kept in a session's list of used verbs.
pub fn short_name(verb: &str) -> Option<&'static str> {
    Some(match verb {
        INITIALIZED => "initialized",
        COMPLETED => "completed",
        PASSED => "passed",
        FAILED => "failed",
        TERMINATED => "terminated",
        _ => return None,
    })
}
