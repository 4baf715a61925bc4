//! The request log layer: one span per request, one line per error, a request id on every
//! response.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::{Instrument as _, debug, error, info, info_span};
use uuid::Uuid;

use kirjuri_app::error::{ErrorChain, ErrorForLog};

/// The header carrying the request id, taken from the client when sensible, else generated.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Runs the request inside a span and logs its outcome; errors are logged here and only here.
pub async fn log_request(request: Request, next: Next) -> Response {
    let request_id = request_id(&request);
    let span = info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    );
    async move {
        let started = Instant::now();
        let mut response = next.run(request).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let status = response.status().as_u16();
        match response.extensions_mut().remove::<ErrorForLog>() {
            Some(ErrorForLog(api_error)) if response.status().is_server_error() => {
                error!(status, latency_ms, code = api_error.code().as_str(), error = %ErrorChain(&*api_error), "request failed");
            }
            Some(ErrorForLog(api_error)) => {
                info!(status, latency_ms, code = api_error.code().as_str(), error = %ErrorChain(&*api_error), "request rejected");
            }
            None => debug!(status, latency_ms, "request finished"),
        }
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    }
    .instrument(span)
    .await
}

/// The client's `x-request-id` if it is 1 to 64 characters of `[A-Za-z0-9._-]`, else a new UUID.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            (1..=64).contains(&value.len())
                && value.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
        })
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_owned)
}
