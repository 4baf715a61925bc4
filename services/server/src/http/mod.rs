//! The HTTP edge: routes, the shared state handlers see, and the one error type they return.
//!
//! Handlers stay thin: extract, call one use case, map the result. Every error leaves as an
//! [`ApiError`], rendered as RFC 9457 problem+json and logged once by the request log layer.

mod auth;
mod error;
mod health;
mod request_log;

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri};
use axum::routing::get;
use kirjuri_store::EventStore;

use crate::auth::Authenticator;
use crate::settings::StoreKind;

pub use auth::Authenticated;
pub use error::{ApiError, ErrorCode};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The event store, whichever backend.
    pub store: Arc<dyn EventStore>,
    /// Which backend `store` is.
    pub store_kind: StoreKind,
    /// Turns bearer tokens into principals.
    pub authenticator: Arc<Authenticator>,
}

/// Every route the server answers, with the request log layer around them.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/api/v1/me", get(auth::me))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(request_log::log_request))
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(&method, uri.path())
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(&method, uri.path())
}
