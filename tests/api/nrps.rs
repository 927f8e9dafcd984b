//! NRPS rosters end to end: an LTI 1.3 launch with the NRPS claim records its context,
//! and the sync task fetches the roster from a real local platform (token URL and a
//! membership service paging with `Link: rel="next"`), through the outbound client.
//! Spec: LTI Names and Role Provisioning Services 2.0.

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::POLICY_AU;
use crate::helpers::{TestApp, json_of};
use crate::lti_platform::{TestPlatform, good_claims};
use crate::nrps_platform::{
    AGS, CONTEXT, INSTRUCTOR, LEARNER, MEDIA_TYPE, NRPS, SCOPE, Shared, member, point_token_url,
    serve_platform,
};
use crate::passback::lti_launch_with;

struct Lms {
    app: TestApp,
    platform: TestPlatform,
    state: Shared,
    base: String,
}

/// The app (polling often, backing off for about a second), the course, and a
/// registered platform whose token URL and membership service are local.
async fn lms() -> Lms {
    let app = TestApp::spawn_with(|c| {
        c.outbound_allow_private = true;
        c.passback_poll_ms = 20;
        c.passback_backoff_base_secs = 1;
    })
    .await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    let (state, base) = serve_platform().await;
    point_token_url(&app.db.conn, platform.platform_id, &base).await;
    Lms {
        app,
        platform,
        state,
        base,
    }
}

impl Lms {
    /// A learner's launch of the policy AU in course-7, with the NRPS claim.
    async fn launch(&self) {
        let url = format!("{}/memberships?c=7", self.base);
        lti_launch_with(&self.app, &self.platform, |nonce| {
            let mut claims = good_claims(nonce, POLICY_AU);
            claims.as_object_mut().unwrap().remove(AGS);
            claims[CONTEXT] = json!({"id": "course-7", "title": "Social media safety"});
            claims[NRPS] = json!({"context_memberships_url": url, "service_versions": ["2.0"]});
            claims
        })
        .await;
    }

    async fn contexts(&self) -> Vec<Value> {
        let response = self
            .app
            .client
            .get("/api/lti/contexts")
            .header("Authorization", &self.app.auth)
            .send()
            .await;
        response.assert_status_is_ok();
        json_of(response).await.as_array().unwrap().clone()
    }

    /// The one context, once `done` holds for it (up to 20 s).
    async fn until(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let list = self.contexts().await;
            assert_eq!(list.len(), 1, "{list:?}");
            if done(&list[0]) {
                return list[0].clone();
            }
            assert!(
                Instant::now() < deadline,
                "never happened: {what}; last {:?}",
                list[0]
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn synced(&self, members: i64) -> Value {
        self.until(&format!("synced with {members} members"), |c| {
            c["syncState"] == "idle" && c["members"] == members
        })
        .await
    }

    async fn members(&self, id: i64, query: &str) -> Value {
        let response = self
            .app
            .client
            .get(format!("/api/lti/contexts/{id}/members{query}"))
            .header("Authorization", &self.app.auth)
            .send()
            .await;
        response.assert_status_is_ok();
        json_of(response).await
    }

    async fn request_sync(&self, id: i64) {
        let response = self
            .app
            .client
            .post(format!("/api/lti/contexts/{id}/sync"))
            .header("Authorization", &self.app.auth)
            .send()
            .await;
        response.assert_status(StatusCode::ACCEPTED);
        assert_eq!(json_of(response).await, json!({"syncState": "due"}));
    }

    fn page_requests(&self) -> Vec<usize> {
        self.state
            .lock()
            .unwrap()
            .pages
            .iter()
            .map(|p| p.0)
            .collect()
    }

    async fn user_ids(&self, id: i64) -> Vec<String> {
        let page = self.members(id, "").await;
        page["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["userId"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn a_launch_with_the_nrps_claim_lists_the_context_and_fetches_members_across_all_pages() {
    let lms = lms().await;
    lms.launch().await;
    let context = lms.synced(7).await;
    assert_eq!(context["contextId"], "course-7");
    assert_eq!(context["title"], "Social media safety");
    assert_eq!(
        context["source"],
        format!("platform:{}", lms.platform.platform_id)
    );
    assert_eq!(
        context["membershipsUrl"],
        format!("{}/memberships?c=7", lms.base)
    );
    assert!(
        context["lastSynced"].as_str().unwrap().ends_with('Z'),
        "{context}"
    );
    assert_eq!(context["lastError"], Value::Null);
    assert_eq!(
        lms.page_requests(),
        vec![1, 2, 3],
        "every page, once, in order"
    );
    {
        let s = lms.state.lock().unwrap();
        assert_eq!(s.token_scopes, vec![SCOPE.to_owned()]);
        for (_, authorization, accept) in &s.pages {
            assert_eq!(authorization.as_deref(), Some("Bearer tok-1"));
            assert_eq!(accept.as_deref(), Some(MEDIA_TYPE));
        }
    }
    let id = context["id"].as_i64().unwrap();
    let first = lms.members(id, "?limit=5").await;
    let list = first["members"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(first["more"], "u5");
    assert_eq!(
        list[0],
        json!({"userId": "u1", "name": "Given1 Family1", "givenName": "Given1",
        "familyName": "Family1", "email": "u1@example.com", "roles": [INSTRUCTOR],
        "status": "Active"})
    );
    assert_eq!(list[2]["status"], "Inactive");
    assert_eq!(list[2]["roles"], json!([LEARNER]));
    let rest = lms.members(id, "?limit=5&after=u5").await;
    let ids: Vec<&str> = rest["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["u6", "u7"]);
    assert_eq!(rest["more"], Value::Null);
}

#[tokio::test]
async fn a_second_launch_within_the_refresh_interval_does_not_refetch_the_roster() {
    let lms = lms().await;
    lms.launch().await;
    lms.synced(7).await;
    lms.launch().await;
    // The task polls every 20 ms: a sync made due would have started by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let context = lms.until("still idle", |c| c["syncState"] == "idle").await;
    assert_eq!(context["members"], 7);
    assert_eq!(lms.page_requests(), vec![1, 2, 3]);
}

#[tokio::test]
async fn an_on_demand_sync_refetches_and_a_member_gone_from_the_roster_goes() {
    let lms = lms().await;
    lms.launch().await;
    let id = lms.synced(7).await["id"].as_i64().unwrap();
    lms.state
        .lock()
        .unwrap()
        .roster
        .retain(|m| m["user_id"] != "u4");
    lms.request_sync(id).await;
    lms.synced(6).await;
    assert_eq!(lms.page_requests(), vec![1, 2, 3, 1, 2]);
    assert_eq!(
        lms.user_ids(id).await,
        vec!["u1", "u2", "u3", "u5", "u6", "u7"]
    );
}

#[tokio::test]
async fn a_platform_answering_500_then_200_is_retried_and_the_roster_synced() {
    let lms = lms().await;
    lms.state.lock().unwrap().script.push_back((500, None));
    lms.launch().await;
    let failed = lms
        .until("the failure is visible", |c| c["syncState"] == "failed")
        .await;
    let error = failed["lastError"].as_str().unwrap();
    assert!(error.contains("page 1") && error.contains("500"), "{error}");
    assert_eq!(failed["members"], 0);
    let context = lms.synced(7).await;
    assert_eq!(context["lastError"], Value::Null);
    assert_eq!(lms.page_requests(), vec![1, 1, 2, 3]);
}

#[tokio::test]
async fn a_retry_waits_at_least_as_long_as_retry_after_says() {
    let lms = lms().await;
    lms.state.lock().unwrap().script.push_back((503, Some("2")));
    lms.launch().await;
    lms.synced(7).await;
    let s = lms.state.lock().unwrap();
    let waited = s.times[1] - s.times[0];
    // Our own backoff would be 0.5 to 1 s here.
    assert!(waited >= Duration::from_millis(1900), "{waited:?}");
}

#[tokio::test]
async fn two_instances_on_one_database_fetch_a_due_roster_once() {
    let lms = lms().await;
    let _beside = lms.app.spawn_beside().await;
    lms.launch().await;
    lms.synced(7).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(lms.page_requests(), vec![1, 2, 3]);
    assert_eq!(lms.state.lock().unwrap().token_scopes.len(), 1);
}

#[tokio::test]
async fn a_401_from_the_membership_service_renews_the_token_once() {
    let lms = lms().await;
    lms.state.lock().unwrap().script.push_back((401, None));
    lms.launch().await;
    lms.synced(7).await;
    let s = lms.state.lock().unwrap();
    assert_eq!(s.token_scopes.len(), 2, "one token, then one renewal");
    let auth: Vec<&str> = s.pages.iter().map(|p| p.1.as_deref().unwrap()).collect();
    assert_eq!(
        auth,
        vec![
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-2",
            "Bearer tok-2"
        ]
    );
}

#[tokio::test]
async fn a_401_after_a_renewed_token_fails_the_sync_without_a_third_token() {
    let lms = lms().await;
    lms.state
        .lock()
        .unwrap()
        .script
        .extend([(401, None), (401, None)]);
    lms.launch().await;
    let failed = lms.until("failed", |c| c["syncState"] == "failed").await;
    assert!(
        failed["lastError"].as_str().unwrap().contains("401"),
        "{failed}"
    );
    assert_eq!(lms.state.lock().unwrap().token_scopes.len(), 2);
}

#[tokio::test]
async fn a_page_loop_fails_the_sync_with_a_clear_error_and_keeps_the_old_members() {
    let lms = lms().await;
    lms.launch().await;
    let id = lms.synced(7).await["id"].as_i64().unwrap();
    lms.state.lock().unwrap().looping = true;
    lms.request_sync(id).await;
    let failed = lms.until("failed", |c| c["syncState"] == "failed").await;
    let error = failed["lastError"].as_str().unwrap();
    assert!(error.contains("loop") && error.contains("kept"), "{error}");
    assert_eq!(failed["members"], 7);
    assert_eq!(lms.user_ids(id).await.len(), 7, "the old members are kept");
    assert_eq!(lms.page_requests(), vec![1, 2, 3, 1, 2]);
}

#[tokio::test]
async fn a_next_link_to_another_origin_fails_the_sync_without_sending_the_token_there() {
    let lms = lms().await;
    lms.state.lock().unwrap().foreign_next = true;
    lms.launch().await;
    let failed = lms.until("failed", |c| c["syncState"] == "failed").await;
    let error = failed["lastError"].as_str().unwrap();
    assert!(
        error.contains("another origin") && error.contains("localhost"),
        "{error}"
    );
    assert_eq!(lms.page_requests(), vec![1], "page 2 was never asked for");
}

#[tokio::test]
async fn a_launch_without_the_nrps_claim_records_no_context() {
    let lms = lms().await;
    lti_launch_with(&lms.app, &lms.platform, |nonce| {
        good_claims(nonce, POLICY_AU)
    })
    .await;
    assert!(lms.contexts().await.is_empty());
}

#[tokio::test]
async fn roster_operations_refuse_a_non_admin_credential_and_name_an_unknown_context() {
    let lms = lms().await;
    lms.launch().await;
    let id = lms.synced(7).await["id"].as_i64().unwrap();
    let all = lms.app.credential("all").await;
    for (method, path) in [
        ("GET", "/api/lti/contexts".to_owned()),
        ("GET", format!("/api/lti/contexts/{id}/members")),
        ("POST", format!("/api/lti/contexts/{id}/sync")),
    ] {
        let request = match method {
            "GET" => lms.app.client.get(&path),
            _ => lms.app.client.post(&path),
        };
        let response = request.header("Authorization", &all).send().await;
        response.assert_status(StatusCode::FORBIDDEN);
    }
    for (method, path) in [
        ("GET", "/api/lti/contexts/999/members"),
        ("POST", "/api/lti/contexts/999/sync"),
    ] {
        let request = match method {
            "GET" => lms.app.client.get(path),
            _ => lms.app.client.post(path),
        };
        let response = request.header("Authorization", &lms.app.auth).send().await;
        response.assert_status(StatusCode::NOT_FOUND);
        let body = json_of(response).await;
        assert_eq!(body["error"], "context_not_found", "{body}");
        assert!(body["message"].as_str().unwrap().contains("999"), "{body}");
    }
}

/// Figures, not a check: a 5000-member roster in pages of 100 (run with
/// `cargo test --test api -- nrps::figures --ignored --nocapture`).
#[tokio::test]
#[ignore]
async fn figures_a_5000_member_roster_in_50_pages() {
    let lms = lms().await;
    {
        let mut s = lms.state.lock().unwrap();
        s.roster = (1..=5000).map(member).collect();
        s.page_size = 100;
    }
    let started = Instant::now();
    lms.launch().await;
    let context = lms.synced(5000).await;
    let first = started.elapsed();
    let id = context["id"].as_i64().unwrap();
    let started = Instant::now();
    lms.request_sync(id).await;
    lms.until("resynced", |c| {
        c["syncState"] == "idle" && c["lastSynced"] != context["lastSynced"]
    })
    .await;
    println!(
        "5000 members, 50 pages: launch → synced {first:?}; on-demand resync {:?}",
        started.elapsed()
    );
}
