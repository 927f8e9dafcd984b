//! The tool's RSA signing keys: generated on first use, stored in the database (so
//! every instance signs with the same key), published as a JWKS, rotated by command.
//! A rotated key keeps being published until retired keys are pruned, so platforms can
//! still check what it signed.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::EncodingKey;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::{Value, json};

use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;
use entities::lti_key;

/// The key that signs now.
pub struct SigningKey {
    pub kid: String,
    pub key: EncodingKey,
}

fn pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// A key made and sealed but not stored yet: RSA generation takes tens of milliseconds,
/// so it is done before a transaction (and SQLite's write gate) is taken.
pub struct NewKey {
    pub kid: String,
    sealed_private: String,
    public_jwk: Value,
}

/// Makes a new RSA-2048 key, its private half sealed with the secrets key (the `kid` as
/// associated data).
pub fn make(db: &Db) -> Result<NewKey, Error> {
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| Error::Internal("RSA key generation failed".into()))?;
    let der = pair
        .as_der()
        .map_err(|_| Error::Internal("RSA key export failed".into()))?;
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let kid = format!("bb-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    let public_jwk =
        json!({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n, "e": e});
    let sealed_private = db
        .secrets()?
        .seal(pem(der.as_ref()).as_bytes(), &kid)
        .map_err(Error::Internal)?;
    Ok(NewKey {
        kid,
        sealed_private,
        public_jwk,
    })
}

/// Stores `key` as a current signing key.
async fn store(conn: &impl ConnectionTrait, key: &NewKey) -> Result<(), Error> {
    let mut sql = Sql::new(
        "INSERT INTO lti_keys (kid, private_pem, public_jwk, created_us, retired_us) VALUES (",
    );
    sql.bind("?", key.kid.clone())
        .bind(", ?", key.sealed_private.clone())
        .bind(", ?", key.public_jwk.clone())
        .bind(", ?", jiff::Timestamp::now().as_microsecond())
        .bind(", ?)", None::<i64>);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// Makes and stores a new signing key; returns its kid.
pub async fn generate(db: &Db) -> Result<String, Error> {
    let key = make(db)?;
    store(db.writer(), &key).await?;
    Ok(key.kid)
}

/// The current signing key, creating the first one if there is none.
pub async fn signing_key(db: &Db) -> Result<SigningKey, Error> {
    let conn = db.writer();
    let current = lti_key::Entity::find()
        .filter(lti_key::Column::RetiredUs.is_null())
        .order_by_desc(lti_key::Column::CreatedUs)
        .one(conn)
        .await?;
    let model = match current {
        Some(model) => model,
        None => {
            let kid = generate(db).await?;
            lti_key::Entity::find_by_id(kid)
                .one(conn)
                .await?
                .ok_or_else(|| Error::Internal("new LTI key vanished".into()))?
        }
    };
    let private_pem = db
        .secrets()?
        .open_text(&model.private_pem, &model.kid)
        .map_err(|e| Error::Internal(format!("stored LTI key {}: {e}", model.kid)))?;
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes())
        .map_err(|e| Error::Internal(format!("stored LTI key {} is unusable: {e}", model.kid)))?;
    Ok(SigningKey {
        kid: model.kid,
        key,
    })
}

/// Every published public key, newest first.
pub async fn jwks(db: &Db) -> Result<Value, Error> {
    signing_key(db).await?;
    let conn = db.writer();
    let keys: Vec<Value> = lti_key::Entity::find()
        .order_by_desc(lti_key::Column::CreatedUs)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| k.public_jwk)
        .collect();
    Ok(json!({"keys": keys}))
}

/// Makes a new signing key and retires the others (they stay published), in one
/// transaction; returns the new kid.
pub async fn rotate(db: &Db) -> Result<String, Error> {
    let key = make(db)?;
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    rotate_to(&txn, &key).await?;
    txn.commit().await?;
    Ok(key.kid)
}

/// Retires the current keys and stores `key` in their place, on `conn`: the caller's
/// transaction, so a console rotation commits with its audit entry.
pub async fn rotate_to(conn: &impl ConnectionTrait, key: &NewKey) -> Result<(), Error> {
    let mut sql = Sql::new("UPDATE lti_keys SET ");
    sql.bind("retired_us = ?", jiff::Timestamp::now().as_microsecond())
        .push(" WHERE retired_us IS NULL");
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    store(conn, key).await
}

/// Removes keys retired before `before_us` from the JWKS for good.
pub async fn prune(conn: &impl ConnectionTrait, before_us: i64) -> Result<u64, Error> {
    let mut sql = Sql::new("DELETE FROM lti_keys WHERE retired_us IS NOT NULL");
    sql.bind(" AND retired_us < ?", before_us);
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected())
}

/// A key of ours (current or retired) to check something we signed.
pub async fn decoding_key(
    conn: &impl ConnectionTrait,
    kid: &str,
) -> Result<Option<jsonwebtoken::DecodingKey>, Error> {
    let Some(model) = lti_key::Entity::find_by_id(kid.to_owned())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(model.public_jwk)
        .map_err(|e| Error::Internal(format!("stored JWK {kid}: {e}")))?;
    Ok(jsonwebtoken::DecodingKey::from_jwk(&jwk).ok())
}

/// Signs `claims` as a JWT with the current key (RS256, `kid` in the header).
pub async fn sign(db: &Db, claims: &Value) -> Result<String, Error> {
    let key = signing_key(db).await?;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid);
    jsonwebtoken::encode(&header, claims, &key.key)
        .map_err(|e| Error::Internal(format!("signing a JWT failed: {e}")))
}
