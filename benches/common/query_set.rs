//! The GET /xapi/statements queries the query bench measures: every filter the spec
//! allows (agent, verb, activity, registration, related_agents, related_activities,
//! since, until, ascending) alone and in pairs, and `more` chains. Keys follow the
//! dataset of `common::statement`, so every query finds statements at every size.

use super::registration;

/// Learners, activities and verbs of the dataset (`common::statement`).
pub const ACTORS: u64 = 10_000;
pub const ACTIVITIES: u64 = 5_000;
const VERBS: u64 = 50;
const COURSES: u64 = 100;

/// One query: a label, the page size it asks for and the query string of sample `i`.
pub struct Query {
    pub label: &'static str,
    pub limit: u64,
    pub make: fn(u64, &Bounds) -> String,
}

/// Stored times of the loaded rows, for `since` and `until` windows that hold
/// statements at any size.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// `stored` of the oldest and newest statement, microseconds since the epoch.
    pub first_us: i64,
    pub last_us: i64,
}

impl Bounds {
    /// A stored time `fraction` of the way from the oldest to the newest statement.
    pub fn at(&self, fraction: f64) -> String {
        let us = self.first_us + ((self.last_us - self.first_us) as f64 * fraction) as i64;
        let time = jiff::Timestamp::from_microsecond(us).expect("stored time");
        enc(&time.to_string())
    }
}

pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub fn agent(n: u64) -> String {
    enc(&format!(
        r#"{{"account":{{"homePage":"https://lms.example.com","name":"u{n}"}}}}"#
    ))
}

pub fn verb(n: u64) -> String {
    enc(&format!("http://example.com/verbs/v{}", n % VERBS))
}

pub fn activity(n: u64) -> String {
    enc(&format!(
        "http://example.com/activities/a{}",
        n % ACTIVITIES
    ))
}

fn course(n: u64) -> String {
    enc(&format!("http://example.com/courses/c{}", n % COURSES))
}

/// A registration the dataset holds: the actor and course of statement `i`.
fn registration_of(i: u64) -> String {
    let actor = (i * 7919) % ACTORS;
    let course = ((i * 104_729) % ACTIVITIES) % COURSES;
    registration(actor, course)
}

/// Every query of the bench, in the order printed.
pub fn queries() -> Vec<Query> {
    vec![
        Query {
            label: "agent",
            limit: 100,
            make: |i, _| format!("agent={}", agent(i % ACTORS)),
        },
        Query {
            label: "agent",
            limit: 10,
            make: |i, _| format!("agent={}", agent(i % ACTORS)),
        },
        Query {
            label: "agent (the console's timeline)",
            limit: 50,
            make: |i, _| format!("agent={}", agent(i % ACTORS)),
        },
        Query {
            label: "agent, ascending",
            limit: 20,
            make: |i, _| format!("agent={}&ascending=true", agent(i % ACTORS)),
        },
        Query {
            label: "agent, related_agents",
            limit: 20,
            make: |i, _| format!("agent={}&related_agents=true", agent(i % ACTORS)),
        },
        Query {
            label: "verb",
            limit: 100,
            make: |i, _| format!("verb={}", verb(i)),
        },
        Query {
            label: "verb, ascending",
            limit: 100,
            make: |i, _| format!("verb={}&ascending=true", verb(i)),
        },
        Query {
            label: "activity",
            limit: 20,
            make: |i, _| format!("activity={}", activity(i)),
        },
        Query {
            label: "registration",
            limit: 20,
            make: |i, _| format!("registration={}", registration_of(i)),
        },
        Query {
            label: "course as related_activities",
            limit: 100,
            make: |i, _| format!("activity={}&related_activities=true", course(i)),
        },
        Query {
            label: "agent + verb",
            limit: 20,
            make: |i, _| format!("agent={}&verb={}", agent(i % ACTORS), verb(i * 3)),
        },
        Query {
            label: "activity + verb",
            limit: 20,
            make: |i, _| format!("activity={}&verb={}", activity(i), verb(i)),
        },
        Query {
            label: "verb, since (newest half)",
            limit: 100,
            make: |i, b| format!("verb={}&since={}", verb(i), b.at(0.5)),
        },
        Query {
            label: "verb, until (oldest half)",
            limit: 100,
            make: |i, b| format!("verb={}&until={}", verb(i), b.at(0.5)),
        },
        Query {
            label: "no filter, until",
            limit: 100,
            make: |i, b| format!("until={}", b.at((i % 97) as f64 / 97.0)),
        },
        Query {
            label: "no filter, since, ascending",
            limit: 100,
            make: |i, b| format!("since={}&ascending=true", b.at((i % 89) as f64 / 89.0)),
        },
    ]
}

/// The start of a `more` chain for sample `i`: a verb's statements, newest first.
pub fn chain_start(i: u64) -> String {
    format!("verb={}", verb(i))
}
