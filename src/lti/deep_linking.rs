//! Deep Linking 2.0: an instructor picks a module from the catalog (or the
//! certification console link, see `console_link`), and we return an
//! `LtiDeepLinkingResponse` signed with the tool key. The picker form carries the
//! request's context as a short-lived JWT we signed, which also makes the form
//! unforgeable from another site (our CSRF protection; no cookie needed in an iframe).

use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde_json::{Value, json};

use super::claims::LaunchClaims;
use super::failure::Failure;
use super::page::{auto_post, escape, page};
use super::{console_link, keys, platforms};
use crate::auth::secret::random_bytes;
use crate::db::Db;
use crate::launch::settings::LaunchSettings;
use crate::packages::{catalog, store};

const CONTEXT_TTL_S: i64 = 30 * 60;
const CONTEXT_AUDIENCE: &str = "blackbelt:deep-linking";
/// The picker's value for the console link: not an AU id (the picker's other values
/// are the catalog's AU ids, which are IRIs of the course's own domain).
pub const CONSOLE_CHOICE: &str = "blackbelt:console";

/// The picker's form post.
#[derive(Debug, Default, Clone, poem_openapi::Object, serde::Deserialize)]
pub struct Choice {
    /// The signed context from the picker page.
    pub context: Option<String>,
    /// The chosen AU id.
    pub au: Option<String>,
}

/// The catalog as radio buttons, one form, one signed context.
pub async fn picker(
    db: &Db,
    settings: &LaunchSettings,
    claims: &LaunchClaims,
    platform_id: i64,
) -> Result<String, Failure> {
    let dl = claims.deep_linking.as_ref().ok_or_else(|| {
        Failure::new(
            400,
            "missing_claim",
            "the Deep Linking request has no deep_linking_settings claim",
        )
    })?;
    if !dl.accept_types.iter().any(|t| t == "ltiResourceLink") {
        return Err(Failure::new(
            400,
            "unsupported_type",
            "the platform does not accept ltiResourceLink items, which is what Black Belt offers",
        ));
    }
    let now = jiff::Timestamp::now().as_second();
    let context = json!({
        "aud": CONTEXT_AUDIENCE,
        "exp": now + CONTEXT_TTL_S,
        "platform": platform_id,
        "deploymentId": claims.deployment_id,
        "returnUrl": dl.return_url,
        "data": dl.data,
        "ags": claims.ags.is_some(),
    });
    let context = keys::sign(db, &context).await?;
    let mut items = String::new();
    let (courses, retired): (Vec<_>, Vec<_>) = store::latest_of_each_with_retired(&db.conn)
        .await?
        .into_iter()
        .partition(|p| p.retired_us.is_none());
    for model in courses {
        let course = catalog::entry(&model, "en").map_err(|e| Failure::new(500, "internal", e))?;
        items.push_str(&format!(
            "<fieldset><legend>{}</legend>",
            escape(&course.title)
        ));
        for au in &course.aus {
            items.push_str(&format!(
                "<label><input type=\"radio\" name=\"au\" value=\"{}\" required> {}</label><br>",
                escape(&au.au_id),
                escape(&au.title)
            ));
        }
        items.push_str("</fieldset>");
    }
    if items.is_empty() {
        return Err(empty_catalog(retired.len()));
    }
    items.push_str(&format!(
        "<fieldset><legend>For staff</legend><label><input type=\"radio\" name=\"au\" \
         value=\"{CONSOLE_CHOICE}\" required> {}</label><br><small>Opens the read-only \
         console of this course's members for instructors and managers; learners are told \
         it is not for them.</small></fieldset>",
        escape(console_link::TITLE)
    ));
    let body = format!(
        "<main><h1>Choose a module</h1><form method=\"post\" action=\"{}/lti/deep-linking\">\
         <input type=\"hidden\" name=\"context\" value=\"{}\">{items}\
         <p><button type=\"submit\">Add to course</button></p></form></main>",
        escape(&settings.public_url),
        escape(&context)
    );
    Ok(page("Choose a module", &body))
}

/// Why the picker has nothing to offer, and what a Black Belt administrator does about it.
fn empty_catalog(retired: usize) -> Failure {
    match retired {
        0 => Failure::new(
            400,
            "empty_catalog",
            "no modules are imported yet; a Black Belt administrator imports them with \
             `blackbelt packages import PATH`",
        ),
        n => Failure::new(
            400,
            "all_courses_retired",
            format!(
                "{} retired, so there is no module to choose; a Black Belt administrator \
                 restores one with `blackbelt packages restore COURSE` (`blackbelt packages \
                 list --all` lists the retired courses) or imports another with \
                 `blackbelt packages import PATH`",
                if n == 1 {
                    "the only imported course is".to_owned()
                } else {
                    format!("all {n} imported courses are")
                }
            ),
        ),
    }
}

/// Verifies the picker's context and answers with the auto-posting response form.
pub async fn respond(
    db: &Db,
    settings: &LaunchSettings,
    choice: &Choice,
) -> Result<String, Failure> {
    let token = choice.context.as_deref().ok_or_else(|| {
        Failure::new(
            400,
            "missing_context",
            "the form has no context; open the picker from the LMS again",
        )
    })?;
    let context = verify_context(db, token).await?;
    let au_id = choice
        .au
        .as_deref()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Failure::new(400, "no_choice", "choose a module first"))?;
    let platform_id = context["platform"].as_i64().unwrap_or_default();
    let platform = platforms::find(&db.conn, platform_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                400,
                "not_registered",
                "the platform is no longer registered",
            )
        })?;
    let item = if au_id == CONSOLE_CHOICE {
        console_item(settings)
    } else {
        module_item(db, settings, au_id, context["ags"].as_bool() == Some(true)).await?
    };
    let now = jiff::Timestamp::now().as_second();
    let mut message = json!({
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": hex::encode(random_bytes::<16>()),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": context["deploymentId"],
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [item],
    });
    if let Some(data) = context.get("data").filter(|d| !d.is_null()) {
        message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = data.clone();
    }
    let jwt = keys::sign(db, &message).await?;
    let return_url = context["returnUrl"].as_str().unwrap_or_default();
    Ok(auto_post(return_url, &[("JWT", &jwt)]))
}

/// The content item of a module: its AU id in `custom.au`, a line item when the
/// platform offers grades.
async fn module_item(
    db: &Db,
    settings: &LaunchSettings,
    au_id: &str,
    ags: bool,
) -> Result<Value, Failure> {
    let (_course, au) = find_au(db, au_id).await?;
    let mut item = json!({
        "type": "ltiResourceLink",
        "title": au.title,
        "url": format!("{}/lti/launch", settings.public_url),
        "custom": {"au": au.au_id},
    });
    if let Some(text) = &au.description {
        item["text"] = json!(text);
    }
    if ags {
        item["lineItem"] = json!({"scoreMaximum": 100, "label": au.title, "resourceId": au.au_id, "tag": crate::passback::lineitem::TAG});
    }
    Ok(item)
}

/// The content item of the console link: `custom.blackbelt = console`, no line item
/// (nothing is graded).
fn console_item(settings: &LaunchSettings) -> Value {
    json!({
        "type": "ltiResourceLink",
        "title": console_link::TITLE,
        "text": "The read-only certification console of this course's members, for \
                 instructors and managers.",
        "url": format!("{}/lti/launch", settings.public_url),
        "custom": {console_link::CUSTOM_KEY: console_link::CUSTOM_VALUE},
    })
}

async fn verify_context(db: &Db, token: &str) -> Result<Value, Failure> {
    let bad = || {
        Failure::new(
            400,
            "bad_context",
            "the picker form is expired or was not made by this tool; open it from the LMS again",
        )
    };
    let kid = decode_header(token)
        .ok()
        .and_then(|h| h.kid)
        .ok_or_else(bad)?;
    let key = keys::decoding_key(&db.conn, &kid).await?.ok_or_else(bad)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[CONTEXT_AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "aud"]);
    decode::<Value>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|_| bad())
}

async fn find_au(db: &Db, au_id: &str) -> Result<(String, catalog::AuEntry), Failure> {
    for model in store::latest_of_each(&db.conn).await? {
        let course = catalog::entry(&model, "en").map_err(|e| Failure::new(500, "internal", e))?;
        if let Some(au) = course.aus.iter().find(|a| a.au_id == au_id) {
            return Ok((course.course_id.clone(), au.clone()));
        }
    }
    Err(Failure::new(
        400,
        "unknown_module",
        format!("{au_id:?} is not in the catalog"),
    ))
}
