//! The writer: the only code that writes, group-committing appends.
//!
//! One [`Writer`] owns the only write connection, behind a mutex: whoever holds it commits.
//! An append first tries to take it itself (the uncontended case: the caller's own thread runs
//! the commit, with no hand-off to another thread and back, which on a virtual machine costs
//! about as much as the commit's CPU work). If someone else is committing, the append joins a
//! queue and the writer thread picks it up; whoever commits next takes every append waiting at
//! that moment into one `BEGIN IMMEDIATE` transaction — one WAL flush for all of them.
//!
//! Other processes may write the same file (the CLI beside a running server, a second
//! server on one data directory): SQLite's write lock serialises them, and every group first
//! reads the last position on disk under that lock. If it moved past what this writer
//! committed, another process wrote: the group continues from there and the remembered
//! revisions are forgotten, so neither positions nor expected revisions are ever stale.
//!
//! An append that is rejected (conflict, reused id) has whatever part of it was inserted
//! deleted again before the next one runs, so it leaves no trace while the others commit.
//! Callers are answered and subscribers woken only after `COMMIT` (with `synchronous=FULL`)
//! returned. If SQLite itself fails, the whole group is rolled back and every caller in it gets
//! the error: nothing is acknowledged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, TryLockError};

use chrono::Utc;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{oneshot, watch};

use super::rows::{COLUMNS, decode_row, to_sql_int};
use crate::{AppendResult, StoreError};

/// One append waiting to be committed.
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

/// Most events one group commits; a larger backlog is split over several commits.
const MAX_GROUP_EVENTS: usize = 20_000;

/// Most streams whose last revision the writer remembers; beyond it the memory starts over.
const REMEMBERED_STREAMS: usize = 65_536;

/// The write connection and what the writer remembers between groups.
pub struct Core {
    connection: Connection,
    /// The position of the last committed event (0 for an empty store).
    committed: i64,
    head: Arc<watch::Sender<u64>>,
    /// Last committed revision of recently written streams, saving an index lookup per append.
    /// Forgotten whenever another process is found to have written the file.
    revisions: HashMap<StreamName, u64>,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<AppendRequest>,
    closed: bool,
}

/// The shared writer: the connection, the queue, and the signal that wakes the writer thread.
pub struct Writer {
    core: Mutex<Core>,
    queue: Mutex<Queue>,
    queued: Condvar,
}

impl Writer {
    /// Wraps the write connection; `committed` is the last position already in the file.
    pub fn new(connection: Connection, committed: i64, head: Arc<watch::Sender<u64>>) -> Self {
        Self {
            core: Mutex::new(Core { connection, committed, head, revisions: HashMap::new() }),
            queue: Mutex::new(Queue::default()),
            queued: Condvar::new(),
        }
    }

    fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the queue lock leaves the queue itself consistent.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes what is waiting, up to [`MAX_GROUP_EVENTS`] events (at least one append).
    fn take_waiting(queue: &mut Queue, group: &mut Vec<AppendRequest>) {
        let mut events: usize = group.iter().map(|r| r.events.len()).sum();
        while let Some(next) = queue.waiting.front() {
            if !group.is_empty() && events + next.events.len() > MAX_GROUP_EVENTS {
                break;
            }
            events += next.events.len();
            group.extend(queue.waiting.pop_front());
        }
    }

    /// Commits `request` now on this thread if nobody else is committing; otherwise queues it
    /// for the writer thread. Either way the outcome arrives on the request's reply channel.
    /// Blocks for a flush when it commits: call it where blocking is allowed.
    pub fn submit(&self, request: AppendRequest) -> Result<(), StoreError> {
        let mut core = match self.core.try_lock() {
            Ok(core) => core,
            Err(TryLockError::WouldBlock) => return self.enqueue(request),
            Err(TryLockError::Poisoned(_)) => return Err(StoreError::Corrupt("the writer panicked earlier".into())),
        };
        let mut group = Vec::new();
        {
            let mut queue = self.lock_queue();
            if queue.closed {
                return Err(StoreError::Closed);
            }
            // Appends queued before this one go first, in the same commit.
            Self::take_waiting(&mut queue, &mut group);
        }
        group.push(request);
        commit_group(&mut core, group);
        Ok(())
    }

    /// Queues `request` for the writer thread.
    pub fn enqueue(&self, request: AppendRequest) -> Result<(), StoreError> {
        let mut queue = self.lock_queue();
        if queue.closed {
            return Err(StoreError::Closed);
        }
        queue.waiting.push_back(request);
        drop(queue);
        self.queued.notify_one();
        Ok(())
    }

    /// Whether [`Writer::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.lock_queue().closed
    }

    /// Whether an append may commit on the caller's thread right now (nobody else is).
    pub fn is_idle(&self) -> bool {
        self.core.try_lock().is_ok()
    }

    /// The writer thread: commits queued appends until [`Writer::close`] and the queue is empty.
    pub fn run(&self) {
        loop {
            let mut group = Vec::new();
            {
                let mut queue = self.lock_queue();
                while queue.waiting.is_empty() && !queue.closed {
                    queue = self.queued.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                if queue.waiting.is_empty() {
                    break;
                }
                Self::take_waiting(&mut queue, &mut group);
            }
            let Ok(mut core) = self.core.lock() else {
                for request in group {
                    let _ = request.reply.send(Err(StoreError::Corrupt("the writer panicked earlier".into())));
                }
                continue;
            };
            // Appends that arrived while waiting for the connection join this commit.
            Self::take_waiting(&mut self.lock_queue(), &mut group);
            commit_group(&mut core, group);
        }
        tracing::debug!("event store writer stopped");
    }

    /// Refuses new appends and lets the writer thread finish what is queued.
    pub fn close(&self) {
        self.lock_queue().closed = true;
        self.queued.notify_all();
    }
}

fn commit_group(core: &mut Core, group: Vec<AppendRequest>) {
    let recorded_at = Utc::now().timestamp_micros();
    let mut last_position = core.committed;
    // Revisions written by this group; they become known only if the group commits.
    let mut written: HashMap<StreamName, u64> = HashMap::new();
    let mut written_elsewhere = false;
    let remembered = &core.revisions;
    let forgotten = HashMap::new();
    let outcome = (|| -> Result<Vec<Result<AppendResult, StoreError>>, StoreError> {
        let transaction = core
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::unavailable("starting a write transaction", e))?;
        // Under the write lock: did another process commit since this writer last did?
        let on_disk: i64 = transaction
            .prepare_cached("SELECT coalesce(max(position), 0) FROM events")
            .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
            .map_err(|e| StoreError::unavailable("reading the last position", e))?;
        written_elsewhere = on_disk != last_position;
        last_position = on_disk;
        let known = if written_elsewhere { &forgotten } else { remembered };
        let mut results = Vec::with_capacity(group.len());
        for request in &group {
            let remembered = written.get(&request.stream).or_else(|| known.get(&request.stream)).copied();
            let result = apply(&transaction, request, remembered, recorded_at, last_position);
            match &result {
                Ok(appended) => {
                    last_position = last_position.max(to_sql_int(appended.position.commit));
                    written.insert(request.stream.clone(), appended.next_expected.0);
                }
                // The store itself failed: give up the whole group, nothing is acknowledged.
                Err(error @ StoreError::Unavailable { .. }) => {
                    return Err(StoreError::unavailable("appending", error.to_string()));
                }
                // A rejected append: remove whatever part of it was inserted before the rejection.
                Err(_) => undo_since(&transaction, last_position)?,
            }
            results.push(result);
        }
        transaction.commit().map_err(|e| StoreError::unavailable("committing appends", e))?;
        Ok(results)
    })();
    match outcome {
        Ok(results) => {
            core.committed = last_position;
            if written_elsewhere || core.revisions.len() + written.len() > REMEMBERED_STREAMS {
                core.revisions.clear();
            }
            core.revisions.extend(written);
            if let Ok(position) = u64::try_from(last_position) {
                core.head.send_if_modified(|current| {
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
                let failure =
                    StoreError::unavailable(format!("committing the append to `{}`", request.stream), message.clone());
                let _ = request.reply.send(Err(failure));
            }
        }
    }
}

/// Deletes every row after `position`: the rows a rejected append inserted in this transaction.
/// Positions are assigned under the writer's lock alone, so nothing else can be there.
fn undo_since(connection: &Connection, position: i64) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM events WHERE position > ?1")
        .and_then(|mut statement| statement.execute([position]))
        .map(|_| ())
        .map_err(|e| StoreError::unavailable("undoing a rejected append", e))
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

fn find_by_id(
    connection: &Connection,
    stream: &StreamName,
    id: &uuid::Uuid,
) -> Result<Option<RecordedEvent>, StoreError> {
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

/// Applies one append. On a rejection it may have inserted part of the batch; the caller
/// removes that with [`undo_since`]. `StoreError::Unavailable` means SQLite itself failed.
///
/// The happy path costs one revision lookup and the inserts: ids are looked up only when
/// something fails (a conflict or a unique-id violation), which is where a retry shows up.
fn apply(
    connection: &Connection,
    request: &AppendRequest,
    remembered_revision: Option<u64>,
    recorded_at: i64,
    last_position: i64,
) -> Result<AppendResult, StoreError> {
    let stream = &request.stream;
    let Some(first) = request.events.first() else {
        return Err(StoreError::EmptyAppend { stream: stream.clone() });
    };
    let current = match remembered_revision {
        Some(revision) => Some(revision),
        None => current_revision(connection, stream)?,
    };
    let matches = match request.expected {
        ExpectedRevision::Any => true,
        ExpectedRevision::NoStream => current.is_none(),
        ExpectedRevision::StreamExists => current.is_some(),
        ExpectedRevision::Exact(expected) => current == Some(expected.0),
    };
    if !matches {
        // A retry of an append that already committed: answer as the first time, write nothing.
        if let Some(existing) = find_by_id(connection, stream, &first.id.0)? {
            return replay_of_committed_append(connection, request, existing);
        }
        return Err(StoreError::Conflict {
            stream: stream.clone(),
            expected: request.expected,
            actual: current.map(Revision),
        });
    }
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO events (stream, revision, id, event_type, schema_version, recorded_at, data,
                                 actor, tenant, correlation_id, causation_id, occurred_at, request_digest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .map_err(|e| unavailable(stream, e))?;
    let mut revision = current.map_or(0, |r| r + 1);
    let mut position = last_position;
    for (index, event) in request.events.iter().enumerate() {
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
            metadata.request_digest.as_deref(),
        ]);
        match inserted {
            Ok(_) => {}
            Err(error) if error.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                let existing = find_by_id(connection, stream, &event.id.0)?;
                return match existing {
                    // The first id is taken: a retry (under `Any` or `StreamExists`) or a reuse.
                    Some(existing) if index == 0 => replay_of_committed_append(connection, request, existing),
                    Some(existing) => Err(reused_id(request, &existing)),
                    None => Err(StoreError::Corrupt(format!("`{stream}` revision {revision} already exists"))),
                };
            }
            Err(error) => return Err(unavailable(stream, error)),
        }
        position = connection.last_insert_rowid();
        revision += 1;
    }
    Ok(AppendResult {
        next_expected: Revision(revision - 1),
        position: Position::sequence(u64::try_from(position).unwrap_or(0)),
        replayed: false,
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
    Ok(AppendResult { next_expected: last.revision, position: last.position, replayed: true })
}
