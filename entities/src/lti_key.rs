use sea_orm::entity::prelude::*;

/// One RSA signing key of the tool. The newest unretired key signs; retired keys stay
/// published in the JWKS until deleted, so platforms can check what they signed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// PKCS#8 PEM. Needed to sign, so it cannot be hashed; protect the database.
    pub private_pem: String,
    pub public_jwk: Json,
    pub created_us: i64,
    pub retired_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
