//! kirjuri's HTTP API, `/api/v1` (with `/health/*` and `/metrics`): routes, the OpenAPI
//! document built with them, live updates as Server-Sent Events, and problem documents.
//!
//! Handlers stay thin: extract, call one use case or query of [`kirjuri_app`] (which parses,
//! authorises and reads), map the result. Every error leaves as an [`ApiError`], rendered as
//! RFC 9457 problem+json and logged once by the request log layer of the composition root.

pub mod audit;
mod auth;
pub mod commands;
mod error;
mod health;
mod integrity;
mod lists;
pub mod live;
pub mod metrics;
pub(crate) mod personal;
mod queries;

use axum::Router;
use axum::http::Method;

pub use auth::Authenticated;
pub use error::{ApiError, PROBLEM_JSON};
pub use kirjuri_app::AppState;
pub use kirjuri_app::error::ErrorCode;

/// The OpenAPI description's fixed parts; the paths and schemas come from the routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "kirjuri", description = "The record of a city's digital-transformation programme: every assessment, coaching note, experiment outcome and best-practice decision as an event."),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "auth", description = "Who the caller is"),
        (name = "live", description = "Live updates (Server-Sent Events)"),
        (name = "read", description = "Queries of the read models"),
        (name = "audit", description = "The audit trail and timeline, state as of a moment, differences (needs a role that may read the audit trail)"),
        (name = "integrity", description = "The verifiable log: signed checkpoints, inclusion and consistency proofs (RFC 9162), evidence bundles, public keys"),
        (name = "commands", description = "One route per command: the body is the command's fields; every command needs an Idempotency-Key"),
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

/// Declares the `bearer` security scheme (local API tokens and OIDC access tokens).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A local API token (`kirjuri token create`) or an OIDC access token"))
                    .build(),
            ),
        );
    }
}

/// Every route with its OpenAPI description: built together, so no route goes undocumented.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi as _;
    use utoipa_axum::routes;
    let router = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(auth::me))
        .routes(routes!(live::live))
        .routes(routes!(queries::search))
        .routes(routes!(queries::picture))
        .routes(routes!(queries::practice_history))
        .routes(routes!(personal::coaching_notes))
        .routes(routes!(personal::access_log))
        .routes(routes!(lists::experiments))
        .routes(routes!(lists::experiment))
        .routes(routes!(lists::lessons))
        .routes(routes!(lists::lesson))
        .routes(routes!(lists::practices))
        .routes(routes!(lists::bodies))
        .routes(routes!(lists::municipalities))
        .routes(routes!(lists::municipality))
        .routes(routes!(audit::timeline))
        .routes(routes!(audit::entity_audit))
        .routes(routes!(audit::correlation))
        .routes(routes!(audit::entity_state))
        .routes(routes!(audit::entity_diff))
        .routes(routes!(audit::picture_diff))
        .routes(routes!(audit::graph))
        .routes(routes!(audit::outcome_graph))
        .routes(routes!(integrity::checkpoint))
        .routes(routes!(integrity::checkpoints))
        .routes(routes!(integrity::inclusion))
        .routes(routes!(integrity::consistency))
        .routes(routes!(integrity::bundle))
        .routes(routes!(integrity::keys))
        .routes(routes!(integrity::public_checkpoint))
        .routes(routes!(integrity::public_consistency))
        .routes(routes!(integrity::cosignature));
    commands::routes(router).split_for_parts()
}

/// The OpenAPI 3.1 description of this API (this document).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn openapi_json() -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse as _;
    let body =
        OPENAPI_DOCUMENT.get().cloned().ok_or_else(|| ApiError::internal("the OpenAPI document was not made"))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The OpenAPI document as served, serialised once when the router is built.
static OPENAPI_DOCUMENT: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();

/// The OpenAPI 3.1 description of every route, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The API's routes, with the OpenAPI document serialised once for `/api/v1/openapi.json`.
/// Fails if the document cannot be serialised: a server that would answer it with nothing
/// does not start.
pub fn router() -> anyhow::Result<Router<AppState>> {
    let (api, document) = routes();
    if OPENAPI_DOCUMENT.get().is_none() {
        let body = serde_json::to_vec(&document)
            .map_err(|error| anyhow::anyhow!("serialising the OpenAPI document: {error}"))?;
        let _ = OPENAPI_DOCUMENT.set(body.into());
    }
    Ok(api)
}

/// Nothing at `path`: a problem document (for programs: the API, health, metrics).
pub fn not_found(method: &Method, path: &str) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    ApiError::not_found(method, path).into_response()
}

/// `path` exists but does not answer `method`: a problem document.
pub async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::method_not_allowed(&method, uri.path())
}

#[cfg(test)]
mod tests {
    /// Every limit the OpenAPI document states (`maxLength`, `minimum`, a pattern's `{m,n}`, …),
    /// each as `(path in the document, parameter name or that path, keyword, value)`.
    fn stated_limits() -> Vec<(String, String, String, String)> {
        fn walk(value: &serde_json::Value, path: &str, name: &str, found: &mut Vec<(String, String, String, String)>) {
            match value {
                serde_json::Value::Object(map) => {
                    let name = map.get("name").and_then(|n| n.as_str()).unwrap_or(name);
                    for (key, inner) in map {
                        let keyword = ["maxLength", "minLength", "maximum", "minimum", "maxItems", "minItems"];
                        let limiting_pattern = key == "pattern" && inner.as_str().is_some_and(|p| p.contains('{'));
                        if keyword.contains(&key.as_str()) || limiting_pattern {
                            found.push((path.to_owned(), name.to_owned(), key.clone(), inner.to_string()));
                        } else {
                            walk(inner, &format!("{path}/{key}"), name, found);
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, path, name, found)),
                _ => {}
            }
        }
        let document = serde_json::to_value(super::openapi()).unwrap_or_default();
        let mut found = Vec::new();
        walk(&document, "", "", &mut found);
        found
    }

    /// The number a stated limit gives (`"64"`, or the upper bound of a pattern's last `{m,n}`).
    fn bound(keyword: &str, value: &str) -> Option<usize> {
        if keyword == "pattern" {
            let quantifier = value.rsplit('{').next()?.split('}').next()?;
            return quantifier.rsplit(',').next()?.parse().ok();
        }
        value.parse().ok()
    }

    /// Whether the rule in code accepts `text` of `chars` characters as parameter `name`.
    fn accepts_text(name: &str, chars: usize) -> Option<bool> {
        let text = "a".repeat(chars);
        match name {
            "tag" => {
                let domain = kirjuri_events::domain::practice::Tag::check(&text).is_ok();
                let search = kirjuri_search::SearchFilters::parse([("tag", text.as_str())]).is_ok();
                let lists = kirjuri_app::queries::tag_filter_accepts(&text);
                assert!(
                    domain == search && search == lists,
                    "the tag rule differs between the domain and the filters at {chars}"
                );
                Some(domain)
            }
            "purpose" => Some(kirjuri_events::domain::access_log::Purpose::parse("purpose", &text).is_ok()),
            "Idempotency-Key" => Some((1..=super::commands::MAX_HEADER_CHARS).contains(&chars)),
            "actor" => Some(kirjuri_app::audit::actor_parameter(&text).is_ok()),
            "reader" => Some(kirjuri_app::access_log::reader_parameter(&text).is_ok()),
            _ => None,
        }
    }

    /// Whether the rule in code accepts the number `value` as parameter `name` at `path`.
    fn accepts_number(name: &str, path: &str, value: usize) -> Option<bool> {
        let path_has = |part: &str| path.contains(part);
        match name {
            "offset" => Some(value <= kirjuri_search::query::MAX_OFFSET),
            "year" => Some(kirjuri_search::SearchFilters::parse([("year", value.to_string().as_str())]).is_ok()),
            "limit" if path_has("search") => Some((1..=kirjuri_search::query::MAX_LIMIT).contains(&value)),
            "limit" if path_has("access") => Some((1..=kirjuri_app::access_log::MAX_ACCESS_LOG_LIMIT).contains(&value)),
            "limit" if path_has("timeline") || path_has("audit") || path_has("correlations") => {
                Some((1..=kirjuri_app::audit::MAX_PAGE_LIMIT as usize).contains(&value))
            }
            "limit" => Some((1..=kirjuri_views::lists::MAX_LIST_LIMIT).contains(&value)),
            // A tree size is any whole number (one outside the tree is answered, not misread).
            "size" if path_has("integrity") => Some(true),
            _ => None,
        }
    }

    /// Every length and range the OpenAPI document states for a parameter is the one the code
    /// enforces: the value at the bound is accepted, one past it refused (the tag limit once
    /// said 64 while commands took 19,999 characters). Formats (dates, positions, cursors,
    /// `If-Match`) and unsigned integers' `minimum: 0` are shapes, not limits, and are passed
    /// over; any other stated limit the test does not know fails it.
    #[test]
    fn every_limit_the_document_states_is_the_one_the_code_enforces() {
        let formats = ["If-Match", "after", "before", "from", "to", "as_of", "cursor", "event_type"];
        let mut unknown = Vec::new();
        let mut checked = 0;
        for (at, name, keyword, value) in stated_limits() {
            let name = name.as_str();
            if (name.is_empty() && keyword == "minimum" && value == "0") || formats.contains(&name) {
                continue;
            }
            let Some(limit) = bound(&keyword, value.trim_matches('"')) else {
                unknown.push(format!("{at} {keyword} {value}"));
                continue;
            };
            let agrees = match keyword.as_str() {
                "maxLength" | "pattern" => accepts_text(name, limit)
                    .zip(accepts_text(name, limit + 1))
                    .map(|(at_bound, past)| at_bound && !past),
                "minLength" => accepts_text(name, limit)
                    .zip(accepts_text(name, limit.saturating_sub(1)))
                    .map(|(at_bound, below)| at_bound && (limit == 0 || !below)),
                "maximum" => accepts_number(name, &at, limit)
                    .zip(accepts_number(name, &at, limit + 1))
                    .map(|(at_bound, past)| at_bound && !past),
                "minimum" => accepts_number(name, &at, limit)
                    .map(|at_bound| at_bound && (limit == 0 || accepts_number(name, &at, limit - 1) == Some(false))),
                _ => None,
            };
            match agrees {
                Some(true) => checked += 1,
                Some(false) => panic!("{at}: the document says {keyword} {value}, the code does not enforce that"),
                None => unknown.push(format!("{at} {keyword} {value}")),
            }
        }
        assert!(unknown.is_empty(), "limits the test does not know how to check (add their rule): {unknown:#?}");
        assert!(checked > 100, "only {checked} limits were checked");
    }
}
