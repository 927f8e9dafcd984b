//! GET /xapi/statements by two keys at once (agent or activity with a verb), read
//! through the pair rows, and by related keys, read under the related and the direct
//! rows: the same answers as matching each key separately, StatementRef chains included.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, statement, uuid};

const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";

async fn store(app: &TestApp, body: Value) -> String {
    let response = app.post(&body).await;
    response.assert_status_is_ok();
    json_of(response).await[0].as_str().unwrap().to_owned()
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn agent(mbox: &str) -> String {
    enc(&json!({"mbox": format!("mailto:{mbox}")}).to_string())
}

fn with_verb(mut body: Value, verb: &str) -> Value {
    body["verb"]["id"] = json!(verb);
    body
}

/// Every page of a query, one statement a page, following `more`.
async fn paged(app: &TestApp, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = format!("{query}&limit=1");
    loop {
        let response = app.get(&next).await;
        response.assert_status_is_ok();
        let page = json_of(response).await;
        for s in page["statements"].as_array().unwrap() {
            ids.push(s["id"].as_str().unwrap().to_owned());
        }
        match page["more"].as_str() {
            Some(more) if !more.is_empty() => {
                next = format!("?{}", more.split_once('?').unwrap().1);
            }
            _ => return ids,
        }
    }
}

#[tokio::test]
async fn agent_or_activity_with_a_verb_finds_exactly_the_statements_with_both() {
    let app = TestApp::spawn().await;
    let a = store(&app, statement(1)).await;
    let b = store(&app, with_verb(statement(1), ATTEMPTED)).await;
    let c = store(&app, statement(2)).await;
    let d = store(&app, statement(1)).await;
    let (completed, attempted) = (enc(COMPLETED), enc(ATTEMPTED));
    let one = agent("learner1@example.com");
    assert_eq!(
        app.ids(&format!("?agent={one}&verb={completed}")).await,
        [d.clone(), a.clone()]
    );
    assert_eq!(
        app.ids(&format!("?agent={one}&verb={attempted}")).await,
        [b]
    );
    let activity2 = enc("http://example.com/activities/2");
    assert_eq!(
        app.ids(&format!("?activity={activity2}&verb={completed}"))
            .await,
        [c]
    );
    assert!(
        app.ids(&format!("?activity={activity2}&verb={attempted}"))
            .await
            .is_empty()
    );
    // Three keys: the pair drives, the activity is probed.
    let activity1 = enc("http://example.com/activities/1");
    assert_eq!(
        app.ids(&format!(
            "?agent={one}&activity={activity1}&verb={completed}&ascending=true"
        ))
        .await,
        [a.clone(), d.clone()]
    );
    assert_eq!(
        paged(&app, &format!("?agent={one}&verb={completed}")).await,
        [d, a]
    );
}

#[tokio::test]
async fn related_keys_find_direct_and_related_places_in_order_across_pages() {
    let app = TestApp::spawn().await;
    let coach = "coach@example.com";
    // The coach as actor (a direct row), as a group member, as instructor, as the
    // object: the four places a related-agents query must find, interleaved in time.
    let mut as_actor = statement(9);
    as_actor["actor"] = json!({"mbox": format!("mailto:{coach}")});
    let mut as_member = statement(1);
    as_member["actor"] = json!({"objectType": "Group", "mbox": "mailto:team@example.com",
        "member": [{"mbox": format!("mailto:{coach}")}]});
    let mut as_instructor = statement(2);
    as_instructor["context"] = json!({"instructor": {"mbox": format!("mailto:{coach}")},
        "contextActivities": {"parent": {"id": "http://example.com/activities/9"}}});
    let mut as_object = statement(3);
    as_object["object"] = json!({"objectType": "Agent", "mbox": format!("mailto:{coach}")});
    let ids = [
        store(&app, as_actor).await,
        store(&app, as_member).await,
        store(&app, statement(4)).await,
        store(&app, as_instructor).await,
        store(&app, as_object).await,
    ];
    let related = format!("?agent={}&related_agents=true", agent(coach));
    let expected = [&ids[4], &ids[3], &ids[1], &ids[0]].map(String::clone);
    assert_eq!(app.ids(&related).await, expected);
    assert_eq!(paged(&app, &related).await, expected);
    let mut oldest_first = expected.clone();
    oldest_first.reverse();
    assert_eq!(
        paged(&app, &format!("{related}&ascending=true")).await,
        oldest_first
    );
    // Direct only: the actor and the object.
    assert_eq!(
        app.ids(&format!("?agent={}", agent(coach))).await,
        [ids[4].clone(), ids[0].clone()]
    );
    // A related activity as the object (direct row) and as a parent (related row).
    let nine = enc("http://example.com/activities/9");
    assert_eq!(
        app.ids(&format!("?activity={nine}&related_activities=true"))
            .await,
        [ids[3].clone(), ids[0].clone()]
    );
    // A related key beside a verb and a direct key, probed rather than walked.
    assert_eq!(
        app.ids(&format!(
            "?agent={}&related_agents=true&verb={}&activity={}",
            agent(coach),
            enc(COMPLETED),
            enc("http://example.com/activities/2")
        ))
        .await,
        [ids[3].clone()]
    );
}

/// A StatementRef matches an agent from itself and a verb from its target, whichever
/// of the two was stored first.
#[tokio::test]
async fn a_statement_ref_pairs_its_own_keys_with_its_targets() {
    let app = TestApp::spawn().await;
    for (n, target_first) in [(5, true), (6, false)] {
        let reviewer = format!("reviewer{n}@example.com");
        let learner = format!("learner{n}@example.com");
        let target_id = uuid();
        let mut target = with_verb(statement(n), ATTEMPTED);
        target["id"] = json!(target_id);
        let referrer = json!({
            "actor": {"mbox": format!("mailto:{reviewer}")},
            "verb": {"id": COMPLETED},
            "object": {"objectType": "StatementRef", "id": target_id}
        });
        let (referrer_id, target_id) = if target_first {
            let t = store(&app, target).await;
            (store(&app, referrer).await, t)
        } else {
            let r = store(&app, referrer).await;
            (r, store(&app, target).await)
        };
        let reviewer_attempted = format!("?agent={}&verb={}", agent(&reviewer), enc(ATTEMPTED));
        assert_eq!(
            app.ids(&reviewer_attempted).await,
            std::slice::from_ref(&referrer_id),
            "target first: {target_first}"
        );
        let learner_completed = format!(
            "?agent={}&verb={}&activity={}",
            agent(&learner),
            enc(COMPLETED),
            enc(&format!("http://example.com/activities/{n}"))
        );
        assert_eq!(
            app.ids(&learner_completed).await,
            std::slice::from_ref(&referrer_id),
            "target first: {target_first}"
        );
        let learner_attempted = format!("?agent={}&verb={}", agent(&learner), enc(ATTEMPTED));
        let newest_first = if target_first {
            [referrer_id, target_id]
        } else {
            [target_id, referrer_id]
        };
        assert_eq!(
            app.ids(&learner_attempted).await,
            newest_first,
            "target first: {target_first}"
        );
    }
}

async fn index_rows(app: &TestApp) -> Vec<(i16, String, i64, i64)> {
    let conn = &app.db.conn;
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT kind, key, stored_us, seq FROM statement_index ORDER BY kind, key, seq",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("", "kind").unwrap(),
            r.try_get("", "key").unwrap(),
            r.try_get("", "stored_us").unwrap(),
            r.try_get("", "seq").unwrap(),
        )
    })
    .collect()
}

/// The migration that brought the pairs makes, from the rows an older server wrote,
/// exactly the rows this server writes; and its way down restores the older rows.
#[tokio::test]
async fn the_pairs_migration_makes_the_rows_the_write_path_makes() {
    let app = TestApp::spawn().await;
    let target_id = uuid();
    let mut target = statement(1);
    target["id"] = json!(target_id);
    target["context"] = json!({"contextActivities": {"grouping": {"id": "http://example.com/c"}}});
    store(&app, target).await;
    let mut group = with_verb(statement(2), "http://example.com/verbs/été");
    group["actor"] = json!({"objectType": "Group", "mbox": "mailto:team@example.com",
        "member": [{"mbox": "mailto:learner2@example.com"}]});
    store(&app, group).await;
    store(
        &app,
        json!({"actor": {"mbox": "mailto:reviewer@example.com"},
            "verb": {"id": ATTEMPTED},
            "object": {"objectType": "StatementRef", "id": target_id}}),
    )
    .await;
    let written = index_rows(&app).await;
    assert!(written.iter().any(|r| r.0 == 7) && written.iter().any(|r| r.0 == 8));

    entities::migration::Migrator::down(&app.db.conn, Some(1))
        .await
        .unwrap();
    let older = index_rows(&app).await;
    assert!(older.iter().all(|r| r.0 <= 6), "no pairs before: {older:?}");
    let actor_as_related = older
        .iter()
        .filter(|r| r.0 == 2 && r.1 == "mbox:mailto:learner1@example.com")
        .count();
    // The target's actor, and the StatementRef's inherited from it.
    assert_eq!(actor_as_related, 2, "the older rows repeat the actor");

    entities::migration::Migrator::up(&app.db.conn, None)
        .await
        .unwrap();
    assert_eq!(index_rows(&app).await, written);
}
