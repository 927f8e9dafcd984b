//! The issuer's signing keys: one ES256 key (VC-JWT) and one Ed25519 key (Data
//! Integrity) sign at a time; both are made at first start, their private halves sealed
//! with the secrets key (`crate::crypto`), and rotation retires them without deleting,
//! so every credential signed before still verifies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::{Value, json};

use super::Urls;
use crate::db::Db;
use crate::error::Error;
use entities::badge_key;

pub mod material;

/// `badge_keys.alg` of the VC-JWT key.
pub const ES256: &str = "ES256";
/// `badge_keys.alg` of the Data Integrity key.
pub const ED25519: &str = "Ed25519";

/// The Ed25519 key that makes Data Integrity proofs.
pub struct Ed25519Signer {
    pub kid: String,
    /// Multikey `publicKeyMultibase` (`z6Mk…`).
    pub multibase: String,
    pair: Ed25519KeyPair,
}

impl Ed25519Signer {
    /// The 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// A signer from a raw 32-byte seed and its public key (published test vectors).
    pub fn from_seed(kid: &str, seed: &[u8], public: &[u8]) -> Result<Ed25519Signer, Error> {
        let pair = Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map_err(|e| Error::BadRequest(format!("Ed25519 seed and public key: {e}")))?;
        Ok(Ed25519Signer {
            kid: kid.to_owned(),
            multibase: material::multibase(public),
            pair,
        })
    }
}

/// The P-256 key that signs VC-JWTs.
pub struct Es256Signer {
    pub kid: String,
    /// The public JWK (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`); never `d`.
    pub jwk: Value,
    pair: EcdsaKeyPair,
}

impl Es256Signer {
    /// The JWS ES256 signature of `message`: SHA-256, then `r ‖ s` (64 bytes, RFC 7518 §3.4).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.pair
            .sign(&SystemRandom::new(), message)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| Error::Internal("ES256 signing failed".into()))
    }
}

/// The keys that sign now.
pub struct SigningKeys {
    pub ed25519: Ed25519Signer,
    pub es256: Es256Signer,
}

impl SigningKeys {
    /// A fresh pair of keys that is never stored (tests and benchmarks).
    pub fn ephemeral() -> Result<SigningKeys, Error> {
        let es = material::generate(ES256)?;
        let ed = material::generate(ED25519)?;
        open(&ed.kid, &ed.pkcs8, &es.kid, &es.pkcs8)
    }
}

fn open(ed_kid: &str, ed: &[u8], es_kid: &str, es: &[u8]) -> Result<SigningKeys, Error> {
    let ed_pair = material::open_ed25519(ed)?;
    let es_pair = material::open_es256(es)?;
    let jwk = material::es256_jwk(es_kid, es_pair.public_key().as_ref())?;
    Ok(SigningKeys {
        ed25519: Ed25519Signer {
            kid: ed_kid.to_owned(),
            multibase: material::multibase(ed_pair.public_key().as_ref()),
            pair: ed_pair,
        },
        es256: Es256Signer {
            kid: es_kid.to_owned(),
            jwk,
            pair: es_pair,
        },
    })
}

/// A published key, current or retired.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub kid: String,
    pub alg: String,
    pub jwk: Value,
    pub multibase: Option<String>,
    pub created_us: i64,
    pub retired_us: Option<i64>,
}

impl PublicKey {
    /// The JWK as served: its `kid` is the key's URL, the value VC-JWT headers carry,
    /// so a JWK Set lookup by the header's `kid` (`jose`, `pyjwt`) finds it.
    pub fn served_jwk(&self, urls: &Urls) -> Value {
        let mut jwk = self.jwk.clone();
        jwk["kid"] = json!(urls.key(&self.kid));
        jwk
    }

    /// For Ed25519 keys, the `Multikey` verification method document served at the key's
    /// URL (the shape `@digitalcredentials/verifier-core` accepts: no fragment in `id`,
    /// the multikey context named, `controller` = the issuer profile).
    pub fn multikey_document(&self, urls: &Urls) -> Option<Value> {
        self.multibase.as_ref().map(|multibase| {
            json!({
                "@context": "https://w3id.org/security/multikey/v1",
                "id": urls.key(&self.kid),
                "type": "Multikey",
                "controller": urls.issuer(),
                "publicKeyMultibase": multibase,
            })
        })
    }
}

impl From<badge_key::Model> for PublicKey {
    fn from(m: badge_key::Model) -> PublicKey {
        PublicKey {
            kid: m.kid,
            alg: m.alg,
            jwk: m.public_jwk,
            multibase: m.public_multibase,
            created_us: m.created_us,
            retired_us: m.retired_us,
        }
    }
}

/// Serialises key creation within this process; across instances, two current keys of
/// one alg are tolerated and the same one chosen by all ([`current`]).
static CREATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Opened keys by (Ed25519 kid, ES256 kid): a rotation changes the kids, so a stale
/// entry is never used.
static OPENED: Mutex<Option<Opened>> = Mutex::new(None);

type Opened = HashMap<(String, String), Arc<SigningKeys>>;

/// The signing key of each alg: the unretired one with the newest `created_us`, then the
/// greatest `kid` — deterministic when two instances both made one at the same start.
async fn current(
    conn: &impl ConnectionTrait,
) -> Result<(Option<badge_key::Model>, Option<badge_key::Model>), Error> {
    let rows = badge_key::Entity::find()
        .filter(badge_key::Column::RetiredUs.is_null())
        .order_by_desc(badge_key::Column::CreatedUs)
        .order_by_desc(badge_key::Column::Kid)
        .all(conn)
        .await?;
    let first = |alg: &str| rows.iter().find(|r| r.alg == alg).cloned();
    Ok((first(ED25519), first(ES256)))
}

async fn insert(db: &Db, conn: &impl ConnectionTrait, alg: &str) -> Result<String, Error> {
    let key = material::generate(alg)?;
    let sealed = db
        .secrets()?
        .seal(&key.pkcs8, &key.kid)
        .map_err(Error::Internal)?;
    badge_key::ActiveModel {
        kid: Set(key.kid.clone()),
        alg: Set(alg.to_owned()),
        private_sealed: Set(sealed),
        public_jwk: Set(key.jwk),
        public_multibase: Set(key.multibase),
        created_us: Set(jiff::Timestamp::now().as_microsecond()),
        retired_us: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(key.kid)
}

/// Makes the missing keys (first start, or a database restored without them).
pub async fn ensure(db: &Db) -> Result<(), Error> {
    let _creating = CREATING.lock().await;
    let conn = db.writer();
    let (ed, es) = current(conn).await?;
    if ed.is_none() {
        insert(db, conn, ED25519).await?;
    }
    if es.is_none() {
        insert(db, conn, ES256).await?;
    }
    Ok(())
}

/// The newest unretired key of each algorithm, opened (makes them when missing).
pub async fn signing(db: &Db) -> Result<Arc<SigningKeys>, Error> {
    let (ed, es) = match current(db.writer()).await? {
        (Some(ed), Some(es)) => (ed, es),
        _ => {
            ensure(db).await?;
            match current(db.writer()).await? {
                (Some(ed), Some(es)) => (ed, es),
                _ => return Err(Error::Internal("new badge keys vanished".into())),
            }
        }
    };
    let id = (ed.kid.clone(), es.kid.clone());
    if let Some(keys) = cached(&id) {
        return Ok(keys);
    }
    let secrets = db.secrets()?;
    let unseal = |m: &badge_key::Model| {
        secrets
            .open(&m.private_sealed, &m.kid)
            .map_err(|e| Error::Internal(format!("stored badge key {}: {e}", m.kid)))
    };
    let keys = Arc::new(open(&ed.kid, &unseal(&ed)?, &es.kid, &unseal(&es)?)?);
    if let Ok(mut opened) = OPENED.lock() {
        let map = opened.get_or_insert_with(HashMap::new);
        // Only rotations add entries; a bound keeps a long-lived process small.
        if map.len() >= 8 {
            map.clear();
        }
        map.insert(id, keys.clone());
    }
    Ok(keys)
}

fn cached(id: &(String, String)) -> Option<Arc<SigningKeys>> {
    OPENED.lock().ok()?.as_ref()?.get(id).cloned()
}

/// Every key, newest first, current and retired.
pub async fn published(db: &Db) -> Result<Vec<PublicKey>, Error> {
    ensure(db).await?;
    Ok(badge_key::Entity::find()
        .order_by_desc(badge_key::Column::CreatedUs)
        .order_by_desc(badge_key::Column::Kid)
        .all(db.writer())
        .await?
        .into_iter()
        .map(PublicKey::from)
        .collect())
}

/// One key by `kid`.
pub async fn find(db: &Db, kid: &str) -> Result<Option<PublicKey>, Error> {
    Ok(badge_key::Entity::find_by_id(kid.to_owned())
        .one(db.writer())
        .await?
        .map(PublicKey::from))
}

/// Retires the signing keys and makes new ones; returns the new kids (ES256, Ed25519).
pub async fn rotate(db: &Db) -> Result<Vec<String>, Error> {
    let _creating = CREATING.lock().await;
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    badge_key::Entity::update_many()
        .col_expr(
            badge_key::Column::RetiredUs,
            sea_orm::sea_query::Expr::value(jiff::Timestamp::now().as_microsecond()),
        )
        .filter(badge_key::Column::RetiredUs.is_null())
        .exec(&txn)
        .await?;
    let kids = vec![
        insert(db, &txn, ES256).await?,
        insert(db, &txn, ED25519).await?,
    ];
    txn.commit().await?;
    Ok(kids)
}

#[cfg(test)]
mod tests;
