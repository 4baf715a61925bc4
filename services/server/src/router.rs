//! The one router: the API's routes and the pages' merged, with the middleware every answer
//! goes through (request log, metrics, body limit, transport headers) and the answers for paths
//! and methods nothing serves — a problem document for programs, a page for people.

use axum::Router;
use axum::http::{Method, Uri};
use kirjuri_app::AppState;
use kirjuri_web::WebState;

use crate::request_log;

/// Every route the server answers (the API and the web pages), with the request log layer
/// around them. Fails if the OpenAPI document cannot be serialised: a server that would answer
/// `/api/v1/openapi.json` with nothing does not start. `session_key` signs the pages' sessions.
pub async fn router(state: AppState, session_key: &[u8]) -> anyhow::Result<Router> {
    let api = kirjuri_api::router()?.with_state(state.clone());
    let pages = kirjuri_web::routes().with_state(WebState::for_app(state.clone(), session_key).await);
    Ok(api
        .merge(pages)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), kirjuri_api::metrics::track))
        .method_not_allowed_fallback(kirjuri_api::method_not_allowed)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(state.max_body_bytes))
        .layer(axum::middleware::from_fn(transport_headers))
        .layer(axum::middleware::from_fn(request_log::log_request)))
}

/// Headers every answer needs whatever route made it: `Strict-Transport-Security` when the
/// request came over https (as `X-Forwarded-Proto` says, behind a proxy that terminates TLS),
/// and, on the API's answers that do not say otherwise, `Cache-Control: private, no-cache`
/// (they hold one municipality's records: no shared cache may keep them, and a browser asks
/// again each time, revalidating with the ETag where there is one).
async fn transport_headers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header::{CACHE_CONTROL, STRICT_TRANSPORT_SECURITY};
    let over_https =
        request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|proto| {
            proto.split(',').next().is_some_and(|first| first.trim().eq_ignore_ascii_case("https"))
        });
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if over_https {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if api && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-cache"));
    }
    response
}

/// Nothing here: a problem document for programs (the API, health, metrics), a page in the
/// reader's language for people (every other path).
async fn not_found(method: Method, uri: Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    if kirjuri_web::is_page_path(uri.path()) {
        return kirjuri_web::not_found_page(&headers);
    }
    kirjuri_api::not_found(&method, uri.path())
}
