//! The console bench's dataset, written straight into PostgreSQL with
//! `INSERT … SELECT generate_series` (10 million statements through the API would take
//! hours): learners with their email alias and LTI attributes, registrations in the two
//! shipped courses with their cmi5 progress rows (AU and course standing), awards and
//! their audit rows (the real engine, `reevaluate_all`), evidence, API credentials, and
//! statements with their `statement_index` rows.
//!
//! Statements copy the write path exactly: a few template statements go through
//! `POST /xapi/statements` first, for a placeholder learner; every generated statement
//! is one of them with the id, learner, registration and `stored` substituted in the
//! stored text, and its index rows are the template's index rows with the same
//! substitutions. `shape_check` then compares a generated row with one the API writes.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::{Value, json};

use super::program::CourseIds;
use super::{Server, client, post_statements};

/// Learner number `i`'s first name, last name (SQL over an integer expression).
const FIRST: &str = "'Maria','James','Aisha','Chen','Olga','Pedro','Fatima','Liam','Yuki','Noah',\
'Sofia','Ahmed','Emma','Ivan','Priya','Lucas','Zoe','Omar','Hana','Mateo',\
'Ines','Kofi','Lena','Ravi','Anna','Jonas','Mei','Diego','Sara','Tariq',\
'Nora','Felix','Amara','Hugo','Leila','Marco','Elif','Sven','Ana','Kenji'";
const LAST: &str = "'Garcia','Smith','Khan','Wang','Petrova','Silva','Haddad','Murphy','Tanaka','Brown',\
'Rossi','Hassan','Muller','Ivanov','Patel','Martin','Nowak','Farouk','Sato','Lopez',\
'Dubois','Mensah','Fischer','Sharma','Berg','Weber','Li','Torres','Cohen','Aziz',\
'Larsen','Klein','Okafor','Moreau','Rahimi','Bianchi','Yilmaz','Nilsson','Costa','Mori'";
pub const AUDIENCES: [&str; 5] = ["sales", "support", "marketing", "engineering", "leadership"];
/// Org units `ou-0` … `ou-49`: a manager of one sees 2 % of the learners.
pub const ORG_UNITS: u64 = 50;
pub const HOME_PAGE: &str = "https://lms.example.com";
/// The placeholder learner of the template statements.
const TEMPLATE_ACCOUNT: &str = "zzacct";
const TEMPLATE_NAME: &str = "ZZNAME";
/// Salts of the registrations (as the certification bench makes them).
const FIRST_SALT: u64 = 0xCE51;
const SECOND_SALT: u64 = 0xCE52;
const DAY_US: i64 = 86_400_000_000;
/// Statements per INSERT (a progress step).
const STATEMENT_CHUNK: u64 = 250_000;

/// SQL for learner `i`'s name (`i` an SQL integer expression).
pub fn name_sql(i: &str) -> String {
    format!("((ARRAY[{FIRST}])[1 + ({i}) % 40] || ' ' || (ARRAY[{LAST}])[1 + (({i}) / 40) % 40])")
}

/// SQL for learner `i`'s email (lower-case `first.last.i@corp.example.com`).
fn email_sql(i: &str) -> String {
    format!(
        "lower((ARRAY[{FIRST}])[1 + ({i}) % 40] || '.' || (ARRAY[{LAST}])[1 + (({i}) / 40) % 40]) \
         || '.' || ({i}) || '@corp.example.com'"
    )
}

/// Learner `i`'s name, as `name_sql` makes it (for the page requests).
pub fn name_of(i: u64) -> String {
    let pick = |list: &str, at: u64| {
        list.split(',')
            .nth(at as usize)
            .unwrap_or_default()
            .trim()
            .trim_matches('\'')
            .to_owned()
    };
    format!("{} {}", pick(FIRST, i % 40), pick(LAST, (i / 40) % 40))
}

/// Learner `i`'s email, as `email_sql` makes it.
pub fn email_of(i: u64) -> String {
    format!(
        "{}.{i}@corp.example.com",
        name_of(i).to_lowercase().replace(' ', ".")
    )
}

/// Learner `i`'s key (an LTI account, as a launch registers it).
pub fn key_of(i: u64) -> String {
    format!("account:{HOME_PAGE}|u{i}")
}

/// SQL for `Uuid::from_u64_pair(salt, i)` as text (the registration of learner `i`).
fn registration_sql(salt: u64, i: &str) -> String {
    let h = format!("lpad(to_hex({i}), 16, '0')");
    format!("('00000000-0000-{salt:04x}-' || substr({h}, 1, 4) || '-' || substr({h}, 5, 12))")
}

/// A number in 0..100 for learner `i` and draw `k` (SQL), the same in every run.
fn draw_sql(i: &str, k: u64) -> String {
    format!("((hashint8(({i}) * 16 + {k})::bigint + 2147483648) % 100)")
}

/// What the generator wrote.
pub struct Scale {
    pub learners: u64,
    pub statements: u64,
}

async fn run(conn: &impl ConnectionTrait, sql: &str) {
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", &sql[..sql.len().min(600)]));
}

async fn number(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .expect("one row");
    row.try_get_by_index(0).expect("a number")
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{pos}}/{{len}} {{bar:40}} {{per_sec}} eta {{eta}}"
        ))
        .expect("template"),
    );
    bar
}

fn step(started: &Instant, what: &str) {
    println!("  {what} ({:.1} s)", started.elapsed().as_secs_f64());
}

/// (learners, statements) of a schema generated earlier.
pub async fn scale(conn: &DatabaseConnection) -> (u64, u64) {
    let learners = number(conn, "SELECT COUNT(*) FROM cert_learners").await;
    let statements = number(conn, "SELECT COUNT(*) FROM statements").await;
    (learners as u64, statements as u64)
}

/// Whether the dataset's tables have statistics yet (ANALYZE ran on them).
pub async fn analyzed(conn: &DatabaseConnection) -> bool {
    number(
        conn,
        "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
         AND relname = 'statement_index' AND last_analyze IS NOT NULL",
    )
    .await
        > 0
}

/// Learners 0..`n`: key, actor, name, email, attributes; the email's `mbox` alias.
pub async fn learners(conn: &DatabaseConnection, n: u64) {
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_microsecond();
    let name = name_sql("i");
    let email = email_sql("i");
    let audiences: Vec<String> = AUDIENCES.iter().map(|a| format!("'{a}'")).collect();
    run(
        conn,
        &format!(
            "INSERT INTO cert_learners (learner_key, actor, name, email, attributes, created_us, \
             updated_us) SELECT 'account:{HOME_PAGE}|u' || i, \
             json_build_object('objectType', 'Agent', 'name', {name}, 'account', \
             json_build_object('homePage', '{HOME_PAGE}', 'name', 'u' || i)), {name}, {email}, \
             json_build_object('audience', json_build_array((ARRAY[{aud}])[1 + (i / 3) % 5]), \
             'org_unit', json_build_array('ou-' || (i % {ORG_UNITS})), 'role', \
             json_build_array('Learner')), {now} - (i % 700) * {DAY_US}, {now} \
             FROM generate_series(0, {last}) i",
            aud = audiences.join(","),
            last = n - 1
        ),
    )
    .await;
    run(
        conn,
        &format!(
            "INSERT INTO cert_learner_aliases (alias_key, learner_key, created_us) \
             SELECT 'mbox:mailto:' || {email}, 'account:{HOME_PAGE}|u' || i, \
             {now} - (i % 700) * {DAY_US} FROM generate_series(0, {last}) i",
            last = n - 1
        ),
    )
    .await;
    // Their search terms, as `cert_learner_term::terms_of` makes them for these names,
    // emails and keys (the registry's upsert writes them for a new learner).
    let first = format!("lower((ARRAY[{FIRST}])[1 + i % 40])");
    let last = format!("lower((ARRAY[{LAST}])[1 + (i / 40) % 40])");
    let local = format!("{first} || '.' || {last} || '.' || i");
    let terms = [
        first.clone(),
        last.clone(),
        "i::text".to_owned(),
        local.clone(),
        "'corp.example.com'".to_owned(),
        format!("{local} || '@corp.example.com'"),
        "'u' || i".to_owned(),
        format!("lower('account:{HOME_PAGE}|u' || i)"),
    ];
    run(
        conn,
        &format!(
            "INSERT INTO cert_learner_terms (term, learner_key) SELECT DISTINCT t, \
             'account:{HOME_PAGE}|u' || i FROM generate_series(0, {last_i}) i, \
             LATERAL unnest(ARRAY[{list}]) t",
            list = terms.join(", "),
            last_i = n - 1
        ),
    )
    .await;
    step(
        &started,
        &format!("{n} learners, their aliases and search terms"),
    );
}

/// Every learner registered in the first course, 60 % also in the second, with a
/// progress row per AU and one per course; AUs satisfied by a learner-specific chance.
pub async fn registrations(
    conn: &DatabaseConnection,
    n: u64,
    first: &CourseIds,
    second: &CourseIds,
) {
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_microsecond();
    for (course, salt, chances, in_course) in [
        (first, FIRST_SALT, vec![90, 80, 85], "TRUE".to_owned()),
        (
            second,
            SECOND_SALT,
            vec![85, 80],
            format!("{} < 60", draw_sql("i", 6)),
        ),
    ] {
        let reg = registration_sql(salt, "i");
        let updated = format!("{now} - (i % 300) * {DAY_US}");
        run(
            conn,
            &format!(
                "INSERT INTO registrations (registration, learner_key, course_key, course_id, \
                 package_seq, actor, email, created_us) SELECT {reg}, \
                 'account:{HOME_PAGE}|u' || i, p.course_key, p.course_id, p.seq, l.actor, \
                 NULL, {updated} FROM generate_series(0, {last}) i \
                 JOIN cert_learners l ON l.learner_key = 'account:{HOME_PAGE}|u' || i \
                 CROSS JOIN (SELECT seq, course_key, course_id FROM packages \
                 WHERE course_id = '{id}' ORDER BY seq DESC LIMIT 1) p WHERE {in_course}",
                last = n - 1,
                id = course.course
            ),
        )
        .await;
        let mut satisfied_all = Vec::new();
        for (slot, (au, chance)) in course.aus.iter().zip(&chances).enumerate() {
            let k = salt - FIRST_SALT + 1 + slot as u64 * 2;
            let satisfied = format!("({} < {chance})", draw_sql("i", k));
            let score = format!("(0.5 + {} / 200.0)", draw_sql("i", k + 8));
            satisfied_all.push(satisfied.clone());
            progress_rows(
                conn, n, &reg, au, "au", &satisfied, &score, &in_course, &updated,
            )
            .await;
        }
        let all = satisfied_all.join(" AND ");
        progress_rows(
            conn,
            n,
            &reg,
            &course.course,
            "course",
            &all,
            "NULL",
            &in_course,
            &updated,
        )
        .await;
    }
    step(&started, "registrations and progress rows");
}

#[allow(clippy::too_many_arguments)]
async fn progress_rows(
    conn: &DatabaseConnection,
    n: u64,
    reg: &str,
    object: &str,
    kind: &str,
    satisfied: &str,
    score: &str,
    in_course: &str,
    updated: &str,
) {
    run(
        conn,
        &format!(
            "INSERT INTO progress (registration, object_id, kind, attempted, completed, passed, \
             failed, satisfied, score, progress_percent, updated_us) SELECT {reg}, '{object}', \
             '{kind}', TRUE, {satisfied}, {satisfied}, FALSE, {satisfied}, {score}, \
             CASE WHEN {satisfied} THEN 100 ELSE 40 END, {updated} \
             FROM generate_series(0, {last}) i WHERE {in_course}",
            last = n - 1
        ),
    )
    .await;
}

/// Evidence: one submission per 20 learners (a third pending, the rest decided).
pub async fn evidence(conn: &DatabaseConnection, n: u64) {
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_microsecond();
    run(
        conn,
        &format!(
            "INSERT INTO cert_evidence (learner_key, belt_id, requirement_id, kind, text, url, \
             status, submitted_us, submitted_by, decided_us, decided_by, comment) \
             SELECT 'account:{HOME_PAGE}|u' || i, 'black', 'social-portfolio', \
             CASE WHEN i % 40 = 0 THEN 'url' ELSE 'text' END, \
             CASE WHEN i % 40 = 0 THEN NULL ELSE 'My three best posts of the quarter, ' || i END, \
             CASE WHEN i % 40 = 0 THEN 'https://social.example.com/u' || i ELSE NULL END, \
             (ARRAY['pending','accepted','rejected'])[1 + (i / 20) % 3], \
             {now} - (i % 400) * {DAY_US} / 4, 'account:{HOME_PAGE}|u' || i, \
             CASE WHEN (i / 20) % 3 = 0 THEN NULL ELSE {now} - (i % 400) * {DAY_US} / 8 END, \
             CASE WHEN (i / 20) % 3 = 0 THEN NULL ELSE 'reviewer-1' END, \
             CASE WHEN (i / 20) % 3 = 2 THEN 'Links do not open' ELSE NULL END \
             FROM generate_series(0, {last}, 20) i",
            last = n - 1
        ),
    )
    .await;
    step(&started, "evidence");
}

/// The template statements, as an AU and a social integration send them.
fn templates(first: &CourseIds) -> Vec<Value> {
    let actor = json!({"objectType": "Agent", "name": TEMPLATE_NAME,
        "account": {"homePage": HOME_PAGE, "name": TEMPLATE_ACCOUNT}});
    let registration = uuid::Uuid::from_u64_pair(0x7E77, 1).to_string();
    let verbs = [
        (
            "http://adlnet.gov/expapi/verbs/initialized",
            "initialized",
            None,
        ),
        (
            "http://adlnet.gov/expapi/verbs/completed",
            "completed",
            None,
        ),
        (
            "http://adlnet.gov/expapi/verbs/passed",
            "passed",
            Some(0.85),
        ),
        (
            "http://adlnet.gov/expapi/verbs/terminated",
            "terminated",
            None,
        ),
    ];
    let mut out = Vec::new();
    for (a, au) in first.aus.iter().enumerate() {
        for (v, (verb, display, score)) in verbs.iter().enumerate() {
            let mut s = json!({
                "id": uuid::Uuid::from_u64_pair(0x7E77, (a * 10 + v) as u64).to_string(),
                "actor": actor,
                "verb": {"id": verb, "display": {"en-US": display}},
                "object": {"id": au, "objectType": "Activity",
                    "definition": {"name": {"en-US": format!("Lesson {}", a + 1)},
                        "type": "http://adlnet.gov/expapi/activities/lesson"}},
                "timestamp": format!("2001-01-01T00:00:{:02}.000Z", a * 10 + v),
                "context": {"registration": registration,
                    "contextActivities": {"parent": [{"id": first.course}],
                        "grouping": [{"id": first.course}]}}
            });
            if let Some(scaled) = score {
                s["result"] = json!({"score": {"scaled": scaled}, "success": true,
                    "completion": true, "duration": "PT12M"});
            } else if *display == "completed" {
                s["result"] = json!({"completion": true, "duration": "PT10M"});
            }
            out.push(s);
        }
    }
    out.push(json!({
        "id": uuid::Uuid::from_u64_pair(0x7E77, 99).to_string(),
        "actor": actor,
        "verb": {"id": super::program::SHARED, "display": {"en-US": "shared"}},
        "object": {"id": "https://social.example.com/posts/weekly-tip", "objectType": "Activity",
            "definition": {"name": {"en-US": "Weekly tip"}}},
        "timestamp": "2001-01-01T00:01:39.000Z",
        "context": {"registration": registration, "platform": "social"}
    }));
    out
}

/// Posts the templates through the API and keeps their stored rows and index rows in
/// `bench_templates` / `bench_template_keys`; returns how many there are.
pub async fn store_templates(server: &Server, first: &CourseIds) -> u64 {
    let conn = &server.db.conn;
    let templates = templates(first);
    let ids: Vec<String> = templates
        .iter()
        .map(|t| format!("'{}'", t["id"].as_str().expect("id")))
        .collect();
    post_statements(
        &client(),
        &format!("{}/xapi/statements", server.base),
        &server.auth,
        &Value::Array(templates.clone()),
    )
    .await;
    run(
        conn,
        &format!(
            "CREATE TABLE bench_templates AS SELECT (row_number() OVER (ORDER BY seq) - 1) AS t, \
             seq, id, credential_id, payload::text AS payload, \
             payload->>'stored' AS stored, payload->>'timestamp' AS ts, \
             payload->'context'->>'registration' AS registration \
             FROM statements WHERE id IN ({})",
            ids.join(",")
        ),
    )
    .await;
    run(
        conn,
        "CREATE TABLE bench_template_keys AS SELECT t.t, i.kind, i.key \
         FROM statement_index i JOIN bench_templates t ON t.seq = i.seq",
    )
    .await;
    // The templates' own rows (and the placeholder learner the write path registered)
    // are not part of the dataset.
    for sql in [
        "DELETE FROM statement_index WHERE seq IN (SELECT seq FROM bench_templates)",
        "DELETE FROM statements WHERE seq IN (SELECT seq FROM bench_templates)",
        "DELETE FROM cert_learner_aliases WHERE learner_key LIKE '%|zzacct'",
        "DELETE FROM cert_learners WHERE learner_key LIKE '%|zzacct'",
    ] {
        run(conn, sql).await;
    }
    templates.len() as u64
}

/// The SELECT of generated statements `from..to`: columns n, seq, id, stored_us, l (the
/// learner), stamp (`stored` as the API formats it), tn (the template).
fn generated(
    from: u64,
    to: u64,
    learners: u64,
    templates: u64,
    base_seq: i64,
    start_us: i64,
    step_us: i64,
) -> String {
    format!(
        "SELECT n, {base_seq} + n AS seq, md5('bench-statement-' || n)::uuid::text AS id, \
         {start_us} + n * {step_us} AS stored_us, (n * 7919) % {learners} AS l, \
         to_char(to_timestamp(({start_us} + n * {step_us}) / 1000000) AT TIME ZONE 'UTC', \
         'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(((({start_us} + n * {step_us}) / 1000) % 1000)::text, \
         3, '0') || 'Z' AS stamp, n % {templates} AS tn \
         FROM generate_series(CAST({from} AS bigint), {last}) n",
        last = to - 1
    )
}

/// The template's text with the generated statement's values substituted.
fn substituted(text: &str) -> String {
    let reg = registration_sql(FIRST_SALT, "g.l");
    let name = name_sql("g.l");
    format!(
        "replace(replace(replace(replace(replace({text}, '{TEMPLATE_ACCOUNT}', 'u' || g.l), \
         '{TEMPLATE_NAME}', {name}), t.registration, {reg}), t.stored, g.stamp), t.ts, g.stamp)"
    )
}

/// `count` statements over the last year by learners 0..`learners`, with their index
/// rows; the indexes of both tables are dropped while loading and built after.
pub async fn statements(conn: &DatabaseConnection, learners: u64, count: u64, templates: u64) {
    let started = Instant::now();
    let rebuild = drop_indexes(conn, &["statements", "statement_index"]).await;
    let base_seq = number(conn, "SELECT COALESCE(MAX(seq), 0) FROM statements").await + 1;
    let now = jiff::Timestamp::now().as_microsecond();
    let start_us = now - 365 * DAY_US;
    let step_us = (365 * DAY_US - 3_600_000_000) / count as i64;
    let progress = bar(count, "statements");
    let mut from = 0;
    while from < count {
        let to = (from + STATEMENT_CHUNK).min(count);
        let g = generated(from, to, learners, templates, base_seq, start_us, step_us);
        let txn = conn.begin().await.expect("begin");
        run(&txn, "SET LOCAL synchronous_commit = off").await;
        run(
            &txn,
            &format!(
                "INSERT INTO statements (seq, id, stored_us, voided, voids_id, object_ref_id, \
                 credential_id, payload) SELECT g.seq, g.id, g.stored_us, FALSE, NULL, NULL, \
                 t.credential_id, CAST({payload} AS json) FROM ({g}) g \
                 JOIN bench_templates t ON t.t = g.tn",
                payload = substituted("replace(t.payload, t.id, g.id)")
            ),
        )
        .await;
        run(
            &txn,
            &format!(
                "INSERT INTO statement_index (kind, key, stored_us, seq) SELECT k.kind, \
                 replace(replace(k.key, '|{TEMPLATE_ACCOUNT}', '|u' || g.l), t.registration, {reg}), \
                 g.stored_us, g.seq FROM ({g}) g JOIN bench_templates t ON t.t = g.tn \
                 JOIN bench_template_keys k ON k.t = g.tn",
                reg = registration_sql(FIRST_SALT, "g.l")
            ),
        )
        .await;
        txn.commit().await.expect("commit");
        progress.inc(to - from);
        from = to;
    }
    progress.finish_and_clear();
    step(
        &started,
        &format!("{count} statements and their index rows"),
    );
    let indexing = Instant::now();
    let txn = conn.begin().await.expect("begin");
    run(&txn, "SET LOCAL maintenance_work_mem = '1GB'").await;
    run(&txn, "SET LOCAL max_parallel_maintenance_workers = 2").await;
    for sql in &rebuild {
        run(&txn, sql).await;
    }
    txn.commit().await.expect("commit");
    run(
        conn,
        "SELECT setval(pg_get_serial_sequence('statements', 'seq'), (SELECT MAX(seq) FROM statements))",
    )
    .await;
    step(
        &indexing,
        "indexes of statements and statement_index rebuilt",
    );
}

/// Drops the secondary indexes and the primary key of composite-key tables (not
/// `statements.seq`, which grows in order) of `tables`; returns the SQL that rebuilds
/// them.
async fn drop_indexes(conn: &DatabaseConnection, tables: &[&str]) -> Vec<String> {
    let list: Vec<String> = tables.iter().map(|t| format!("'{t}'")).collect();
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!(
                "SELECT c.relname AS tbl, i.relname AS idx, pg_get_indexdef(x.indexrelid) AS def, \
                 con.conname AS constraint_name, pg_get_constraintdef(con.oid) AS condef \
                 FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_namespace ns ON ns.oid = c.relnamespace \
                 LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid \
                 WHERE ns.nspname = current_schema() AND c.relname IN ({})",
                list.join(",")
            ),
        ))
        .await
        .expect("indexes");
    let mut rebuild = Vec::new();
    for row in rows {
        let table: String = row.try_get("", "tbl").expect("tbl");
        let index: String = row.try_get("", "idx").expect("idx");
        let def: String = row.try_get("", "def").expect("def");
        let constraint: Option<String> = row.try_get("", "constraint_name").expect("con");
        let condef: Option<String> = row.try_get("", "condef").expect("condef");
        if table == "statements" && condef.as_deref().is_some_and(|d| d.starts_with("PRIMARY")) {
            continue;
        }
        match (constraint, condef) {
            (Some(name), Some(condef)) => {
                run(
                    conn,
                    &format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""),
                )
                .await;
                rebuild.push(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {condef}"
                ));
            }
            _ => {
                run(conn, &format!("DROP INDEX \"{index}\"")).await;
                rebuild.push(def);
            }
        }
    }
    rebuild
}

/// A generated statement next to one the API writes for the same statement content:
/// the same columns, the same stored text apart from id and `stored`, the same index
/// rows apart from `stored_us` and `seq`. Returns what differs (empty when nothing).
pub async fn shape_check(server: &Server) -> Vec<String> {
    let conn = &server.db.conn;
    // Generated statement 0 (learner 0, template 0), re-sent through the API with a new id.
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT seq, id, payload::text AS payload, credential_id FROM statements \
             WHERE id = md5('bench-statement-0')::uuid::text",
        ))
        .await
        .expect("generated row")
        .expect("statement 0 was generated");
    let seq: i64 = row.try_get("", "seq").expect("seq");
    let text: String = row.try_get("", "payload").expect("payload");
    let generated: Value = serde_json::from_str(&text).expect("generated JSON");
    let mut resend = generated.clone();
    let map = resend.as_object_mut().expect("object");
    for owned in ["stored", "authority", "version"] {
        map.remove(owned);
    }
    let new_id = uuid::Uuid::new_v4().to_string();
    map.insert("id".into(), json!(new_id));
    post_statements(
        &client(),
        &format!("{}/xapi/statements", server.base),
        &server.auth,
        &json!([resend]),
    )
    .await;
    let api = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!(
                "SELECT seq, payload::text AS payload, credential_id FROM statements WHERE id = '{new_id}'"
            ),
        ))
        .await
        .expect("API row")
        .expect("the API stored it");
    let api_seq: i64 = api.try_get("", "seq").expect("seq");
    let api_text: String = api.try_get("", "payload").expect("payload");
    let mut differences = Vec::new();
    let normalise = |text: &str, id: &str| {
        let mut v: Value = serde_json::from_str(text).expect("JSON");
        v["stored"] = json!("S");
        v["id"] = json!("I");
        let _ = id;
        v
    };
    let gen_id = generated["id"].as_str().unwrap_or_default().to_owned();
    if normalise(&text, &gen_id) != normalise(&api_text, &new_id) {
        differences.push(format!("payload: generated {text} / API {api_text}"));
    }
    let credential: i64 = row.try_get("", "credential_id").expect("credential");
    let api_credential: i64 = api.try_get("", "credential_id").expect("credential");
    if credential != api_credential {
        differences.push("credential_id".into());
    }
    let keys = |seq: i64| {
        let conn = conn.clone();
        async move {
            let rows = conn
                .query_all_raw(sea_orm::Statement::from_string(
                    conn.get_database_backend(),
                    format!(
                        "SELECT kind, key FROM statement_index WHERE seq = {seq} ORDER BY kind, key"
                    ),
                ))
                .await
                .expect("index rows");
            rows.iter()
                .map(|r| {
                    let kind: i16 = r.try_get("", "kind").expect("kind");
                    let key: String = r.try_get("", "key").expect("key");
                    (kind, key)
                })
                .collect::<Vec<_>>()
        }
    };
    let (mine, theirs) = (keys(seq).await, keys(api_seq).await);
    if mine != theirs {
        differences.push(format!("index rows: generated {mine:?} / API {theirs:?}"));
    }
    // The re-sent statement is not part of the dataset.
    for sql in [
        format!("DELETE FROM statement_index WHERE seq = {api_seq}"),
        format!("DELETE FROM statements WHERE seq = {api_seq}"),
    ] {
        run(conn, &sql).await;
    }
    differences
}
