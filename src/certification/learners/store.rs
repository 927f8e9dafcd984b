//! cert_learners and cert_learner_aliases queries.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::error::Error;
use crate::sql::Sql;
use crate::xapi::statements::index::agent_key;
use entities::{cert_learner, cert_learner_alias, cert_learner_term};

/// A learner as the registry first sees them (a registration's or a statement's actor).
#[derive(Debug, Clone)]
pub struct Learner {
    pub learner_key: String,
    pub actor: Value,
    pub name: Option<String>,
    /// `mailto:` IRI.
    pub email: Option<String>,
}

impl Learner {
    /// From an xAPI Agent (and the email an LMS gave at launch).
    pub fn from_actor(actor: &Value, email: Option<String>) -> Option<Learner> {
        if actor.get("objectType").and_then(Value::as_str) == Some("Group") {
            return None;
        }
        Some(Learner {
            learner_key: agent_key(actor)?,
            actor: actor.clone(),
            name: actor.get("name").and_then(Value::as_str).map(str::to_owned),
            email,
        })
    }
}

/// Inserts the learners not yet known (and the `mbox` alias of their email); known
/// learners are left as they are. Idempotent and safe under races (ON CONFLICT).
pub async fn upsert(
    conn: &impl ConnectionTrait,
    learners: &[Learner],
    now_us: i64,
) -> Result<(), Error> {
    let backend = conn.get_database_backend();
    // In key order, so two transactions registering the same learners cannot deadlock.
    let mut sorted: Vec<&Learner> = learners.iter().collect();
    sorted.sort_by(|a, b| a.learner_key.cmp(&b.learner_key));
    sorted.dedup_by(|a, b| a.learner_key == b.learner_key);
    for chunk in sorted.chunks(200) {
        let mut sql = Sql::new(
            "INSERT INTO cert_learners (learner_key, actor, name, email, attributes, \
             created_us, updated_us) VALUES ",
        );
        for (i, l) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", l.learner_key.clone())
                .bind(", ?", l.actor.clone())
                .bind(", ?", l.name.clone())
                .bind(", ?", l.email.clone())
                .bind(", ?", json!({}))
                .bind(", ?", now_us)
                .bind(", ?)", now_us);
        }
        sql.push(" ON CONFLICT (learner_key) DO NOTHING RETURNING learner_key");
        let mut inserted = BTreeSet::new();
        for row in conn.query_all_raw(sql.build(backend)).await? {
            inserted.insert(row.try_get_by_index::<String>(0)?);
        }
        let new: Vec<&&Learner> = chunk
            .iter()
            .filter(|l| inserted.contains(&l.learner_key))
            .collect();
        record_terms(
            conn,
            new.iter().map(|l| {
                (
                    l.learner_key.as_str(),
                    l.name.as_deref(),
                    l.email.as_deref(),
                )
            }),
        )
        .await?;
        let aliases: Vec<(String, &str)> = chunk
            .iter()
            .filter_map(|l| {
                let email = l.email.as_deref()?;
                let mbox = if email.starts_with("mailto:") {
                    email.to_owned()
                } else {
                    format!("mailto:{email}")
                };
                let key = agent_key(&json!({ "mbox": mbox }))?;
                (key != l.learner_key).then_some((key, l.learner_key.as_str()))
            })
            .collect();
        if aliases.is_empty() {
            continue;
        }
        let mut sql = Sql::new(
            "INSERT INTO cert_learner_aliases (alias_key, learner_key, created_us) VALUES ",
        );
        for (i, (alias, learner)) in aliases.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", alias.clone())
                .bind(", ?", (*learner).to_owned())
                .bind(", ?)", now_us);
        }
        sql.push(" ON CONFLICT (alias_key) DO NOTHING");
        conn.execute_raw(sql.build(backend)).await?;
    }
    Ok(())
}

/// Writes the search terms (`cert_learner_term::terms_of`) of new learners, given as
/// (key, name, email).
pub async fn record_terms<'a>(
    conn: &impl ConnectionTrait,
    learners: impl Iterator<Item = (&'a str, Option<&'a str>, Option<&'a str>)>,
) -> Result<(), Error> {
    let rows: Vec<(String, String)> = learners
        .flat_map(|(key, name, email)| {
            cert_learner_term::terms_of(key, name, email)
                .into_iter()
                .map(move |term| (term, key.to_owned()))
        })
        .collect();
    for chunk in rows.chunks(500) {
        let mut sql = Sql::new("INSERT INTO cert_learner_terms (term, learner_key) VALUES ");
        for (i, (term, key)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", term.clone())
                .bind(", ?)", key.clone());
        }
        sql.push(" ON CONFLICT (term, learner_key) DO NOTHING");
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
    Ok(())
}

/// One learner.
pub async fn find(
    conn: &impl ConnectionTrait,
    learner_key: &str,
) -> Result<Option<cert_learner::Model>, Error> {
    Ok(cert_learner::Entity::find_by_id(learner_key.to_owned())
        .one(conn)
        .await?)
}

/// The learners among `keys` that are known, by key (a page's rows name them).
pub async fn find_many(
    conn: &impl ConnectionTrait,
    keys: &BTreeSet<String>,
) -> Result<BTreeMap<String, cert_learner::Model>, Error> {
    let mut out = BTreeMap::new();
    let list: Vec<String> = keys.iter().cloned().collect();
    for chunk in list.chunks(500) {
        for row in cert_learner::Entity::find()
            .filter(cert_learner::Column::LearnerKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(row.learner_key.clone(), row);
        }
    }
    Ok(out)
}

/// Maps agent keys to the learners they belong to: a learner's own key, or an alias.
/// Keys of nobody known are left out.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    keys: &BTreeSet<String>,
) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let list: Vec<String> = keys.iter().cloned().collect();
    for chunk in list.chunks(500) {
        // Learner rows first, aliases after: a key registered on its own (statements
        // came before the launch that named it as an email) counts for the learner it
        // is an alias of.
        for row in cert_learner::Entity::find()
            .filter(cert_learner::Column::LearnerKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(row.learner_key.clone(), row.learner_key);
        }
        for row in cert_learner_alias::Entity::find()
            .filter(cert_learner_alias::Column::AliasKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(row.alias_key, row.learner_key);
        }
    }
    Ok(out)
}

/// Every agent key of each learner: their own and their aliases.
pub async fn keys_of(
    conn: &impl ConnectionTrait,
    learner_keys: &[String],
) -> Result<BTreeMap<String, Vec<String>>, Error> {
    let mut out: BTreeMap<String, Vec<String>> = learner_keys
        .iter()
        .map(|k| (k.clone(), vec![k.clone()]))
        .collect();
    for chunk in learner_keys.chunks(500) {
        for row in cert_learner_alias::Entity::find()
            .filter(cert_learner_alias::Column::LearnerKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.entry(row.learner_key).or_default().push(row.alias_key);
        }
    }
    Ok(out)
}
