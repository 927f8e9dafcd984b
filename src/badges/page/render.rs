//! The verification page's HTML: one self-contained document (CSS embedded, allowed by
//! its hash; no script), every value escaped. Status is said in words and marked with
//! a symbol as well as a colour (WCAG 1.4.1).

use crate::badges::status::LiveStatus;
use crate::lti::page::escape;
use crate::passback::view::rfc3339;

use super::dates::{human_date, time, year_month};
use super::linkedin::{self, Certification};

/// The page's only style sheet; its hash goes in the page's CSP.
pub const STYLE: &str = include_str!("page.css");

/// Everything the page shows, read from the served credential.
pub struct View {
    pub id: String,
    /// The credential's `name` (belt and program).
    pub title: String,
    pub belt_name: String,
    pub program_name: String,
    pub description: Option<String>,
    pub issuer_name: String,
    /// The issuer's web site.
    pub issuer_site: String,
    /// Only when the holder chose to show it.
    pub holder: Option<String>,
    /// RFC 3339, as in the credential.
    pub awarded: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub status: LiveStatus,
    pub links: PageLinks,
}

/// The public URLs the page points to.
pub struct PageLinks {
    pub page: String,
    pub image: String,
    pub credential: String,
    pub baked: String,
    pub issuer: String,
    pub jwks: String,
    pub status_list: Option<String>,
}

/// The page for a credential.
pub fn page(view: &View) -> String {
    let description = view
        .description
        .clone()
        .unwrap_or_else(|| format!("{} issued by {}", view.title, view.issuer_name));
    let head = format!(
        "<title>{title} | {issuer}</title>\
         <meta name=\"description\" content=\"{description}\">\
         <meta property=\"og:type\" content=\"website\">\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:description\" content=\"{status}: {description}\">\
         <meta property=\"og:image\" content=\"{image}\">\
         <meta property=\"og:image:alt\" content=\"{belt} badge\">\
         <meta property=\"og:url\" content=\"{url}\">\
         <meta property=\"og:site_name\" content=\"{issuer}\">\
         <meta name=\"twitter:card\" content=\"summary\">\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"{image}\">",
        title = escape(&view.title),
        issuer = escape(&view.issuer_name),
        description = escape(&description),
        status = status_word(&view.status),
        image = escape(&view.links.image),
        belt = escape(&view.belt_name),
        url = escape(&view.links.page),
    );
    let body = format!(
        "<header><p>{issuer}</p></header><main>\
         <div class=\"badge\"><img src=\"{image}\" alt=\"{belt} badge\" width=\"160\" height=\"160\">\
         <div><h1>{title}</h1><p>Issued by <a href=\"{site}\">{issuer}</a></p></div></div>\
         {status}{details}{linkedin}{verify}</main>\
         <footer><p>This page checks the credential's status on the server each time it \
         is shown. The credential is an Open Badges 3.0 Verifiable Credential.</p></footer>",
        issuer = escape(&view.issuer_name),
        image = escape(&view.links.image),
        belt = escape(&view.belt_name),
        title = escape(&view.title),
        site = escape(&view.issuer_site),
        status = status_block(&view.status),
        details = details(view),
        linkedin = linkedin_link(view),
        verify = verify_yourself(view),
    );
    document(&head, &body)
}

/// The page for an id that names no credential.
pub fn not_found(id: &str) -> String {
    let shown: String = id.chars().take(64).collect();
    document(
        "<title>Credential not found</title><meta name=\"robots\" content=\"noindex\">",
        &format!(
            "<main><h1>Credential not found</h1><p>No credential has the id \
             <code>{}</code>. Check the link you were given; a credential's link never \
             changes, even when it is renewed or revoked.</p></main>",
            escape(&shown)
        ),
    )
}

/// The page when one address asked too often (`message` says how long to wait).
pub fn too_many(message: &str) -> String {
    document(
        "<title>Too many requests</title><meta name=\"robots\" content=\"noindex\">",
        &format!(
            "<main><h1>Too many requests</h1><p>{}</p></main>",
            escape(message)
        ),
    )
}

/// The page when the credential could not be read (the cause is in the server log).
pub fn unavailable() -> String {
    document(
        "<title>Credential unavailable</title><meta name=\"robots\" content=\"noindex\">",
        "<main><h1>This credential cannot be shown right now</h1><p>Something failed on \
         our side. Please try again in a few minutes.</p></main>",
    )
}

fn document(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         {head}<style>{STYLE}</style></head><body>{body}</body></html>"
    )
}

fn status_word(status: &LiveStatus) -> &'static str {
    match status {
        LiveStatus::Valid | LiveStatus::Renewed { .. } => "Valid",
        LiveStatus::Expired { .. } => "Expired",
        LiveStatus::Revoked { .. } => "Revoked",
    }
}

/// The status in words, with a symbol and a colour; `role="status"` so it is announced.
fn status_block(status: &LiveStatus) -> String {
    let (class, symbol, words) = match status {
        LiveStatus::Valid => (
            "valid",
            "✓",
            "This credential is valid: it has not expired and has not been revoked.".to_owned(),
        ),
        LiveStatus::Renewed { at_us } => (
            "valid",
            "✓",
            format!(
                "This credential is valid. It was renewed on recertification on {}.",
                human_date(&rfc3339(*at_us))
            ),
        ),
        LiveStatus::Expired { at_us } => (
            "expired",
            "!",
            format!(
                "This credential expired on {}. It was valid before that date.",
                human_date(&rfc3339(*at_us))
            ),
        ),
        LiveStatus::Revoked { at_us, .. } => (
            "revoked",
            "✗",
            format!(
                "This credential was revoked on {} by its issuer. It is no longer valid.",
                human_date(&rfc3339(*at_us))
            ),
        ),
    };
    format!(
        "<div class=\"status {class}\" role=\"status\"><strong><span aria-hidden=\"true\">\
         {symbol}</span> {}</strong><br>{}</div>",
        status_word(status),
        escape(&words)
    )
}

fn details(view: &View) -> String {
    let mut rows = vec![
        ("Belt", escape(&view.belt_name)),
        ("Program", escape(&view.program_name)),
        ("Issuer", escape(&view.issuer_name)),
    ];
    if let Some(holder) = &view.holder {
        rows.push(("Holder", escape(holder)));
    }
    for (label, date) in [
        ("Awarded", &view.awarded),
        ("Valid from", &view.valid_from),
        ("Valid until", &view.valid_until),
    ] {
        if let Some(date) = date {
            rows.push((label, time(date)));
        }
    }
    if view.valid_until.is_none() {
        rows.push(("Valid until", "does not expire".into()));
    }
    rows.push((
        "Credential ID",
        format!("<code>{}</code>", escape(&view.id)),
    ));
    let items: String = rows
        .into_iter()
        .map(|(label, value)| format!("<dt>{label}</dt><dd>{value}</dd>"))
        .collect();
    format!("<h2>Details</h2><dl>{items}</dl>")
}

/// Only a credential that is valid now may be added to a profile.
fn linkedin_link(view: &View) -> String {
    if !matches!(view.status, LiveStatus::Valid | LiveStatus::Renewed { .. }) {
        return String::new();
    }
    let link = linkedin::add_to_profile(&Certification {
        name: &view.title,
        organization: &view.issuer_name,
        issued: view.valid_from.as_deref().and_then(year_month),
        expires: view.valid_until.as_deref().and_then(year_month),
        url: &view.links.page,
        id: &view.id,
    });
    format!(
        "<p><a class=\"linkedin\" href=\"{}\" rel=\"noopener\">Add to LinkedIn profile</a></p>",
        escape(&link)
    )
}

fn verify_yourself(view: &View) -> String {
    let l = &view.links;
    let jwt = format!("{}?format=jwt", l.credential);
    let baked_json = format!("{}?format=json", l.baked);
    let mut links = vec![
        (
            l.credential.as_str(),
            "The credential as JSON",
            " (Open Badges 3.0, Data Integrity proof <code>eddsa-rdfc-2022</code>)",
        ),
        (jwt.as_str(), "The credential as a VC-JWT", " (ES256)"),
        (
            l.baked.as_str(),
            "The badge image with the credential baked in",
            " (SVG, VC-JWT)",
        ),
        (
            baked_json.as_str(),
            "The badge image with the JSON credential baked in",
            " (SVG)",
        ),
        (
            l.issuer.as_str(),
            "The issuer's profile and Data Integrity keys",
            "",
        ),
        (
            l.jwks.as_str(),
            "The issuer's VC-JWT public keys",
            " (JWK Set)",
        ),
    ];
    if let Some(list) = &l.status_list {
        links.push((
            list,
            "The revocation status list",
            " (Bitstring Status List)",
        ));
    }
    let items: String = links
        .into_iter()
        .map(|(href, label, note)| {
            format!("<li><a href=\"{}\">{label}</a>{note}</li>", escape(href))
        })
        .collect();
    format!(
        "<h2>Verify it yourself</h2><p>You do not need to trust this page. Download the \
         credential and check it with any Open Badges 3.0 verifier, for example the \
         Digital Credentials Consortium's VerifierPlus or 1EdTech's Open Badges \
         validator; or check the VC-JWT signature against the issuer's keys with any \
         JOSE library.</p><ul>{items}</ul>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: LiveStatus) -> View {
        View {
            id: "0b6c1a52-8c1e-4c43-9a57-1d1f0d5e2f10".into(),
            title: "White <Belt> — Social".into(),
            belt_name: "White <Belt>".into(),
            program_name: "Social".into(),
            description: Some("Pledged \"to\" post well".into()),
            issuer_name: "Acme & Co".into(),
            issuer_site: "https://acme.example".into(),
            holder: None,
            awarded: Some("2026-01-15T10:00:00Z".into()),
            valid_from: Some("2026-03-01T00:00:00Z".into()),
            valid_until: Some("2027-03-01T00:00:00Z".into()),
            status,
            links: PageLinks {
                page: "https://bb.example/verify/x".into(),
                image: "https://bb.example/ob/achievements/p/white/image.svg".into(),
                credential: "https://bb.example/ob/credentials/x".into(),
                baked: "https://bb.example/ob/credentials/x/badge.svg".into(),
                issuer: "https://bb.example/ob/issuer".into(),
                jwks: "https://bb.example/ob/jwks.json".into(),
                status_list: Some("https://bb.example/ob/status/1".into()),
            },
        }
    }

    #[test]
    fn every_value_from_the_program_or_issuer_is_escaped() {
        let html = page(&view(LiveStatus::Valid));
        assert!(!html.contains("<Belt>"), "{html}");
        assert!(html.contains("White &lt;Belt&gt;"));
        assert!(html.contains("Acme &amp; Co"));
        assert!(html.contains("Pledged &quot;to&quot; post well"));
    }

    #[test]
    fn open_graph_tags_name_the_belt_its_image_and_the_page() {
        let html = page(&view(LiveStatus::Valid));
        assert!(
            html.contains("<meta property=\"og:title\" content=\"White &lt;Belt&gt; — Social\">")
        );
        assert!(html.contains(
            "<meta property=\"og:image\" content=\"https://bb.example/ob/achievements/p/white/image.svg\">"
        ));
        assert!(
            html.contains("<meta property=\"og:url\" content=\"https://bb.example/verify/x\">")
        );
        assert!(html.contains("og:description\" content=\"Valid: "));
    }

    #[test]
    fn each_status_is_said_in_words_not_colour_alone() {
        let valid = page(&view(LiveStatus::Valid));
        assert!(valid.contains("class=\"status valid\"") && valid.contains("✓</span> Valid"));
        let revoked = page(&view(LiveStatus::Revoked {
            at_us: 1_780_000_000_000_000,
            reason: Some("private".into()),
        }));
        assert!(
            revoked.contains("class=\"status revoked\"") && revoked.contains("Revoked</strong>")
        );
        assert!(revoked.contains("was revoked on"), "{revoked}");
        assert!(!revoked.contains("private"), "the reason is not public");
        let expired = page(&view(LiveStatus::Expired {
            at_us: 1_780_000_000_000_000,
        }));
        assert!(expired.contains("Expired</strong>") && expired.contains("expired on"));
        let renewed = page(&view(LiveStatus::Renewed {
            at_us: 1_780_000_000_000_000,
        }));
        assert!(renewed.contains("Valid</strong>") && renewed.contains("renewed"));
    }

    #[test]
    fn only_a_valid_credential_offers_the_linkedin_link() {
        let valid = page(&view(LiveStatus::Valid));
        assert!(valid.contains(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name="
        ));
        assert!(valid.contains(
            "issueYear=2026&amp;issueMonth=3&amp;expirationYear=2027&amp;expirationMonth=3"
        ));
        let revoked = page(&view(LiveStatus::Revoked {
            at_us: 0,
            reason: None,
        }));
        assert!(!revoked.contains("linkedin.com"));
    }

    #[test]
    fn the_holder_is_named_only_when_given() {
        assert!(!page(&view(LiveStatus::Valid)).contains("<dt>Holder</dt>"));
        let mut shown = view(LiveStatus::Valid);
        shown.holder = Some("Ada <L>".into());
        assert!(page(&shown).contains("<dt>Holder</dt><dd>Ada &lt;L&gt;</dd>"));
    }

    #[test]
    fn dates_are_shown_in_words_with_machine_readable_times() {
        let html = page(&view(LiveStatus::Valid));
        assert!(html.contains("<time datetime=\"2026-01-15T10:00:00Z\">15 January 2026</time>"));
    }

    #[test]
    fn an_unknown_id_is_shown_escaped_and_cut() {
        let html = not_found(&format!("<script>{}", "x".repeat(100)));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains(&"x".repeat(60)));
    }
}
