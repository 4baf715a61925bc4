//! `GET /metrics`: Prometheus text exposition of request counts and latencies by route, events
//! appended, and each projection's checkpoint, lag and state.
//!
//! Request figures are recorded by [`track`], a route layer (so the matched route template,
//! not the raw path, is the label: ids do not explode the series). The rest is read when
//! scraped: the store's head and, for each projection, its status from the read side.

use std::fmt::Write as _;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use kirjuri_app::metrics::escape;

use super::{ApiError, AppState};

/// The Prometheus text format's media type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Route layer: records every request that matched a route.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.record(&route, &method, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain; version=0.0.4"),
))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut out = String::with_capacity(4096);
    state.metrics.render_requests(&mut out);
    let head = state.store.head_position().await.map_err(ApiError::internal)?;
    out.push_str("# HELP kirjuri_store_head_position Commit position of the last event in the store (events appended, on SQLite).\n");
    out.push_str("# TYPE kirjuri_store_head_position counter\n");
    let _ = writeln!(out, "kirjuri_store_head_position {}", head.map_or(0, |h| h.commit));
    if let Some(read_side) = &state.read_side {
        let statuses = read_side.status().await.map_err(|e| ApiError::internal(anyhow_to_box(e)))?;
        type Gauge = fn(&kirjuri_projections::ProjectionStatus) -> f64;
        let gauges: [(&str, &str, Gauge); 4] = [
            ("checkpoint", "Commit position of the last event a projection applied.", |s| {
                s.checkpoint.map_or(0, |c| c.commit) as f64
            }),
            ("lag_events", "Events a projection has yet to apply.", |s| s.lag_events as f64),
            ("lag_seconds", "Age of the oldest event a projection has yet to apply.", |s| s.lag_seconds),
            ("failed", "1 when a projection stopped on an event it cannot apply.", |s| {
                f64::from(u8::from(s.state == kirjuri_projections::ProjectionState::Failed))
            }),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP kirjuri_projection_{name} {help}");
            let _ = writeln!(out, "# TYPE kirjuri_projection_{name} gauge");
            for status in &statuses {
                let _ = writeln!(
                    out,
                    "kirjuri_projection_{name}{{projection=\"{}\"}} {}",
                    escape(&status.name),
                    value(status)
                );
            }
        }
    }
    if let Some(integrity) = &state.integrity {
        let (cosignatures, alarms) = integrity.witness_report().await?;
        out.push_str("# HELP kirjuri_witness_alarms_total Inconsistencies found while witnessing partner logs (forks, shrinking trees, bad signatures).\n");
        out.push_str("# TYPE kirjuri_witness_alarms_total counter\n");
        let _ = writeln!(out, "kirjuri_witness_alarms_total {}", alarms.len());
        out.push_str(
            "# HELP kirjuri_log_cosignatures Partner witnesses' cosignatures kept of this log's checkpoints.\n",
        );
        out.push_str("# TYPE kirjuri_log_cosignatures gauge\n");
        let _ = writeln!(out, "kirjuri_log_cosignatures {}", cosignatures.len());
    }
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT))], out).into_response())
}

fn anyhow_to_box(error: anyhow::Error) -> Box<dyn std::error::Error + Send + Sync> {
    error.into()
}
