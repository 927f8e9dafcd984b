//! Checking a username and password: throttling first (no hashing for a locked account
//! or address), then Argon2id (a dummy hash when there is no such user, so both cost the
//! same), then counting the failure or clearing the account's counter. Every attempt is
//! audited; the answer never says whether the account exists.

use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use serde_json::json;

use super::throttle::{self, Limits};
use super::{password, users};
use crate::certification::audit::{self, Entry};
use crate::db::Db;
use crate::error::Error;
use entities::console_user::{self, Model as User};

/// What a sign-in attempt came to.
pub enum Outcome {
    Signed(User),
    /// Wrong password, unknown user, disabled user, or no password set yet: one answer.
    Refused,
    /// Too many failures for this account or this address: minutes until it opens.
    Locked(i64),
}

/// Checks `username` and `password` from the client counted as `ip_key`.
pub async fn check(
    db: &Db,
    limits: Limits,
    username: &str,
    password_given: &str,
    ip_key: &str,
    now_us: i64,
) -> Result<Outcome, Error> {
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    let account_key = throttle::account_key(&name);
    let keys = [account_key.clone(), ip_key.to_owned()];
    let actor = format!("console:{name}");
    if let Some(minutes) = throttle::locked_for(&db.conn, &keys, now_us).await? {
        record(
            db,
            &actor,
            "console.sign_in.failed",
            json!({"username": name,
            "client": ip_key, "reason": "locked"}),
            now_us,
        )
        .await?;
        return Ok(Outcome::Locked(minutes));
    }
    let user = users::find(&db.conn, &name)
        .await?
        .filter(|u| u.disabled_us.is_none());
    let phc = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matched = password::verify(password_given, phc).await?;
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let outcome = match user {
        Some(user) if matched => {
            throttle::clear(&tx, &account_key).await?;
            let mut active: console_user::ActiveModel = user.into();
            active.last_sign_in_us = Set(Some(now_us));
            let user = active.update(&tx).await?;
            let details = json!({"username": name, "client": ip_key});
            audit::record(&tx, now_us, entry(&actor, "console.sign_in", details)).await?;
            Outcome::Signed(user)
        }
        _ => {
            throttle::fail(&tx, &account_key, limits, now_us).await?;
            throttle::fail(&tx, ip_key, limits, now_us).await?;
            let details = json!({"username": name, "client": ip_key, "reason": "refused"});
            audit::record(
                &tx,
                now_us,
                entry(&actor, "console.sign_in.failed", details),
            )
            .await?;
            Outcome::Refused
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

fn entry(actor: &str, action: &str, details: serde_json::Value) -> Entry {
    Entry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        details,
        ..Entry::default()
    }
}

/// Writes one audit entry on its own (sign-out, refused attempts).
pub async fn record(
    db: &Db,
    actor: &str,
    action: &str,
    details: serde_json::Value,
    now_us: i64,
) -> Result<(), Error> {
    let _gate = db.write_gate().await;
    audit::record(db.writer(), now_us, entry(actor, action, details)).await?;
    Ok(())
}
