//! `GET /health/live` and `GET /health/ready`.

use axum::Json;
use axum::extract::State;
use kirjuri_events::Position;
use serde::Serialize;

use super::{ApiError, AppState};
use crate::health::check_readiness;

/// The body of `GET /health/live`.
#[derive(Debug, Serialize)]
pub struct LiveBody {
    status: &'static str,
}

/// The body of `GET /health/ready`.
#[derive(Debug, Serialize)]
pub struct ReadyBody {
    status: &'static str,
    store: &'static str,
    head_position: Option<Position>,
}

/// The process is up and answering.
pub async fn live() -> Json<LiveBody> {
    Json(LiveBody { status: "live" })
}

/// The server can serve: its store answers.
pub async fn ready(State(state): State<AppState>) -> Result<Json<ReadyBody>, ApiError> {
    let readiness = check_readiness(&*state.store, state.store_kind).await.map_err(ApiError::not_ready)?;
    Ok(Json(ReadyBody { status: "ready", store: readiness.store.as_str(), head_position: readiness.head_position }))
}
