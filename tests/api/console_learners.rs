//! The console's learner pages: the list (search, filters, keyset paging, CSV), a
//! learner's page, and who may see what (a manager their team only, a viewer nobody).

use blackbelt::console::role::Role;
use entities::{cert_learner, package, progress, registration};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::cert_fixture::{enc, now};
use crate::certification_support::{AU_POLICY, Session, import_all_employees, learner_key};
use crate::console_support::{Browser, Page, signed_in};
use crate::helpers::TestApp;

/// A learner known by email, with a name and attributes.
pub async fn learner(app: &TestApp, email: &str, name: &str, attributes: Value) -> String {
    let actor = json!({"mbox": format!("mailto:{email}"), "name": name});
    let key = blackbelt::xapi::statements::index::agent_key(&actor).unwrap();
    cert_learner::ActiveModel {
        learner_key: Set(key.clone()),
        actor: Set(actor),
        name: Set(Some(name.into())),
        email: Set(Some(format!("mailto:{email}"))),
        attributes: Set(attributes),
        created_us: Set(now()),
        updated_us: Set(now()),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    // As the registry's write path does for a new learner.
    let email = format!("mailto:{email}");
    blackbelt::certification::learners::store::record_terms(
        app.db.writer(),
        [(key.as_str(), Some(name), Some(email.as_str()))].into_iter(),
    )
    .await
    .unwrap();
    key
}

/// A registration of `key` for `course`, its course row satisfied or not (rows as the
/// progress projection writes them).
pub async fn course_row(app: &TestApp, key: &str, course: &str, satisfied: bool) {
    let reg = crate::helpers::uuid();
    let package = package::ActiveModel {
        course_key: Set(format!("key-{reg}")),
        course_id: Set(course.into()),
        version: Set(1),
        content_hash: Set(reg.clone()),
        slug: Set(format!("slug-{reg}")),
        format: Set("cmi5".into()),
        title: Set(format!("Course {course}")),
        structure: Set(json!({})),
        file_count: Set(0),
        total_bytes: Set(0),
        imported_us: Set(now()),
        retired_us: Set(None),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    registration::ActiveModel {
        registration: Set(reg.clone()),
        learner_key: Set(key.into()),
        course_key: Set(package.course_key),
        course_id: Set(course.into()),
        package_seq: Set(package.seq),
        actor: Set(json!({})),
        email: Set(None),
        created_us: Set(now()),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    progress::ActiveModel {
        registration: Set(reg),
        object_id: Set(course.into()),
        kind: Set("course".into()),
        attempted: Set(true),
        completed: Set(satisfied),
        passed: Set(false),
        failed: Set(false),
        satisfied: Set(satisfied),
        score: Set(None),
        progress_percent: Set(Some(if satisfied { 100 } else { 50 })),
        updated_us: Set(now()),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
}

/// The learner keys a list page links to, in order.
pub fn listed(page: &Page) -> Vec<String> {
    page.body
        .split("href=\"/console/learners/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|k| {
            url::form_urlencoded::parse(format!("k={}", k.replace("%20", "+")).as_bytes())
                .next()
                .unwrap()
                .1
                .into_owned()
        })
        .collect()
}

fn next_link(page: &Page) -> Option<String> {
    let end = page.body.find("\" rel=\"next\"")?;
    let start = page.body[..end].rfind("href=\"")? + "href=\"".len();
    Some(page.body[start..end].replace("&amp;", "&"))
}

async fn admin(app: &TestApp) -> Browser {
    signed_in(app, Role::Program, None).await
}

#[tokio::test]
async fn the_list_shows_learners_with_their_belts_and_course_progress() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let ada = learner(&app, "ada@example.com", "Ada Lovelace", json!({})).await;
    learner(&app, "bob@example.com", "Bob Stone", json!({})).await;
    app.insert_award(&ada, "white").await;
    course_row(&app, &ada, "https://c/one", true).await;
    let page = admin(&app).await.get(&app, "/console/learners").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Learners</h1>")
        .shows("Ada Lovelace")
        .shows("Bob Stone")
        .shows("White Belt")
        .shows("1 of 1 satisfied")
        .shows("ada@example.com");
    assert_eq!(listed(&page).len(), 2);
}

#[tokio::test]
async fn search_matches_name_email_and_account_in_any_case() {
    let app = TestApp::spawn().await;
    let ada = learner(&app, "ada@example.com", "Ada Lovelace", json!({})).await;
    let bob = learner(&app, "bob@corp.example", "Bob Stone", json!({})).await;
    let me = admin(&app).await;
    let by_name = me.get(&app, "/console/learners?q=LOVE").await;
    assert_eq!(listed(&by_name), vec![ada.clone()]);
    let by_email = me.get(&app, "/console/learners?q=corp.EX").await;
    assert_eq!(listed(&by_email), vec![bob.clone()]);
    let by_key = me
        .get(&app, "/console/learners?q=mbox%3Amailto%3Aada")
        .await;
    assert_eq!(listed(&by_key), vec![ada]);
    // LIKE wildcards are plain characters.
    let wildcard = me.get(&app, "/console/learners?q=%25").await;
    assert!(listed(&wildcard).is_empty(), "{}", wildcard.body);
    wildcard.shows("No learner matches.");
}

#[tokio::test]
async fn search_finds_the_start_of_a_word_not_a_piece_inside_one() {
    let app = TestApp::spawn().await;
    let ada = learner(&app, "ada.l@example.com", "Ada Lovelace", json!({})).await;
    learner(&app, "grace@example.com", "Grace Hopper", json!({})).await;
    let me = admin(&app).await;
    // Each word starts a word of the name, in any order.
    let both = me.get(&app, "/console/learners?q=lov+ADA").await;
    assert_eq!(listed(&both), vec![ada.clone()]);
    // The email's local part is a word of its own.
    let local = me.get(&app, "/console/learners?q=ada.l%40").await;
    assert_eq!(listed(&local), vec![ada]);
    // A piece inside a word is not a match (the search reads an index of word starts).
    let inside = me.get(&app, "/console/learners?q=ovelace").await;
    assert!(listed(&inside).is_empty(), "{}", inside.body);
    let all_words = me.get(&app, "/console/learners?q=ada+hopper").await;
    assert!(listed(&all_words).is_empty(), "{}", all_words.body);
}

#[tokio::test]
async fn a_learner_the_registry_adds_is_found_by_name() {
    let app = TestApp::spawn().await;
    let actor = json!({"name": "Katherine Johnson",
        "account": {"homePage": "https://lms.example.com", "name": "kj-1"}});
    let new = blackbelt::certification::learners::Learner::from_actor(&actor, None).unwrap();
    let key = new.learner_key.clone();
    blackbelt::certification::learners::upsert(app.db.writer(), &[new], now())
        .await
        .unwrap();
    let page = admin(&app)
        .await
        .get(&app, "/console/learners?q=johns")
        .await;
    assert_eq!(listed(&page), vec![key]);
}

#[tokio::test]
async fn audience_and_belt_filters_return_only_matching_learners() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let sales = learner(
        &app,
        "s@x.example",
        "Sal",
        json!({"audience": ["sales", "emea"]}),
    )
    .await;
    let ops = learner(&app, "o@x.example", "Oz", json!({"audience": "ops"})).await;
    app.insert_award(&ops, "white").await;
    let me = admin(&app).await;
    let page = me.get(&app, "/console/learners?audience=emea").await;
    assert_eq!(listed(&page), vec![sales]);
    let page = me.get(&app, "/console/learners?audience=ops").await;
    assert_eq!(listed(&page), vec![ops.clone()]);
    let page = me.get(&app, "/console/learners?belt=white").await;
    assert_eq!(listed(&page), vec![ops]);
    let page = me.get(&app, "/console/learners?belt=green").await;
    assert!(listed(&page).is_empty());
}

#[tokio::test]
async fn the_course_standing_filter_finds_satisfied_in_progress_and_not_started() {
    let app = TestApp::spawn().await;
    let done = learner(&app, "d@x.example", "Done", json!({})).await;
    let going = learner(&app, "g@x.example", "Going", json!({})).await;
    let none = learner(&app, "n@x.example", "None", json!({})).await;
    course_row(&app, &done, "https://c/one", true).await;
    course_row(&app, &going, "https://c/one", false).await;
    let me = admin(&app).await;
    let c = enc("https://c/one");
    let page = me
        .get(
            &app,
            &format!("/console/learners?course={c}&standing=satisfied"),
        )
        .await;
    assert_eq!(listed(&page), vec![done.clone()]);
    let page = me
        .get(
            &app,
            &format!("/console/learners?course={c}&standing=in_progress"),
        )
        .await;
    assert_eq!(listed(&page), vec![going]);
    let page = me
        .get(
            &app,
            &format!("/console/learners?course={c}&standing=not_started"),
        )
        .await;
    assert_eq!(listed(&page), vec![none]);
}

#[tokio::test]
async fn a_standing_without_a_course_is_refused_in_place() {
    let app = TestApp::spawn().await;
    learner(&app, "a@x.example", "Ann", json!({})).await;
    let page = admin(&app)
        .await
        .get(&app, "/console/learners?standing=not_started")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("Choose a course for the course standing filter.")
        .shows("<label for=\"course\">");
    assert!(listed(&page).is_empty());
}

#[tokio::test]
async fn keyset_pages_cover_every_learner_once_in_order() {
    let app = TestApp::spawn().await;
    for i in 0..120 {
        learner(
            &app,
            &format!("p{i:03}@x.example"),
            &format!("P {i}"),
            json!({}),
        )
        .await;
    }
    let me = admin(&app).await;
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/console/learners".to_owned();
    let mut pages = 0;
    loop {
        let page = me.get(&app, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(listed(&page));
        pages += 1;
        match next_link(&page) {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "no duplicate, in key order");
}

#[tokio::test]
async fn the_csv_has_the_rows_of_the_list_and_defuses_formulas() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let evil = learner(
        &app,
        "e@x.example",
        "=HYPERLINK(\"x\")",
        json!({"org_unit": ["ops"]}),
    )
    .await;
    app.insert_award(&evil, "white").await;
    for i in 0..3 {
        learner(
            &app,
            &format!("c{i}@x.example"),
            &format!("C {i}"),
            json!({}),
        )
        .await;
    }
    let me = admin(&app).await;
    let list = me.get(&app, "/console/learners?q=x.example").await;
    let csv = me.get(&app, "/console/learners.csv?q=x.example").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("learners.csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("learner_key,name,email"),
        "{}",
        lines[0]
    );
    let keys: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(keys, listed(&list));
    let evil_line = lines.iter().find(|l| l.starts_with(&evil)).unwrap();
    assert!(
        evil_line.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "{evil_line}"
    );
    assert!(evil_line.contains("White Belt"), "{evil_line}");
    assert!(evil_line.contains(",ops,"), "{evil_line}");
}

#[tokio::test]
async fn a_manager_sees_only_their_team_in_the_list_the_csv_and_learner_pages() {
    let app = TestApp::spawn().await;
    let mine = learner(
        &app,
        "m@x.example",
        "Mine",
        json!({"org_unit": ["emea-sales"]}),
    )
    .await;
    let other = learner(&app, "o@x.example", "Other", json!({"org_unit": ["apac"]})).await;
    let manager = signed_in(
        &app,
        Role::Manager,
        Some(json!({"org_units": ["emea-sales"]})),
    )
    .await;
    let page = manager.get(&app, "/console/learners").await;
    assert_eq!(listed(&page), vec![mine.clone()]);
    let page = manager.get(&app, "/console/learners?q=Other").await;
    assert!(listed(&page).is_empty());
    let csv = manager.get(&app, "/console/learners.csv").await;
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    assert!(csv.body.contains(&mine) && !csv.body.contains(&other));
    let own = manager
        .get(&app, &format!("/console/learners/{}", enc(&mine)))
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let outside = manager
        .get(&app, &format!("/console/learners/{}", enc(&other)))
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let unknown = manager
        .get(&app, "/console/learners/mbox%3Amailto%3Anobody%40x.example")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        outside.body, unknown.body,
        "outside the team reads like unknown"
    );
    let team_less = signed_in(&app, Role::Manager, None).await;
    assert!(listed(&team_less.get(&app, "/console/learners").await).is_empty());
}

#[tokio::test]
async fn a_manager_from_an_lms_course_sees_its_roster_members_only() {
    use blackbelt::console::session::{self, Client, Owner, SessionSettings};
    let app = TestApp::spawn().await;
    let issuer = "https://lms.example.com";
    let member = learner(&app, "x@x.example", "Not in course", json!({})).await;
    let _ = member;
    let sub = "u-77";
    let in_course = blackbelt::xapi::statements::index::agent_key(
        &json!({"account": {"homePage": issuer, "name": sub}}),
    )
    .unwrap();
    cert_learner::ActiveModel {
        learner_key: Set(in_course.clone()),
        actor: Set(json!({"account": {"homePage": issuer, "name": sub}})),
        name: Set(Some("In Course".into())),
        email: Set(None),
        attributes: Set(json!({})),
        created_us: Set(now()),
        updated_us: Set(now()),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    let context = roster_context(&app, issuer, sub).await;
    let settings = SessionSettings {
        idle_us: 3_600_000_000,
        absolute_us: 3_600_000_000,
        secure: false,
    };
    let token = session::create(
        app.db.writer(),
        &settings,
        Owner::LtiContext {
            context_id: context,
            name: "Instructor".into(),
            role: "manager".into(),
        },
        Client::default(),
        now(),
    )
    .await
    .unwrap();
    let browser = Browser {
        cookie: format!("{}={token}", settings.cookie_name()),
        csrf: blackbelt::console::csrf::token_for(&token),
        user_id: 0,
        username: "lti".into(),
    };
    let page = browser.get(&app, "/console/learners").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(listed(&page), vec![in_course]);
}

/// A platform, one of its contexts with `sub` as its only member; the context's id.
async fn roster_context(app: &TestApp, issuer: &str, sub: &str) -> i64 {
    use entities::{lti_context, lti_context_member, lti_platform};
    let platform = lti_platform::ActiveModel {
        name: Set("LMS".into()),
        issuer: Set(issuer.into()),
        client_id: Set("client".into()),
        auth_login_url: Set(format!("{issuer}/auth")),
        token_url: Set(format!("{issuer}/token")),
        jwks_url: Set(format!("{issuer}/jwks")),
        deployment_ids: Set(json!(["1"])),
        status: Set("active".into()),
        created_us: Set(now()),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    let context = lti_context::ActiveModel {
        source: Set(format!("platform:{}", platform.id)),
        context_id: Set("course-1".into()),
        title: Set(Some("Course 1".into())),
        memberships_url: Set(format!("{issuer}/members")),
        service_versions: Set("[\"2.0\"]".into()),
        lease_epoch: Set(0),
        attempts: Set(0),
        consecutive_failures: Set(0),
        member_count: Set(1),
        created_us: Set(now()),
        updated_us: Set(now()),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    lti_context_member::ActiveModel {
        context_row_id: Set(context.id),
        user_id: Set(sub.into()),
        roles: Set("[]".into()),
        status: Set("Active".into()),
        updated_us: Set(now()),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    context.id
}

#[tokio::test]
async fn a_viewer_cannot_open_learner_pages() {
    let app = TestApp::spawn().await;
    let key = learner(&app, "a@x.example", "Ann", json!({})).await;
    let viewer = signed_in(&app, Role::Viewer, None).await;
    for path in [
        "/console/learners".to_owned(),
        "/console/learners.csv".to_owned(),
        format!("/console/learners/{}", enc(&key)),
    ] {
        let page = viewer.get(&app, &path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!page.body.contains("Ann"), "{path}");
    }
    let reviewer = signed_in(&app, Role::Reviewer, None).await;
    let page = reviewer.get(&app, "/console/learners").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_learner_name_with_markup_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let key = learner(&app, "x@x.example", "<script>alert(1)</script>", json!({})).await;
    let me = admin(&app).await;
    for path in [
        "/console/learners".to_owned(),
        format!("/console/learners/{}", enc(&key)),
    ] {
        let page = me.get(&app, &path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path}");
        page.shows("&#60;script&#62;alert(1)&#60;/script&#62;");
    }
}

#[tokio::test]
async fn a_learner_page_shows_belts_standing_timeline_and_evidence() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    import_all_employees(&app).await;
    let s = Session::start(&app, "ada", AU_POLICY).await;
    s.complete(&app).await;
    s.pass(&app, 0.9).await;
    let key = learner_key("ada");
    app.insert_award(&key, "white").await;
    let me = admin(&app).await;
    let path = format!("/console/learners/{}", enc(&key));
    let page = me.get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1 class=\"learner-title\">Learner ada</h1>")
        .shows("White Belt")
        .shows("Held")
        .shows("Not issued")
        .shows("Social media policy essentials")
        .shows("0.9")
        .shows("passed")
        .shows("/console/statements?statementId=")
        .shows("Launches")
        .shows("No evidence submitted.");
}

#[tokio::test]
async fn the_timeline_pages_newest_first_without_gaps() {
    let app = TestApp::spawn().await;
    let key = learner(&app, "t@x.example", "Tim", json!({})).await;
    let mut ids = Vec::new();
    for i in 0..60 {
        let id = crate::helpers::uuid();
        let s = json!({
            "id": id,
            "actor": {"mbox": "mailto:t@x.example"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced",
                     "display": {"en-US": "experienced"}},
            "object": {"id": format!("https://x.example/page/{i}"),
                       "definition": {"name": {"en-US": format!("Page {i}")}}},
        });
        let r = app.post(&s).await;
        assert_eq!(r.0.status(), StatusCode::OK);
        ids.push(id);
    }
    let me = admin(&app).await;
    let path = format!("/console/learners/{}", enc(&key));
    let first = me.get(&app, &path).await;
    first.shows("experienced <strong>Page 59</strong>");
    let shown = |p: &Page| -> Vec<String> {
        p.body
            .split("statementId=")
            .skip(1)
            .map(|r| r.split('"').next().unwrap().to_owned())
            .collect()
    };
    let older = first
        .body
        .split("?after=")
        .nth(1)
        .and_then(|r| r.split('#').next())
        .unwrap()
        .to_owned();
    let second = me.get(&app, &format!("{path}?after={older}")).await;
    assert_eq!(second.status, StatusCode::OK);
    let mut all = shown(&first);
    all.extend(shown(&second));
    ids.reverse();
    assert_eq!(all, ids);
}
