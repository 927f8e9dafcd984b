//! The document seam: a layer above the LRS that issues grants (a launched AU's
//! session) registers here what its grant holders may do with documents, and the
//! handlers ask each participant in turn. The LRS core names none of them, so
//! `src/xapi` depends on no layer above it (the statement side is
//! `statements::participant`).

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::key::DocumentParams;
use crate::auth::Grant;
use crate::db::Db;
use crate::error::Error;

/// What a request does to a document resource.
#[derive(Debug, Clone, Copy)]
pub enum DocumentAccess<'a> {
    /// GET: one document, or the ids in scope.
    Read,
    /// PUT or POST, with the body as sent.
    Write {
        content_type: &'a str,
        bytes: &'a [u8],
    },
    /// DELETE: one document, or (without an id) every one in scope.
    Delete,
}

impl DocumentAccess<'_> {
    /// Whether the request changes documents.
    pub fn writes(&self) -> bool {
        !matches!(self, DocumentAccess::Read)
    }
}

/// One document request, parsed and past the scope check.
#[derive(Debug, Clone, Copy)]
pub struct DocumentRequest<'a> {
    pub params: &'a DocumentParams,
    pub access: DocumentAccess<'a>,
}

/// Something that rules on the document requests made with a grant. Object safe; the
/// participant downcasts the grant (`auth::downcast`) and lets through the grants it
/// does not know.
pub trait DocumentParticipant: Send + Sync + 'static {
    /// Refuses the request, or takes note of it (a read it must remember), before the
    /// document is read or written.
    fn check<'a>(
        &'a self,
        db: &'a Db,
        grant: &'a dyn Grant,
        request: DocumentRequest<'a>,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

/// The participants in the order they run: the order they were registered in.
#[derive(Clone, Default)]
pub struct DocumentParticipants(Arc<[Arc<dyn DocumentParticipant>]>);

impl DocumentParticipants {
    pub fn new(list: Vec<Arc<dyn DocumentParticipant>>) -> DocumentParticipants {
        DocumentParticipants(list.into())
    }

    /// Each participant's check in turn for a request with a grant; the first refusal
    /// refuses the request. Requests without a grant are not theirs to rule on.
    pub async fn check(
        &self,
        db: &Db,
        grant: Option<&dyn Grant>,
        request: DocumentRequest<'_>,
    ) -> Result<(), Error> {
        let Some(grant) = grant else {
            return Ok(());
        };
        for participant in self.0.iter() {
            participant.check(db, grant, request).await?;
        }
        Ok(())
    }
}
