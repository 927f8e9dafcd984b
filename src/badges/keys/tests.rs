//! Keys against a real database: a temp-file SQLite, or a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` points at PostgreSQL.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait};

use super::*;
use crate::crypto::SecretsKey;
use crate::crypto::at_rest::is_sealed;

struct TestDb {
    db: Db,
    _dir: tempfile::TempDir,
    drop_schema: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, name)) = self.drop_schema.take() {
            // A plain thread: the test's runtime is shutting down with the test.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(conn) = Database::connect(&url).await {
                            // The test's runtime is blocked here: should one of its
                            // connections still hold a lock, give up rather than hang.
                            conn.execute_unprepared("SET lock_timeout = '20s'")
                                .await
                                .ok();
                            let sql = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
                            conn.execute_unprepared(&sql).await.ok();
                        }
                    });
                }
            })
            .join()
            .ok();
        }
    }
}

async fn test_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretsKey::from_bytes(&[7; 32]).unwrap();
    let sync = crate::db::SqliteTuning::default();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let conn = Database::connect(&url).await.unwrap();
            conn.execute_unprepared(&format!("CREATE SCHEMA {name}"))
                .await
                .unwrap();
            let db = Db::connect(&url, 4, Some(&name), sync).await.unwrap();
            TestDb {
                db: db.with_secrets(secrets),
                _dir: dir,
                drop_schema: Some((url, name)),
            }
        }
        _ => {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("k.db").display());
            let db = Db::connect(&url, 2, None, sync).await.unwrap();
            TestDb {
                db: db.with_secrets(secrets),
                _dir: dir,
                drop_schema: None,
            }
        }
    }
}

async fn rows(db: &Db) -> Vec<badge_key::Model> {
    badge_key::Entity::find().all(db.writer()).await.unwrap()
}

#[tokio::test]
async fn ensure_makes_one_key_of_each_alg_and_a_second_call_makes_none() {
    let t = test_db().await;
    ensure(&t.db).await.unwrap();
    ensure(&t.db).await.unwrap();
    let rows = rows(&t.db).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r.alg == ES256));
    assert!(
        rows.iter()
            .any(|r| r.alg == ED25519 && r.public_multibase.is_some())
    );
}

#[tokio::test]
async fn ensure_called_at_once_by_two_tasks_makes_one_key_of_each_alg() {
    let t = test_db().await;
    let (a, b) = tokio::join!(ensure(&t.db), ensure(&t.db));
    a.unwrap();
    b.unwrap();
    assert_eq!(rows(&t.db).await.len(), 2);
}

#[tokio::test]
async fn the_stored_private_key_is_sealed_not_the_pkcs8_in_clear() {
    let t = test_db().await;
    ensure(&t.db).await.unwrap();
    let secrets = t.db.secrets().unwrap();
    for row in rows(&t.db).await {
        assert!(is_sealed(&row.private_sealed), "{}", row.kid);
        let pkcs8 = secrets.open(&row.private_sealed, &row.kid).unwrap();
        // Neither the bytes nor any usual text form of them is in the column.
        use base64::Engine;
        for clear in [
            hex::encode(&pkcs8),
            base64::engine::general_purpose::STANDARD.encode(&pkcs8),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&pkcs8),
        ] {
            assert!(!row.private_sealed.contains(&clear[..24]));
        }
        // Sealed to its kid: the value moved to another row does not open.
        assert!(secrets.open(&row.private_sealed, "another-kid").is_err());
        // And it is the private half of the published key.
        match row.alg.as_str() {
            ED25519 => {
                let pair = material::open_ed25519(&pkcs8).unwrap();
                let mb = material::multibase(pair.public_key().as_ref());
                assert_eq!(Some(mb), row.public_multibase);
            }
            _ => {
                let pair = material::open_es256(&pkcs8).unwrap();
                let jwk = material::es256_jwk(&row.kid, pair.public_key().as_ref()).unwrap();
                assert_eq!(jwk, row.public_jwk);
            }
        }
        assert!(row.public_jwk.get("d").is_none());
    }
}

#[tokio::test]
async fn rotation_keeps_the_old_keys_published_with_retired_us() {
    let t = test_db().await;
    let before = signing(&t.db).await.unwrap();
    let new = rotate(&t.db).await.unwrap();
    let published = published(&t.db).await.unwrap();
    assert_eq!(published.len(), 4);
    for old in [&before.ed25519.kid, &before.es256.kid] {
        let key = published.iter().find(|k| &k.kid == old).unwrap();
        assert!(key.retired_us.is_some(), "{old} not retired");
        assert!(find(&t.db, old).await.unwrap().is_some());
    }
    for kid in &new {
        let key = published.iter().find(|k| &k.kid == kid).unwrap();
        assert!(key.retired_us.is_none());
    }
}

#[tokio::test]
async fn the_signing_keys_after_a_rotation_are_the_new_ones() {
    let t = test_db().await;
    let before = signing(&t.db).await.unwrap();
    // Cached: the same opened keys while nothing rotates.
    assert!(Arc::ptr_eq(&before, &signing(&t.db).await.unwrap()));
    let new = rotate(&t.db).await.unwrap();
    let after = signing(&t.db).await.unwrap();
    assert_eq!(
        new,
        vec![after.es256.kid.clone(), after.ed25519.kid.clone()]
    );
    assert_ne!(before.ed25519.kid, after.ed25519.kid);
    assert_ne!(before.es256.kid, after.es256.kid);
    assert_ne!(before.ed25519.multibase, after.ed25519.multibase);
}

#[tokio::test]
async fn of_two_current_keys_of_one_alg_the_newest_then_greatest_kid_signs() {
    let t = test_db().await;
    let first = signing(&t.db).await.unwrap();
    let row = badge_key::Entity::find_by_id(first.ed25519.kid.clone())
        .one(t.db.writer())
        .await
        .unwrap()
        .unwrap();
    // What a second instance racing at start leaves: same created_us, another kid.
    let key = material::generate(ED25519).unwrap();
    let winner = format!("{}z", row.kid);
    let sealed = t.db.secrets().unwrap().seal(&key.pkcs8, &winner).unwrap();
    badge_key::ActiveModel {
        kid: Set(winner.clone()),
        alg: Set(ED25519.into()),
        private_sealed: Set(sealed),
        public_jwk: Set(key.jwk),
        public_multibase: Set(key.multibase),
        created_us: Set(row.created_us),
        retired_us: Set(None),
    }
    .insert(t.db.writer())
    .await
    .unwrap();
    assert_eq!(signing(&t.db).await.unwrap().ed25519.kid, winner);
    assert_eq!(signing(&t.db).await.unwrap().es256.kid, first.es256.kid);
}

#[tokio::test]
async fn a_served_jwk_names_its_url_as_kid_and_a_multikey_its_issuer() {
    let t = test_db().await;
    let urls = Urls::new("https://bb.example/");
    for key in published(&t.db).await.unwrap() {
        assert_eq!(key.served_jwk(&urls)["kid"], urls.key(&key.kid));
        match key.multikey_document(&urls) {
            Some(doc) => {
                assert_eq!(doc["controller"], "https://bb.example/ob/issuer");
                assert_eq!(doc["type"], "Multikey");
            }
            None => assert_eq!(key.alg, ES256),
        }
    }
}

#[tokio::test]
async fn the_start_check_opens_the_badge_keys_and_refuses_a_wrong_secrets_key() {
    use crate::crypto::seal_stored::seal_stored;
    let t = test_db().await;
    ensure(&t.db).await.unwrap();
    let right = SecretsKey::from_bytes(&[7; 32]).unwrap();
    assert_eq!(seal_stored(&t.db, &right).await.unwrap(), 0);
    let wrong = SecretsKey::from_bytes(&[8; 32]).unwrap();
    let err = seal_stored(&t.db, &wrong).await.unwrap_err();
    assert!(err.contains("Open Badges signing keys"), "{err}");
    // The refused check's transaction is rolled back by a task of this runtime: let it
    // run before the schema is dropped.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}
