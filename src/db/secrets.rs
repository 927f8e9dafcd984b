//! Random keys shared by every instance on one database: the first instance to ask makes
//! one, every later ask (on any instance) reads the same.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue, DbErr, EntityTrait};

use super::Db;

use entities::server_secret;

/// The secret called `name`, made with `len` random bytes if it does not exist yet.
/// Stored sealed with the database's secrets key (`crate::crypto`).
pub async fn get_or_create(db: &Db, name: &str, len: usize) -> Result<Vec<u8>, DbErr> {
    let conn = db.writer();
    let key = db.secrets().map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut fresh = vec![0u8; len];
    SystemRandom::new()
        .fill(&mut fresh)
        .map_err(|_| DbErr::Custom("the system random generator failed".into()))?;
    let row = server_secret::ActiveModel {
        name: ActiveValue::Set(name.to_owned()),
        value_hex: ActiveValue::Set(
            key.seal(hex::encode(&fresh).as_bytes(), name)
                .map_err(DbErr::Custom)?,
        ),
        created_us: ActiveValue::Set(jiff::Timestamp::now().as_microsecond()),
    };
    // Two instances starting together both insert; the first wins, both read it.
    server_secret::Entity::insert(row)
        .on_conflict(
            OnConflict::column(server_secret::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let stored = server_secret::Entity::find_by_id(name.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("server secret {name}")))?;
    let value = key.open_text(&stored.value_hex, name).map_err(|e| {
        DbErr::Custom(format!(
            "server secret {name}: {e}; see secrets_key and secrets_key_file"
        ))
    })?;
    hex::decode(&value).map_err(|e| DbErr::Custom(format!("server secret {name} is not hex: {e}")))
}
