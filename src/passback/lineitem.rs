//! Finding or creating the line item (gradebook column) for a target whose launch named
//! only the `lineitems` container (AGS §3.2.4, §3.2.5). Keyed on `resourceId` = the AU
//! id and `tag` = `blackbelt`, which Deep Linking also sets, so a column made at
//! placement is found rather than duplicated. Concurrent creators (one target per learner,
//! each leased on its own) are serialised by `lineitem_lock`: one searches and creates,
//! the others wait and reuse its answer.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::ags::{AgsDeliverer, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, failed, given, granted};
use super::answer::{garbled, refused};
use super::delivery::{Outcome, Target};
use super::lineitem_lock::{self, Claim};
use crate::outbound::Call;
use crate::outbound::link::next_link;
use entities::lti_platform;

/// The tag of every line item Black Belt makes (here and in Deep Linking).
pub const TAG: &str = "blackbelt";
pub const LINEITEM_MEDIA_TYPE: &str = "application/vnd.ims.lis.v2.lineitem+json";
pub const CONTAINER_MEDIA_TYPE: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
const PAGE_BYTES: usize = 1024 * 1024;
const MAX_PAGES: usize = 1000;
/// How long a delivery waits, in place, for another to find or create the column,
/// polling every `BUSY_POLL`, before it gives its slot back and retries after
/// `BUSY_RETRY`.
const BUSY_WAIT: Duration = Duration::from_secs(3);
const BUSY_POLL: Duration = Duration::from_millis(100);
const BUSY_RETRY: Duration = Duration::from_secs(1);

/// The line item URL for `target`: found in the container, or created there.
pub(super) async fn resolve(
    ags: &AgsDeliverer,
    platform: &lti_platform::Model,
    target: &Target,
) -> Result<String, Outcome> {
    let Some(container) = given(&target.lineitems_url) else {
        return Err(failed(
            "the launch named neither a line item nor a line item container",
        ));
    };
    let container = url::Url::parse(container)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| failed("the line item container URL is not an absolute http(s) URL"))?;
    let can_create = granted(target, SCOPE_LINEITEM);
    let read_scope = if granted(target, SCOPE_LINEITEM_READONLY) {
        SCOPE_LINEITEM_READONLY
    } else if can_create {
        SCOPE_LINEITEM
    } else {
        return Err(failed(
            "the LMS gave this link no gradebook column and does not let the tool find or \
             create one (no lineitem scope)",
        ));
    };
    // One delivery searches and creates; the others wait for its answer.
    let db = ags.db();
    let mut waited = Duration::ZERO;
    let owner = loop {
        match lineitem_lock::take(db, target, container.as_str()).await {
            Ok(Claim::Known(url)) => return same_host(&url, &container),
            Ok(Claim::Mine(owner)) => break owner,
            Ok(Claim::Busy) if waited < BUSY_WAIT => {
                tokio::time::sleep(BUSY_POLL).await;
                waited += BUSY_POLL;
            }
            Ok(Claim::Busy) => return Err(busy()),
            Err(e) => {
                tracing::warn!(error = %e, "passback: the line item lock could not be read");
                return Err(retry_soon("the line item lock could not be read"));
            }
        }
    };
    let found = find_or_create(ags, platform, target, &container, read_scope, can_create)
        .await
        .and_then(|id| same_host(&id, &container));
    let kept = match &found {
        Ok(url) => lineitem_lock::settle(db, target, container.as_str(), &owner, url).await,
        Err(_) => lineitem_lock::release(db, target, container.as_str(), &owner).await,
    };
    if let Err(e) = kept {
        // The lease runs out and the next delivery searches again (and finds this one).
        tracing::warn!(error = %e, "passback: the line item lock could not be updated");
    }
    found
}

async fn find_or_create(
    ags: &AgsDeliverer,
    platform: &lti_platform::Model,
    target: &Target,
    container: &url::Url,
    read_scope: &str,
    can_create: bool,
) -> Result<String, Outcome> {
    match find(ags, platform, target, container, read_scope).await? {
        Some(id) => Ok(id),
        None if can_create => create(ags, platform, target, container).await,
        None => Err(failed(
            "the LMS gave this link no gradebook column and does not let the tool create \
             one (no lineitem scope)",
        )),
    }
}

fn retry_soon(error: &str) -> Outcome {
    Outcome::Retry {
        status: None,
        error: error.to_owned(),
        retry_after: Some(BUSY_RETRY),
        answer: None,
    }
}

fn busy() -> Outcome {
    retry_soon("another delivery is finding or creating this gradebook column; will reuse it")
}

/// Pages through the container, filtered as AGS §3.2.4 allows, and matches on our side
/// too (a platform may ignore filters).
async fn find(
    ags: &AgsDeliverer,
    platform: &lti_platform::Model,
    target: &Target,
    container: &url::Url,
    scope: &str,
) -> Result<Option<String>, Outcome> {
    let mut page = filtered(container, target);
    let mut seen = HashSet::new();
    while seen.insert(page.to_string()) && seen.len() <= MAX_PAGES {
        let url = page.to_string();
        let answer = ags
            .authorized(
                platform,
                &[scope],
                Call {
                    accept: Some(CONTAINER_MEDIA_TYPE),
                    ..Call::new(reqwest::Method::GET, &url, PAGE_BYTES)
                },
            )
            .await?;
        let what = "the line item search";
        if !answer.is_success() {
            return Err(refused(&answer, what));
        }
        let Ok(Value::Array(items)) = answer.json() else {
            return Err(garbled(&answer, what, "a JSON array of line items"));
        };
        if let Some(id) = matching(&items, target) {
            return Ok(Some(id));
        }
        match next_link(&answer.headers.link, &page) {
            Some(next) => page = next,
            None => break,
        }
    }
    Ok(None)
}

/// The container URL with our filters appended to its own query (Moodle's `type_id`
/// must stay).
pub fn filtered(container: &url::Url, target: &Target) -> url::Url {
    let mut url = container.clone();
    {
        let mut query = url.query_pairs_mut();
        if let Some(link) = &target.resource_link_id {
            query.append_pair("resource_link_id", link);
        }
        query
            .append_pair("resource_id", &target.object_id)
            .append_pair("tag", TAG);
    }
    url
}

/// Ours first (`resourceId` and `tag`), then a column placed on this link for this AU
/// before it carried our tag.
pub fn matching(items: &[Value], target: &Target) -> Option<String> {
    let id_of = |item: &Value| item["id"].as_str().map(str::to_owned);
    let resource = |item: &Value| item["resourceId"].as_str() == Some(target.object_id.as_str());
    items
        .iter()
        .find(|i| resource(i) && i["tag"].as_str() == Some(TAG))
        .and_then(id_of)
        .or_else(|| {
            let link = target.resource_link_id.as_deref()?;
            items
                .iter()
                .find(|i| resource(i) && i["resourceLinkId"].as_str() == Some(link))
                .and_then(id_of)
        })
}

/// The body of the line item we create.
pub fn new_lineitem(target: &Target) -> Value {
    let mut item = json!({
        "scoreMaximum": 100,
        "label": target.label,
        "resourceId": target.object_id,
        "tag": TAG,
    });
    if let Some(link) = &target.resource_link_id {
        item["resourceLinkId"] = json!(link);
    }
    item
}

async fn create(
    ags: &AgsDeliverer,
    platform: &lti_platform::Model,
    target: &Target,
    container: &url::Url,
) -> Result<String, Outcome> {
    let url = container.to_string();
    let body = new_lineitem(target).to_string().into_bytes();
    let answer = ags
        .authorized(
            platform,
            &[SCOPE_LINEITEM],
            Call {
                content_type: Some(LINEITEM_MEDIA_TYPE),
                accept: Some(LINEITEM_MEDIA_TYPE),
                body: Some(body),
                ..Call::new(reqwest::Method::POST, &url, PAGE_BYTES)
            },
        )
        .await?;
    let what = "creating the line item";
    if !answer.is_success() {
        return Err(refused(&answer, what));
    }
    answer
        .json()
        .ok()
        .and_then(|item| item["id"].as_str().map(str::to_owned))
        .ok_or_else(|| garbled(&answer, what, "a line item with an id"))
}

/// A bearer token goes only to the host that named the service: a line item on another
/// host (or not http(s)) is refused.
fn same_host(found: &str, container: &url::Url) -> Result<String, Outcome> {
    let url = container
        .join(found)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| failed("the platform named a line item that is not an http(s) URL"))?;
    if url.host_str() != container.host_str()
        || url.port_or_known_default() != container.port_or_known_default()
    {
        return Err(failed("the platform named a line item on another host"));
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::super::delivery::Protocol;
    use super::*;

    fn target() -> Target {
        Target {
            id: 1,
            protocol: Protocol::Ags,
            source: "platform:1".into(),
            user_id: "sub-1".into(),
            object_id: "https://example.com/au/1".into(),
            label: "Policy".into(),
            lineitem_url: None,
            lineitems_url: Some("https://lms.example.com/li?type_id=3".into()),
            resource_link_id: Some("rl-9".into()),
            scopes: vec![],
            outcome_url: None,
            sourcedid: None,
            last_sent_ts_us: None,
        }
    }

    #[test]
    fn filters_are_appended_to_the_containers_own_query() {
        let container = url::Url::parse("https://lms.example.com/li?type_id=3").unwrap();
        assert_eq!(
            filtered(&container, &target()).as_str(),
            "https://lms.example.com/li?type_id=3&resource_link_id=rl-9&resource_id=https%3A%2F%2Fexample.com%2Fau%2F1&tag=blackbelt"
        );
    }

    #[test]
    fn our_tagged_line_item_is_preferred() {
        let au = "https://example.com/au/1";
        let items = vec![
            json!({"id": "https://lms/1", "resourceId": au, "resourceLinkId": "rl-9", "tag": "course"}),
            json!({"id": "https://lms/2", "resourceId": au, "tag": "blackbelt"}),
        ];
        assert_eq!(
            matching(&items, &target()).as_deref(),
            Some("https://lms/2")
        );
    }

    #[test]
    fn an_untagged_column_on_the_same_link_and_au_is_found() {
        let items = vec![
            json!({"id": "https://lms/1", "resourceId": "other", "tag": "blackbelt"}),
            json!({"id": "https://lms/3", "resourceId": "https://example.com/au/1", "resourceLinkId": "rl-9"}),
        ];
        assert_eq!(
            matching(&items, &target()).as_deref(),
            Some("https://lms/3")
        );
    }

    #[test]
    fn a_column_for_another_au_is_not_taken() {
        let items = vec![json!({"id": "https://lms/1", "resourceId": "other", "tag": "blackbelt"})];
        assert_eq!(matching(&items, &target()), None);
    }

    #[test]
    fn a_new_line_item_names_label_au_tag_link_and_maximum() {
        assert_eq!(
            new_lineitem(&target()),
            json!({"scoreMaximum": 100, "label": "Policy", "resourceId": "https://example.com/au/1",
                   "tag": "blackbelt", "resourceLinkId": "rl-9"})
        );
    }

    #[test]
    fn a_line_item_on_another_host_is_refused() {
        let container = url::Url::parse("https://lms.example.com/li?type_id=3").unwrap();
        assert!(same_host("https://evil.example/li/1", &container).is_err());
        assert!(same_host("https://lms.example.com:8443/li/1", &container).is_err());
        assert_eq!(
            same_host("/li/1/lineitem?type_id=3", &container).unwrap(),
            "https://lms.example.com/li/1/lineitem?type_id=3"
        );
    }
}
