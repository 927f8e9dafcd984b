//! Many rows in one parameter: the rows go to the database as one JSON array and the
//! database unpacks them (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL).
//! A group commit writes thousands of index rows; as multi-row VALUES that was dozens of
//! statements with a thousand bound values each, and SQLite's single writer sat idle
//! while each was built and handed across threads. One parameter is one hand-off.

use sea_orm::DbBackend;

use crate::sql::Sql;

/// An index row: (kind, key, stored_us, seq).
pub type IndexRow<'a> = (i16, &'a str, i64, i64);

/// Rows per statement: keeps one parameter within a few megabytes.
pub const INDEX_ROWS_PER_STATEMENT: usize = 16_384;

/// `INSERT INTO statement_index ... SELECT` over `rows`, sent as one JSON array.
/// Without `on_conflict_do_nothing`, SQLite inserts OR FAIL: see `insert_failing` in
/// [`super::write`].
pub fn insert_index_rows(
    backend: DbBackend,
    rows: &[IndexRow<'_>],
    on_conflict_do_nothing: bool,
) -> Sql {
    let (insert, elements) = match backend {
        DbBackend::Postgres => (
            "INSERT INTO",
            "SELECT (e->>0)::smallint, e->>1, (e->>2)::bigint, (e->>3)::bigint \
             FROM jsonb_array_elements(CAST(? AS jsonb)) AS e",
        ),
        // `value ->> n` is element n of each row; a JSON integer comes out as an
        // INTEGER, so keys compare exactly as the bound integers of a query do.
        // `WHERE true` is SQLite's required disambiguation before an upsert clause.
        _ => (
            if on_conflict_do_nothing {
                "INSERT INTO"
            } else {
                "INSERT OR FAIL INTO"
            },
            "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?) WHERE true",
        ),
    };
    let mut sql = Sql::new(insert);
    sql.push(" statement_index (kind, key, stored_us, seq) ")
        .bind(elements, json_rows(rows));
    if on_conflict_do_nothing {
        sql.push(" ON CONFLICT DO NOTHING");
    }
    sql
}

/// `[[kind,"key",stored_us,seq],...]`, written directly: no intermediate values.
fn json_rows(rows: &[IndexRow<'_>]) -> String {
    let mut out = String::with_capacity(rows.len() * 80 + 2);
    out.push('[');
    for (i, (kind, key, stored_us, seq)) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&kind.to_string());
        out.push(',');
        out.push_str(&serde_json::Value::from(*key).to_string());
        out.push(',');
        out.push_str(&stored_us.to_string());
        out.push(',');
        out.push_str(&seq.to_string());
        out.push(']');
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_one_json_array_with_keys_escaped() {
        let rows = [
            (1, "mbox:mailto:a@x.com", 5, 7),
            (4, "http://x/\"q\"", -1, 8),
        ];
        let text = json_rows(&rows);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([
                [1, "mbox:mailto:a@x.com", 5, 7],
                [4, "http://x/\"q\"", -1, 8]
            ])
        );
    }

    #[test]
    fn no_rows_is_an_empty_array() {
        assert_eq!(json_rows(&[]), "[]");
    }
}
