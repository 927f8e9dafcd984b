//! Console sign-in throttling per account and per client address, in the database (so
//! every instance counts together and a restart does not reset it). Checked before any
//! password work, so a locked account costs no hashing; the message never says whether
//! the account exists.

use poem::web::RemoteAddr;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::Error;
use entities::console_sign_in_failure as failure;

/// Failures allowed within the window, and how long a lock-out lasts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_failures: u32,
    pub window_us: i64,
}

impl Limits {
    pub fn from_config(config: &crate::config::Config) -> Limits {
        Limits {
            max_failures: config.console_max_failures.max(1),
            window_us: i64::from(config.console_lockout_minutes.max(1)) * 60_000_000,
        }
    }
}

/// The counter key of an account.
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

/// The counter key of a client: its address as the edge resolved it (the TCP peer, or
/// the client a trusted proxy names); IPv6 counts by /64, the block one host is
/// usually given.
pub fn ip_key(remote: &RemoteAddr) -> String {
    format!("ip:{}", crate::server::throttle::client_key(&remote.0))
}

/// Minutes (rounded up) until the first of `keys` that is locked opens again; `None`
/// when none is locked.
pub async fn locked_for(
    conn: &impl ConnectionTrait,
    keys: &[String],
    now_us: i64,
) -> Result<Option<i64>, Error> {
    let rows = failure::Entity::find()
        .filter(failure::Column::Key.is_in(keys.iter().cloned()))
        .filter(failure::Column::LockedUntilUs.gt(now_us))
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.locked_until_us)
        .max()
        .map(|until| minutes_left(until, now_us)))
}

fn minutes_left(until_us: i64, now_us: i64) -> i64 {
    let left = until_us.saturating_sub(now_us).max(0);
    (left + 59_999_999) / 60_000_000
}

/// Counts one failure against `key`; locks it for the window when it reaches the limit.
/// A window that has passed (and is not locked) starts over.
pub async fn fail(
    conn: &impl ConnectionTrait,
    key: &str,
    limits: Limits,
    now_us: i64,
) -> Result<(), Error> {
    failure::Entity::insert(failure::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_start_us: Set(now_us),
        locked_until_us: Set(None),
    })
    .on_conflict(
        OnConflict::column(failure::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let Some(row) = failure::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let stale = now_us.saturating_sub(row.window_start_us) > limits.window_us
        && row.locked_until_us.is_none_or(|until| until <= now_us);
    let failures = if stale {
        1
    } else {
        row.failures.saturating_add(1)
    };
    let locked =
        (failures as u32 >= limits.max_failures).then(|| now_us.saturating_add(limits.window_us));
    let mut update = failure::Entity::update_many()
        .col_expr(failure::Column::Failures, Expr::value(failures))
        .col_expr(failure::Column::LockedUntilUs, Expr::value(locked))
        .filter(failure::Column::Key.eq(key));
    if stale {
        update = update.col_expr(failure::Column::WindowStartUs, Expr::value(now_us));
    }
    update.exec(conn).await?;
    Ok(())
}

/// Forgets `key`'s failures (after a successful sign-in of that account).
pub async fn clear(conn: &impl ConnectionTrait, key: &str) -> Result<(), Error> {
    failure::Entity::delete_by_id(key.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Drops counters whose window and lock-out are both over (housekeeping).
pub async fn purge(conn: &impl ConnectionTrait, limits: Limits, now_us: i64) -> Result<u64, Error> {
    let before = now_us.saturating_sub(limits.window_us);
    Ok(failure::Entity::delete_many()
        .filter(failure::Column::WindowStartUs.lt(before))
        .filter(
            Condition::any()
                .add(failure::Column::LockedUntilUs.is_null())
                .add(failure::Column::LockedUntilUs.lte(now_us)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up() {
        assert_eq!(minutes_left(60_000_000, 0), 1);
        assert_eq!(minutes_left(60_000_001, 0), 2);
        assert_eq!(minutes_left(1, 0), 1);
        assert_eq!(minutes_left(0, 5), 0);
    }

    #[test]
    fn ipv6_clients_count_by_their_64_block() {
        let a: std::net::SocketAddr = "[2001:db8:1:2:3:4:5:6]:443".parse().unwrap();
        let remote = RemoteAddr(poem::Addr::SocketAddr(a));
        assert_eq!(ip_key(&remote), "ip:2001:db8:1:2::/64");
        let b: std::net::SocketAddr = "[::ffff:10.0.0.1]:443".parse().unwrap();
        assert_eq!(
            ip_key(&RemoteAddr(poem::Addr::SocketAddr(b))),
            "ip:10.0.0.1"
        );
        assert_eq!(account_key(" Ada "), "account:ada");
    }
}
