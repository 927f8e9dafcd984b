//! The console's statement explorer (`/console/statements`): the xAPI filters, paging
//! with the sealed cursor, the readable view and raw JSON, and voiding (admin only).

use blackbelt::console::role::Role;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::console_support::{Browser, Page, signed_in};
use crate::helpers::{TestApp, statement, uuid};

pub(crate) async fn store(app: &TestApp, body: &Value) -> String {
    let response = app.post(body).await;
    response.assert_status_is_ok();
    let ids: Vec<String> = crate::helpers::json_of(response)
        .await
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect();
    ids[0].clone()
}

fn rows(page: &Page) -> usize {
    page.body.matches("<summary>Raw JSON").count()
}

async fn explore(app: &TestApp, who: &Browser, query: &str) -> Page {
    let page = who.get(app, &format!("/console/statements{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

#[tokio::test]
async fn the_explorer_shows_statements_readably_with_their_raw_json_escaped() {
    let app = TestApp::spawn().await;
    let mut s = statement(1);
    s["object"]["definition"]["name"]["en-US"] = json!("<script>alert(1)</script> Module");
    s["result"] = json!({"score": {"scaled": 0.9}, "success": true});
    store(&app, &s).await;
    let program = signed_in(&app, Role::Program, None).await;
    let page = explore(&app, &program, "").await;
    page.shows("<h1>Statements</h1>")
        .shows("Learner 1")
        .shows("completed")
        .shows("&#60;script&#62;alert(1)&#60;/script&#62; Module")
        .shows("score 90 %, passed")
        .shows("<pre class=\"json\">");
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert_eq!(rows(&page), 1);
    // Voiding is an administrator's: a program user sees no button for it.
    assert!(!page.body.contains("/console/statements/void"));
}

#[tokio::test]
async fn explorer_filters_are_the_xapi_query_agent_verb_registration_and_since() {
    let app = TestApp::spawn().await;
    let registration = uuid();
    let mut with_registration = statement(2);
    with_registration["context"] = json!({"registration": registration});
    store(&app, &statement(1)).await;
    store(&app, &with_registration).await;
    let mut other_verb = statement(3);
    other_verb["verb"] = json!({"id": "http://adlnet.gov/expapi/verbs/attempted"});
    store(&app, &other_verb).await;
    let mut by_account = statement(4);
    by_account["actor"] =
        json!({"name": "Grace", "account": {"homePage": "https://lms.example", "name": "g-42"}});
    store(&app, &by_account).await;
    let admin = signed_in(&app, Role::Admin, None).await;

    let all = explore(&app, &admin, "").await;
    assert_eq!(rows(&all), 4);
    let agent = explore(&app, &admin, "?agent=learner1%40example.com").await;
    assert_eq!(rows(&agent), 1);
    agent.shows("Learner 1");
    let json_agent = explore(
        &app,
        &admin,
        "?agent=%7B%22mbox%22%3A%22mailto%3Alearner2%40example.com%22%7D",
    )
    .await;
    assert_eq!(rows(&json_agent), 1);
    json_agent.shows("Learner 2");
    let account = explore(
        &app,
        &admin,
        "?home_page=https%3A%2F%2Flms.example&account=g-42",
    )
    .await;
    assert_eq!(rows(&account), 1);
    account.shows("Grace");
    let verb = explore(
        &app,
        &admin,
        "?verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fattempted",
    )
    .await;
    assert_eq!(rows(&verb), 1);
    verb.shows("Learner 3");
    let reg = explore(&app, &admin, &format!("?registration={registration}")).await;
    assert_eq!(rows(&reg), 1);
    reg.shows("Learner 2");
    let future = explore(&app, &admin, "?since=2999-01-01T00%3A00%3A00Z").await;
    assert_eq!(rows(&future), 0);
    future.shows("No statement matches.");
    let past = explore(&app, &admin, "?since=2000-01-01T00%3A00%3A00Z").await;
    assert_eq!(rows(&past), 4);
}

#[tokio::test]
async fn a_bad_filter_is_explained_in_place() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/statements?verb=not+an+iri").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("role=\"alert\"")
        .shows("verb")
        .shows("absolute IRI");
    let page = admin.get(&app, "/console/statements?agent=nobody").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("email address");
    let page = admin.get(&app, "/console/statements?registration=42").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("UUID");
}

#[tokio::test]
async fn the_explorer_pages_with_the_sealed_more_cursor() {
    let app = TestApp::spawn().await;
    let batch: Vec<Value> = (0..55).map(|_| statement(7)).collect();
    app.post(&Value::Array(batch)).await.assert_status_is_ok();
    store(&app, &statement(8)).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let first = explore(&app, &admin, "?agent=learner7%40example.com").await;
    assert_eq!(rows(&first), 50);
    let start = first.body.find("rel=\"next\"").map(|_| ()).and_then(|_| {
        let at = first.body.find("href=\"/console/statements?more=")?;
        Some(at + "href=\"".len())
    });
    let start = start.expect("a next page link");
    let end = start + first.body[start..].find('"').expect("end of link");
    let next = first.body[start..end]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = explore(&app, &admin, next.trim_start_matches("/console/statements")).await;
    assert_eq!(rows(&second), 5, "{}", second.body);
    assert!(!second.body.contains("Learner 8"));
    // The form still shows what is being paged through.
    second.shows("value=\"learner7@example.com\"");
    // A cursor is sealed for its holder: another user's copy starts nothing.
    let other = signed_in(&app, Role::Admin, None).await;
    let stolen = other.get(&app, &next).await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{}", stolen.body);
}

#[tokio::test]
async fn roles_without_statements_are_refused_the_explorer() {
    let app = TestApp::spawn().await;
    for role in [Role::Reviewer, Role::Manager, Role::Viewer] {
        let who = signed_in(&app, role, Some(json!({"org_units": ["x"]}))).await;
        let page = who.get(&app, "/console/statements").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn an_admin_voids_a_statement_through_the_xapi_write_path() {
    let app = TestApp::spawn().await;
    let id = store(&app, &statement(1)).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let list = explore(&app, &admin, "").await;
    list.shows(&format!("/console/statements/void?id={id}"));
    let confirm = admin
        .get(&app, &format!("/console/statements/void?id={id}"))
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    confirm.shows("Void this statement").shows("Learner 1");
    // The page is the one confirmation: the form does not ask again by script.
    assert!(!confirm.body.contains("data-confirm"), "{}", confirm.body);
    let done = admin
        .post(&app, "/console/statements/void", &[("id", &id)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = admin.get(&app, done.location()).await;
    after
        .shows("The statement was voided.")
        .shows("voided</span>");
    // The LRS agrees: the statement is voided and the voiding statement names the admin.
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&format!("?voidedStatementId={id}"))
        .await
        .assert_status_is_ok();
    let page = crate::helpers::json_of(
        app.get("?verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fvoided")
            .await,
    )
    .await;
    let voiding = &page["statements"][0];
    assert_eq!(voiding["object"]["id"], json!(id));
    assert_eq!(
        voiding["actor"]["account"]["name"],
        json!(format!("console:{}", admin.username))
    );
    assert_eq!(
        voiding["actor"]["account"]["homePage"],
        voiding["authority"]["account"]["homePage"]
    );
}

#[tokio::test]
async fn voiding_is_refused_to_program_and_without_csrf() {
    let app = TestApp::spawn().await;
    let id = store(&app, &statement(1)).await;
    let program = signed_in(&app, Role::Program, None).await;
    let page = program
        .get(&app, &format!("/console/statements/void?id={id}"))
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = program
        .post(&app, "/console/statements/void", &[("id", &id)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post_raw(&app, "/console/statements/void", &[("id", &id)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("Nothing was changed");
    let page = admin
        .post_raw(
            &app,
            "/console/statements/void",
            &[("csrf", "forged"), ("id", &id)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn voiding_a_voiding_statement_or_an_unknown_id_says_why() {
    let app = TestApp::spawn().await;
    let target = store(&app, &statement(1)).await;
    let voiding = store(
        &app,
        &json!({
            "actor": {"mbox": "mailto:ops@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": target},
        }),
    )
    .await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post(&app, "/console/statements/void", &[("id", &voiding)])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("cannot be voided");
    let page = admin
        .post(&app, "/console/statements/void", &[("id", &target)])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("already voided");
    let unknown = uuid();
    let page = admin
        .post(&app, "/console/statements/void", &[("id", &unknown)])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.shows("No statement has the id");
    let page = admin
        .post(&app, "/console/statements/void", &[("id", "nope")])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("is not a statement id");
    // Nothing new was stored.
    assert_eq!(
        app.ids("?verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fvoided")
            .await,
        vec![voiding]
    );
}

#[tokio::test]
async fn the_explorer_exports_its_filter_as_csv() {
    let app = TestApp::spawn().await;
    for n in [1, 1, 2] {
        store(&app, &statement(n)).await;
    }
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = explore(&app, &admin, "?agent=learner1%40example.com").await;
    page.shows("href=\"/console/statements.csv?agent=learner1%40example.com\"");
    let csv = admin
        .get(&app, "/console/statements.csv?agent=learner1%40example.com")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(lines[0].starts_with("id,when,actor,verb"));
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains("Learner 1") && l.contains("completed"))
    );
    let refused = signed_in(&app, Role::Viewer, None).await;
    let page = refused.get(&app, "/console/statements.csv").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}
