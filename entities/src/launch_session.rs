use sea_orm::entity::prelude::*;

/// One launch of one AU (cmi5 session). The fetch code and the auth token are stored
/// only as keyed hashes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "launch_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: String,
    pub registration: String,
    pub au_id: String,
    /// `Normal`, `Browse` or `Review`.
    pub launch_mode: String,
    pub mastery_score: Option<f64>,
    pub move_on: String,
    pub salt: String,
    pub fetch_hash: String,
    /// Set when the fetch URL was used; the token is then valid until `expires_us`.
    pub token_hash: Option<String>,
    pub created_us: i64,
    pub expires_us: i64,
    pub initialized_us: Option<i64>,
    pub terminated_us: Option<i64>,
    pub abandoned: bool,
    /// cmi5 defined verbs already used in this session, comma-separated short names
    /// (cmi5 §9.3: none may repeat within a session).
    pub defined_verbs: String,
    pub return_url: Option<String>,
    /// When the AU first read `cmi5LearnerPreferences` in this session (cmi5 §11).
    pub prefs_read_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
