//! [`AppState`]: what every use case and query of a running server can reach — the store, the
//! command bus, the read side, the authenticator — shared by the API and the pages alike.

use std::sync::Arc;

use kirjuri_auth::Authenticator;
use kirjuri_store::EventStore;

use crate::error::{AppError, ErrorCode};
use crate::metrics::Metrics;
use crate::readside::ReadSide;
use crate::settings::StoreKind;
use crate::usecases::CommandBus;

/// The running application, cheap to clone (everything in it is shared).
#[derive(Clone)]
pub struct AppState {
    /// The event store, whichever backend.
    pub store: Arc<dyn EventStore>,
    /// Runs every command against `store`.
    pub commands: CommandBus,
    /// Which backend `store` is.
    pub store_kind: StoreKind,
    /// The read models, when this server runs them.
    pub read_side: Option<Arc<ReadSide>>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Turns true when the server starts shutting down; long-lived responses (live updates) end then.
    pub shutting_down: tokio::sync::watch::Receiver<bool>,
    /// Turns bearer tokens into principals.
    pub authenticator: Arc<Authenticator>,
    /// The verifiable log's keys and tree, when this server runs the read models.
    pub integrity: Option<Arc<crate::integrity::Integrity>>,
    /// The data subjects' keys that open sealed personal text (and whose erasure forgets it).
    pub personal_keys: Option<Arc<kirjuri_integrity::personal::SubjectKeys>>,
    /// The largest request body read, in bytes (setting `max_body_bytes`); larger is a 413.
    pub max_body_bytes: usize,
}

impl AppState {
    /// The verifiable log, or a 503 naming why proofs cannot be answered here.
    pub fn integrity(&self) -> Result<Arc<crate::integrity::Integrity>, AppError> {
        self.integrity.clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::StoreUnavailable,
                "this server does not keep the log's tree; proofs cannot be answered",
            )
        })
    }

    /// The read models, or a 503 naming why a query cannot be answered here.
    pub fn read_side(&self) -> Result<Arc<ReadSide>, AppError> {
        self.read_side.clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::StoreUnavailable,
                "this server does not run the read models; queries cannot be answered",
            )
        })
    }
}
