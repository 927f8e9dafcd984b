//! HTML pages served by the binary that are not part of the API.

pub mod api_docs;
