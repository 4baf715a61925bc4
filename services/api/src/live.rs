//! `GET /api/v1/live`: Server-Sent Events announcing each new event the caller may see
//! ([`kirjuri_app::live`] decides what is announced, and to whom).
//!
//! An announcement carries what happened and to which entity — position, type, entity kind
//! and id, time, tenant — never the event's data: that may hold personal text, and the caller
//! reads details through the queries, which authorise every read. The SSE `id` is the event's
//! position (`<commit>.<prepare>`), so a client that reconnects with `Last-Event-ID` resumes
//! right after the last announcement it saw; without it, announcements start at the head.
//! Streams end when the server shuts down, so they never hold up a graceful stop, and when the
//! credential that opened them stops holding — a token revoked or expired, a user disabled or
//! given a new password, a web session signed out of or expired — checked every
//! [`kirjuri_app::live::GRANT_CHECK`] while the stream is open (a stream is a read that goes on, so it is
//! authorised as it goes on).

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt as _};
use kirjuri_app::live::{LiveFilter, announcements, filter_for, parse_last_event_id};
use kirjuri_auth::AuthError;
use kirjuri_events::Position;
use kirjuri_store::EventStore;

use super::{ApiError, AppState, Authenticated};

/// How often an idle stream sends a comment to keep proxies from closing it.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /api/v1/live`: announcements of the caller's municipality's new events (reads of
/// personal data only to those who may read the access log).
#[utoipa::path(get, path = "/api/v1/live", tag = "live", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event position (`<commit>.<prepare>`)")),
    responses(
        (status = 200, description = "A stream of `event` messages, each an announcement as JSON", content_type = "text/event-stream", body = String),
        (status = 400, description = "A malformed Last-Event-ID", body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn live(
    axum::extract::State(state): axum::extract::State<AppState>,
    Authenticated(principal): Authenticated,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse as _;
    let filter = filter_for(&principal)?;
    let after = match headers.get("last-event-id") {
        Some(value) => Some(parse_last_event_id(
            value
                .to_str()
                .map_err(|_| ApiError::bad_request("Last-Event-ID: must be an event position like 1234.1234"))?,
        )?),
        None => None,
    };
    // The credential is checked again as the stream goes on; a store or identity provider
    // that cannot answer for a moment does not end it, a refusal does.
    let header = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let authenticator = std::sync::Arc::clone(&state.authenticator);
    let municipality = principal.municipality;
    let credential_holds = move || {
        let (authenticator, header) = (std::sync::Arc::clone(&authenticator), header.clone());
        async move {
            match authenticator.authenticate_header(header.as_deref()).await {
                Ok(now) => now.municipality == municipality,
                Err(AuthError::TokensUnavailable(_) | AuthError::KeysUnavailable(_) | AuthError::Internal(_)) => true,
                Err(_) => false,
            }
        }
    };
    Ok(stream(&*state.store, filter, after, state.shutting_down.clone(), credential_holds).await?.into_response())
}

/// The SSE response: [`announcements`] as `event` messages whose `id` is the position, with a
/// comment every so often so proxies keep an idle stream open.
pub async fn stream<H, F>(
    store: &dyn EventStore,
    filter: LiveFilter,
    after: Option<Position>,
    shutdown: tokio::sync::watch::Receiver<bool>,
    holds: H,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<H, F>>, ApiError>
where
    H: Fn() -> F + Send + Sync + 'static,
    F: std::future::Future<Output = bool> + Send + 'static,
{
    let events = announcements(store, filter, after, shutdown, holds).await?.map(|announcement| {
        let data = serde_json::to_string(&announcement).unwrap_or_default();
        Ok(Event::default().id(announcement.position.clone()).event("event").data(data))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
