//! `GET /health/live` and `GET /health/ready`.

use axum::Json;
use axum::extract::State;
use kirjuri_events::Position;
use serde::Serialize;

use super::{ApiError, AppState};
use crate::health::{NotReady, check_projections, check_readiness};

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

/// The server can serve: its store answers and its read models are running and close to the head.
pub async fn ready(State(state): State<AppState>) -> Result<Json<ReadyBody>, ApiError> {
    let readiness = check_readiness(&*state.store, state.store_kind).await.map_err(ApiError::not_ready)?;
    if let Some(read_side) = &state.read_side {
        let statuses =
            read_side.status().await.map_err(|e| ApiError::not_ready(NotReady::ProjectionStatus(format!("{e:#}"))))?;
        check_projections(&statuses).map_err(ApiError::not_ready)?;
    }
    Ok(Json(ReadyBody { status: "ready", store: readiness.store.as_str(), head_position: readiness.head_position }))
}
