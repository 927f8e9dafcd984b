//! Every operation of the OpenAPI document × every kind of caller: who gets 401, who gets
//! 403 and who gets through. The expectations come from the rule table below (xAPI
//! scopes, Black Belt's `admin`, cmi5 launch tokens), not from recorded answers, and a
//! new operation without a row fails the test.
//! Spec: xAPI-Communication 4.2 (OAuth 1.0 Authorization Scope), cmi5 §8.2 (auth token).

use std::collections::BTreeSet;

use poem::http::StatusCode;
use serde_json::Value;

use crate::content::{POLICY_AU, param};
use crate::helpers::{TestApp, basic};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    WrongSecret,
    Revoked,
    /// A credential carrying exactly these scopes.
    Scoped(&'static str),
    /// A cmi5 launch's auth token.
    LaunchToken,
}

const CALLERS: [Caller; 13] = [
    Caller::Anonymous,
    Caller::WrongSecret,
    Caller::Revoked,
    Caller::Scoped("statements/read"),
    Caller::Scoped("statements/read/mine"),
    Caller::Scoped("statements/write"),
    Caller::Scoped("state"),
    Caller::Scoped("define"),
    Caller::Scoped("profile"),
    Caller::Scoped("all/read"),
    Caller::Scoped("all"),
    Caller::Scoped("admin"),
    Caller::LaunchToken,
];

/// What an operation asks of its caller.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// No credential: browsers, LMSs, probes and the cmi5 fetch URL reach it.
    Public,
    /// No Basic credential, but a proof of its own (an LTI 1.1 OAuth signature, a
    /// registration link): a credential must neither help nor hurt.
    OwnProof,
    StatementsWrite,
    StatementsRead,
    StateRead,
    StateWrite,
    ProfileRead,
    /// Activity Profile writes: a launched AU only reads them (cmi5 §10).
    ActivityProfileWrite,
    /// Agent Profile writes: a launched AU may write its own learner's.
    AgentProfileWrite,
    /// The Activities and Agents resources.
    Definitions,
    Admin,
    /// Certification operations open to an administrator and to a learner's own launch
    /// token (evidence submission and reading, a learner's belts).
    AdminOrLearner,
    /// A learner's own badges, a survey response: their launch token only (no credential
    /// names a learner).
    Learner,
}

/// The rule table: may `scopes` do what `need` asks? Written from xAPI 4.2's scope
/// list, independently of the server's own `Scopes` helpers.
fn scopes_allow(scopes: &[&str], need: Need) -> bool {
    let has = |name: &str| scopes.contains(&name);
    let all = has("all");
    let all_read = all || has("all/read");
    match need {
        Need::Public | Need::OwnProof => true,
        Need::StatementsWrite => all || has("statements/write"),
        // `statements/read/mine` reads its own statements: the request is allowed, the
        // answer is filtered.
        Need::StatementsRead => all_read || has("statements/read") || has("statements/read/mine"),
        Need::StateRead => all_read || has("state"),
        Need::StateWrite => all || has("state"),
        Need::ProfileRead => all_read || has("profile"),
        Need::ActivityProfileWrite | Need::AgentProfileWrite => all || has("profile"),
        // Black Belt's choice (xAPI names no scope for them): any credential that reads
        // beyond its own statements or works with documents or definitions, never a
        // write-only or read-mine one.
        Need::Definitions => {
            all_read
                || ["statements/read", "define", "state", "profile"]
                    .iter()
                    .any(|s| has(s))
        }
        Need::Admin | Need::AdminOrLearner => has("admin"),
        Need::Learner => false,
    }
}

/// What a launch token may do: its session's learner only, no definitions, no admin,
/// Activity Profiles read-only (cmi5 §8.2, §10).
fn launch_token_allows(need: Need) -> bool {
    match need {
        Need::Public
        | Need::OwnProof
        | Need::StatementsWrite
        | Need::StatementsRead
        | Need::StateRead
        | Need::StateWrite
        | Need::ProfileRead
        | Need::AgentProfileWrite
        | Need::AdminOrLearner
        | Need::Learner => true,
        Need::ActivityProfileWrite | Need::Definitions | Need::Admin => false,
    }
}

/// The class of answer a caller must get.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Unauthorized,
    Forbidden,
    /// Anything but 401 or 403 (the minimal request may still be a 400 or 404).
    Through,
    /// Whatever an anonymous caller gets for the same request.
    AsAnonymous,
}

fn expect(caller: Caller, need: Need) -> Expect {
    match (caller, need) {
        (_, Need::Public) => Expect::Through,
        (_, Need::OwnProof) => Expect::AsAnonymous,
        (Caller::Anonymous | Caller::WrongSecret | Caller::Revoked, _) => Expect::Unauthorized,
        (Caller::Scoped(list), need) => {
            let scopes: Vec<&str> = list.split(',').collect();
            if scopes_allow(&scopes, need) {
                Expect::Through
            } else {
                Expect::Forbidden
            }
        }
        (Caller::LaunchToken, need) => {
            if launch_token_allows(need) {
                Expect::Through
            } else {
                Expect::Forbidden
            }
        }
    }
}

/// One operation with a minimal, well-formed request, so the answer depends on the
/// caller alone. `{agent}`, `{registration}` and `{activity}` are the launched learner's.
struct Row {
    method: &'static str,
    path: &'static str,
    /// A literal URI instead of `path` filled from the fixture, for an operation that
    /// would change the fixture (abandoning the launched session would end its token).
    uri: Option<&'static str>,
    need: Need,
    query: &'static str,
    content_type: Option<&'static str>,
    body: &'static str,
}

const fn row(method: &'static str, path: &'static str, need: Need) -> Row {
    Row {
        method,
        path,
        uri: None,
        need,
        query: "",
        content_type: None,
        body: "",
    }
}

const STATE_Q: &str =
    "activityId={activity}&agent={agent}&registration={registration}&stateId=matrix";
const ACTIVITY_PROFILE_Q: &str = "activityId={activity}&profileId=matrix";
const AGENT_PROFILE_Q: &str = "agent={agent}&profileId=matrix";
// Admin JSON bodies are parsed before the handler checks the scope, so they must be
// valid for the 403 to show. Another learner: relaunching ada would end her session.
const LAUNCH: &str = r#"{"learner": {"account": {"homePage": "https://lms.example.com", "name": "grace"}},
    "auId": "https://blackbelt.example/courses/all-employees/au/policy-essentials",
    "returnUrl": "https://lms.example.com/back"}"#;
const CONSUMER: &str = r#"{"name": "Matrix LMS"}"#;
const PLATFORM: &str = r#"{"name": "Matrix LMS", "issuer": "https://matrix.example",
    "clientId": "matrix", "deploymentIds": ["d"], "authLoginUrl": "https://matrix.example/auth",
    "tokenUrl": "https://matrix.example/token", "jwksUrl": "https://matrix.example/jwks"}"#;
// No program is imported here: the bodies are well formed, the answers 400 or 404.
const CERT_AWARD: &str = r#"{"learner": "account:https://lms.example.com|ada", "belt": "white",
    "reason": "matrix"}"#;
const CERT_EXTEND: &str = r#"{"valid_until": "2999-01-01T00:00:00Z", "reason": "matrix"}"#;
const CERT_EVIDENCE: &str = r#"{"belt": "white", "requirement": "pledge", "text": "matrix"}"#;
const REASON: &str = r#"{"reason": "matrix"}"#;
const REASON_COMMENT: &str = r#"{"comment": "matrix"}"#;
const VISIBILITY: &str = r#"{"show_name": true}"#;
// The fixture's launch is of a scored AU: its token gets 400 (not a survey), nothing stored.
const SURVEY_RESPONSE: &str = r#"{"activityId": "https://x.example/au", "answers": {}}"#;
const JSON: Option<&str> = Some("application/json");
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

fn rows() -> Vec<Row> {
    use Need::*;
    let doc = |method, path, need, query| Row {
        query,
        ..row(method, path, need)
    };
    let doc_write = |method, path, need, query| Row {
        query,
        content_type: JSON,
        body: "{}",
        ..row(method, path, need)
    };
    let json_body = |method, path, need, body| Row {
        content_type: JSON,
        body,
        ..row(method, path, need)
    };
    let form = |path| Row {
        content_type: FORM,
        ..row("POST", path, Public)
    };
    vec![
        row("GET", "/xapi/about", Public),
        // No statementId: the scope is checked before the parameter.
        json_body("PUT", "/xapi/statements", StatementsWrite, "{}"),
        json_body("POST", "/xapi/statements", StatementsWrite, "[]"),
        Row {
            query: "limit=1",
            ..row("GET", "/xapi/statements", StatementsRead)
        },
        doc("GET", "/xapi/activities/state", StateRead, STATE_Q),
        doc_write("PUT", "/xapi/activities/state", StateWrite, STATE_Q),
        doc_write("POST", "/xapi/activities/state", StateWrite, STATE_Q),
        doc("DELETE", "/xapi/activities/state", StateWrite, STATE_Q),
        doc(
            "GET",
            "/xapi/activities/profile",
            ProfileRead,
            ACTIVITY_PROFILE_Q,
        ),
        doc_write(
            "PUT",
            "/xapi/activities/profile",
            ActivityProfileWrite,
            ACTIVITY_PROFILE_Q,
        ),
        doc_write(
            "POST",
            "/xapi/activities/profile",
            ActivityProfileWrite,
            ACTIVITY_PROFILE_Q,
        ),
        doc(
            "DELETE",
            "/xapi/activities/profile",
            ActivityProfileWrite,
            ACTIVITY_PROFILE_Q,
        ),
        doc("GET", "/xapi/agents/profile", ProfileRead, AGENT_PROFILE_Q),
        doc_write(
            "PUT",
            "/xapi/agents/profile",
            AgentProfileWrite,
            AGENT_PROFILE_Q,
        ),
        doc_write(
            "POST",
            "/xapi/agents/profile",
            AgentProfileWrite,
            AGENT_PROFILE_Q,
        ),
        doc(
            "DELETE",
            "/xapi/agents/profile",
            AgentProfileWrite,
            AGENT_PROFILE_Q,
        ),
        doc(
            "GET",
            "/xapi/activities",
            Definitions,
            "activityId={activity}",
        ),
        doc("GET", "/xapi/agents", Definitions, "agent={agent}"),
        row("GET", "/api/courses", Admin),
        row("POST", "/api/courses/{course}/retire", Admin),
        row("POST", "/api/courses/{course}/restore", Admin),
        Row {
            content_type: Some("application/zip"),
            ..row("POST", "/api/packages", Admin)
        },
        json_body("POST", "/api/launches", Admin, LAUNCH),
        row("POST", "/api/launches/{session_id}/token", Public),
        row("GET", "/api/registrations/{registration}/progress", Admin),
        // A reason outside cmi5 §9.5.5.2: the admin gets 400 and nothing is waived.
        json_body(
            "POST",
            "/api/registrations/{registration}/waive",
            Admin,
            r#"{"auId": "https://x.example/au", "reason": "matrix"}"#,
        ),
        Row {
            uri: Some("/api/sessions/00000000-0000-4000-8000-000000000000/abandon"),
            ..row("POST", "/api/sessions/{session_id}/abandon", Admin)
        },
        doc(
            "GET",
            "/api/learners/progress",
            Admin,
            "homePage=https%3A%2F%2Flms.example.com&name=ada",
        ),
        row("GET", "/lti/jwks", Public),
        row("GET", "/lti/login", Public),
        form("/lti/login"),
        form("/lti/launch"),
        form("/lti/deep-linking"),
        Row {
            need: OwnProof,
            ..form("/lti/11/launch")
        },
        row("GET", "/api/lti/consumers", Admin),
        json_body("POST", "/api/lti/consumers", Admin, CONSUMER),
        row("DELETE", "/api/lti/consumers/{key}", Admin),
        json_body("POST", "/api/lti/registration-links", Admin, "{}"),
        row("GET", "/lti/register", OwnProof),
        row("GET", "/api/lti/platforms", Admin),
        json_body("POST", "/api/lti/platforms", Admin, PLATFORM),
        row("POST", "/api/lti/platforms/{id}/approve", Admin),
        row("DELETE", "/api/lti/platforms/{id}", Admin),
        row("GET", "/api/lti/contexts", Admin),
        row("GET", "/api/lti/contexts/{id}/members", Admin),
        row("POST", "/api/lti/contexts/{id}/sync", Admin),
        row("GET", "/healthz", Public),
        row("GET", "/readyz", Public),
        row("GET", "/metrics", Public),
        row("GET", "/api/passback", Admin),
        row("GET", "/api/passback/{id}", Admin),
        row("POST", "/api/passback/{id}/retry", Admin),
        row("GET", "/api/program", Admin),
        Row {
            content_type: Some("application/toml"),
            body: "[program]",
            ..row("POST", "/api/program", Admin)
        },
        Row {
            uri: Some("/api/program/no-such-program/versions/1"),
            ..row("GET", "/api/program/{id}/versions/{version}", Admin)
        },
        row("GET", "/api/program/schema", Public),
        row("GET", "/api/certification/belts", Admin),
        row("GET", "/api/certification/belts/{belt}/holders", Admin),
        row("GET", "/api/certification/belts/{belt}/reviewers", Admin),
        row(
            "PUT",
            "/api/certification/belts/{belt}/reviewers/{reviewer_key}",
            Admin,
        ),
        row(
            "DELETE",
            "/api/certification/belts/{belt}/reviewers/{reviewer_key}",
            Admin,
        ),
        row("GET", "/api/certification/audit", Admin),
        row("GET", "/api/certification/awards", Admin),
        json_body("POST", "/api/certification/awards", Admin, CERT_AWARD),
        row("GET", "/api/certification/awards/{id}", Admin),
        json_body(
            "POST",
            "/api/certification/awards/{id}/revoke",
            Admin,
            REASON,
        ),
        json_body(
            "POST",
            "/api/certification/awards/{id}/extend",
            Admin,
            CERT_EXTEND,
        ),
        row(
            "GET",
            "/api/certification/learners/{learner}/belts",
            AdminOrLearner,
        ),
        json_body(
            "PUT",
            "/api/certification/learners/{learner}/attributes",
            Admin,
            "{}",
        ),
        json_body(
            "POST",
            "/api/certification/evidence",
            AdminOrLearner,
            CERT_EVIDENCE,
        ),
        row("GET", "/api/certification/evidence", AdminOrLearner),
        row("GET", "/api/certification/evidence/{id}", AdminOrLearner),
        row(
            "GET",
            "/api/certification/evidence/{id}/file",
            AdminOrLearner,
        ),
        // Reviewers decide; the launched learner reviews no belt.
        json_body(
            "POST",
            "/api/certification/evidence/{id}/approve",
            Admin,
            "{}",
        ),
        json_body(
            "POST",
            "/api/certification/evidence/{id}/reject",
            Admin,
            REASON_COMMENT,
        ),
        row(
            "POST",
            "/api/certification/evidence/{id}/withdraw",
            AdminOrLearner,
        ),
        row("GET", "/ob/issuer", Public),
        row("GET", "/ob/issuer/image.svg", Public),
        row("GET", "/ob/keys/{kid}", Public),
        row("GET", "/ob/jwks.json", Public),
        row("GET", "/ob/achievements/{program}/{belt}", Public),
        row("GET", "/ob/achievements/{program}/{belt}/image.svg", Public),
        row("GET", "/ob/credentials/{id}", Public),
        row("GET", "/ob/credentials/{id}/badge.svg", Public),
        row("GET", "/ob/status/{n}", Public),
        row("GET", "/api/badges/mine", Learner),
        row("GET", "/api/badges/mine/{id}", Learner),
        json_body(
            "PUT",
            "/api/badges/mine/{id}/visibility",
            Learner,
            VISIBILITY,
        ),
        row("GET", "/api/badges/credentials", Admin),
        row("GET", "/api/badges/credentials/{id}", Admin),
        row("POST", "/api/badges/credentials/{id}/reissue", Admin),
        row("GET", "/api/badges/keys", Admin),
        row("POST", "/api/badges/keys/rotate", Admin),
        // The learner's side (issue 20): an AU's own launch token only.
        row("GET", "/api/learn/settings", Learner),
        row("GET", "/api/learn/summary", Learner),
        row("POST", "/api/learn/handoff", Learner),
        json_body("POST", "/api/survey/responses", Learner, SURVEY_RESPONSE),
        row("GET", "/api/survey/{id}/results", Admin),
    ]
}

/// Every operation the server publishes, as `METHOD /path/{param}`.
fn published_operations() -> BTreeSet<String> {
    let document: Value = serde_json::from_str(&blackbelt::app::openapi_json()).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                operations.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations
}

#[tokio::test]
async fn every_published_operation_has_a_row_in_the_scope_matrix() {
    let rows: BTreeSet<String> = rows()
        .iter()
        .map(|row| format!("{} {}", row.method, row.path))
        .collect();
    let published = published_operations();
    let missing: Vec<_> = published.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&published).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "scope matrix rows out of date: add rows for {missing:?}, remove {stale:?}"
    );
}

/// The launched learner, and the values the rows' placeholders stand for.
struct Fixture {
    agent: String,
    registration: String,
    activity: String,
    session: String,
}

impl Fixture {
    /// The launched learner's key (certification paths name learners by it).
    fn learner_key(&self) -> String {
        let agent: Value = serde_json::from_str(&self.agent).unwrap();
        blackbelt::xapi::statements::index::agent_key(&agent).unwrap()
    }

    fn fill(&self, text: &str) -> String {
        let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        text.replace("{agent}", &enc(&self.agent))
            .replace("{registration}", &self.registration)
            .replace("{activity}", &enc(&self.activity))
            .replace("{session_id}", &self.session)
            .replace("{course}", "no-such-course")
            .replace("{key}", "no-such-consumer")
            .replace("{id}", "999999")
            .replace("{belt}", "white")
            .replace("{kid}", "no-such-key")
            .replace("{program}", "no-such-program")
            .replace("{n}", "999")
            .replace("{reviewer_key}", "credential%3A1")
            .replace("{learner}", &enc(&self.learner_key()))
    }
}

async fn authorization(app: &TestApp, caller: Caller, launch_token: &str) -> Option<String> {
    match caller {
        Caller::Anonymous => None,
        Caller::WrongSecret => {
            let real = app.credential("all,admin").await;
            let key = key_of(&real);
            Some(basic(&key, "not-the-secret"))
        }
        Caller::Revoked => {
            let real = app.credential("all,admin").await;
            assert!(app.auth_service.revoke(&key_of(&real)).await.unwrap());
            Some(real)
        }
        Caller::Scoped(scopes) => Some(app.credential(scopes).await),
        Caller::LaunchToken => Some(launch_token.to_owned()),
    }
}

fn key_of(header: &str) -> String {
    use base64::Engine;
    let encoded = header.strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let text = String::from_utf8(decoded).unwrap();
    text.split_once(':').unwrap().0.to_owned()
}

#[tokio::test]
async fn every_caller_gets_exactly_what_its_scopes_allow_on_every_operation() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let fixture = Fixture {
        agent: param(&launch, "actor"),
        registration: param(&launch, "registration"),
        activity: param(&launch, "activityId"),
        session: launch["sessionId"].as_str().unwrap().to_owned(),
    };
    // Fetched now, so the fetch-URL row below meets an already used session.
    let launch_token = app.token(&launch).await;

    let mut wrong = Vec::new();
    let mut cells = 0;
    // Anonymous comes first: what it gets is the yardstick for `AsAnonymous`.
    let mut anonymous = Vec::new();
    for caller in CALLERS {
        let auth = authorization(&app, caller, &launch_token).await;
        for (i, row) in rows().into_iter().enumerate() {
            let want = expect(caller, row.need);
            let mut uri = row
                .uri
                .map_or_else(|| fixture.fill(row.path), str::to_owned);
            if !row.query.is_empty() {
                uri = format!("{uri}?{}", fixture.fill(row.query));
            }
            let method = poem::http::Method::from_bytes(row.method.as_bytes()).unwrap();
            let mut request = app
                .client
                .request(method, &uri)
                .header("X-Experience-API-Version", "1.0.3");
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            if let Some(content_type) = row.content_type {
                request = request.content_type(content_type);
            }
            let status = request.body(row.body).send().await.0.status();
            if caller == Caller::Anonymous {
                anonymous.push(status);
            }
            let got = match status {
                _ if want == Expect::AsAnonymous && status == anonymous[i] => Expect::AsAnonymous,
                StatusCode::UNAUTHORIZED => Expect::Unauthorized,
                StatusCode::FORBIDDEN => Expect::Forbidden,
                _ => Expect::Through,
            };
            assert!(
                !status.is_server_error(),
                "{caller:?} {} {uri}: {status}",
                row.method
            );
            cells += 1;
            if got != want {
                wrong.push(format!(
                    "{caller:?} {} {uri}: want {want:?}, got {status}",
                    row.method
                ));
            }
        }
    }
    assert_eq!(cells, CALLERS.len() * rows().len());
    assert!(
        wrong.is_empty(),
        "scope matrix cells wrong:\n{}",
        wrong.join("\n")
    );
}

/// The rule table itself, on the cases xAPI 4.2 spells out.
#[test]
fn the_rule_table_follows_the_xapi_scope_definitions() {
    assert!(scopes_allow(&["all/read"], Need::ProfileRead));
    assert!(!scopes_allow(&["all/read"], Need::StateWrite));
    assert!(!scopes_allow(&["statements/write"], Need::StatementsRead));
    assert!(!scopes_allow(&["all"], Need::Admin));
    assert_eq!(
        expect(Caller::LaunchToken, Need::Definitions),
        Expect::Forbidden
    );
}
