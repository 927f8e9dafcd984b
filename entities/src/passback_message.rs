use sea_orm::entity::prelude::*;

/// One outbox row: a standing to report through a passback target.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "passback_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub target_id: i64,
    /// `pending`, `delivered`, `superseded` or `failed`.
    pub state: String,
    /// AGS `{activityProgress, gradingProgress, scoreGiven?, scoreMaximum, comment}` or
    /// LTI 1.1 `{resultScore}`.
    pub payload: Json,
    /// `stored` of the commit that caused it.
    pub event_us: i64,
    /// Not delivered before this time.
    pub due_us: i64,
    pub expires_us: i64,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_answer: Option<String>,
    pub sent_ts_us: Option<i64>,
    pub created_us: i64,
    pub delivered_us: Option<i64>,
    pub failed_us: Option<i64>,
    /// When the last attempt was recorded.
    pub last_attempt_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
