//! Console users: create, list, change role, disable and enable, reset a password (a new
//! one-time setup link), set a password through a link. Used by the CLI
//! (`blackbelt users …`) and the users page alike; every change is written with its
//! entry in the certification audit log, in one transaction.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use serde_json::{Value, json};

mod passwords;

pub use passwords::{redeem, reset, set_password, sign_out_everywhere};

use super::role::Role;
use super::{password, session, setup_links};
use crate::certification::audit::{self, Entry};
use crate::db::Db;
use crate::error::Error;
use entities::console_user::{self, Model as User};

/// Longest display name and email kept.
const MAX_NAME: usize = 200;
const MAX_EMAIL: usize = 254;

/// A user to create.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    /// Empty: the username.
    pub display_name: String,
    pub email: Option<String>,
    pub role: Option<Role>,
    /// A manager's team: learners whose `org_unit` attribute is one of these.
    pub org_units: Vec<String>,
}

/// A created user, with the token of their setup link when no password was given.
pub struct Created {
    pub user: User,
    pub setup_token: Option<String>,
}

/// The username as stored (lower-case), or why it is not acceptable.
pub fn parse_username(raw: &str) -> Result<String, String> {
    let name = raw.trim().to_lowercase();
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if first_ok && rest_ok && name.len() <= 64 {
        Ok(name)
    } else {
        Err(format!(
            "`{}` is not a valid username: use 1 to 64 letters a-z, digits, `.`, `_` or `-`, \
             starting with a letter or digit",
            raw.trim()
        ))
    }
}

/// A manager's team as stored; `None` when there is none.
pub fn team_json(org_units: &[String]) -> Option<Value> {
    let units: Vec<&str> = org_units
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .collect();
    (!units.is_empty()).then(|| json!({ "org_units": units }))
}

/// The org units of a stored team.
pub fn org_units(user: &User) -> Vec<String> {
    user.team
        .as_ref()
        .and_then(|t| t.get("org_units"))
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// "YYYY-MM-DD HH:MM UTC", or "never".
pub fn when(us: Option<i64>) -> String {
    us.and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map_or_else(
            || "never".to_owned(),
            |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

fn entry(actor: &str, action: &str, details: Value) -> Entry {
    Entry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        details,
        ..Entry::default()
    }
}

pub async fn find(conn: &impl ConnectionTrait, username: &str) -> Result<Option<User>, Error> {
    Ok(console_user::Entity::find()
        .filter(console_user::Column::Username.eq(username.trim().to_lowercase()))
        .one(conn)
        .await?)
}

async fn existing(conn: &impl ConnectionTrait, username: &str) -> Result<User, Error> {
    find(conn, username).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "no console user named `{}`",
            username.trim().to_lowercase()
        ))
    })
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, Error> {
    Ok(console_user::Entity::find().count(conn).await?)
}

/// Users by username, after `after` (keyset), at most `limit`.
pub async fn list(
    conn: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<User>, Error> {
    let mut query = console_user::Entity::find().order_by_asc(console_user::Column::Username);
    if let Some(after) = after {
        query = query.filter(console_user::Column::Username.gt(after));
    }
    Ok(query.limit(limit).all(conn).await?)
}

async fn enabled_admins(conn: &impl ConnectionTrait) -> Result<u64, Error> {
    Ok(console_user::Entity::find()
        .filter(console_user::Column::Role.eq(Role::Admin.as_str()))
        .filter(console_user::Column::DisabledUs.is_null())
        .count(conn)
        .await?)
}

/// Refuses a change that would leave no enabled admin (nobody could manage users then).
async fn keep_an_admin(conn: &impl ConnectionTrait, user: &User) -> Result<(), Error> {
    if user.role == Role::Admin.as_str()
        && user.disabled_us.is_none()
        && enabled_admins(conn).await? <= 1
    {
        return Err(Error::Conflict(format!(
            "`{}` is the only enabled admin; make another user admin first",
            user.username
        )));
    }
    Ok(())
}

fn check_details(new: &NewUser) -> Result<(), Error> {
    if new.display_name.chars().count() > MAX_NAME {
        return Err(Error::BadRequest(format!(
            "the name must be at most {MAX_NAME} characters"
        )));
    }
    if let Some(email) = &new.email
        && (email.len() > MAX_EMAIL || !email.contains('@') || email.contains(char::is_whitespace))
    {
        return Err(Error::BadRequest(format!(
            "`{email}` is not an email address"
        )));
    }
    Ok(())
}

/// Creates a user with `password`, or (without one) a setup link to set it.
pub async fn create(
    db: &Db,
    actor: &str,
    new: NewUser,
    password: Option<&str>,
    now_us: i64,
) -> Result<Created, Error> {
    let username = parse_username(&new.username).map_err(Error::BadRequest)?;
    let role = new.role.ok_or_else(|| {
        Error::BadRequest("choose a role: admin, program, reviewer, manager or viewer".into())
    })?;
    check_details(&new)?;
    let hash = match password {
        Some(p) => {
            if let Some(problem) = password::problem(p, &username) {
                return Err(Error::BadRequest(problem));
            }
            Some(password::hash(p).await?)
        }
        None => None,
    };
    let display_name = match new.display_name.trim() {
        "" => username.clone(),
        name => name.to_owned(),
    };
    let team = team_json(&new.org_units);
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let inserted = console_user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name),
        email: Set(new
            .email
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())),
        role: Set(role.as_str().to_owned()),
        team: Set(team.clone()),
        password_hash: Set(hash.clone()),
        disabled_us: Set(None),
        created_us: Set(now_us),
        updated_us: Set(now_us),
        last_sign_in_us: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(Error::Conflict(format!(
                "a console user named `{username}` exists already"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let setup_token = match hash {
        Some(_) => None,
        None => Some(setup_links::issue(&tx, user.id, now_us).await?),
    };
    let details = json!({"username": username, "role": role.as_str(), "team": team,
        "password": if setup_token.is_some() { "setup link" } else { "set" }});
    audit::record(&tx, now_us, entry(actor, "console.user.create", details)).await?;
    tx.commit().await?;
    Ok(Created { user, setup_token })
}

/// Changes a user's role (and, for a manager, their team when `org_units` is given).
pub async fn set_role(
    db: &Db,
    actor: &str,
    username: &str,
    role: Role,
    org_units: Option<Vec<String>>,
    now_us: i64,
) -> Result<User, Error> {
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let user = existing(&tx, username).await?;
    if role != Role::Admin {
        keep_an_admin(&tx, &user).await?;
    }
    let from = user.role.clone();
    let mut active: console_user::ActiveModel = user.into();
    active.role = Set(role.as_str().to_owned());
    if let Some(units) = &org_units {
        active.team = Set(team_json(units));
    }
    active.updated_us = Set(now_us);
    let user = active.update(&tx).await?;
    let details = json!({"username": user.username, "from": from, "to": role.as_str(),
        "team": user.team});
    audit::record(&tx, now_us, entry(actor, "console.user.role", details)).await?;
    tx.commit().await?;
    Ok(user)
}

/// Disables a user and ends all their sessions; returns how many ended.
pub async fn disable(db: &Db, actor: &str, username: &str, now_us: i64) -> Result<u64, Error> {
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let user = existing(&tx, username).await?;
    if user.disabled_us.is_some() {
        return Err(Error::Conflict(format!(
            "`{}` is disabled already",
            user.username
        )));
    }
    keep_an_admin(&tx, &user).await?;
    let (id, name) = (user.id, user.username.clone());
    let mut active: console_user::ActiveModel = user.into();
    active.disabled_us = Set(Some(now_us));
    active.updated_us = Set(now_us);
    active.update(&tx).await?;
    let ended = session::end_all_for_user(&tx, id).await?;
    let details = json!({"username": name, "sessions_ended": ended});
    audit::record(&tx, now_us, entry(actor, "console.user.disable", details)).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Enables a disabled user again.
pub async fn enable(db: &Db, actor: &str, username: &str, now_us: i64) -> Result<(), Error> {
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let user = existing(&tx, username).await?;
    if user.disabled_us.is_none() {
        return Err(Error::Conflict(format!(
            "`{}` is enabled already",
            user.username
        )));
    }
    let name = user.username.clone();
    let mut active: console_user::ActiveModel = user.into();
    active.disabled_us = Set(None);
    active.updated_us = Set(now_us);
    active.update(&tx).await?;
    audit::record(
        &tx,
        now_us,
        entry(actor, "console.user.enable", json!({"username": name})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(
            parse_username(" Ada.Lovelace ").as_deref(),
            Ok("ada.lovelace")
        );
        assert_eq!(parse_username("7-of_9").as_deref(), Ok("7-of_9"));
        for bad in [
            "",
            ".ada",
            "ada lovelace",
            "ada@example.com",
            "é",
            &"a".repeat(65),
        ] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(when(None), "never");
        assert_eq!(when(Some(0)), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn an_empty_team_is_none() {
        assert_eq!(team_json(&[" ".into()]), None);
        assert_eq!(
            team_json(&["emea".into()]),
            Some(json!({"org_units": ["emea"]}))
        );
    }
}
