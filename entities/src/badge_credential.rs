use sea_orm::entity::prelude::*;

/// The Open Badges 3.0 credential of one award (`cert_awards`). Renewal keeps the row
/// and its `id`; the signed forms are remade when the award changes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "badge_credentials")]
pub struct Model {
    /// Random UUID: the credential is `<public_url>/ob/credentials/<id>`; not guessable.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub award_id: i64,
    pub learner_key: String,
    /// Which status list (`<public_url>/ob/status/<n>`) holds the revocation bit.
    pub status_list: i32,
    /// The bit's index, chosen at random within the list (herd privacy).
    pub status_index: i32,
    /// `credentialSubject.id`: a `urn:uuid:` that names no one.
    pub subject_id: String,
    /// Salt of the subject's `IdentityObject` hash.
    pub subject_salt: String,
    /// The learner chose to show their name on the public verification page.
    pub show_name: bool,
    /// What the stored signatures were made for (award version and keys); when it no
    /// longer matches, the credential is signed again.
    pub signed_for: Option<String>,
    /// The credential with its Data Integrity proof.
    pub signed_json: Option<Json>,
    /// The same credential as a VC-JWT (compact JWS).
    pub signed_jwt: Option<String>,
    pub created_us: i64,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
