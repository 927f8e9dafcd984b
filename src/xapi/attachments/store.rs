//! Attachment bytes in the database, once per SHA-256, so every server instance sharing
//! the database serves them.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;

use super::request::AttachmentPart;
use crate::sql::Sql;

/// Stores parts not stored yet. Run it inside the statement transaction.
pub async fn save(
    conn: &impl ConnectionTrait,
    parts: &HashMap<String, AttachmentPart>,
) -> Result<(), DbErr> {
    for part in parts.values() {
        let mut sql =
            Sql::new("INSERT INTO attachments (sha2, content_type, length, content) VALUES (");
        sql.bind("?", part.sha2.clone())
            .bind(", ?", part.content_type.clone())
            .bind(", ?", part.content.len() as i64)
            .bind(", ?)", part.content.clone())
            .push(" ON CONFLICT DO NOTHING");
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
    Ok(())
}

/// The stored parts for the attachments of `statements` (those with bytes here).
pub async fn load_for(
    conn: &impl ConnectionTrait,
    statements: &[&Value],
) -> Result<Vec<AttachmentPart>, DbErr> {
    let mut wanted: Vec<String> = statements
        .iter()
        .filter_map(|s| s.get("attachments").and_then(Value::as_array))
        .flatten()
        .filter_map(|a| a.get("sha2").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut found = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(200) {
        let mut sql =
            Sql::new("SELECT sha2, content_type, content FROM attachments WHERE sha2 IN ");
        sql.bind_list(chunk.iter().cloned());
        for row in conn
            .query_all_raw(sql.build(conn.get_database_backend()))
            .await?
        {
            found.push(AttachmentPart {
                sha2: row.try_get("", "sha2")?,
                content_type: row.try_get("", "content_type")?,
                content: row.try_get("", "content")?,
            });
        }
    }
    Ok(found)
}
