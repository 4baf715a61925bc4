//! Whether the server is alive and whether it can serve: what the health endpoints report.

use std::time::Duration;

use kirjuri_events::Position;
use kirjuri_store::{EventStore, StoreError};

use crate::settings::StoreKind;

/// How long the readiness check waits for the store before declaring it not ready.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

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
}

/// Asks the store for its head position, waiting at most [`READINESS_TIMEOUT`].
pub async fn check_readiness(store: &dyn EventStore, kind: StoreKind) -> Result<Readiness, NotReady> {
    match tokio::time::timeout(READINESS_TIMEOUT, store.head_position()).await {
        Ok(Ok(head_position)) => Ok(Readiness { store: kind, head_position }),
        Ok(Err(error)) => Err(NotReady::Store(error)),
        Err(_elapsed) => Err(NotReady::Timeout),
    }
}
