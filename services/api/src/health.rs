//! `GET /health/live` and `GET /health/ready`.

use axum::Json;
use axum::extract::State;
use kirjuri_events::Position;
use serde::Serialize;

use super::{ApiError, AppState};
use kirjuri_app::health::{NotReady, check_projections, check_readiness};

/// The body of `GET /health/live`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LiveBody {
    status: &'static str,
}

/// The body of `GET /health/ready`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadyBody {
    status: &'static str,
    store: &'static str,
    #[schema(value_type = Option<PositionSchema>)]
    head_position: Option<Position>,
}

/// A position in the log, as JSON.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PositionSchema {
    /// The commit position.
    commit: u64,
    /// The prepare position.
    prepare: u64,
}

/// The process is up and answering.
#[utoipa::path(get, path = "/health/live", tag = "operations",
    responses((status = 200, description = "The process is up", body = LiveBody)))]
pub async fn live() -> Json<LiveBody> {
    Json(LiveBody { status: "live" })
}

/// The server can serve: its store answers and its read models are running and close to the head.
#[utoipa::path(get, path = "/health/ready", tag = "operations", responses(
    (status = 200, description = "Ready to serve", body = ReadyBody),
    (status = 503, description = "The store does not answer, or a read model failed or is far behind",
        body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<ReadyBody>, ApiError> {
    let readiness = check_readiness(&*state.store, state.store_kind).await.map_err(ApiError::not_ready)?;
    if let Some(read_side) = &state.read_side {
        let statuses =
            read_side.status().await.map_err(|e| ApiError::not_ready(NotReady::ProjectionStatus(format!("{e:#}"))))?;
        check_projections(&statuses).map_err(ApiError::not_ready)?;
    }
    Ok(Json(ReadyBody { status: "ready", store: readiness.store.as_str(), head_position: readiness.head_position }))
}
