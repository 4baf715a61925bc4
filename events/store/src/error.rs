//! The one error type every backend returns.

use kirjuri_events::{EventId, ExpectedRevision, Revision, StreamName};

/// Boxed source error of a backend (SQLite, gRPC).
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong with a store operation; each variant is something a caller acts on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream was not where the append expected it; nothing was written.
    #[error("append to `{stream}` expected {expected} but the stream is at {}; nothing was written", describe_actual(.actual))]
    Conflict {
        /// The stream appended to.
        stream: StreamName,
        /// What the append expected.
        expected: ExpectedRevision,
        /// The stream's last revision, `None` if it does not exist.
        actual: Option<Revision>,
    },
    /// An event id is already stored with other content, or in another stream; nothing was written.
    #[error(
        "event id {id} is already stored {where_stored} with different content; an event id may not be reused (append to `{stream}` wrote nothing)"
    )]
    DuplicateEventId {
        /// The stream appended to.
        stream: StreamName,
        /// The reused id.
        id: EventId,
        /// Where the earlier event lives, in words.
        where_stored: String,
    },
    /// The same id appears twice in one batch; nothing was written.
    #[error("event id {id} appears more than once in one append to `{stream}`; nothing was written")]
    DuplicateIdInBatch {
        /// The stream appended to.
        stream: StreamName,
        /// The repeated id.
        id: EventId,
    },
    /// An append held no events.
    #[error("append to `{stream}` holds no events; an append must hold at least one")]
    EmptyAppend {
        /// The stream appended to.
        stream: StreamName,
    },
    /// An event is larger than the configured limit; nothing was written.
    #[error(
        "event {id} for `{stream}` is {size} bytes (data plus metadata), over the limit of {limit} bytes; nothing was written"
    )]
    EventTooLarge {
        /// The stream appended to.
        stream: StreamName,
        /// The oversized event.
        id: EventId,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A read or subscription argument was out of range.
    #[error("invalid {field}: {rule}")]
    InvalidArgument {
        /// The argument.
        field: &'static str,
        /// The rule it broke.
        rule: String,
    },
    /// The store file was written by a newer kirjuri.
    #[error(
        "the event store at {path} has schema version {found}, newer than this kirjuri understands ({supported}); upgrade kirjuri, never downgrade a store"
    )]
    IncompatibleSchema {
        /// The file.
        path: String,
        /// The version in the file.
        found: i64,
        /// The newest version this build understands.
        supported: i64,
    },
    /// Stored data breaks an invariant or cannot be decoded.
    #[error("the event store is corrupt: {0}")]
    Corrupt(String),
    /// The backend could not be reached or failed; the operation may be retried.
    #[error("the event store is unavailable: {context}")]
    Unavailable {
        /// What was being done.
        context: String,
        /// The backend's error.
        #[source]
        source: BackendError,
    },
    /// The store has shut down.
    #[error("the event store is closed")]
    Closed,
}

fn describe_actual(actual: &Option<Revision>) -> String {
    match actual {
        Some(revision) => format!("revision {revision}"),
        None => "no stream".to_owned(),
    }
}

impl StoreError {
    /// Wraps a backend failure with what was being done.
    pub fn unavailable(context: impl Into<String>, source: impl Into<BackendError>) -> Self {
        Self::Unavailable { context: context.into(), source: source.into() }
    }
}
