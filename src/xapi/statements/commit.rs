//! The transactions behind the statement writer: a group of plain requests shares one
//! transaction; a request that carries cmi5 rules or attachments gets its own. Either
//! way each request is answered on its own: a conflict in one leaves the others alone.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::TransactionTrait;
use tokio::sync::oneshot;

use super::participant::{BatchContext, WriteGrant};
use super::prepare::PreparedStatement;
use super::write::{check_resend, existing_payloads, insert_new, insert_statements};
use super::writer::WriterContext;
use crate::error::Error;
use crate::xapi::attachments::AttachmentPart;
use crate::xapi::attachments::store as attachment_store;
use crate::xapi::clock::WriteTicket;

/// One request in the writer's queue.
pub struct Job {
    pub statements: Vec<PreparedStatement>,
    pub grant: Option<WriteGrant>,
    pub parts: HashMap<String, AttachmentPart>,
    pub reply: oneshot::Sender<Result<(), Error>>,
}

impl Job {
    /// Participants' checks read what earlier requests of the same grant stored (cmi5
    /// session rules), and attachments carry their own writes: such requests are not
    /// merged with others.
    fn stands_alone(&self) -> bool {
        self.grant.is_some() || !self.parts.is_empty()
    }

    fn answer(self, outcome: Result<(), Error>) {
        // The request may have gone (client disconnected); its statements are stored.
        let _ = self.reply.send(outcome);
    }
}

/// Commits `jobs` under one `stored` time and answers each.
pub async fn group(context: Arc<WriterContext>, mut jobs: Vec<Job>) {
    let _gate = context.db.write_gate().await;
    let ticket = context.clock.begin();
    for statement in jobs.iter_mut().flat_map(|job| job.statements.iter_mut()) {
        statement.stamp(ticket.stored);
    }
    let (alone, mut shared): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(Job::stands_alone);
    if shared.len() > 1 {
        match together(&context, &shared, &ticket).await {
            Ok(outcomes) => {
                for (job, outcome) in shared.into_iter().zip(outcomes) {
                    job.answer(outcome);
                }
                shared = Vec::new();
            }
            // A database error says nothing about which request caused it: retry each
            // alone so every request gets its own true answer.
            Err(e) => {
                tracing::warn!(error = %e, "group commit failed; retrying requests one by one")
            }
        }
    }
    for job in alone.into_iter().chain(shared) {
        let outcome = match by_itself(&context, &job, &ticket).await {
            // Another writer (a parallel task on PostgreSQL, or another instance) may
            // have stored one of these ids between our check and our insert; on a second
            // try the check sees it and answers as for any resend or conflict.
            Err(Error::Db(e)) => {
                tracing::debug!(error = %e, "statement write failed; retrying once");
                by_itself(&context, &job, &ticket).await
            }
            outcome => outcome,
        };
        job.answer(outcome);
    }
}

/// One request in its own transaction.
async fn by_itself(context: &WriterContext, job: &Job, ticket: &WriteTicket) -> Result<(), Error> {
    let txn = context.db.writer().begin().await?;
    let ctx = BatchContext::new(ticket.stored, job.grant.as_ref());
    context
        .participants
        .check(&txn, &ctx, &job.statements)
        .await?;
    attachment_store::save(&txn, &job.parts).await?;
    let fresh = insert_statements(&txn, &job.statements, ticket.stored_us()).await?;
    // What follows from the statements (progress, `satisfied`) commits with them.
    context.participants.project(&txn, &ctx, &fresh).await?;
    txn.commit().await?;
    metrics::counter!("xapi_statements_stored_total").increment(fresh.len() as u64);
    Ok(())
}

/// Several plain requests in one transaction. Requests are taken in queue order, as if
/// each had committed alone: a statement id already stored, or taken by an earlier
/// request of the group, must be a resend of the same statement, else that request
/// alone is refused with 409. The outer error is a database failure of the whole group.
async fn together(
    context: &WriterContext,
    jobs: &[Job],
    ticket: &WriteTicket,
) -> Result<Vec<Result<(), Error>>, Error> {
    let txn = context.db.writer().begin().await?;
    let ids: Vec<&str> = jobs
        .iter()
        .flat_map(|job| &job.statements)
        .map(|s| s.id.as_str())
        .collect();
    let stored = existing_payloads(&txn, ids.into_iter()).await?;
    let mut taken: HashMap<&str, &PreparedStatement> = HashMap::new();
    let mut fresh: Vec<&PreparedStatement> = Vec::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut new_here = Vec::new();
        let mut outcome = Ok(());
        for statement in &job.statements {
            let earlier = stored
                .get(&statement.id)
                .or_else(|| taken.get(statement.id.as_str()).map(|s| &s.payload));
            match earlier {
                Some(earlier) => {
                    if let Err(e) = check_resend(earlier, statement) {
                        outcome = Err(e);
                        break;
                    }
                }
                None => new_here.push(statement),
            }
        }
        if outcome.is_ok() {
            for statement in new_here {
                taken.insert(&statement.id, statement);
                fresh.push(statement);
            }
        }
        outcomes.push(outcome);
    }
    insert_new(&txn, &fresh, ticket.stored_us()).await?;
    let ctx = BatchContext::new(ticket.stored, None);
    context.participants.project(&txn, &ctx, &fresh).await?;
    txn.commit().await?;
    metrics::counter!("xapi_statements_stored_total").increment(fresh.len() as u64);
    Ok(outcomes)
}
