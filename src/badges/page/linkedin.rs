//! LinkedIn's "Add to profile" link for a certification: a plain URL (no SDK, no
//! script) with the certification's name, the issuing organisation, issue and
//! expiry month and year (months 1–12), the credential's URL and id, percent-encoded.

/// What the link carries.
pub struct Certification<'a> {
    pub name: &'a str,
    pub organization: &'a str,
    /// (year, month 1–12)
    pub issued: Option<(i16, i8)>,
    pub expires: Option<(i16, i8)>,
    pub url: &'a str,
    pub id: &'a str,
}

pub fn add_to_profile(cert: &Certification<'_>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("startTask", "CERTIFICATION_NAME");
    query.append_pair("name", cert.name);
    query.append_pair("organizationName", cert.organization);
    if let Some((year, month)) = cert.issued {
        query.append_pair("issueYear", &year.to_string());
        query.append_pair("issueMonth", &month.to_string());
    }
    if let Some((year, month)) = cert.expires {
        query.append_pair("expirationYear", &year.to_string());
        query.append_pair("expirationMonth", &month.to_string());
    }
    query.append_pair("certUrl", cert.url);
    query.append_pair("certId", cert.id);
    format!("https://www.linkedin.com/profile/add?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_names_the_certification_with_encoded_values_and_one_based_months() {
        let link = add_to_profile(&Certification {
            name: "Black Belt — Social & Media",
            organization: "Acme Inc.",
            issued: Some((2026, 1)),
            expires: Some((2027, 12)),
            url: "https://bb.example/verify/abc?x=1",
            id: "abc",
        });
        assert!(link.starts_with(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name="
        ));
        assert!(
            link.contains("name=Black+Belt+%E2%80%94+Social+%26+Media"),
            "{link}"
        );
        assert!(link.contains("organizationName=Acme+Inc."), "{link}");
        assert!(link.contains("issueYear=2026&issueMonth=1&"), "{link}");
        assert!(
            link.contains("expirationYear=2027&expirationMonth=12&"),
            "{link}"
        );
        assert!(
            link.contains("certUrl=https%3A%2F%2Fbb.example%2Fverify%2Fabc%3Fx%3D1"),
            "{link}"
        );
        assert!(link.ends_with("certId=abc"));
    }

    #[test]
    fn a_certification_that_never_expires_has_no_expiry_in_the_link() {
        let link = add_to_profile(&Certification {
            name: "n",
            organization: "o",
            issued: Some((2026, 3)),
            expires: None,
            url: "u",
            id: "i",
        });
        assert!(!link.contains("expiration"), "{link}");
    }
}
