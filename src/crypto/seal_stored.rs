//! At start, before anything reads them: every stored secret is opened with the
//! configured key, and the ones still plain (from before sealing) are sealed. A key
//! that does not open what is stored stops the start with an error naming the
//! settings: a wrong key must never hand a garbled secret to a signature check.

use sea_orm::{ConnectionTrait, TransactionTrait};

use super::at_rest::{OpenError, SecretsKey, is_sealed};
use crate::db::Db;
use crate::sql::Sql;

/// A column of secrets, with the column naming each row (the sealing's associated data).
pub struct SealedColumn {
    pub table: &'static str,
    pub id: &'static str,
    pub value: &'static str,
    /// In words, for messages.
    pub what: &'static str,
}

/// Every column of secrets Black Belt stores.
pub const COLUMNS: [SealedColumn; 4] = [
    SealedColumn {
        table: "lti_consumers",
        id: "consumer_key",
        value: "secret",
        what: "LTI 1.1 consumer secrets",
    },
    SealedColumn {
        table: "lti_keys",
        id: "kid",
        value: "private_pem",
        what: "LTI 1.3 private keys",
    },
    SealedColumn {
        table: "server_secrets",
        id: "name",
        value: "value_hex",
        what: "server keys",
    },
    SealedColumn {
        table: "badge_keys",
        id: "kid",
        value: "private_sealed",
        what: "Open Badges signing keys",
    },
];

/// Checks and seals every column; returns how many plain values were sealed.
pub async fn seal_stored(db: &Db, key: &SecretsKey) -> Result<usize, String> {
    let db_error = |e: sea_orm::DbErr| format!("cannot seal the stored secrets: {e}");
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await.map_err(db_error)?;
    let mut sealed = 0;
    for column in &COLUMNS {
        sealed += seal_column(&txn, key, column).await?;
    }
    txn.commit().await.map_err(db_error)?;
    if sealed > 0 {
        tracing::info!("sealed {sealed} stored secret(s) that were kept in plain text");
    }
    Ok(sealed)
}

async fn seal_column(
    conn: &impl ConnectionTrait,
    key: &SecretsKey,
    c: &SealedColumn,
) -> Result<usize, String> {
    let db_error = |e: sea_orm::DbErr| format!("cannot seal the stored {}: {e}", c.what);
    let backend = conn.get_database_backend();
    let sql = Sql::new(&format!(
        "SELECT {} AS id, {} AS value FROM {}",
        c.id, c.value, c.table
    ));
    let rows = conn
        .query_all_raw(sql.build(backend))
        .await
        .map_err(db_error)?;
    let mut sealed = 0;
    for row in rows {
        let id: String = row.try_get("", "id").map_err(db_error)?;
        let value: String = row.try_get("", "value").map_err(db_error)?;
        if is_sealed(&value) {
            key.open(&value, &id).map_err(|e| refused(c, &id, &e))?;
            continue;
        }
        let new = key.seal(value.as_bytes(), &id)?;
        let mut sql = Sql::new(&format!("UPDATE {} SET {} = ", c.table, c.value));
        sql.bind("?", new)
            .bind(&format!(" WHERE {} = ?", c.id), id)
            .bind(&format!(" AND {} = ?", c.value), value);
        conn.execute_raw(sql.build(backend))
            .await
            .map_err(db_error)?;
        sealed += 1;
    }
    Ok(sealed)
}

fn refused(c: &SealedColumn, id: &str, e: &OpenError) -> String {
    format!(
        "the {} stored in the database do not open with the configured secrets key ({} {id:?}: \
         {e}). The key is set by secrets_key (BLACKBELT_SECRETS_KEY) or secrets_key_file, else \
         read from the secrets.key file made beside the SQLite database (data/secrets.key for \
         PostgreSQL); give this instance the key the database was sealed with (every instance \
         sharing a database needs the same one). Nothing was changed.",
        c.what, c.id
    )
}
