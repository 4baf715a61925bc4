//! The writer thread: the only owner of the write connection, group-committing appends.
//!
//! Every append is a request on a channel. The thread takes the first waiting request, drains
//! whatever else is already waiting, and applies them all in one `BEGIN IMMEDIATE` transaction,
//! each inside its own savepoint so that one rejected append (conflict, reused id) leaves the
//! others untouched. One `COMMIT` (one WAL fsync with `synchronous=FULL`) makes the whole group
//! durable; only then are the callers answered and subscribers woken. If the commit fails,
//! every caller in the group gets the error and nothing of the group is acknowledged.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use chrono::Utc;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{oneshot, watch};

use super::rows::{COLUMNS, decode_row, to_sql_int};
use crate::{AppendResult, StoreError};

/// One append waiting for the writer.
pub struct AppendRequest {
    /// The stream to append to.
    pub stream: StreamName,
    /// What the caller expects the stream to be.
    pub expected: ExpectedRevision,
    /// The events, already checked by [`crate::rules::check_append`].
    pub events: Vec<NewEvent>,
    /// Where the outcome goes once it is durable.
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
}

/// Most appends in one group, and most events.
const MAX_GROUP_APPENDS: usize = 1024;
const MAX_GROUP_EVENTS: usize = 20_000;
/// How long the writer waits for stragglers when the previous group was larger than this one.
const GATHER_WINDOW: Duration = Duration::from_micros(150);

/// Runs until every sender is dropped.
pub fn run(mut connection: Connection, requests: Receiver<AppendRequest>, head: watch::Sender<u64>) {
    let mut previous_group_len = 0;
    while let Ok(first) = requests.recv() {
        let group = gather(first, &requests, previous_group_len);
        previous_group_len = group.len();
        commit_group(&mut connection, group, &head);
    }
    tracing::debug!("event store writer stopped");
}

/// Drains what is waiting. When the last group was bigger, callers it answered are likely
/// about to send again: give them a short window so the groups stay large under load.
fn gather(first: AppendRequest, requests: &Receiver<AppendRequest>, previous_group_len: usize) -> Vec<AppendRequest> {
    let mut events = first.events.len();
    let mut group = vec![first];
    let started = Instant::now();
    while group.len() < MAX_GROUP_APPENDS && events < MAX_GROUP_EVENTS {
        match requests.try_recv() {
            Ok(request) => {
                events += request.events.len();
                group.push(request);
            }
            Err(TryRecvError::Empty) if group.len() < previous_group_len && started.elapsed() < GATHER_WINDOW => {
                std::thread::yield_now();
            }
            Err(_) => break,
        }
    }
    group
}

fn commit_group(connection: &mut Connection, group: Vec<AppendRequest>, head: &watch::Sender<u64>) {
    let recorded_at = Utc::now().timestamp_micros();
    let outcome = (|| -> Result<(Vec<Result<AppendResult, StoreError>>, Option<u64>), rusqlite::Error> {
        let mut transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(group.len());
        for request in &group {
            let mut savepoint = transaction.savepoint()?;
            let result = apply(&savepoint, request, recorded_at);
            if result.is_ok() {
                savepoint.commit()?;
            } else {
                savepoint.rollback()?;
                savepoint.commit()?;
            }
            results.push(result);
        }
        let last_position: Option<i64> = transaction.query_row("SELECT max(position) FROM events", [], |r| r.get(0))?;
        transaction.commit()?;
        Ok((results, last_position.and_then(|p| u64::try_from(p).ok())))
    })();
    match outcome {
        Ok((results, last_position)) => {
            if let Some(position) = last_position {
                head.send_if_modified(|current| {
                    let advanced = position > *current;
                    if advanced {
                        *current = position;
                    }
                    advanced
                });
            }
            for (request, result) in group.into_iter().zip(results) {
                let _ = request.reply.send(result);
            }
        }
        Err(error) => {
            tracing::error!(%error, appends = group.len(), "event store commit failed; nothing of the group was acknowledged");
            let message = error.to_string();
            for request in group {
                let failure = StoreError::unavailable(
                    format!("committing the append to `{}`", request.stream),
                    message.clone(),
                );
                let _ = request.reply.send(Err(failure));
            }
        }
    }
}

fn unavailable(stream: &StreamName, error: rusqlite::Error) -> StoreError {
    StoreError::unavailable(format!("appending to `{stream}`"), error)
}

fn current_revision(connection: &Connection, stream: &StreamName) -> Result<Option<u64>, StoreError> {
    let revision: Option<i64> = connection
        .prepare_cached("SELECT revision FROM events WHERE stream = ?1 ORDER BY revision DESC LIMIT 1")
        .and_then(|mut s| s.query_row([stream.as_str()], |r| r.get(0)).optional())
        .map_err(|e| unavailable(stream, e))?;
    revision
        .map(|r| u64::try_from(r).map_err(|_| StoreError::Corrupt(format!("negative revision in `{stream}`"))))
        .transpose()
}

fn find_by_id(connection: &Connection, stream: &StreamName, id: &uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))
        .map_err(|e| unavailable(stream, e))?;
    let mut rows = statement.query([id.as_bytes().as_slice()]).map_err(|e| unavailable(stream, e))?;
    match rows.next().map_err(|e| unavailable(stream, e))? {
        Some(row) => decode_row(row).map(Some),
        None => Ok(None),
    }
}

fn reused_id(request: &AppendRequest, existing: &RecordedEvent) -> StoreError {
    StoreError::DuplicateEventId {
        stream: request.stream.clone(),
        id: existing.id,
        where_stored: format!("in `{}` at revision {}", existing.stream, existing.revision),
    }
}

/// Applies one append inside its savepoint. Never leaves part of it behind on error: the caller
/// rolls the savepoint back.
fn apply(connection: &Connection, request: &AppendRequest, recorded_at: i64) -> Result<AppendResult, StoreError> {
    let stream = &request.stream;
    // A retry of an append that already committed: answer as the first time, write nothing.
    if let Some(first) = request.events.first() {
        if let Some(existing) = find_by_id(connection, stream, &first.id.0)? {
            return replay_of_committed_append(connection, request, existing);
        }
    }
    let current = current_revision(connection, stream)?;
    let matches = match request.expected {
        ExpectedRevision::Any => true,
        ExpectedRevision::NoStream => current.is_none(),
        ExpectedRevision::StreamExists => current.is_some(),
        ExpectedRevision::Exact(expected) => current == Some(expected.0),
    };
    if !matches {
        return Err(StoreError::Conflict { stream: stream.clone(), expected: request.expected, actual: current.map(Revision) });
    }
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO events (stream, revision, id, event_type, schema_version, recorded_at, data,
                                 actor, tenant, correlation_id, causation_id, occurred_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(|e| unavailable(stream, e))?;
    let mut revision = current.map_or(0, |r| r + 1);
    let mut position = 0;
    for event in &request.events {
        let metadata = &event.metadata;
        let inserted = insert.execute(params![
            stream.as_str(),
            to_sql_int(revision),
            event.id.0.as_bytes().as_slice(),
            event.event_type.as_str(),
            i64::from(event.schema_version),
            recorded_at,
            event.data.as_str(),
            metadata.actor.as_deref(),
            metadata.tenant.as_deref(),
            metadata.correlation_id.as_ref().map(|id| id.as_bytes().as_slice()),
            metadata.causation_id.as_ref().map(|id| id.as_bytes().as_slice()),
            metadata.occurred_at.map(|t| t.timestamp_micros()),
        ]);
        match inserted {
            Ok(_) => {}
            Err(error) if error.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                return Err(match find_by_id(connection, stream, &event.id.0)? {
                    Some(existing) => reused_id(request, &existing),
                    None => StoreError::Corrupt(format!("`{stream}` revision {revision} already exists")),
                });
            }
            Err(error) => return Err(unavailable(stream, error)),
        }
        position = connection.last_insert_rowid();
        revision += 1;
    }
    Ok(AppendResult {
        next_expected: Revision(revision - 1),
        position: Position::sequence(u64::try_from(position).unwrap_or(0)),
    })
}

/// The first id of the append is already stored: it is either a retry of that very append
/// (every event stored, same stream, consecutive, same content) or a reused id.
fn replay_of_committed_append(
    connection: &Connection,
    request: &AppendRequest,
    first_existing: RecordedEvent,
) -> Result<AppendResult, StoreError> {
    let mut previous: Option<RecordedEvent> = None;
    for (index, event) in request.events.iter().enumerate() {
        let existing = if index == 0 {
            Some(first_existing.clone())
        } else {
            find_by_id(connection, &request.stream, &event.id.0)?
        };
        let Some(existing) = existing else {
            // Part of the batch is stored and part is not: not a retry of one append.
            let first = &request.events[0];
            return Err(StoreError::DuplicateEventId {
                stream: request.stream.clone(),
                id: first.id,
                where_stored: format!("in `{}` as part of another append", first_existing.stream),
            });
        };
        let follows = previous.as_ref().is_none_or(|p| existing.revision == p.revision.next());
        if existing.stream != request.stream || !event.is_same_as(&existing) || !follows {
            return Err(reused_id(request, &existing));
        }
        previous = Some(existing);
    }
    let last = previous.unwrap_or(first_existing);
    Ok(AppendResult { next_expected: last.revision, position: last.position })
}
