//! The learner's side of issue 20: `/api/learn/settings` and `/api/learn/summary` with
//! an AU's launch token (contract §4–§5), the single-use handoff to the learner's home,
//! the home itself and its Launch buttons.

use poem::http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::console_support::{anonymous_get, page_of};
use crate::content::POLICY_AU;
use crate::helpers::{TestApp, basic};
use crate::learn_support::{COURSE, TRIAGE_AU, csrf_of, text};
use entities::{launch_session, learn_handoff, learn_session};

#[tokio::test]
async fn settings_are_the_configurations_until_the_console_sets_one() {
    let app = TestApp::spawn_with(|c| {
        c.company.company_name = Some("Acme".into());
        c.company.policy_url = Some("https://acme.example/policy".into());
    })
    .await;
    let (token, _) = app.learner("ada").await;
    let (status, body) = app.call("GET", "/api/learn/settings", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["company_name"], "Acme");
    assert_eq!(body["policy_url"], "https://acme.example/policy");
    assert!(body.get("logo_url").is_none(), "{body}");
    blackbelt::learn::company_store::set(
        app.db.writer(),
        "company_name",
        Some("Acme Ltd"),
        "console:test",
        0,
    )
    .await
    .unwrap();
    let (_, body) = app.call("GET", "/api/learn/settings", &token, None).await;
    assert_eq!(body["company_name"], "Acme Ltd");
    assert_eq!(body["policy_url"], "https://acme.example/policy");
}

#[tokio::test]
async fn a_company_variable_that_breaks_its_rule_stops_the_start_naming_it() {
    let mut config = blackbelt::config::Config {
        database_url: "sqlite::memory:".into(),
        ..Default::default()
    };
    config.company.logo_url = Some("javascript:alert(1)".into());
    let error = blackbelt::app::App::build(config)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("company.logo_url"), "{error}");
}

#[tokio::test]
async fn learn_endpoints_need_an_aus_launch_token() {
    let app = TestApp::spawn().await;
    let (token, _) = app.learner("ada").await;
    for (method, path) in [
        ("GET", "/api/learn/settings"),
        ("GET", "/api/learn/summary"),
        ("POST", "/api/learn/handoff"),
    ] {
        let request = match method {
            "GET" => app.client.get(path),
            _ => app.client.post(path),
        };
        let none = request.send().await;
        assert_eq!(none.0.status(), StatusCode::UNAUTHORIZED, "{path}");
        let garbage = app
            .call(method, path, &basic("nobody", "nothing"), None)
            .await;
        assert_eq!(garbage.0, StatusCode::UNAUTHORIZED, "{path}");
        // A launch token whose secret is wrong: 403, as for every launch-token call
        // (cmi5 §8.2; a 401 challenge would open a login dialog over the AU).
        let wrong = token.replace("Basic ", "");
        let wrong = {
            use base64::Engine;
            let raw = base64::engine::general_purpose::STANDARD
                .decode(wrong)
                .unwrap();
            let text = String::from_utf8(raw).unwrap();
            let user = text.split_once(':').unwrap().0.to_owned();
            basic(&user, "wrong-secret")
        };
        let (status, _) = app.call(method, path, &wrong, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, body) = app.call(method, path, &app.auth, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
}

#[tokio::test]
async fn a_learner_without_belts_is_shown_the_first_belt_and_module() {
    let app = TestApp::spawn().await;
    app.with_learn_program().await;
    let (token, _) = app.learner("ada").await;
    let (status, body) = app.call("GET", "/api/learn/summary", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["belts"], serde_json::json!([]));
    assert_eq!(body["next"]["belt"]["id"], "white");
    assert_eq!(body["next"]["belt"]["name"], "White Belt");
    assert_eq!(body["next"]["belt"]["colour"], "#f5f5f5");
    assert_eq!(body["next"]["met"], 0);
    assert_eq!(body["next"]["total"], 2);
    let open: Vec<&str> = body["next"]["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert_eq!(open.len(), 2, "{body}");
    assert!(
        open.iter()
            .all(|line| line.starts_with("Pass “") && line.ends_with("with at least 80 %")),
        "{open:?}"
    );
    assert!(!open.iter().any(|l| l.contains("https://")), "{open:?}");
    assert!(!text(&body["next_module"]["title"]).is_empty(), "{body}");
    assert!(text(&body["next_module"]["url"]).ends_with("/learn"));
    assert!(text(&body["home"]).ends_with("/learn"));
    assert!(text(&body["handoff"]).ends_with("/api/learn/handoff"));
}

#[tokio::test]
async fn a_learner_with_one_belt_is_shown_the_next_with_what_is_met() {
    let app = TestApp::spawn().await;
    app.with_learn_program().await;
    let (token, key) = app.learner("ada").await;
    app.insert_learner_row(&key).await;
    app.award_learn_belt(&key, "white").await;
    let (status, body) = app.call("GET", "/api/learn/summary", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["belts"],
        serde_json::json!([{"id": "white", "name": "White Belt", "colour": "#f5f5f5", "state": "held"}])
    );
    assert_eq!(body["next"]["belt"]["id"], "green");
    assert_eq!(body["next"]["met"], 1);
    assert_eq!(body["next"]["total"], 2);
    assert_eq!(
        body["next"]["open"],
        serde_json::json!(["Have “Portfolio” approved by a reviewer"])
    );
    // Green names no module: nothing to take next toward it.
    assert!(body["next_module"].is_null(), "{body}");
}

#[tokio::test]
async fn without_a_program_there_is_no_next_belt() {
    let app = TestApp::spawn().await;
    let (token, _) = app.learner("ada").await;
    let (status, body) = app.call("GET", "/api/learn/summary", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["next"].is_null() && body["next_module"].is_null(),
        "{body}"
    );
}

#[tokio::test]
async fn a_handoff_opens_the_home_once_and_stores_only_hashes() {
    let app = TestApp::spawn().await;
    app.with_learn_program().await;
    let (token, _) = app.learner("ada").await;
    let path = app.home_handoff(&token).await;
    let code = path.rsplit('/').next().unwrap().to_owned();
    let stored = learn_handoff::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].code_hash, code, "the code itself is never stored");
    let cookie = app.enter_home(&path).await;
    let sessions = learn_session::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert!(!cookie.ends_with(&sessions[0].token_hash));
    let home = app.home(&cookie).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.header("content-security-policy")
            .contains("script-src 'self'")
    );
    assert_eq!(home.header("cache-control"), "no-store");
    home.shows("Test Learner, your learning")
        .shows("Next: White Belt")
        .shows("0 of 2 requirements met")
        .shows("Take next")
        .shows("Counts toward your next belt")
        .shows("action=\"/learn/launch\"");
    assert!(!home.body.contains("<script"), "no script on the home");
    let replay = page_of(app.client.get(&path).send().await).await;
    assert_eq!(replay.status, StatusCode::NOT_FOUND);
    replay.shows("works once");
    assert!(replay.header("set-cookie").is_empty());
}

#[tokio::test]
async fn an_expired_or_unknown_code_is_404_and_starts_no_session() {
    let app = TestApp::spawn().await;
    let (_, key) = app.learner("ada").await;
    let who = blackbelt::learn::access::LearnerRef {
        learner_key: key,
        actor: serde_json::json!({"objectType": "Agent",
            "account": {"homePage": "https://lms.example.com", "name": "ada"}}),
        email: None,
    };
    let three_minutes_ago = blackbelt::console::now_us() - 3 * 60_000_000;
    let code = blackbelt::learn::access::issue(app.db.writer(), &who, three_minutes_ago)
        .await
        .unwrap();
    for path in [
        blackbelt::learn::access::enter_path(&code),
        "/learn/enter/not-a-code".to_owned(),
    ] {
        let page = page_of(app.client.get(&path).send().await).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        learn_session::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn without_a_session_the_home_says_how_to_open_it() {
    let app = TestApp::spawn().await;
    let page = anonymous_get(&app, "/learn").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.shows("from the end of any module");
    let forged = app.home("blackbelt_learn=forged").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_launch_button_starts_a_cmi5_launch_in_the_learners_registration() {
    let app = TestApp::spawn().await;
    app.with_learn_program().await;
    let (token, _) = app.learner("ada").await;
    let cookie = app.enter_home(&app.home_handoff(&token).await).await;
    let home = app.home(&cookie).await;
    let csrf = csrf_of(&home);
    let before = launch_session::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(before.len(), 1);
    let post = |fields: Vec<(&str, String)>| {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        app.client
            .post("/learn/launch")
            .header("cookie", &cookie)
            .content_type("application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let forged = page_of(
        post(vec![
            ("csrf", "forged".into()),
            ("course_id", COURSE.into()),
            ("au_id", TRIAGE_AU.into()),
        ])
        .await,
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = page_of(
        post(vec![
            ("csrf", csrf.clone()),
            ("course_id", COURSE.into()),
            ("au_id", "https://elsewhere.example/au".into()),
        ])
        .await,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        launch_session::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        1,
        "refused buttons launch nothing"
    );
    let launched = page_of(
        post(vec![
            ("csrf", csrf),
            ("course_id", COURSE.into()),
            ("au_id", TRIAGE_AU.into()),
        ])
        .await,
    )
    .await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    let location = launched.location();
    assert!(
        location.contains("/content/") && location.contains("fetch="),
        "{location}"
    );
    let after = launch_session::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(after.len(), 2);
    let new = after
        .iter()
        .find(|s| s.au_id == TRIAGE_AU)
        .expect("a triage session");
    assert_eq!(
        new.registration, before[0].registration,
        "the learner's registration for the course is reused"
    );
    assert_eq!(new.launch_mode, "Normal");
    assert!(
        new.return_url
            .as_deref()
            .unwrap_or_default()
            .ends_with("/learn")
    );
    // The policy AU launched first keeps its own id (the catalog lists both).
    assert_ne!(POLICY_AU, TRIAGE_AU);
}
