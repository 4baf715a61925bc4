//! Whether the server is alive and whether it can serve: what the health endpoints report.

use std::time::Duration;

use kirjuri_events::Position;
use kirjuri_store::{EventStore, StoreError};

use crate::settings::StoreKind;

/// How long the readiness check waits for the store before declaring it not ready.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// The most events a projection may have yet to apply while the server reports ready.
pub const READY_MAX_LAG_EVENTS: u64 = 10_000;

/// The server can serve: its store answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The backend that answered.
    pub store: StoreKind,
    /// The store's last global position, `None` while the log is empty.
    pub head_position: Option<Position>,
}

/// Why the server is not ready.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The store answered with an error.
    #[error("the event store failed to report its head position")]
    Store(#[source] StoreError),
    /// The store did not answer in time.
    #[error("the event store did not answer within {READINESS_TIMEOUT:?}")]
    Timeout,
    /// A read model stopped on an event it cannot apply.
    #[error("read model `{name}` stopped: {error}")]
    ProjectionFailed {
        /// The read model.
        name: String,
        /// Why.
        error: String,
    },
    /// A read model is too far behind the log.
    #[error("read model `{name}` is {lag} events behind (ready at {READY_MAX_LAG_EVENTS} or fewer)")]
    ProjectionBehind {
        /// The read model.
        name: String,
        /// Its lag in events.
        lag: u64,
    },
    /// The read models' status could not be read.
    #[error("the read models' status could not be read: {0}")]
    ProjectionStatus(String),
}

impl NotReady {
    /// What the client is told (the store's internals stay in the log).
    pub fn public_detail(&self) -> String {
        match self {
            Self::Store(_) | Self::Timeout => "the event store is not answering; try again shortly".to_owned(),
            Self::ProjectionFailed { name, .. } => {
                format!("read model `{name}` has stopped on an event it cannot apply; see the server log")
            }
            Self::ProjectionBehind { .. } => format!("{self}; try again shortly"),
            Self::ProjectionStatus(_) => "the read models' status could not be read; try again shortly".to_owned(),
        }
    }
}

/// Not ready when a read model has failed or is more than [`READY_MAX_LAG_EVENTS`] behind.
pub fn check_projections(statuses: &[kirjuri_projections::ProjectionStatus]) -> Result<(), NotReady> {
    for status in statuses {
        if status.state == kirjuri_projections::ProjectionState::Failed {
            let error = status.last_error.clone().unwrap_or_else(|| "no reason recorded".to_owned());
            return Err(NotReady::ProjectionFailed { name: status.name.clone(), error });
        }
        if status.lag_events > READY_MAX_LAG_EVENTS {
            return Err(NotReady::ProjectionBehind { name: status.name.clone(), lag: status.lag_events });
        }
    }
    Ok(())
}

/// Asks the store for its head position, waiting at most [`READINESS_TIMEOUT`].
pub async fn check_readiness(store: &dyn EventStore, kind: StoreKind) -> Result<Readiness, NotReady> {
    match tokio::time::timeout(READINESS_TIMEOUT, store.head_position()).await {
        Ok(Ok(head_position)) => Ok(Readiness { store: kind, head_position }),
        Ok(Err(error)) => Err(NotReady::Store(error)),
        Err(_elapsed) => Err(NotReady::Timeout),
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_projections::{ProjectionState, ProjectionStatus};

    use super::*;

    fn status(name: &str, state: ProjectionState, lag_events: u64) -> ProjectionStatus {
        ProjectionStatus {
            name: name.to_owned(),
            state,
            checkpoint: None,
            read_through: None,
            head: None,
            lag_events,
            lag_events_exact: true,
            lag_seconds: 0.0,
            last_error: (state == ProjectionState::Failed).then(|| "event 7 cannot be applied".to_owned()),
            events_applied: 0,
            storage_retries: 0,
        }
    }

    #[test]
    fn ready_only_while_every_read_model_runs_within_the_lag_limit() {
        let fine = [status("views", ProjectionState::CaughtUp, 0), status("search", ProjectionState::Running, 10_000)];
        assert!(check_projections(&fine).is_ok());
        let behind = [status("views", ProjectionState::Running, READY_MAX_LAG_EVENTS + 1)];
        match check_projections(&behind) {
            Err(error @ NotReady::ProjectionBehind { .. }) => {
                assert!(error.public_detail().contains("views") && error.public_detail().contains("10001"));
            }
            other => panic!("expected behind, got {other:?}"),
        }
        let failed = [status("search", ProjectionState::Failed, 3)];
        match check_projections(&failed) {
            Err(error @ NotReady::ProjectionFailed { .. }) => {
                assert!(error.to_string().contains("event 7"), "the log gets the reason");
                assert!(!error.public_detail().contains("event 7"), "the client does not");
            }
            other => panic!("expected failed, got {other:?}"),
        }
    }
}
