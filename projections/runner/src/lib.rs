//! kirjuri's read side: projections fold the event log into what people read.
//!
//! A [`Projection`] owns its storage (a SQLite read database, a tantivy index) and commits the
//! position of the last event it applied *together with* the data that event produced — in the
//! same SQLite transaction, or in the tantivy commit's payload. So a crash at any point resumes
//! from a checkpoint that matches the data exactly, and the end state equals a clean rebuild.
//!
//! Who owns what:
//! - a projection owns its storage and its checkpoint; only its runner task calls `apply` and
//!   `checkpoint`, always on a blocking thread (`spawn_blocking`), the projection moved in and
//!   back out — so no projection is ever used from two threads at once;
//! - the [`ProjectionRunner`] spawns one task per projection: it reads the checkpoint,
//!   subscribes to `$all` after it, gathers batches by count and time, retries
//!   [`ProjectionError::Storage`] with bounded exponential backoff, and stops the projection on
//!   [`ProjectionError::Poison`], keeping the error (which event, why) for status — an event is
//!   never skipped;
//! - each task publishes its progress on its own `watch` channel; [`ProjectionRunner::status`]
//!   and [`ProjectionRunner::wait_until_caught_up`] only read those channels;
//! - [`rebuild`] builds a fresh copy from position zero beside the live one (which keeps
//!   serving) and then asks the [`ProjectionFactory`] to promote it over the live location;
//! - a projection that stopped on a poison event keeps the error ([`Projection::record_failure`],
//!   e.g. in a file beside its data through [`FailureRecording`]), so a restarted runner and
//!   offline status show it until a batch applies again;
//! - [`offline_status`] computes the same [`ProjectionStatus`] from a projection and the store
//!   when no runner is running (the CLI).
//!
//! `testing` (feature `testing`) holds a SQLite counter projection with fault injection and its
//! factory, for this crate's tests and other crates'.

mod catch_up;
mod failure;
mod rebuild;
mod retry;
mod runner;
mod status;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests;

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::EventFilter;

pub use catch_up::catch_up;
pub use failure::{FAILURE_FILE, FailureRecording};
pub use rebuild::{
    ProjectionFactory, RebuildError, RebuildProgress, RebuildReport, Rebuilt, discard_location, promote_directory,
    promote_file, rebuild, rebuild_beside, rebuild_location,
};
pub use retry::Backoff;
pub use runner::{CheckpointWatch, ProjectionRunner, RunnerError, RunnerOptions, ShutdownHandle, WaitError};
pub use status::{
    DEFAULT_LAG_COUNT_LIMIT, LAG_PAGE, Lag, ProjectionState, ProjectionStatus, StatusError, measure_lag, offline_status,
};

/// Why a projection could not apply a batch or read its checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// This event cannot be applied (bad data, an event the projection does not understand).
    /// Retrying will not help: the projection stops and says which event and why.
    #[error("event {event_id} at position {position} ({event_type}) cannot be applied: {reason}")]
    Poison {
        /// The event's id.
        event_id: String,
        /// Its position.
        position: Position,
        /// Its type.
        event_type: String,
        /// Why.
        reason: String,
    },
    /// The projection's storage failed; retrying may help.
    #[error("{context}: {source}")]
    Storage {
        /// What was being done.
        context: String,
        /// The storage's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ProjectionError {
    /// A poison error naming `event`.
    pub fn poison(event: &RecordedEvent, reason: impl Into<String>) -> Self {
        Self::Poison {
            event_id: event.id.to_string(),
            position: event.position,
            event_type: event.event_type.to_string(),
            reason: reason.into(),
        }
    }

    /// Whether retrying the same batch may succeed (only storage errors).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Storage { .. })
    }

    /// A storage error with what was being done.
    pub fn storage(context: impl Into<String>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Storage { context: context.into(), source: source.into() }
    }
}

/// One read model. Its methods block (SQLite, tantivy): the runner calls them on a blocking
/// thread, never on the async executor.
pub trait Projection: Send + 'static {
    /// A stable name, e.g. `search` or `audit`; used in status, checkpoints and the CLI.
    fn name(&self) -> &'static str;

    /// Which events it needs; the runner subscribes with this filter.
    fn filter(&self) -> EventFilter {
        EventFilter::all()
    }

    /// The position of the last event whose effects are committed, `None` before the first.
    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError>;

    /// Applies `batch` (in `$all` order, all after the checkpoint) and commits its effects and
    /// the position of its last event atomically. On error nothing of the batch is committed.
    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError>;

    /// Keeps (`Some`) or clears (`None`) the error that stopped this projection, durably, so
    /// that a restarted runner and `projections status` in another process still show it.
    /// Default: not kept (see [`FailureRecording`]).
    fn record_failure(&mut self, failure: Option<&str>) -> Result<(), ProjectionError> {
        let _ = failure;
        Ok(())
    }

    /// The error kept by [`Projection::record_failure`], if any.
    fn recorded_failure(&self) -> Result<Option<String>, ProjectionError> {
        Ok(None)
    }
}
