//! JSON-LD to RDF (`oxjsonld`, contexts from the [`Loader`]) and RDFC-1.0 canonical
//! N-Quads (`oxrdf`): the two steps Data Integrity signs over.

use oxjsonld::JsonLdParser;
use oxrdf::Dataset;
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use serde_json::Value;

use super::contexts::Loader;
use crate::error::Error;

/// The RDF dataset `document` expands to.
pub fn to_dataset(document: &Value, loader: &Loader) -> Result<Dataset, Error> {
    let bytes = serde_json::to_vec(document)
        .map_err(|e| Error::Internal(format!("document not serialisable: {e}")))?;
    let mut dataset = Dataset::new();
    let loader = loader.clone();
    let parser = JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(move |url, _options| {
            loader.load(url).map_err(|e| e.to_string().into())
        });
    for quad in parser {
        // An unknown context reads "Failed to load remote context <url>: <why>".
        let quad = quad.map_err(|e| Error::BadRequest(format!("JSON-LD: {e}")))?;
        dataset.insert(&quad);
    }
    Ok(dataset)
}

/// RDFC-1.0 (SHA-256) canonical N-Quads: blank nodes relabelled, one `<quad> .` line
/// each, lines in code point order.
pub fn canonical_nquads(mut dataset: Dataset) -> String {
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    lines.concat()
}
