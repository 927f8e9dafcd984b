//! The console's Company page (issue 20): administrators set the company variables AUs
//! show; each bad field is named and nothing is written; a change is audited; the
//! values override the configuration per variable and no course changes.

use blackbelt::console::role::Role;
use poem::http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::console_support::signed_in;
use crate::helpers::TestApp;
use entities::{cert_audit, company_setting, package};

const PAGE: &str = "/console/admin/company";

#[tokio::test]
async fn an_administrator_sets_variables_that_override_the_configuration_with_an_audit_row() {
    let app = TestApp::spawn_with(|c| {
        c.company.company_name = Some("Acme".into());
        c.company.coe_name = Some("Social CoE".into());
    })
    .await;
    let (token, _) = app.learner("ada").await;
    let versions = package::Entity::find().count(&app.db.conn).await.unwrap();
    let admin = signed_in(&app, Role::Admin, None).await;
    admin
        .get(&app, PAGE)
        .await
        .shows("Configured: Acme")
        .shows("Configured: Social CoE");
    let saved = admin
        .post(
            &app,
            PAGE,
            &[
                ("company_name", " Acme Ltd "),
                ("policy_url", "https://intranet.acme.example/social"),
                ("coe_name", ""),
                ("coe_contact", "coe@acme.example"),
                ("escalation_contact", "https://help.acme.example/crisis"),
                ("logo_url", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/console/admin/company?done=saved");
    let (_, settings) = app.call("GET", "/api/learn/settings", &token, None).await;
    assert_eq!(settings["company_name"], "Acme Ltd");
    assert_eq!(
        settings["coe_name"], "Social CoE",
        "empty field: the configuration's"
    );
    assert_eq!(
        settings["policy_url"],
        "https://intranet.acme.example/social"
    );
    assert_eq!(settings["coe_contact"], "coe@acme.example");
    assert!(settings.get("logo_url").is_none());
    let audit = cert_audit::Entity::find().all(&app.db.conn).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.action == "company.settings.update")
        .expect("an audit row");
    assert_eq!(entry.actor, format!("console:{}", admin.username));
    let details = entry.details.to_string();
    assert!(
        details.contains("Acme Ltd") && details.contains("policy_url"),
        "{details}"
    );
    assert_eq!(
        package::Entity::find().count(&app.db.conn).await.unwrap(),
        versions,
        "no course version is made"
    );
    // The same values again change nothing and write no second audit row.
    let again = admin
        .post(
            &app,
            PAGE,
            &[
                ("company_name", "Acme Ltd"),
                ("policy_url", "https://intranet.acme.example/social"),
                ("coe_contact", "coe@acme.example"),
                ("escalation_contact", "https://help.acme.example/crisis"),
            ],
        )
        .await;
    assert_eq!(again.location(), "/console/admin/company?done=unchanged");
    assert_eq!(
        cert_audit::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        audit.len() as u64
    );
}

#[tokio::test]
async fn bad_fields_are_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    for (field, value, says) in [
        (
            "policy_url",
            "javascript:alert(1)",
            "Social media policy address must be",
        ),
        (
            "logo_url",
            "ftp://files.example/logo.png",
            "Logo address must be",
        ),
        (
            "coe_contact",
            "coe at acme",
            "Center of Excellence contact must be",
        ),
        (
            "escalation_contact",
            "x@localhost",
            "Crisis and complaint contact must be",
        ),
        (
            "company_name",
            &"A".repeat(121),
            "Company name must be at most 120",
        ),
        (
            "coe_name",
            "two\nlines",
            "Center of Excellence name must not contain",
        ),
    ] {
        let mut fields = vec![(field, value)];
        if field != "company_name" {
            fields.push(("company_name", "Acme"));
        }
        let page = admin.post(&app, PAGE, &fields).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{field}");
        page.shows("Nothing was saved")
            .shows(says)
            .shows(&format!("href=\"#{field}\""));
        page.shows(&format!("id=\"{field}\""));
    }
    assert_eq!(
        company_setting::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        cert_audit::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn only_administrators_see_or_change_the_company_page() {
    let app = TestApp::spawn().await;
    for role in [Role::Program, Role::Reviewer, Role::Manager, Role::Viewer] {
        let browser = signed_in(&app, role, None).await;
        assert_eq!(browser.get(&app, PAGE).await.status, StatusCode::FORBIDDEN);
        let post = browser.post(&app, PAGE, &[("company_name", "Evil")]).await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
    }
    let admin = signed_in(&app, Role::Admin, None).await;
    let forged = admin
        .post_raw(&app, PAGE, &[("csrf", "forged"), ("company_name", "Evil")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        company_setting::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        0
    );
}
