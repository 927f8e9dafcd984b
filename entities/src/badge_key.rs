use sea_orm::entity::prelude::*;

/// One signing key of the Open Badges issuer. The newest unretired key of each `alg`
/// signs; retired keys stay published so the credentials they signed still verify.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "badge_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// `ES256` (VC-JWT) or `Ed25519` (Data Integrity `eddsa-rdfc-2022`).
    pub alg: String,
    /// PKCS#8 private key, sealed with the secrets key (`crate::crypto`).
    pub private_sealed: String,
    /// The public key as a JWK (no `d`).
    pub public_jwk: Json,
    /// Ed25519 keys: the Multikey `publicKeyMultibase` (`z6Mk…`).
    pub public_multibase: Option<String>,
    pub created_us: i64,
    pub retired_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
