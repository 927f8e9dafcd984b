//! Instructors and managers arriving in the console from the LMS: the console link's
//! LTI 1.3 launch (a real test platform: signed id_token, JWKS, NRPS service) answers a
//! page whose button opens `/console/lti/enter/<token>` in a new window; the token is
//! redeemed once into a read-only session scoped to the course's NRPS roster.

use poem::http::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};

use crate::console_learners::{learner, listed};
use crate::console_support::{Browser, Page, page_of};
use crate::helpers::{TestApp, json_of};
use crate::lti_platform::{ISSUER, TestPlatform, good_claims, login, post_launch};
use crate::nrps_platform::{
    AGS, CONTEXT, INSTRUCTOR, LEARNER, NRPS, Shared, member, point_token_url, serve_platform,
};
use blackbelt::console::lti_handoff::{self, Handoff};
use entities::{cert_audit, cert_learner, console_lti_handoff, console_session};

const CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
const MANAGER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Manager";

/// The app, a registered platform with a local NRPS service, and its course roster:
/// u1 (instructor), u2 and u4 (learners).
struct Course {
    app: TestApp,
    platform: TestPlatform,
    base: String,
    _state: Shared,
}

async fn course() -> Course {
    let app = TestApp::spawn_with(|c| {
        c.outbound_allow_private = true;
        c.passback_poll_ms = 20;
    })
    .await;
    let platform = TestPlatform::register(&app).await;
    let (state, base) = serve_platform().await;
    state.lock().unwrap().roster = vec![member(1), member(2), member(4)];
    point_token_url(&app.db.conn, platform.platform_id, &base).await;
    Course {
        app,
        platform,
        base,
        _state: state,
    }
}

impl Course {
    /// The console link's claims for `sub` with `role`, in course-7 with the NRPS claim.
    fn claims(&self, nonce: &str, sub: &str, role: &str) -> Value {
        let mut claims = good_claims(nonce, "");
        claims.as_object_mut().unwrap().remove(AGS);
        claims["sub"] = json!(sub);
        claims["name"] = json!("Grace Hopper");
        claims[ROLES] = json!([role]);
        claims[CUSTOM] = json!({"blackbelt": "console"});
        claims[CONTEXT] = json!({"id": "course-7", "title": "Social media safety"});
        claims[NRPS] = json!({"context_memberships_url": format!("{}/memberships?c=7", self.base),
            "service_versions": ["2.0"]});
        claims
    }

    /// Logs in and launches with the claims `edit` makes from the nonce.
    async fn launch(&self, edit: impl FnOnce(&str) -> Value) -> Page {
        let (state, nonce) = login(&self.app).await;
        let token = self.platform.sign(&edit(&nonce));
        page_of(post_launch(&self.app, &token, &state).await).await
    }

    /// Waits (up to 20 s) until the course's roster is synced with `members` members.
    async fn synced(&self, members: i64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let r = self
                .app
                .client
                .get("/api/lti/contexts")
                .header("Authorization", &self.app.auth)
                .send()
                .await;
            let list = json_of(r).await;
            if list[0]["syncState"] == "idle" && list[0]["members"] == members {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "never synced: {list}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// GETs the enter link (no cookie, as in a new window).
    async fn enter(&self, path: &str) -> Page {
        page_of(self.app.client.get(path).send().await).await
    }
}

/// The enter link's path on a handoff page.
fn enter_path(page: &Page) -> String {
    let at = page
        .body
        .find("/console/lti/enter/")
        .unwrap_or_else(|| panic!("no enter link:\n{}", page.body));
    let rest = &page.body[at..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The browser signed in by an enter response's cookie.
fn browser_of(entered: &Page) -> Browser {
    let cookie = entered.header("set-cookie");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let token = pair.split_once('=').unwrap().1.to_owned();
    Browser {
        cookie: pair,
        csrf: blackbelt::console::csrf::token_for(&token),
        user_id: 0,
        username: "lti".into(),
    }
}

/// A learner known to the certification engine by their LMS account.
async fn lms_learner(app: &TestApp, sub: &str, name: &str) -> String {
    let actor = json!({"account": {"homePage": ISSUER, "name": sub}});
    let key = blackbelt::xapi::statements::index::agent_key(&actor).unwrap();
    let now = blackbelt::console::now_us();
    cert_learner::ActiveModel {
        learner_key: Set(key.clone()),
        actor: Set(actor),
        name: Set(Some(name.into())),
        email: Set(None),
        attributes: Set(json!({})),
        created_us: Set(now),
        updated_us: Set(now),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    key
}

async fn sessions(app: &TestApp) -> u64 {
    console_session::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap()
}

async fn handoffs(app: &TestApp) -> u64 {
    console_lti_handoff::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_instructor_launch_opens_the_console_of_the_course_roster_with_a_single_use_link() {
    let course = course().await;
    let app = &course.app;
    let in_course = lms_learner(app, "u2", "Given2 Family2").await;
    lms_learner(app, "u99", "Other Course").await;
    learner(app, "x@x.example", "Not From The LMS", json!({})).await;

    let page = course
        .launch(|nonce| course.claims(nonce, "u1", INSTRUCTOR))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("target=\"_blank\" rel=\"noopener\"")
        .shows("Open the console in a new window")
        .shows("cookies")
        .shows("Social media safety");
    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(sessions(app).await, 0, "no session inside the LMS frame");
    course.synced(3).await;

    let path = enter_path(&page);
    let entered = course.enter(&path).await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.body);
    assert_eq!(entered.location(), "/console");
    let cookie = entered.header("set-cookie");
    assert!(
        cookie.starts_with("blackbelt_console=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let browser = browser_of(&entered);

    let overview = browser.get(app, "/console").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    overview.shows("Grace Hopper").shows("manager");
    assert!(
        !overview.body.contains("href=\"/console/password\""),
        "no password link for an LMS session"
    );
    let learners = browser.get(app, "/console/learners").await;
    assert_eq!(learners.status, StatusCode::OK, "{}", learners.body);
    assert_eq!(listed(&learners), vec![in_course]);
    assert_eq!(
        browser.get(app, "/console/password").await.status,
        StatusCode::FORBIDDEN
    );

    let replayed = course.enter(&path).await;
    assert_eq!(replayed.status, StatusCode::NOT_FOUND);
    replayed.shows("works once");
    assert!(replayed.header("set-cookie").is_empty());
    assert_eq!(sessions(app).await, 1);

    let audit = cert_audit::Entity::find()
        .filter(cert_audit::Column::Action.eq("console.sign_in.lti"))
        .order_by_asc(cert_audit::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].details["sub"], "u1");
    assert_eq!(audit[0].details["ltiRole"], "instructor");
    assert_eq!(audit[0].details["platform"], course.platform.platform_id);
}

#[tokio::test]
async fn a_learner_launch_of_the_console_link_gets_a_clear_page_and_no_handoff() {
    let course = course().await;
    let page = course
        .launch(|nonce| course.claims(nonce, "u2", LEARNER))
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    page.shows("This link is for instructors and managers")
        .shows("nothing was opened");
    assert!(!page.body.contains("/console/lti/enter/"));
    assert_eq!(handoffs(&course.app).await, 0);
    assert_eq!(sessions(&course.app).await, 0);
}

#[tokio::test]
async fn a_manager_role_gets_a_handoff_and_a_staff_launch_outside_a_course_is_refused() {
    let course = course().await;
    let page = course
        .launch(|nonce| course.claims(nonce, "m1", MANAGER))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    enter_path(&page);
    assert_eq!(handoffs(&course.app).await, 1);

    let page = course
        .launch(|nonce| {
            let mut claims = course.claims(nonce, "u1", INSTRUCTOR);
            claims.as_object_mut().unwrap().remove(CONTEXT);
            claims
        })
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    page.shows("no_context").shows("outside a course");
    assert_eq!(handoffs(&course.app).await, 1, "no new handoff");
}

#[tokio::test]
async fn a_staff_launch_of_a_course_without_a_roster_is_refused_by_name() {
    let course = course().await;
    let page = course
        .launch(|nonce| {
            let mut claims = course.claims(nonce, "u1", INSTRUCTOR);
            claims.as_object_mut().unwrap().remove(NRPS);
            claims
        })
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    page.shows("no_roster")
        .shows("Names and Role Provisioning Services");
    assert_eq!(handoffs(&course.app).await, 0);
}

#[tokio::test]
async fn expired_and_unknown_handoffs_create_nothing_and_housekeeping_drops_them() {
    let course = course().await;
    let app = &course.app;
    let page = course
        .launch(|nonce| course.claims(nonce, "u1", INSTRUCTOR))
        .await;
    let used = enter_path(&page);
    let context_row_id = console_lti_handoff::Entity::find()
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .context_row_id;
    assert_eq!(course.enter(&used).await.status, StatusCode::SEE_OTHER);
    let now = blackbelt::console::now_us();
    let who = Handoff {
        platform_id: course.platform.platform_id,
        context_row_id,
        subject: "u1".into(),
        name: None,
        lti_role: "instructor".into(),
    };
    let old = lti_handoff::issue(app.db.writer(), &who, now - lti_handoff::LIFETIME_US - 1)
        .await
        .unwrap();
    let live = lti_handoff::issue(app.db.writer(), &who, now)
        .await
        .unwrap();
    for path in [
        lti_handoff::enter_path(&old),
        lti_handoff::enter_path("not-a-token"),
    ] {
        let page = course.enter(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.shows("Console link not valid");
    }
    assert_eq!(sessions(app).await, 1);

    let settings = blackbelt::console::SessionSettings {
        idle_us: 3_600_000_000,
        absolute_us: 3_600_000_000,
        secure: false,
    };
    let limits = blackbelt::console::throttle::Limits {
        max_failures: 5,
        window_us: 60_000_000,
    };
    let pruned = blackbelt::console::housekeeping::prune(app.db.writer(), settings, limits, now)
        .await
        .unwrap();
    assert_eq!(pruned.handoffs, 2, "the used and the expired one");
    let entered = course.enter(&lti_handoff::enter_path(&live)).await;
    assert_eq!(
        entered.status,
        StatusCode::SEE_OTHER,
        "the live one still works"
    );
}

#[tokio::test]
async fn an_lms_session_is_refused_every_console_form_but_sign_out() {
    let course = course().await;
    let app = &course.app;
    let page = course
        .launch(|nonce| course.claims(nonce, "u1", INSTRUCTOR))
        .await;
    let browser = browser_of(&course.enter(&enter_path(&page)).await);
    // Every field any console form reads, so each form parses and the role decides.
    let fields = [
        ("label", "x"),
        ("scope", "all"),
        ("id", "1"),
        ("key", "k"),
        ("name", "n"),
        ("origin", "https://lms.example"),
        ("username", "someone"),
        ("role", "admin"),
        ("learner", "mailto:a@x.example"),
        ("belt", "white"),
        ("reason", "r"),
        ("months", "3"),
        ("decision", "approve"),
        ("op", "add"),
        ("statement", "00000000-0000-0000-0000-000000000000"),
        ("current", "x"),
        ("password", "a long enough password"),
        ("confirm", "a long enough password"),
    ];
    for path in [
        "/console/admin/credentials",
        "/console/admin/credentials/revoke",
        "/console/admin/lti/platforms",
        "/console/admin/lti/platforms/approve",
        "/console/admin/lti/platforms/remove",
        "/console/admin/lti/keys/rotate",
        "/console/admin/lti/consumers",
        "/console/admin/lti/consumers/remove",
        "/console/admin/lti/registration-links",
        "/console/admin/passback/retry",
        "/console/admin/packages/upload",
        "/console/admin/users",
        "/console/admin/users/someone/role",
        "/console/admin/users/someone/disable",
        "/console/admin/users/someone/enable",
        "/console/admin/users/someone/reset",
        "/console/admin/users/someone/sign-out-everywhere",
        "/console/statements/void",
        "/console/awards",
        "/console/awards/1/revoke",
        "/console/awards/1/extend",
        "/console/evidence/1/decide",
        "/console/evidence/reviewers",
        "/console/password",
    ] {
        let page = browser.post(app, path, &fields).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "POST {path}: {}",
            page.body
        );
    }
    let out = browser.post(app, "/console/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(sessions(app).await, 0);
}

#[tokio::test]
async fn deep_linking_offers_the_console_link_marked_by_its_custom_parameter() {
    let course = course().await;
    let app = &course.app;
    app.import_course("all-employees").await;
    let page = course
        .launch(crate::lti_platform::deep_linking_claims)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("value=\"blackbelt:console\"")
        .shows("Certification console (instructors and managers)");
    let context = page
        .body
        .split("name=\"context\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("context", &context)
        .append_pair("au", "blackbelt:console")
        .finish();
    let response = app
        .client
        .post("/lti/deep-linking")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let page = page_of(response).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let jwt = page
        .body
        .split("name=\"JWT\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            jwt.split('.').nth(1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let items = &payload["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"];
    assert_eq!(items.as_array().unwrap().len(), 1);
    let item = &items[0];
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(
        item["title"],
        "Certification console (instructors and managers)"
    );
    assert_eq!(item["custom"], json!({"blackbelt": "console"}));
    assert!(item.get("lineItem").is_none(), "nothing to grade: {item}");
    assert!(item["url"].as_str().unwrap().ends_with("/lti/launch"));
}
