//! What a projection is doing and how far behind it is, live (from the runner) or offline.
//!
//! Lag in events is counted, not estimated: [`measure_lag`] reads the projection's own events
//! (the store applies its filter) after its checkpoint up to the head, in pages of [`LAG_PAGE`],
//! and stops counting at a limit. Cost: one `read_all` per [`LAG_PAGE`] unapplied events, so at
//! most `limit / LAG_PAGE + 1` reads (101 with [`DEFAULT_LAG_COUNT_LIMIT`]); a caught-up
//! projection costs one read. Beyond the limit the count is a lower bound
//! (`lag_events_exact == false`).

use chrono::{DateTime, Utc};
use kirjuri_events::Position;
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, StoreError};
use serde::Serialize;

use crate::retry::on_blocking_thread;
use crate::{Projection, ProjectionError};

/// How many events one lag-counting read asks for.
pub const LAG_PAGE: usize = 1_000;

/// The default number of unapplied events counted before the count is reported as "at least".
pub const DEFAULT_LAG_COUNT_LIMIT: usize = 100_000;

/// What a projection's runner task is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionState {
    /// Applying events (catching up, or a batch in flight).
    Running,
    /// Has applied everything up to the head and waits for new events.
    CaughtUp,
    /// Not running: shut down, or never started (offline status).
    Stopped,
    /// Stopped by an event it cannot apply (or a panic); `last_error` says which and why.
    Failed,
}

impl std::fmt::Display for ProjectionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Running => "running",
            Self::CaughtUp => "caught_up",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        })
    }
}

/// One projection's status, as `kirjuri projections status` and the HTTP status show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionStatus {
    /// The projection's name.
    pub name: String,
    /// What it is doing.
    pub state: ProjectionState,
    /// The position of the last event whose effects are committed.
    pub checkpoint: Option<Position>,
    /// How far the runner has read `$all` with everything matching committed (at least the
    /// checkpoint; further when later events did not pass the filter).
    pub read_through: Option<Position>,
    /// The store's head when the status was taken.
    pub head: Option<Position>,
    /// Events passing the filter after the checkpoint up to the head.
    pub lag_events: u64,
    /// Whether `lag_events` is exact (false: counting stopped at the limit, it is a lower bound).
    pub lag_events_exact: bool,
    /// Age in seconds of the oldest unapplied event (by `recorded_at`), 0 when caught up.
    pub lag_seconds: f64,
    /// The error that stopped it, or the storage error it is currently retrying.
    pub last_error: Option<String>,
    /// Events applied since the runner started (0 offline).
    pub events_applied: u64,
    /// Storage errors retried since the runner started (0 offline).
    pub storage_retries: u64,
}

/// How far a projection is behind the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// Unapplied events passing the filter (up to the counting limit).
    pub events: u64,
    /// Whether `events` is exact.
    pub exact: bool,
    /// When the oldest unapplied event was recorded.
    pub oldest_recorded_at: Option<DateTime<Utc>>,
}

impl Lag {
    /// No lag.
    pub const NONE: Self = Self { events: 0, exact: true, oldest_recorded_at: None };

    /// Age of the oldest unapplied event at `now`, in seconds (0 when there is none).
    pub fn seconds_at(&self, now: DateTime<Utc>) -> f64 {
        self.oldest_recorded_at
            .map_or(0.0, |recorded| (now - recorded).num_microseconds().unwrap_or(i64::MAX).max(0) as f64 / 1e6)
    }
}

/// Counts the events passing `filter` after `after` up to `head` (inclusive), stopping at
/// `limit`. See the module docs for the cost.
pub async fn measure_lag(
    store: &dyn EventStore,
    filter: &EventFilter,
    after: Option<Position>,
    head: Option<Position>,
    limit: usize,
) -> Result<Lag, StoreError> {
    let Some(head) = head else { return Ok(Lag::NONE) };
    if after.is_some_and(|after| after >= head) {
        return Ok(Lag::NONE);
    }
    let mut lag = Lag::NONE;
    let mut from = after;
    loop {
        let mut options = ReadAllOptions::forward(LAG_PAGE).filtered(filter.clone());
        if let Some(from) = from {
            options = options.from(from);
        }
        let page = store.read_all(options).await?;
        for event in &page {
            if from.is_some_and(|from| event.position <= from) {
                continue;
            }
            if event.position > head {
                return Ok(lag);
            }
            lag.oldest_recorded_at.get_or_insert(event.recorded_at);
            lag.events += 1;
            if lag.events >= limit as u64 {
                lag.exact = false;
                return Ok(lag);
            }
        }
        match page.last() {
            Some(last) if page.len() == LAG_PAGE && from != Some(last.position) => from = Some(last.position),
            _ => return Ok(lag),
        }
    }
}

/// Why a status could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The projection's checkpoint could not be read.
    #[error("reading the checkpoint of projection `{name}`: {source}")]
    Projection {
        /// The projection.
        name: String,
        /// Why.
        #[source]
        source: ProjectionError,
    },
    /// The store could not be read.
    #[error("measuring the lag of projection `{name}`: {source}")]
    Store {
        /// The projection.
        name: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The projection panicked while reading its checkpoint.
    #[error("reading the checkpoint of projection `{name}`: {message}")]
    Panicked {
        /// The projection.
        name: String,
        /// The panic.
        message: String,
    },
}

/// The status of a projection that no runner is running (for the CLI when the server is
/// down): its checkpoint, the head and the lag; state `failed` with the error when it holds a
/// recorded failure ([`Projection::record_failure`]), else `stopped`. The projection is dropped.
pub async fn offline_status(
    projection: Box<dyn Projection>,
    store: &dyn EventStore,
    lag_count_limit: usize,
) -> Result<ProjectionStatus, StatusError> {
    let name = projection.name().to_owned();
    let filter = projection.filter();
    let (_, read) =
        on_blocking_thread(projection, |p| Ok::<_, ProjectionError>((p.checkpoint()?, p.recorded_failure()?)))
            .await
            .map_err(|message| StatusError::Panicked { name: name.clone(), message })?;
    let (checkpoint, failure) = read.map_err(|source| StatusError::Projection { name: name.clone(), source })?;
    let store_error = |source| StatusError::Store { name: name.clone(), source };
    let head = store.head_position().await.map_err(store_error)?;
    let lag = measure_lag(store, &filter, checkpoint, head, lag_count_limit).await.map_err(store_error)?;
    Ok(ProjectionStatus {
        name: name.clone(),
        state: if failure.is_some() { ProjectionState::Failed } else { ProjectionState::Stopped },
        checkpoint,
        read_through: checkpoint,
        head,
        lag_events: lag.events,
        lag_events_exact: lag.exact,
        lag_seconds: lag.seconds_at(Utc::now()),
        last_error: failure,
        events_applied: 0,
        storage_retries: 0,
    })
}
