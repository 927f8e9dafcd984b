//! The console's changes made by domain functions that own their transaction (LTI
//! consumers, key rotation, package imports, statement voiding) commit with their audit
//! entry too: when the entry cannot be written, nothing changed.

use blackbelt::console::role::Role;
use entities::{lti_key, package};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::console_admin::upload;
use crate::console_admin_audit::{audited, refuse_audit_entries};
use crate::console_statements::store;
use crate::console_support::signed_in;
use crate::helpers::{TestApp, statement};

#[tokio::test]
async fn a_consumer_whose_audit_entry_fails_is_not_created() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let form = [("name", "Old Blackboard"), ("origin", "")];
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(&app, "/console/admin/lti/consumers", &form)
        .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    let consumers = blackbelt::lti::consumers::list(&app.db.conn).await.unwrap();
    assert!(consumers.is_empty(), "rolled back with its entry");

    refuse_audit_entries(&app, false).await;
    let made = admin
        .post(&app, "/console/admin/lti/consumers", &form)
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    made.shows("bb11_");
    let consumers = blackbelt::lti::consumers::list(&app.db.conn).await.unwrap();
    assert_eq!(consumers.len(), 1);
    assert_eq!(audited(&app, "lti.consumer.create").await, 1);
}

#[tokio::test]
async fn a_key_rotation_whose_audit_entry_fails_keeps_the_signing_key() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let first = blackbelt::lti::keys::signing_key(&app.db)
        .await
        .unwrap()
        .kid;
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(&app, "/console/admin/lti/keys/rotate", &[])
        .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    let keys = lti_key::Entity::find().all(&app.db.conn).await.unwrap();
    assert_eq!(keys.len(), 1, "no new key");
    assert!(keys[0].retired_us.is_none(), "the old key still signs");
    assert_eq!(
        blackbelt::lti::keys::signing_key(&app.db)
            .await
            .unwrap()
            .kid,
        first
    );

    refuse_audit_entries(&app, false).await;
    let done = admin
        .post(&app, "/console/admin/lti/keys/rotate", &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let now = blackbelt::lti::keys::signing_key(&app.db)
        .await
        .unwrap()
        .kid;
    assert_ne!(now, first, "a new key signs");
    let retired = lti_key::Entity::find()
        .filter(lti_key::Column::RetiredUs.is_not_null())
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(retired, 1);
    assert_eq!(audited(&app, "lti.keys.rotate").await, 1);
}

#[tokio::test]
async fn a_package_import_whose_audit_entry_fails_stores_no_version() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let zip = crate::content::course_zip("all-employees", |_, b| b);
    refuse_audit_entries(&app, true).await;
    let failed = upload(
        &app,
        &admin,
        Some(&admin.csrf),
        "all-employees.zip",
        zip.clone(),
    )
    .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    let packages = package::Entity::find().count(&app.db.conn).await.unwrap();
    assert_eq!(packages, 0, "the version rolled back with its entry");

    refuse_audit_entries(&app, false).await;
    let done = upload(
        &app,
        &admin,
        Some(&admin.csrf),
        "all-employees.zip",
        zip.clone(),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        package::Entity::find().count(&app.db.conn).await.unwrap(),
        1
    );
    assert_eq!(audited(&app, "package.import").await, 1);
    // The same content again changes nothing, and is recorded as the attempt it was.
    let again = upload(&app, &admin, Some(&admin.csrf), "all-employees.zip", zip).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(
        package::Entity::find().count(&app.db.conn).await.unwrap(),
        1
    );
    assert_eq!(audited(&app, "package.import").await, 2);
}

#[tokio::test]
async fn a_void_whose_audit_entry_fails_leaves_the_statement_valid() {
    let app = TestApp::spawn().await;
    let id = store(&app, &statement(1)).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    refuse_audit_entries(&app, true).await;
    let failed = admin
        .post(&app, "/console/statements/void", &[("id", &id)])
        .await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status_is_ok();
    assert_eq!(audited(&app, "statement.void").await, 0);

    refuse_audit_entries(&app, false).await;
    let done = admin
        .post(&app, "/console/statements/void", &[("id", &id)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(audited(&app, "statement.void").await, 1);
}
