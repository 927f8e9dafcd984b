//! `/verify/{id}`: the page for people a credential's link is shared with. Server
//! rendered, no script; its own Content-Security-Policy allows only its embedded style
//! (by hash) and images from this server. The status is read live from the award.

pub mod dates;
pub mod linkedin;
pub mod render;

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Response, handler};
use serde_json::Value;

use crate::badges::Urls;
use crate::badges::issue::{Badges, Issued};
use render::{PageLinks, View};

/// Pages change with the live status; shared links are fetched by preview bots once.
const MAX_AGE: &str = "public, max-age=60";

#[handler]
pub async fn verify(Path(id): Path<String>, Data(badges): Data<&Badges>) -> Response {
    let found = match crate::badges::api::public_api::credential_id(&id) {
        Ok(id) => badges.by_id(id).await,
        Err(_) => Ok(None),
    };
    match found {
        Ok(Some(issued)) => html(
            StatusCode::OK,
            MAX_AGE,
            render::page(&view(
                &badges.issuer.urls,
                &badges.issuer.name,
                &badges.issuer.url,
                issued,
            )),
            &badges.issuer.urls,
        ),
        Ok(None) => html(
            StatusCode::NOT_FOUND,
            "no-store",
            render::not_found(&id),
            &badges.issuer.urls,
        ),
        Err(err) => {
            tracing::error!(error = %err, "verification page");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "no-store",
                render::unavailable(),
                &badges.issuer.urls,
            )
        }
    }
}

fn html(status: StatusCode, cache: &str, body: String, urls: &Urls) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("Cache-Control", cache)
        .header("Content-Security-Policy", policy(urls))
        .body(body)
}

/// The policy of a page that shows no image (the 429 page, made before any state).
pub fn policy_without_images() -> String {
    let style = STANDARD.encode(digest(&SHA256, render::STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{style}'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

/// Nothing runs; the one style sheet by hash; images from this server (its public URL
/// may name another origin than the one the request came to).
pub fn policy(urls: &Urls) -> String {
    let style = STANDARD.encode(digest(&SHA256, render::STYLE.as_bytes()));
    let origin = url::Url::parse(&urls.issuer())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    format!(
        "default-src 'none'; style-src 'sha256-{style}'; img-src 'self' {origin}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
}

/// What the page shows, from the credential as served (its dates are the signed ones).
fn view(urls: &Urls, issuer_name: &str, issuer_site: &str, issued: Issued) -> View {
    let json = &issued.json;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let achievement = &json["credentialSubject"]["achievement"];
    let id = issued.row.id.clone();
    View {
        title: text(&json["name"])
            .unwrap_or_else(|| format!("{} — {}", issued.belt_name, issued.program_name)),
        description: text(&achievement["description"]).or_else(|| text(&json["description"])),
        belt_name: issued.belt_name.clone(),
        program_name: issued.program_name.clone(),
        issuer_name: issuer_name.to_owned(),
        issuer_site: issuer_site.to_owned(),
        holder: issued.holder_name.clone(),
        awarded: text(&json["awardedDate"]),
        valid_from: text(&json["validFrom"]),
        valid_until: text(&json["validUntil"]),
        status: issued.status.clone(),
        links: PageLinks {
            page: urls.verify_page(&id),
            image: urls.achievement_image(&issued.program_id, &issued.belt_id),
            credential: urls.credential(&id),
            baked: urls.baked(&id),
            issuer: urls.issuer(),
            jwks: urls.jwks(),
            status_list: text(&json["credentialStatus"]["statusListCredential"]),
        },
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_embedded_style_by_hash_and_no_script() {
        let policy = policy(&Urls::new("https://bb.example:8443/base"));
        assert!(policy.contains("style-src 'sha256-"), "{policy}");
        assert!(!policy.contains("script-src"), "{policy}");
        assert!(
            policy.contains("img-src 'self' https://bb.example:8443;"),
            "{policy}"
        );
        assert!(policy.starts_with("default-src 'none'"));
    }
}
