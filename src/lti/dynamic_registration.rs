//! LTI Dynamic Registration 1.0: the platform opens our initiation URL (a registration
//! link an administrator made) with its `openid_configuration` and a
//! `registration_token`; we check the link, read the platform's configuration,
//! register with the `lti-tool-configuration` claim, store the registration (pending
//! until an administrator approves it, unless auto-approval is configured), and show
//! the outcome; the `org.imsglobal.lti.close` message is sent only when the person
//! clicks Close (platforms close the window as soon as they receive it).

use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use super::failure::Failure;
use super::page::page;
use super::platforms::{self, NewPlatform};
use super::registration_links;
use crate::db::Db;
use crate::outbound::{Outbound, OutboundError};

/// Configurations and registration answers are a few KiB.
const MAX_BYTES: usize = 256 * 1024;

pub const AGS_SCOPES: [&str; 4] = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
];

/// What the initiation request carries.
pub struct Initiation<'a> {
    /// The registration link's `<key>.<secret>` (our own parameter, in the URL the
    /// administrator gave the LMS).
    pub link: Option<&'a str>,
    pub openid_configuration: Option<&'a str>,
    pub registration_token: Option<&'a str>,
}

/// Registers with the platform and returns the closing page.
pub async fn register(
    db: &Db,
    http: &Outbound,
    public_url: &str,
    auto_approve: bool,
    init: &Initiation<'_>,
) -> Result<String, Failure> {
    // The link first: without one, nothing is fetched and nothing is stored.
    let link = registration_links::usable(
        db.writer(),
        init.link,
        jiff::Timestamp::now().as_microsecond(),
    )
    .await?;
    let config_url = init
        .openid_configuration
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            Failure::new(
                400,
                "missing_parameter",
                "the registration request has no openid_configuration",
            )
        })?;
    let parsed = url::Url::parse(config_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| {
            Failure::new(
                400,
                "bad_configuration_url",
                "openid_configuration must be an http(s) URL",
            )
        })?;
    let config = http
        .get(config_url, None, MAX_BYTES)
        .await
        .and_then(|answer| answer.success_json())
        .map_err(|why| {
            outbound_failure("the platform's configuration could not be fetched", why)
        })?;
    let issuer = text(&config, "issuer")?;
    // Dynamic Registration §3.5.1: the configuration must come from the issuer's host,
    // or anyone could register in a platform's name.
    if url::Url::parse(&issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        != parsed.host_str().map(str::to_owned)
    {
        return Err(Failure::new(
            400,
            "issuer_mismatch",
            // The document's own values are not shown: they come from elsewhere.
            format!(
                "the configuration's issuer is not on the host it was served from ({})",
                parsed.host_str().unwrap_or_default()
            ),
        ));
    }
    let registration_endpoint = text(&config, "registration_endpoint")?;
    let request = tool_configuration(public_url);
    let bearer = init.registration_token.filter(|t| !t.is_empty());
    let answer = http
        .post_json(&registration_endpoint, bearer, &request, MAX_BYTES)
        .await
        .and_then(|answer| answer.success_json())
        .map_err(|why| outbound_failure("the platform's registration endpoint failed", why))?;
    let client_id = text(&answer, "client_id")?;
    let deployment = answer
        .pointer("/https:~1~1purl.imsglobal.org~1spec~1lti-tool-configuration/deployment_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let product = config
        .pointer(
            "/https:~1~1purl.imsglobal.org~1spec~1lti-platform-configuration/product_family_code",
        )
        .and_then(Value::as_str)
        .unwrap_or("LMS")
        .to_owned();
    let status = if auto_approve { "active" } else { "pending" };
    // The platform is stored and the link used up together, or neither.
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let platform = platforms::add(
        &txn,
        &NewPlatform {
            name: format!("{product} ({})", parsed.host_str().unwrap_or_default()),
            issuer,
            client_id,
            deployment_ids: deployment.into_iter().collect::<Vec<_>>(),
            auth_login_url: text(&config, "authorization_endpoint")?,
            token_url: text(&config, "token_endpoint")?,
            jwks_url: text(&config, "jwks_uri")?,
        },
        status,
    )
    .await
    .map_err(|e| match e {
        crate::error::Error::BadRequest(m) if m.contains("deploymentIds") => Failure::new(
            400,
            "no_deployment",
            "the platform's registration answer has no deployment_id; add the deployment id with `blackbelt lti platforms add`",
        ),
        // Name the field, not its value: the value is the platform's text.
        crate::error::Error::BadRequest(m) => Failure::new(
            502,
            "bad_platform_answer",
            format!(
                "the platform's configuration has an unusable {}",
                m.split_whitespace().next().unwrap_or("value")
            ),
        ),
        crate::error::Error::Conflict(_) => Failure::new(
            409,
            "conflict",
            "this platform is already registered with the client id it answered",
        ),
        other => Failure::from(other),
    })?;
    let now = jiff::Timestamp::now().as_microsecond();
    if !registration_links::consume(&txn, &link, platform.id, now).await? {
        return Err(Failure::new(
            403,
            "registration_link_used",
            "this registration link was used by another registration a moment ago; a link \
             works once, so ask a Black Belt administrator for a new one",
        ));
    }
    txn.commit().await?;
    Ok(outcome_page(platform.id, auto_approve))
}

/// The script behind the outcome page's Close button, served from the binary so the
/// page needs no inline script.
pub const CLOSE_SCRIPT: &str = include_str!("close.js");

/// Serves [`CLOSE_SCRIPT`] at `/lti/close.js`.
#[poem::handler]
pub fn close_script() -> poem::Response {
    poem::Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header("Cache-Control", "public, max-age=3600")
        .body(CLOSE_SCRIPT)
}

/// What the person who registered reads before closing: whether launches work yet and,
/// when approval is pending, the exact command and API route that approve it.
fn outcome_page(id: i64, auto_approve: bool) -> String {
    let (title, outcome) = if auto_approve {
        (
            "Registered",
            format!(
                "<h1>Black Belt is registered</h1>\
                 <p>Registration {id} is active: launches work as soon as the LMS has \
                 activated the tool.</p>"
            ),
        )
    } else {
        (
            "Registered, pending approval",
            format!(
                "<h1>Black Belt is registered, pending approval</h1>\
                 <p>Launches will not work until a Black Belt administrator approves \
                 registration {id}, on the server:</p>\
                 <p><code>blackbelt lti platforms approve {id}</code></p>\
                 <p>or with an admin credential: <code>POST /api/lti/platforms/{id}/approve</code></p>\
                 <p>The LMS may also need the tool activated (in Moodle: Manage tools, \
                 then Activate).</p>"
            ),
        )
    };
    // `close.js` is relative to /lti/register, so it works under a path prefix too.
    let body = format!(
        "<main>{outcome}<p><button type=\"button\" data-lti-close>Close</button></p></main>\
         <script src=\"close.js\"></script>"
    );
    page(title, &body)
}

/// The registration request (Dynamic Registration §3.5.2 and the
/// `lti-tool-configuration` claim, §5.1): the domain includes the port when it is not
/// the default, because platforms compare it with launch URLs.
pub fn tool_configuration(public_url: &str) -> Value {
    let domain = url::Url::parse(public_url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default();
    let launch = format!("{public_url}/lti/launch");
    json!({
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": format!("{public_url}/lti/login"),
        "redirect_uris": [launch],
        "client_name": "Black Belt",
        "jwks_uri": format!("{public_url}/lti/jwks"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": AGS_SCOPES.join(" "),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": domain,
            "target_link_uri": launch,
            "description": "Social-media certification modules with xAPI tracking.",
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "Black Belt module"},
            ],
        },
    })
}

fn text(json: &Value, field: &str) -> Result<String, Failure> {
    json.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(
                502,
                "bad_platform_answer",
                format!("the platform's answer has no `{field}`"),
            )
        })
}

/// A failed call to the platform, in our words: the platform's own answer is never
/// shown (it could be anything the address served).
fn outbound_failure(what: &str, why: OutboundError) -> Failure {
    let code = match why {
        OutboundError::Refused { .. } | OutboundError::BadUrl => "address_refused",
        _ => "platform_unreachable",
    };
    let status = if code == "address_refused" { 400 } else { 502 };
    Failure::new(status, code, format!("{what}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_close_message_waits_for_the_close_button() {
        let page = outcome_page(7, false);
        assert!(page.contains("blackbelt lti platforms approve 7"), "{page}");
        assert!(page.contains("/api/lti/platforms/7/approve"), "{page}");
        assert!(page.contains("data-lti-close"), "{page}");
        assert!(
            !page.contains("org.imsglobal.lti.close"),
            "no inline close: {page}"
        );
        assert!(!page.contains("<script>"), "no inline script: {page}");
        let click = CLOSE_SCRIPT.find("addEventListener('click'").unwrap();
        assert!(
            CLOSE_SCRIPT[click..].contains("postMessage({ subject: 'org.imsglobal.lti.close' }")
        );
    }

    #[test]
    fn the_domain_keeps_a_non_default_port() {
        let config = tool_configuration("http://127.0.0.1:8420");
        let tool = &config["https://purl.imsglobal.org/spec/lti-tool-configuration"];
        assert_eq!(tool["domain"], "127.0.0.1:8420");
        assert_eq!(tool["target_link_uri"], "http://127.0.0.1:8420/lti/launch");
        let config = tool_configuration("https://bb.example.com");
        assert_eq!(
            config["https://purl.imsglobal.org/spec/lti-tool-configuration"]["domain"],
            "bb.example.com"
        );
        assert_eq!(
            config["redirect_uris"][0],
            "https://bb.example.com/lti/launch"
        );
    }
}
