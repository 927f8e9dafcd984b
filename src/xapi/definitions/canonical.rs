//! Canonical Activity definitions: every statement that defines an activity updates
//! its stored definition, language maps and extensions merged key by key, the newest
//! value of everything else winning.
//! Spec: xAPI-Data 2.4.4.1 (Activity Definition); xAPI-Communication 2.5 (Activities).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult};
use serde_json::{Map, Value};

use crate::sql::Sql;
use crate::xapi::statements::index::key_text;
use crate::xapi::validate::parse_stored;

/// Properties merged key by key instead of replaced.
const MERGED: [&str; 3] = ["name", "description", "extensions"];

/// `incoming` written over `stored`.
pub fn merge_definition(stored: &mut Map<String, Value>, incoming: &Map<String, Value>) {
    for (key, value) in incoming {
        match (stored.get_mut(key), value) {
            (Some(Value::Object(old)), Value::Object(new)) if MERGED.contains(&key.as_str()) => {
                old.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                stored.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Every (activity id, definition) a statement carries, sub-statement included.
pub fn definitions_in(statement: &Value, out: &mut Vec<(String, Map<String, Value>)>) {
    let object = statement.get("object");
    let object_type = object
        .and_then(|o| o.get("objectType"))
        .and_then(Value::as_str);
    match object_type {
        None | Some("Activity") => push_activity(object, out),
        Some("SubStatement") => {
            if let Some(sub) = object {
                definitions_in(sub, out);
            }
        }
        _ => {}
    }
    let lists = statement.pointer("/context/contextActivities");
    if let Some(Value::Object(lists)) = lists {
        for list in lists.values() {
            for activity in list.as_array().into_iter().flatten() {
                push_activity(Some(activity), out);
            }
        }
    }
}

fn push_activity(activity: Option<&Value>, out: &mut Vec<(String, Map<String, Value>)>) {
    let Some(activity) = activity else { return };
    if let (Some(id), Some(Value::Object(definition))) = (
        activity.get("id").and_then(Value::as_str),
        activity.get("definition"),
    ) && !definition.is_empty()
    {
        out.push((id.to_owned(), definition.clone()));
    }
}

/// Folds the definitions of newly stored statements (in stored order) into the
/// canonical table; rows are written only when something changed. Run it inside the
/// statement transaction.
pub async fn record(
    conn: &impl ConnectionTrait,
    statements: &[&Value],
    updated_us: i64,
) -> Result<(), DbErr> {
    let mut found = Vec::new();
    for statement in statements {
        definitions_in(statement, &mut found);
    }
    if found.is_empty() {
        return Ok(());
    }
    let mut current = load(conn, found.iter().map(|(id, _)| key_text(id.clone()))).await?;
    let mut changed: Vec<String> = Vec::new();
    for (id, definition) in found {
        let key = key_text(id.clone());
        let entry = current
            .entry(key.clone())
            .or_insert_with(|| (id, Map::new()));
        let before = entry.1.clone();
        merge_definition(&mut entry.1, &definition);
        if entry.1 != before && !changed.contains(&key) {
            changed.push(key);
        }
    }
    for key in changed {
        let (id, definition) = &current[&key];
        // Bound as text: a JSON parameter would pass through jsonb on PostgreSQL, which
        // refuses `\u0000` in strings and rewrites numbers (the column is `json`).
        let cast = match conn.get_database_backend() {
            DbBackend::Postgres => ", CAST(? AS json)",
            _ => ", ?",
        };
        let mut sql =
            Sql::new("INSERT INTO activities (id_key, id, definition, updated_us) VALUES (");
        sql.bind("?", key.clone())
            .bind(", ?", id.clone())
            .bind(cast, Value::Object(definition.clone()).to_string())
            .bind(", ?)", updated_us)
            .push(
                " ON CONFLICT (id_key) DO UPDATE SET definition = excluded.definition, \
                 updated_us = excluded.updated_us",
            );
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
    Ok(())
}

async fn load(
    conn: &impl ConnectionTrait,
    keys: impl Iterator<Item = String>,
) -> Result<HashMap<String, (String, Map<String, Value>)>, DbErr> {
    let mut keys: Vec<String> = keys.collect();
    keys.sort();
    keys.dedup();
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let mut sql = Sql::new(
            "SELECT id_key, id, CAST(definition AS TEXT) AS definition FROM activities WHERE id_key IN ",
        );
        sql.bind_list(chunk.iter().cloned());
        for row in conn
            .query_all_raw(sql.build(conn.get_database_backend()))
            .await?
        {
            let definition = match definition_of(&row)? {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            out.insert(
                row.try_get::<String>("", "id_key")?,
                (row.try_get::<String>("", "id")?, definition),
            );
        }
    }
    Ok(out)
}

/// The canonical definition of one activity, if any statement defined it.
pub async fn find(conn: &impl ConnectionTrait, activity_id: &str) -> Result<Option<Value>, DbErr> {
    let mut sql =
        Sql::new("SELECT CAST(definition AS TEXT) AS definition FROM activities WHERE id_key = ?");
    sql.bind("", key_text(activity_id.to_owned()));
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|r| definition_of(&r)).transpose()
}

/// Read as text and parsed here: numbers keep their exact text (see `parse_stored`).
fn definition_of(row: &QueryResult) -> Result<Value, DbErr> {
    parse_stored(&row.try_get::<String>("", "definition")?)
        .map_err(|e| DbErr::Json(format!("stored activity definition: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn language_maps_merge_and_other_properties_are_replaced() {
        let mut stored = map(json!({
            "name": {"en-US": "Old", "fr": "Vieux"},
            "type": "http://x.example/old",
            "extensions": {"http://e.example/a": 1}
        }));
        merge_definition(
            &mut stored,
            &map(json!({
                "name": {"en-US": "New"},
                "type": "http://x.example/new",
                "extensions": {"http://e.example/b": 2}
            })),
        );
        assert_eq!(
            Value::Object(stored),
            json!({
                "name": {"en-US": "New", "fr": "Vieux"},
                "type": "http://x.example/new",
                "extensions": {"http://e.example/a": 1, "http://e.example/b": 2}
            })
        );
    }

    #[test]
    fn definitions_come_from_object_context_and_sub_statements() {
        let statement = json!({
            "object": {"objectType": "SubStatement",
                "object": {"id": "http://x.example/inner", "definition": {"type": "http://t"}},
                "context": {"contextActivities": {"parent": [
                    {"id": "http://x.example/p", "definition": {"name": {"en": "P"}}}]}}},
            "context": {"contextActivities": {"grouping": [
                {"id": "http://x.example/g", "definition": {"name": {"en": "G"}}},
                {"id": "http://x.example/bare"}]}}
        });
        let mut found = Vec::new();
        definitions_in(&statement, &mut found);
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "http://x.example/inner",
                "http://x.example/p",
                "http://x.example/g"
            ]
        );
    }
}
