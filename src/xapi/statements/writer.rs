//! Group commit for statement writes. Requests validate their statements on their own
//! task, then queue them; a writer task takes everything queued and stores it in one
//! transaction, so concurrent clients share the round trips and the commit instead of
//! queueing for the database one by one. Each request still gets its own answer, sent
//! only after the commit that holds its statements.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::commit::{self, Job};
use super::participant::{Participants, WriteGrant};
use super::prepare::PreparedStatement;
use crate::db::Db;
use crate::error::Error;
use crate::xapi::attachments::AttachmentPart;
use crate::xapi::clock::WriteClock;

/// Statements per group: large enough to amortise a commit over many requests, small
/// enough that a group's transaction stays in the tens of milliseconds.
const MAX_GROUP_STATEMENTS: usize = 1_000;
/// Requests waiting for a writer; beyond this, requests wait to enqueue (backpressure).
const QUEUE_DEPTH: usize = 4_096;

/// The handle requests submit statements through. Cheap to clone.
#[derive(Clone)]
pub struct StatementWriter {
    queue: mpsc::Sender<Job>,
}

/// What the writer needs to commit a group.
pub struct WriterContext {
    pub db: Db,
    pub clock: WriteClock,
    /// What reacts to stored statements, in order (registered in `App::build`).
    pub participants: Participants,
    /// Writer tasks on PostgreSQL, whose transactions run in parallel. SQLite has one
    /// writer connection, so one task.
    pub postgres_writers: usize,
}

/// One request's statements, validated and ready to store.
pub struct Submission {
    pub statements: Vec<PreparedStatement>,
    /// Set for a launched module's token: participants that understand it (cmi5
    /// session rules) check the request against it.
    pub grant: Option<WriteGrant>,
    pub parts: HashMap<String, AttachmentPart>,
}

impl StatementWriter {
    /// Starts the writer tasks on the current runtime.
    pub fn spawn(context: WriterContext) -> StatementWriter {
        let (queue, receiver) = mpsc::channel(QUEUE_DEPTH);
        let writers = if context.db.has_single_writer() {
            1
        } else {
            context.postgres_writers.max(1)
        };
        let receiver = Arc::new(Mutex::new(receiver));
        let context = Arc::new(context);
        for _ in 0..writers {
            tokio::spawn(run(receiver.clone(), context.clone()));
        }
        StatementWriter { queue }
    }

    /// Stores the submission; returns once it is committed (or refused).
    pub async fn write(&self, submission: Submission) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            statements: submission.statements,
            grant: submission.grant,
            parts: submission.parts,
            reply,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| Error::Internal("the statement writer has stopped".into()))?;
        answer.await.map_err(|_| {
            Error::Internal("the statement writer failed while storing this request".into())
        })?
    }
}

/// Takes the next group off the queue and commits it, for as long as the queue lives.
async fn run(receiver: Arc<Mutex<mpsc::Receiver<Job>>>, context: Arc<WriterContext>) {
    loop {
        let Some(group) = next_group(&receiver).await else {
            return;
        };
        // A panic while committing drops the group's reply senders (those requests get
        // a 500) but must not stop the writer.
        let task = tokio::spawn(commit::group(context.clone(), group));
        if let Err(e) = task.await {
            tracing::error!(error = %e, "statement group commit panicked");
        }
    }
}

/// Waits for one job, then takes whatever else is already queued, up to the group cap.
async fn next_group(receiver: &Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut receiver = receiver.lock().await;
    let first = receiver.recv().await?;
    let mut size = first.statements.len();
    let mut group = vec![first];
    while size < MAX_GROUP_STATEMENTS {
        match receiver.try_recv() {
            Ok(job) => {
                size += job.statements.len();
                group.push(job);
            }
            Err(_) => break,
        }
    }
    Some(group)
}
