//! The console's overview and program pages: figures for every role (a manager's are
//! their team's), belts with requirements in words and holders, and who is one
//! requirement away from a belt (names only for roles that see learners).

use blackbelt::console::role::Role;
use poem::http::StatusCode;
use serde_json::json;

use crate::console_learners::learner;
use crate::console_support::signed_in;
use crate::helpers::TestApp;

#[tokio::test]
async fn the_overview_counts_learners_holders_awards_and_waiting_evidence() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let ada = learner(&app, "ada@x.example", "Ada", json!({"org_unit": ["ops"]})).await;
    learner(&app, "bob@x.example", "Bob", json!({"org_unit": ["apac"]})).await;
    app.insert_award(&ada, "white").await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<p class=\"figure\">2</p><p>Learners known</p>")
        .shows("<p class=\"figure\">1</p><p>Belts awarded in the last 30 days</p>")
        .shows("<p class=\"figure\">0</p><p>Evidence submissions waiting for review</p>")
        .shows("White Belt")
        .shows("href=\"/console/learners?belt=white\"")
        .shows("href=\"/console/admin\"");
}

#[tokio::test]
async fn a_managers_overview_counts_their_team_only() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let ada = learner(&app, "ada@x.example", "Ada", json!({"org_unit": ["ops"]})).await;
    let bob = learner(&app, "bob@x.example", "Bob", json!({"org_unit": ["apac"]})).await;
    app.insert_award(&bob, "white").await;
    let _ = ada;
    let manager = signed_in(&app, Role::Manager, Some(json!({"org_units": ["ops"]}))).await;
    let page = manager.get(&app, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("Your team")
        .shows("<p class=\"figure\">1</p><p>Learners known</p>")
        .shows("<p class=\"figure\">0</p><p>Belts awarded in the last 30 days</p>");
    assert!(!page.body.contains("href=\"/console/admin\""));
}

#[tokio::test]
async fn a_viewer_sees_figures_without_names_or_links_to_learners() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let ada = learner(&app, "ada@x.example", "Ada Holder", json!({})).await;
    app.insert_award(&ada, "white").await;
    let viewer = signed_in(&app, Role::Viewer, None).await;
    let overview = viewer.get(&app, "/console").await;
    assert_eq!(overview.status, StatusCode::OK);
    overview.shows("<p class=\"figure\">1</p><p>Learners known</p>");
    assert!(!overview.body.contains("/console/learners"));
    let program = viewer.get(&app, "/console/program").await;
    assert_eq!(program.status, StatusCode::OK, "{}", program.body);
    program.shows("White Belt").shows("<dd>1");
    assert!(!program.body.contains("Ada Holder"));
    assert!(!program.body.contains("/console/learners"));
}

#[tokio::test]
async fn the_program_page_shows_belts_in_tier_order_with_requirements_in_words() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let ada = learner(&app, "ada@x.example", "Ada Holder", json!({})).await;
    app.insert_award(&ada, "white").await;
    let me = signed_in(&app, Role::Program, None).await;
    let page = me.get(&app, "/console/program").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("Social Media Certification")
        .shows("Tier 1: White Belt")
        .shows("Tier 2: Green Belt")
        .shows("evidence &#34;pledge&#34; approved")
        .shows("all of (belt white, evidence &#34;portfolio&#34; approved)")
        .shows("Valid 12 months, then 30 days of grace.")
        .shows("Ada Holder")
        .shows("href=\"/console/learners?belt=white\"");
    let white = page.body.find("Tier 1: White Belt").unwrap();
    let green = page.body.find("Tier 2: Green Belt").unwrap();
    assert!(white < green);
}

#[tokio::test]
async fn learners_one_requirement_away_are_named_for_the_program_team_and_counted_for_viewers() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    // Green needs white held and an approved portfolio: Ada holds white, so she misses
    // only the portfolio. Bob holds nothing: two away from green, and white needs one
    // requirement only (not counted).
    let ada = learner(&app, "ada@x.example", "Ada Near", json!({})).await;
    learner(&app, "bob@x.example", "Bob Far", json!({})).await;
    app.insert_award(&ada, "white").await;
    let me = signed_in(&app, Role::Program, None).await;
    let page = me.get(&app, "/console/program").await;
    page.shows("Checked\n  for 2 learners")
        .shows("<li>Green Belt: 1</li>")
        .shows(
            "Ada Near</a></th><td>Green Belt</td><td>evidence &#34;portfolio&#34; approved</td>",
        );
    assert!(!page.body.contains("Bob Far</a></th>"));
    let viewer = signed_in(&app, Role::Viewer, None).await;
    let page = viewer.get(&app, "/console/program").await;
    page.shows("<li>Green Belt: 1</li>");
    assert!(!page.body.contains("Ada Near"));
}

#[tokio::test]
async fn the_one_away_check_goes_through_learners_a_group_at_a_time() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    for i in 0..105 {
        let key = learner(
            &app,
            &format!("l{i:03}@x.example"),
            &format!("L{i:03}"),
            json!({}),
        )
        .await;
        app.insert_award(&key, "white").await;
    }
    let me = signed_in(&app, Role::Admin, None).await;
    let first = me.get(&app, "/console/program").await;
    first
        .shows("for 100 learners")
        .shows("<li>Green Belt: 100</li>");
    let next = first
        .body
        .split("?near_after=")
        .nth(1)
        .and_then(|r| r.split('#').next())
        .unwrap()
        .to_owned();
    let second = me
        .get(&app, &format!("/console/program?near_after={next}"))
        .await;
    second
        .shows("for 5 learners")
        .shows("<li>Green Belt: 5</li>")
        .shows("L104</a></th>");
    assert!(!second.body.contains("L000</a></th>"));
}
