//! The sweep: time-based changes no statement triggers. Every
//! `certification_sweep_secs` it renews what became due when a renewal window opened
//! (requirements already met, such as a belt or an attribute) and expires active awards
//! past validity + grace. Safe with several instances on one PostgreSQL database: an
//! expiry is a conditional `UPDATE … WHERE status = 'active'`, and only the instance
//! whose update changed the row writes the statement and the audit entry.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use tokio::sync::watch;

use super::rules::Rules;
use super::{evaluate_learners, renewal_start};
use crate::certification::awards::{Event, Manual, actor_and_belt, announce};
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;
use entities::cert_award;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub renewed: u64,
    pub expired: u64,
}

const BATCH: u64 = 200;

/// The running sweep; stops when dropped.
pub struct Sweeper {
    stop: watch::Sender<bool>,
}

impl Sweeper {
    pub fn start(db: Db, every: Duration) -> Sweeper {
        let (stop, stopped) = watch::channel(false);
        spawn(db, every, stopped);
        Sweeper { stop }
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Runs until `stop` says so.
fn spawn(db: Db, every: Duration, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tick.tick() => {}
            }
            let now = jiff::Timestamp::now().as_microsecond();
            match sweep_once(&db, now).await {
                Ok(s) if s != Swept::default() => tracing::info!(?s, "certification: sweep"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "certification: sweep failed"),
            }
        }
    });
}

/// One sweep at `now_us`: renewals that fell due, then expiries.
pub async fn sweep_once(db: &Db, now_us: i64) -> Result<Swept, Error> {
    let mut swept = Swept {
        renewed: renew_due(db, now_us).await?,
        ..Swept::default()
    };
    loop {
        let ids: Vec<i64> = cert_award::Entity::find()
            .select_only()
            .column(cert_award::Column::Id)
            .filter(cert_award::Column::Status.eq("active"))
            .filter(cert_award::Column::ExpiresUs.lte(now_us))
            .order_by_asc(cert_award::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&db.conn)
            .await?;
        if ids.is_empty() {
            break;
        }
        let mut progressed = false;
        for id in &ids {
            let _gate = db.write_gate().await;
            let txn = db.writer().begin().await?;
            if expire(&txn, *id, now_us).await? {
                swept.expired += 1;
                progressed = true;
            }
            txn.commit().await?;
        }
        if !progressed || (ids.len() as u64) < BATCH {
            break;
        }
    }
    Ok(swept)
}

/// Expires one award if it is still active and past its expiry; false when another
/// instance (or a renewal) got there first.
async fn expire(txn: &sea_orm::DatabaseTransaction, id: i64, now_us: i64) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE cert_awards SET status = 'expired', active_key = NULL");
    sql.bind(", updated_us = ?", now_us)
        .bind(" WHERE id = ?", id)
        .bind(" AND status = 'active' AND expires_us <= ?", now_us);
    let done = txn
        .execute_raw(sql.build(txn.get_database_backend()))
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let Some(award) = cert_award::Entity::find_by_id(id).one(txn).await? else {
        return Ok(false);
    };
    let (actor, belt) = actor_and_belt(txn, &award).await?;
    let system = Manual {
        by: "system".into(),
        reason: String::new(),
    };
    let details = serde_json::json!({"expires_us": award.expires_us});
    announce(
        txn,
        Event::Expire,
        award,
        &actor,
        belt.as_ref(),
        &system,
        now_us,
        details,
    )
    .await?;
    Ok(true)
}

/// Re-evaluates the learners with an active award whose renewal window is open.
async fn renew_due(db: &Db, now_us: i64) -> Result<u64, Error> {
    let programs = crate::certification::program::store::current_all(&db.conn).await?;
    let rules = Rules::new(programs);
    if rules.is_empty() {
        return Ok(0);
    }
    let belts: BTreeMap<&str, (usize, usize)> = rules
        .all_belts()
        .into_iter()
        .map(|at| (rules.belt(at).id.as_str(), at))
        .collect();
    let max_window = rules
        .all_belts()
        .into_iter()
        .map(|at| super::window_days(rules.belt(at)))
        .max()
        .unwrap_or(0);
    let horizon = now_us.saturating_add(crate::certification::awards::store::days_us(max_window));
    let candidates = cert_award::Entity::find()
        .filter(cert_award::Column::Status.eq("active"))
        .filter(cert_award::Column::ValidUntilUs.lte(horizon))
        .all(&db.conn)
        .await?;
    let mut todo: BTreeMap<String, BTreeSet<(usize, usize)>> = BTreeMap::new();
    for award in candidates {
        let Some(&at) = belts.get(award.belt_id.as_str()) else {
            continue;
        };
        if rules.programs[at.0].program_id == award.program_id
            && renewal_start(rules.belt(at), &award, now_us).is_some()
        {
            todo.entry(award.learner_key).or_default().insert(at);
        }
    }
    let mut renewed = 0;
    let learners: Vec<(String, BTreeSet<(usize, usize)>)> = todo.into_iter().collect();
    for chunk in learners.chunks(200) {
        let _gate = db.write_gate().await;
        let txn = db.writer().begin().await?;
        let changed =
            evaluate_learners(&txn, &rules, chunk.iter().cloned().collect(), now_us).await?;
        txn.commit().await?;
        renewed += changed.len() as u64;
    }
    Ok(renewed)
}
