//! PostgreSQL bulk inserts: many rows in one parameter, sent as one JSON array that
//! PostgreSQL unpacks with `jsonb_array_elements`. A group commit writes a thousand
//! statement rows and thousands of index rows; as multi-row VALUES that was dozens of
//! statements with hundreds of parameters each, each bound and planned on its own.

use super::index::IndexRow;
use super::prepare::PreparedStatement;
use crate::sql::Sql;

/// Index rows per PostgreSQL INSERT: keeps one parameter within a few megabytes.
pub const INDEX_ROWS_PER_POSTGRES_INSERT: usize = 16_384;

/// `INSERT INTO statement_index ... SELECT` over `rows`, sent as one JSON array.
/// Measured on PostgreSQL with the statement rows below: together they took 100-statement
/// batches from 4,900 to 7,400-11,300/s. On SQLite the same was no faster and held
/// 20 MB more at peak, so SQLite keeps VALUES.
pub fn insert_index_rows_postgres(rows: &[IndexRow<'_>], on_conflict_do_nothing: bool) -> Sql {
    let mut sql = Sql::new("INSERT INTO statement_index (kind, key, stored_us, seq) ");
    sql.bind(
        "SELECT (e->>0)::smallint, e->>1, (e->>2)::bigint, (e->>3)::bigint \
         FROM jsonb_array_elements(CAST(? AS jsonb)) AS e",
        json_rows(rows),
    );
    if on_conflict_do_nothing {
        sql.push(" ON CONFLICT DO NOTHING");
    }
    sql
}

/// Statement rows per PostgreSQL INSERT (see [`insert_statements_postgres`]).
pub const STATEMENTS_PER_POSTGRES_INSERT: usize = 1_024;

/// `INSERT INTO statements ... SELECT ... RETURNING seq, id` for PostgreSQL, the rows
/// sent as one JSON array parsed once, each payload a JSON string holding the stored
/// text. As strings, payloads reach the `json` column exactly as serialised: embedded
/// as objects they went through jsonb, which refuses `\u0000` in a string (22P05) and
/// rewrites numbers. `WITH ORDINALITY ... ORDER BY` keeps `seq` in request order.
/// The same through `json_each` on SQLite was slower (16-client batches 4,800 ->
/// 4,300/s): SQLite parses and re-renders every payload on its one writer thread, where
/// VALUES hands over the text as it is.
pub fn insert_statements_postgres(rows: &[&PreparedStatement], stored_us: i64) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO statements (id, stored_us, voided, voids_id, object_ref_id, credential_id, payload) \
         SELECT e.v->>0, ",
    );
    sql.bind("?", stored_us)
        .bind(", ?", false)
        .push(", e.v->>1, e.v->>2, (e.v->>3)::bigint, (e.v->>4)::json FROM jsonb_array_elements(")
        .bind("CAST(? AS jsonb)", json_statement_rows(rows))
        .push(") WITH ORDINALITY AS e(v, n) ORDER BY e.n RETURNING seq, id");
    sql
}

/// `[["id","voids"|null,"ref"|null,credential,"payload text"],...]`.
fn json_statement_rows(rows: &[&PreparedStatement]) -> String {
    let string_or_null = |value: &Option<String>| match value {
        Some(v) => serde_json::Value::from(v.as_str()).to_string(),
        None => "null".to_owned(),
    };
    let mut out = String::with_capacity(rows.iter().map(|s| s.text.len() + 120).sum());
    out.push('[');
    for (i, s) in rows.iter().enumerate() {
        debug_assert!(!s.text.is_empty(), "statement {} was not stamped", s.id);
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&serde_json::Value::from(s.id.as_str()).to_string());
        out.push(',');
        out.push_str(&string_or_null(&s.voids_id));
        out.push(',');
        out.push_str(&string_or_null(&s.object_ref_id));
        out.push(',');
        out.push_str(&s.credential_id.to_string());
        out.push(',');
        // Serialising a string cannot fail.
        out.push_str(&serde_json::to_string(s.text.as_str()).unwrap_or_default());
        out.push(']');
    }
    out.push(']');
    out
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
    fn statement_rows_embed_the_stored_text_as_a_string() {
        use crate::xapi::statements::prepare::{WriteContext, prepare};
        use crate::xapi::validate::JsonPath;
        use crate::xapi::version::XapiVersion;
        let authority = serde_json::json!({"mbox": "mailto:lrs@x.com"});
        let ctx = WriteContext {
            version: XapiVersion::V1_0,
            authority: &authority,
            credential_id: 3,
        };
        let raw = serde_json::json!({"actor": {"mbox": "mailto:a@x.com"},
            "verb": {"id": "http://x.com/v"}, "object": {"id": "http://x.com/a"}});
        let mut statement = prepare(raw, &JsonPath::root("$"), &ctx).unwrap();
        statement.stamp(jiff::Timestamp::UNIX_EPOCH);
        let parsed: serde_json::Value =
            serde_json::from_str(&json_statement_rows(&[&statement])).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([[statement.id, null, null, 3, statement.text]])
        );
    }

    #[test]
    fn no_rows_is_an_empty_array() {
        assert_eq!(json_rows(&[]), "[]");
    }
}
