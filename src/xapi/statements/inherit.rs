//! The StatementRef filter rule: a statement targeting another matches every filter the
//! target matches, recursively. Keys are resolved from the chain of targets before the
//! statement is written, so the index holds them from the first read.
//! Spec: xAPI-Communication 2.1.3 (Filter Conditions for StatementRefs).

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;

use super::index::{IndexKey, extract_keys};
use super::prepare::PreparedStatement;
use super::write::IDS_PER_LOOKUP;
use crate::sql::Sql;

/// Chains longer than this are cut: they only arise from deliberate abuse.
const MAX_CHAIN: usize = 32;

/// Own keys and StatementRef target of a statement on a chain.
struct Link {
    keys: Vec<IndexKey>,
    target: Option<String>,
}

pub struct KeyResolver<'a> {
    batch: &'a [&'a PreparedStatement],
    links: HashMap<String, Link>,
}

impl<'a> KeyResolver<'a> {
    pub fn new(batch: &'a [&'a PreparedStatement]) -> Self {
        let links = batch
            .iter()
            .map(|s| {
                let link = Link {
                    keys: s.keys.clone(),
                    target: s.object_ref_id.clone(),
                };
                (s.id.clone(), link)
            })
            .collect();
        KeyResolver { batch, links }
    }

    /// The full key set of each batch statement (own keys plus its chain's), in order.
    pub async fn resolve(
        mut self,
        conn: &impl ConnectionTrait,
    ) -> Result<Vec<Vec<IndexKey>>, DbErr> {
        // The common case: nothing references another statement, nothing to look up.
        if self.batch.iter().all(|s| s.object_ref_id.is_none()) {
            return Ok(self.batch.iter().map(|s| s.keys.clone()).collect());
        }
        self.load_targets(conn).await?;
        Ok(self
            .batch
            .iter()
            .map(|statement| {
                let mut keys = statement.keys.clone();
                let mut seen = HashSet::from([statement.id.clone()]);
                let mut next = statement.object_ref_id.clone();
                while let Some(id) = next.take() {
                    if seen.len() > MAX_CHAIN || !seen.insert(id.clone()) {
                        break;
                    }
                    if let Some(link) = self.links.get(&id) {
                        keys.extend(link.keys.iter().cloned());
                        next = link.target.clone();
                    }
                }
                keys.sort();
                keys.dedup();
                keys
            })
            .collect())
    }

    /// Fetches stored statements on the chains, a level at a time.
    async fn load_targets(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut pending: Vec<String> = self.missing_targets();
        for _ in 0..MAX_CHAIN {
            if pending.is_empty() {
                break;
            }
            for chunk in pending.chunks(IDS_PER_LOOKUP) {
                let mut sql =
                    Sql::new("SELECT id, object_ref_id, payload FROM statements WHERE id IN ");
                sql.bind_list(chunk.iter().cloned());
                for row in conn
                    .query_all_raw(sql.build(conn.get_database_backend()))
                    .await?
                {
                    let payload: Value = row.try_get("", "payload")?;
                    let link = Link {
                        keys: extract_keys(&payload),
                        target: row.try_get("", "object_ref_id")?,
                    };
                    self.links.insert(row.try_get("", "id")?, link);
                }
            }
            let asked: HashSet<String> = pending.drain(..).collect();
            pending = self
                .missing_targets()
                .into_iter()
                .filter(|id| !asked.contains(id))
                .collect();
        }
        Ok(())
    }

    fn missing_targets(&self) -> Vec<String> {
        let mut missing: Vec<String> = self
            .links
            .values()
            .filter_map(|link| link.target.clone())
            .filter(|target| !self.links.contains_key(target))
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }
}

/// A stored statement whose object references one of some ids.
pub struct Referrer {
    pub target_id: String,
    pub id: String,
    pub seq: i64,
    pub stored_us: i64,
    /// The referrer as stored, for its own keys.
    pub payload: Value,
}

impl Referrer {
    pub async fn of(
        conn: &impl ConnectionTrait,
        targets: &[String],
    ) -> Result<Vec<Referrer>, DbErr> {
        let mut found = Vec::new();
        for chunk in targets.chunks(IDS_PER_LOOKUP) {
            let mut sql = Sql::new(
                "SELECT r.target_id, s.id, s.seq, s.stored_us, s.payload FROM statement_refs r \
                 JOIN statements s ON s.seq = r.referrer_seq WHERE r.target_id IN ",
            );
            sql.bind_list(chunk.iter().cloned());
            for row in conn
                .query_all_raw(sql.build(conn.get_database_backend()))
                .await?
            {
                found.push(Referrer {
                    target_id: row.try_get("", "target_id")?,
                    id: row.try_get("", "id")?,
                    seq: row.try_get("", "seq")?,
                    stored_us: row.try_get("", "stored_us")?,
                    payload: row.try_get("", "payload")?,
                });
            }
        }
        Ok(found)
    }
}
