//! One-time links to set a console user's password (the first admin's, a new user's, a
//! reset). The token is shown once; only its SHA-256 is stored. A link lasts 24 hours,
//! works once, and making a new one for a user voids that user's unused older ones.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, Set,
};

use super::session::{new_token, token_hash};
use crate::error::Error;
use entities::{console_setup_link as link, console_user};

/// How long a link works.
pub const LIFETIME_US: i64 = 24 * 3_600_000_000;

/// What a person is told when a link does not work (never which of the reasons).
pub const DEAD: &str = "This link does not work any more: it was used already, it is older \
     than 24 hours, or a newer link was made for the same person. Ask an administrator for \
     a new one (`blackbelt users reset-password <username>`, or the users page).";

/// The URL a person opens to set their password.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/console/setup/{token}", public_url.trim_end_matches('/'))
}

/// Makes a new link for `user_id` (voiding their unused older ones); returns its token.
pub async fn issue(
    conn: &impl ConnectionTrait,
    user_id: i64,
    now_us: i64,
) -> Result<String, Error> {
    link::Entity::delete_many()
        .filter(link::Column::UserId.eq(user_id))
        .filter(link::Column::UsedUs.is_null())
        .exec(conn)
        .await?;
    let token = new_token()?;
    link::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        created_us: Set(now_us),
        expires_us: Set(now_us.saturating_add(LIFETIME_US)),
        used_us: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The link's user while the link is usable: unused, not expired, user enabled.
pub async fn live(
    conn: &impl ConnectionTrait,
    token: &str,
    now_us: i64,
) -> Result<Option<console_user::Model>, Error> {
    if token.len() > 128 {
        return Ok(None);
    }
    let Some(row) = link::Entity::find_by_id(token_hash(token))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if row.used_us.is_some() || row.expires_us <= now_us {
        return Ok(None);
    }
    Ok(console_user::Entity::find_by_id(row.user_id)
        .one(conn)
        .await?
        .filter(|u| u.disabled_us.is_none()))
}

/// Marks the link used, only if it still is unused (so two tabs cannot both use it).
/// Returns whether this call was the one that used it.
pub async fn mark_used(
    conn: &impl ConnectionTrait,
    token: &str,
    now_us: i64,
) -> Result<bool, Error> {
    let done = link::Entity::update_many()
        .col_expr(
            link::Column::UsedUs,
            sea_orm::sea_query::Expr::value(now_us),
        )
        .filter(link::Column::TokenHash.eq(token_hash(token)))
        .filter(link::Column::UsedUs.is_null())
        .filter(link::Column::ExpiresUs.gt(now_us))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Drops links that expired or were used more than a day ago (housekeeping).
pub async fn purge(conn: &impl ConnectionTrait, now_us: i64) -> Result<u64, Error> {
    let before = now_us.saturating_sub(LIFETIME_US);
    Ok(link::Entity::delete_many()
        .filter(
            link::Column::ExpiresUs
                .lte(now_us)
                .or(link::Column::UsedUs.lt(before)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_under_the_console() {
        assert_eq!(
            url("https://bb.example.com/", "tok"),
            "https://bb.example.com/console/setup/tok"
        );
    }
}
