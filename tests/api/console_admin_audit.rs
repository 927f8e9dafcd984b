//! Administration changes and their audit entries commit together: when the entry cannot
//! be written the change rolls back, and a change that commits has its entry.

use blackbelt::console::role::Role;
use entities::{cert_audit, credential, lti_platform};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter};

use crate::console_admin::passback_message;
use crate::console_support::signed_in;
use crate::helpers::TestApp;

/// Makes every insert into the audit log fail (a trigger), or lifts that again.
pub(crate) async fn refuse_audit_entries(app: &TestApp, refuse: bool) {
    let conn = app.db.writer();
    // Functions may be shared between the tests' schemas: each gets its own name.
    let function = format!("refuse_audit_{}", crate::helpers::uuid().replace('-', ""));
    let sql: Vec<String> = match (conn.get_database_backend(), refuse) {
        (DbBackend::Postgres, true) => vec![
            format!(
                "CREATE FUNCTION {function}() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON cert_audit \
                 FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
        ],
        (DbBackend::Postgres, false) => vec!["DROP TRIGGER refuse_audit ON cert_audit".into()],
        (_, true) => vec![
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON cert_audit \
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
                .into(),
        ],
        (_, false) => vec!["DROP TRIGGER refuse_audit".into()],
    };
    for s in sql {
        conn.execute_unprepared(&s).await.unwrap();
    }
}

pub(crate) async fn audited(app: &TestApp, action: &str) -> u64 {
    cert_audit::Entity::find()
        .filter(cert_audit::Column::Action.eq(action))
        .count(&app.db.conn)
        .await
        .unwrap()
}

const PLATFORM: [(&str, &str); 7] = [
    ("name", "Moodle"),
    ("issuer", "https://moodle.example.com"),
    ("client_id", "c-1"),
    ("deployment_ids", "1"),
    ("auth_login_url", "https://moodle.example.com/auth"),
    ("token_url", "https://moodle.example.com/token"),
    ("jwks_url", "https://moodle.example.com/jwks"),
];

#[tokio::test]
async fn a_platform_registration_whose_audit_entry_fails_is_not_registered() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(&app, "/console/admin/lti/platforms", &PLATFORM)
        .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    let platforms = lti_platform::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(platforms, 0, "the registration rolled back with its entry");

    refuse_audit_entries(&app, false).await;
    let done = admin
        .post(&app, "/console/admin/lti/platforms", &PLATFORM)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let platforms = lti_platform::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(platforms, 1);
    assert_eq!(audited(&app, "lti.platform.register").await, 1);
}

#[tokio::test]
async fn a_credential_change_whose_audit_entry_fails_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let before = credential::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap();
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", "lms"), ("scope", "all")],
        )
        .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    assert_eq!(
        credential::Entity::find()
            .count(&app.db.conn)
            .await
            .unwrap(),
        before
    );
    refuse_audit_entries(&app, false).await;
    let made = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", "lms"), ("scope", "all")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(audited(&app, "credential.create").await, 1);
    let key = credential::Entity::find()
        .filter(credential::Column::Name.eq("lms"))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .key;

    // A revocation whose entry fails leaves the credential active (and working).
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(&app, "/console/admin/credentials/revoke", &[("key", &key)])
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let row = credential::Entity::find()
        .filter(credential::Column::Key.eq(key.as_str()))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.revoked_at_ms.is_none(), "still active");
    refuse_audit_entries(&app, false).await;
    let done = admin
        .post(&app, "/console/admin/credentials/revoke", &[("key", &key)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(audited(&app, "credential.revoke").await, 1);
}

#[tokio::test]
async fn a_passback_retry_whose_audit_entry_fails_leaves_the_message_failed() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    let failed = passback_message(&app, "failed", Some("refused")).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    refuse_audit_entries(&app, true).await;
    let page = admin
        .post(
            &app,
            "/console/admin/passback/retry",
            &[("id", &failed.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let state = |app: &TestApp| {
        let conn = app.db.conn.clone();
        async move {
            entities::passback_message::Entity::find_by_id(failed)
                .one(&conn)
                .await
                .unwrap()
                .unwrap()
                .state
        }
    };
    assert_eq!(state(&app).await, "failed");
    refuse_audit_entries(&app, false).await;
    let page = admin
        .post(
            &app,
            "/console/admin/passback/retry",
            &[("id", &failed.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(state(&app).await, "pending");
    assert_eq!(audited(&app, "passback.retry").await, 1);
}
