//! The JSON-LD contexts the signer knows, bundled with `include_str!` and never fetched:
//! a context URL not listed here is an error naming it. Where each copy comes from, and
//! its licence, is in `contexts/README.md`.

use std::collections::HashMap;
use std::sync::LazyLock;

use oxjsonld::JsonLdRemoteDocument;
use serde_json::Value;

use crate::error::Error;

/// W3C Verifiable Credentials Data Model 2.0.
pub const VC2: &str = "https://www.w3.org/ns/credentials/v2";
/// 1EdTech Open Badges 3.0, context 3.0.3 (the one the final spec's examples use).
pub const OB3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// 1EdTech's extension terms: defines `1EdTechJsonSchemaValidator2019`, the
/// `credentialSchema.type` the OB spec requires, which VC 2.0 and OB 3.0.3 do not define
/// (JSON-LD would drop it and DCC's verifier would refuse the credential).
pub const OB3_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

static BUNDLED: &[(&str, &str)] = &[
    (VC2, include_str!("contexts/credentials-v2.jsonld")),
    (OB3, include_str!("contexts/ob-context-3.0.3.json")),
    (OB3_EXTENSIONS, include_str!("contexts/ob-extensions.json")),
];

/// The bundled contexts, parsed once (the safe-mode guard reads their terms).
static PARSED: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    BUNDLED
        .iter()
        .filter_map(|(url, body)| Some((*url, serde_json::from_str(body).ok()?)))
        .collect()
});

/// Serves contexts from memory: the bundled ones, plus any a test adds.
#[derive(Clone, Default)]
pub struct Loader {
    extra: Vec<(String, Value)>,
}

impl Loader {
    pub fn bundled() -> Loader {
        Loader::default()
    }

    /// Also serves `document` at `url` (test vectors with their own contexts).
    pub fn with(mut self, url: &str, document: Value) -> Loader {
        self.extra.push((url.to_owned(), document));
        self
    }

    /// The context document at `url`.
    pub fn get(&self, url: &str) -> Result<&Value, Error> {
        PARSED
            .get(url)
            .or_else(|| self.extra.iter().find(|(u, _)| u == url).map(|(_, d)| d))
            .ok_or_else(|| unknown(url))
    }

    /// The callback `oxjsonld` calls for every remote context.
    pub fn load(&self, url: &str) -> Result<JsonLdRemoteDocument, Error> {
        let document = match BUNDLED.iter().find(|(u, _)| *u == url) {
            Some((_, body)) => body.as_bytes().to_vec(),
            None => serde_json::to_vec(self.get(url)?)
                .map_err(|e| Error::Internal(format!("context {url}: {e}")))?,
        };
        Ok(JsonLdRemoteDocument {
            document,
            document_url: url.to_owned(),
        })
    }
}

fn unknown(url: &str) -> Error {
    let known: Vec<&str> = BUNDLED.iter().map(|(u, _)| *u).collect();
    Error::BadRequest(format!(
        "@context {url} is not one of the bundled contexts ({}); contexts are never fetched",
        known.join(", ")
    ))
}
