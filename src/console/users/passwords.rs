//! Passwords of console users: a reset (a new one-time setup link), setting one
//! through a link, changing one's own, and signing a user out everywhere. Each change
//! is written with its audit entry in one transaction.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;

use super::{entry, existing};
use crate::certification::audit;
use crate::console::{password, session, setup_links};
use crate::db::Db;
use crate::error::Error;
use entities::console_user::{self, Model as User};

/// Forgets a user's password, ends their sessions and makes a new setup link; returns
/// its token.
pub async fn reset(db: &Db, actor: &str, username: &str, now_us: i64) -> Result<String, Error> {
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let user = existing(&tx, username).await?;
    if user.disabled_us.is_some() {
        return Err(Error::Conflict(format!(
            "`{}` is disabled; enable them first",
            user.username
        )));
    }
    let (id, name) = (user.id, user.username.clone());
    let mut active: console_user::ActiveModel = user.into();
    active.password_hash = Set(None);
    active.updated_us = Set(now_us);
    active.update(&tx).await?;
    let ended = session::end_all_for_user(&tx, id).await?;
    let token = setup_links::issue(&tx, id, now_us).await?;
    let details = json!({"username": name, "sessions_ended": ended});
    audit::record(&tx, now_us, entry(actor, "console.user.reset", details)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Sets the password of a setup link's user (the link is used up, every session of the
/// user ends); returns the user, to sign them in.
pub async fn redeem(db: &Db, token: &str, new_password: &str, now_us: i64) -> Result<User, Error> {
    let user = setup_links::live(db.writer(), token, now_us)
        .await?
        .ok_or_else(|| Error::NotFound(setup_links::DEAD.into()))?;
    if let Some(problem) = password::problem(new_password, &user.username) {
        return Err(Error::BadRequest(problem));
    }
    let hash = password::hash(new_password).await?;
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    if !setup_links::mark_used(&tx, token, now_us).await? {
        return Err(Error::NotFound(setup_links::DEAD.into()));
    }
    let (id, name) = (user.id, user.username.clone());
    let mut active: console_user::ActiveModel = user.into();
    active.password_hash = Set(Some(hash));
    active.updated_us = Set(now_us);
    let user = active.update(&tx).await?;
    session::end_all_for_user(&tx, id).await?;
    let details = json!({"username": name, "via": "setup link"});
    let actor = format!("console:{name}");
    audit::record(&tx, now_us, entry(&actor, "console.password.set", details)).await?;
    tx.commit().await?;
    Ok(user)
}

/// A signed-in user changes their own password: every other session of theirs ends,
/// the one with `keep_token` stays.
pub async fn set_password(
    db: &Db,
    user: &User,
    new_password: &str,
    keep_token: &str,
    now_us: i64,
) -> Result<(), Error> {
    if let Some(problem) = password::problem(new_password, &user.username) {
        return Err(Error::BadRequest(problem));
    }
    let hash = password::hash(new_password).await?;
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    console_user::Entity::update_many()
        .col_expr(
            console_user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(hash),
        )
        .col_expr(
            console_user::Column::UpdatedUs,
            sea_orm::sea_query::Expr::value(now_us),
        )
        .filter(console_user::Column::Id.eq(user.id))
        .exec(&tx)
        .await?;
    let ended = entities::console_session::Entity::delete_many()
        .filter(entities::console_session::Column::UserId.eq(user.id))
        .filter(entities::console_session::Column::TokenHash.ne(session::token_hash(keep_token)))
        .exec(&tx)
        .await?
        .rows_affected;
    let details =
        json!({"username": user.username, "via": "console", "other_sessions_ended": ended});
    let actor = format!("console:{}", user.username);
    audit::record(&tx, now_us, entry(&actor, "console.password.set", details)).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user ("sign out everywhere"); returns how many ended.
pub async fn sign_out_everywhere(
    db: &Db,
    actor: &str,
    username: &str,
    now_us: i64,
) -> Result<u64, Error> {
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let user = existing(&tx, username).await?;
    let ended = session::end_all_for_user(&tx, user.id).await?;
    let details = json!({"username": user.username, "sessions_ended": ended});
    audit::record(
        &tx,
        now_us,
        entry(actor, "console.sign_out.everywhere", details),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
