//! kirjuri's event store: one contract, two backends, one conformance suite.
//!
//! The [`EventStore`] trait is the whole contract (see `ARCHITECTURE.md`, "The event store
//! contract"): atomic appends with an expected revision, idempotent retries of identical
//! appends, gapless stream revisions, a global `$all` order, reads both ways, and a
//! subscription that delivers history then live events with no gap and no duplicate.
//!
//! - [`SqliteStore`] is the embedded default. One writer thread owns the only write
//!   connection and group-commits every waiting append into one transaction and one fsync;
//!   reads go through a small pool of read connections; subscribers are woken by the writer
//!   after each commit.
//! - [`KurrentStore`] maps the same contract onto a KurrentDB cluster through the official
//!   `kurrentdb` client.
//! - `conformance` (feature `conformance`) holds the suite both must pass.
//!
//! Rules shared by every backend (argument checks, size limits) live in [`rules`], so both
//! reject the same input with the same error.

mod error;
pub mod kurrent;
pub mod rules;
pub mod sqlite;
mod subscription;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

use async_trait::async_trait;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};

pub use error::{BackendError, StoreError};
pub use kurrent::{KurrentStore, KurrentStoreOptions};
pub use sqlite::{SqliteStore, SqliteStoreOptions, StoreCheckReport};
pub use subscription::Subscription;

/// The default largest event (data plus metadata), in bytes.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The largest page one read may ask for.
pub const MAX_READ_LIMIT: usize = 100_000;

/// Where an append put its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendResult {
    /// The revision of the last event written: pass it as `Exact` to append after it.
    pub next_expected: Revision,
    /// The global position of the last event written.
    pub position: Position,
    /// Whether this answers a retry: the store found the very same append already committed
    /// and wrote nothing (so exactly one of several identical appends says `false`).
    pub replayed: bool,
}

/// Which way a read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Oldest first.
    #[default]
    Forward,
    /// Newest first.
    Backward,
}

/// How to read one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadStreamOptions {
    /// Which way to go.
    pub direction: Direction,
    /// The first revision to return (inclusive); `None` starts at the stream's start (forward)
    /// or end (backward).
    pub from: Option<Revision>,
    /// At most this many events (1 to [`MAX_READ_LIMIT`]).
    pub limit: usize,
}

impl ReadStreamOptions {
    /// Forward from the first event, up to `limit` events.
    pub fn forward(limit: usize) -> Self {
        Self { direction: Direction::Forward, from: None, limit }
    }

    /// Backward from the last event, up to `limit` events.
    pub fn backward(limit: usize) -> Self {
        Self { direction: Direction::Backward, from: None, limit }
    }

    /// Starts at `revision` (inclusive).
    pub fn from(mut self, revision: Revision) -> Self {
        self.from = Some(revision);
        self
    }
}

/// Which events a read of `$all` or a subscription returns.
///
/// Within a list any prefix matches; across the two lists both must match; an empty list
/// matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Stream name prefixes, e.g. `practice-` or just `practice`.
    pub stream_prefixes: Vec<String>,
    /// Event type prefixes, e.g. `Practice`.
    pub type_prefixes: Vec<String>,
}

impl EventFilter {
    /// Every event.
    pub fn all() -> Self {
        Self::default()
    }

    /// Events of streams whose names start with one of `prefixes`.
    pub fn streams<S: Into<String>>(prefixes: impl IntoIterator<Item = S>) -> Self {
        Self { stream_prefixes: prefixes.into_iter().map(Into::into).collect(), type_prefixes: Vec::new() }
    }

    /// Events whose types start with one of `prefixes`.
    pub fn types<S: Into<String>>(prefixes: impl IntoIterator<Item = S>) -> Self {
        Self { stream_prefixes: Vec::new(), type_prefixes: prefixes.into_iter().map(Into::into).collect() }
    }

    /// Whether `event` passes the filter.
    pub fn matches(&self, event: &RecordedEvent) -> bool {
        let stream_ok = self.stream_prefixes.is_empty()
            || self.stream_prefixes.iter().any(|p| event.stream.as_str().starts_with(p.as_str()));
        let type_ok = self.type_prefixes.is_empty()
            || self.type_prefixes.iter().any(|p| event.event_type.as_str().starts_with(p.as_str()));
        stream_ok && type_ok
    }

    /// Whether the filter lets everything through.
    pub fn is_all(&self) -> bool {
        self.stream_prefixes.is_empty() && self.type_prefixes.is_empty()
    }
}

/// How to read `$all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAllOptions {
    /// Which way to go.
    pub direction: Direction,
    /// The first position to return (inclusive); `None` starts at the log's start (forward)
    /// or end (backward).
    pub from: Option<Position>,
    /// At most this many events (1 to [`MAX_READ_LIMIT`]).
    pub limit: usize,
    /// Which events to return.
    pub filter: EventFilter,
}

impl ReadAllOptions {
    /// Forward from the start of the log, up to `limit` events.
    pub fn forward(limit: usize) -> Self {
        Self { direction: Direction::Forward, from: None, limit, filter: EventFilter::all() }
    }

    /// Backward from the end of the log, up to `limit` events.
    pub fn backward(limit: usize) -> Self {
        Self { direction: Direction::Backward, from: None, limit, filter: EventFilter::all() }
    }

    /// Starts at `position` (inclusive).
    pub fn from(mut self, position: Position) -> Self {
        self.from = Some(position);
        self
    }

    /// Keeps only events passing `filter`.
    pub fn filtered(mut self, filter: EventFilter) -> Self {
        self.filter = filter;
        self
    }
}

/// Where a subscription starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeFrom {
    /// From the first event ever written.
    Start,
    /// From the first event after this position (a checkpoint: exclusive).
    After(Position),
}

/// The event store contract. Object safe: services hold an `Arc<dyn EventStore>`.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends `events` to `stream` atomically (all or none) if the stream is at `expected`.
    ///
    /// Retrying an identical append (same ids, same content, same stream) returns the original
    /// result and writes nothing; an id reused with other content is
    /// [`StoreError::DuplicateEventId`]; a revision mismatch is [`StoreError::Conflict`].
    /// `Ok` means durable.
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError>;

    /// Reads one stream; a stream that does not exist reads as empty.
    async fn read_stream(
        &self,
        stream: &StreamName,
        options: ReadStreamOptions,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Reads the global log.
    async fn read_all(&self, options: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Delivers every event after `from` that passes `filter`, history first and then live,
    /// in `$all` order, with no gap and no duplicate.
    async fn subscribe_all(&self, from: SubscribeFrom, filter: EventFilter) -> Result<Subscription, StoreError>;

    /// The stream's last revision, `None` if it does not exist.
    async fn stream_revision(&self, stream: &StreamName) -> Result<Option<Revision>, StoreError>;

    /// The position of the last event in the log, `None` if the log is empty.
    async fn head_position(&self) -> Result<Option<Position>, StoreError>;
}
