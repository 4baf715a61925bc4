//! The audit trail, as-of state, differences and evidence graph over HTTP: thin handlers over
//! [`kirjuri_app::audit`], which parses, authorises and reads (the pages call it alike).
//!
//! - `GET /api/v1/timeline`: the programme-wide timeline of the caller's municipality, filtered;
//! - `GET /api/v1/audit/{kind}/{id}`: one entity's audit trail;
//! - `GET /api/v1/correlations/{correlation}`: the events of one command (one user action);
//! - `GET /api/v1/state/{kind}/{id}?as_of=`: an entity as it stood at a moment or position;
//! - `GET /api/v1/diff/{kind}/{id}?from=&to=`: what changed in it between two bounds;
//! - `GET /api/v1/municipalities/{municipality}/picture/diff?from=&to=`: the situational
//!   picture's changes between two days (suppressed figures stay withheld);
//! - `GET /api/v1/graph/{kind}/{id}`: the evidence graph around a record, both directions.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse as _, Response};
use kirjuri_app::audit::*;
use kirjuri_app::queries::{printable, uuid_parameter};
use kirjuri_views::GraphNode;

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated};

/// `GET /api/v1/timeline`: the programme-wide timeline of the caller's municipality, filtered
/// and paged oldest first by cursors.
#[utoipa::path(get, path = "/api/v1/timeline", tag = "audit", security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, pattern = "^(municipality|unit|body|framework|campaign|engagement|communication|experiment|observation|lesson|practice|access_log)$",
            description = "Only events of entities of this kind"),
        ("entity" = Option<Uuid>, Query, description = "Only events of this entity (needs `kind`)"),
        ("correlation" = Option<Uuid>, Query, description = "Only events of this user action (command)"),
        ("event_type" = Option<String>, Query, pattern = "^[!-#%-~][!-~]{0,127}$", description = "Only events of these types, e.g. PracticeDecided (repeatable)"),
        ("actor" = Option<String>, Query, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$", max_length = 256,
            description = "Only events by this actor, e.g. token:anna"),
        ("unit" = Option<Uuid>, Query, description = "Only events naming this unit"),
        ("experiment" = Option<Uuid>, Query, description = "Only events naming this experiment"),
        ("from" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or after: a day (YYYY-MM-DD, from its start) or an RFC 3339 time"),
        ("to" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or before: a day (YYYY-MM-DD, its end) or an RFC 3339 time; not before `from`"),
        ("after" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page after this cursor (a page's `next`)"),
        ("before" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page before this cursor (a page's `previous`); not with `after`"),
        ("start" = Option<String>, Query, pattern = "^(oldest|newest)$", description = "Without a cursor: the oldest (default) or newest page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Events per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of events, oldest first", body = AuditPageBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn timeline(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPageBody>, ApiError> {
    Ok(Json(timeline_page(&state, principal, raw.as_deref()).await?))
}

/// `GET /api/v1/audit/{kind}/{id}`: one entity's audit trail, paged oldest first. The `ETag`
/// is the entity stream's latest revision the read model holds.
#[utoipa::path(get, path = "/api/v1/audit/{kind}/{id}", tag = "audit", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(municipality|unit|body|framework|campaign|engagement|communication|experiment|observation|lesson|practice|access_log)$",
            description = "The entity's kind"),
        ("id" = Uuid, Path, description = "The entity's id"),
        ("event_type" = Option<String>, Query, pattern = "^[!-#%-~][!-~]{0,127}$", description = "Only events of these types (repeatable)"),
        ("actor" = Option<String>, Query, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$", max_length = 256,
            description = "Only events by this actor"),
        ("unit" = Option<Uuid>, Query, description = "Only events naming this unit"),
        ("experiment" = Option<Uuid>, Query, description = "Only events naming this experiment"),
        ("from" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or after: a day (YYYY-MM-DD) or an RFC 3339 time"),
        ("to" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or before: a day (YYYY-MM-DD) or an RFC 3339 time"),
        ("after" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page after this cursor"),
        ("before" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page before this cursor; not with `after`"),
        ("start" = Option<String>, Query, pattern = "^(oldest|newest)$", description = "Without a cursor: the oldest (default) or newest page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Events per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of the entity's events, oldest first", body = AuditPageBody,
            headers(("ETag" = String, description = "The entity stream's latest revision"))),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such entity, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn entity_audit(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (page, revision) = entity_audit_page(&state, principal, &kind, &id, raw.as_deref()).await?;
    Ok(with_etag(Json(page).into_response(), revision))
}

/// `GET /api/v1/correlations/{correlation}`: the events one user action (command) appended,
/// across streams, paged oldest first.
#[utoipa::path(get, path = "/api/v1/correlations/{correlation}", tag = "audit", security(("bearer" = [])),
    params(
        ("correlation" = Uuid, Path, description = "The correlation id (an event's `correlation_id`)"),
        ("event_type" = Option<String>, Query, pattern = "^[!-#%-~][!-~]{0,127}$", description = "Only events of these types (repeatable)"),
        ("actor" = Option<String>, Query, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$", max_length = 256,
            description = "Only events by this actor"),
        ("unit" = Option<Uuid>, Query, description = "Only events naming this unit"),
        ("experiment" = Option<Uuid>, Query, description = "Only events naming this experiment"),
        ("from" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or after: a day (YYYY-MM-DD) or an RFC 3339 time"),
        ("to" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Recorded at or before: a day (YYYY-MM-DD) or an RFC 3339 time"),
        ("after" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page after this cursor"),
        ("before" = Option<String>, Query, pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$", description = "The page before this cursor; not with `after`"),
        ("start" = Option<String>, Query, pattern = "^(oldest|newest)$", description = "Without a cursor: the oldest (default) or newest page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Events per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of the action's events, oldest first", body = AuditPageBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No events of the caller's municipality carry this correlation", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn correlation(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(correlation): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPageBody>, ApiError> {
    Ok(Json(correlation_page(&state, principal, &correlation, raw.as_deref()).await?))
}

/// `GET /api/v1/state/{kind}/{id}`: an entity's state as it stood at a moment or position (now
/// without `as_of`), replayed from its events. The `ETag` is the revision it stood at.
#[utoipa::path(get, path = "/api/v1/state/{kind}/{id}", tag = "audit", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(municipality|unit|body|framework|campaign|engagement|communication|experiment|observation|lesson|practice)$",
            description = "The entity's kind"),
        ("id" = Uuid, Path, description = "The entity's id"),
        ("as_of" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?|[0-9]{1,18}\\.[0-9]{1,18})$",
            description = "A moment (a day YYYY-MM-DD, meaning its end, or an RFC 3339 time) or a position (`<commit>.<prepare>`, an event's `position`); default: now"),
    ),
    responses(
        (status = 200, description = "The state", body = EntityStateBody,
            headers(("ETag" = String, description = "The stream revision the state stood at"))),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such entity, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn entity_state(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let body = entity_state_body(&state, principal, &kind, &id, raw.as_deref()).await?;
    let revision = body.revision;
    Ok(with_etag(Json(body).into_response(), revision))
}

/// `GET /api/v1/diff/{kind}/{id}`: what changed in an entity between two bounds, field by
/// field, with the events in between.
#[utoipa::path(get, path = "/api/v1/diff/{kind}/{id}", tag = "audit", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(municipality|unit|body|framework|campaign|engagement|communication|experiment|observation|lesson|practice)$",
            description = "The entity's kind"),
        ("id" = Uuid, Path, description = "The entity's id"),
        ("from" = String, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?|[0-9]{1,18}\\.[0-9]{1,18})$", description = "The earlier bound: a moment (YYYY-MM-DD or RFC 3339) or a position (`<commit>.<prepare>`)"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?|[0-9]{1,18}\\.[0-9]{1,18})$", description = "The later bound, likewise; default: now"),
    ),
    responses(
        (status = 200, description = "The difference", body = EntityDiffBody),
        (status = 400, description = "A malformed or missing parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such entity, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn entity_diff(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<EntityDiffBody>, ApiError> {
    Ok(Json(entity_diff_body(&state, principal, &kind, &id, raw.as_deref()).await?))
}

/// `GET /api/v1/municipalities/{municipality}/picture/diff`: what changed in the situational
/// picture between two days. Groups under a campaign's minimum size stay withheld: no level,
/// count or change is shown for them.
#[utoipa::path(get, path = "/api/v1/municipalities/{municipality}/picture/diff", tag = "audit", security(("bearer" = [])),
    params(
        ("municipality" = Uuid, Path, description = "The municipality (the caller's own)"),
        ("from" = chrono::NaiveDate, Query, description = "The earlier day"),
        ("to" = chrono::NaiveDate, Query, description = "The later day (not before `from`)"),
        ("unit" = Option<Uuid>, Query, description = "Only this unit"),
        ("framework" = Option<Uuid>, Query, description = "Only this framework"),
    ),
    responses(
        (status = 200, description = "The rows that changed", body = PictureDiffBody),
        (status = 400, description = "A malformed or missing parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "Another municipality's picture", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn picture_diff(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(municipality): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PictureDiffBody>, ApiError> {
    Ok(Json(picture_diff_body(&state, principal, &municipality, raw.as_deref()).await?))
}

/// `GET /api/v1/graph/{kind}/{id}`: the evidence graph around a record — what it cites or what
/// cites it, directly or transitively — limited to records the caller may read.
#[utoipa::path(get, path = "/api/v1/graph/{kind}/{id}", tag = "read", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(practice|experiment|lesson|observation|campaign|engagement|communication)$",
            description = "The record's kind (an outcome has its own route)"),
        ("id" = Uuid, Path, description = "The record's id"),
        ("direction" = Option<String>, Query, pattern = "^(cites|cited_by)$",
            description = "`cites` (default): what the record rests on; `cited_by`: what rests on it"),
        ("transitive" = Option<bool>, Query, description = "Follow the evidence relations all the way (default false)"),
    ),
    responses(
        (status = 200, description = "The graph around the record", body = GraphBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such record, or one the caller may not read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn graph(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<GraphBody>, ApiError> {
    if kind == "outcome" {
        return Err(ApiError::bad_request(
            "kind: an outcome is read at /api/v1/graph/outcome/{experiment}/{criterion}",
        ));
    }
    if !GRAPH_KINDS.contains(&kind.as_str()) {
        return Err(ApiError::bad_request(format!(
            "kind: `{}` is not in the evidence graph; use one of {}",
            printable(&kind),
            GRAPH_KINDS.join(", ")
        )));
    }
    let id = uuid_parameter("id", &id)?;
    let node = GraphNode::from_key(&kind, &id.to_string())
        .map_err(|_| ApiError::bad_request(format!("id: not a {kind} id")))?;
    Ok(Json(graph_around(&state, principal, node, raw.as_deref()).await?))
}

/// `GET /api/v1/graph/outcome/{experiment}/{criterion}`: the evidence graph around an
/// experiment's outcome on one criterion.
#[utoipa::path(get, path = "/api/v1/graph/outcome/{experiment}/{criterion}", tag = "read", security(("bearer" = [])),
    params(
        ("experiment" = Uuid, Path, description = "The experiment"),
        ("criterion" = String, Path, pattern = "^(effectiveness|wellbeing_at_work|productivity)$", description = "The criterion"),
        ("direction" = Option<String>, Query, pattern = "^(cites|cited_by)$",
            description = "`cites` (default): what the outcome rests on; `cited_by`: what rests on it"),
        ("transitive" = Option<bool>, Query, description = "Follow the evidence relations all the way (default false)"),
    ),
    responses(
        (status = 200, description = "The graph around the outcome", body = GraphBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such experiment, or one the caller may not read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn outcome_graph(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((experiment, criterion)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<GraphBody>, ApiError> {
    let experiment = uuid_parameter("experiment", &experiment)?;
    let node = GraphNode::from_key("outcome", &format!("{experiment}/{}", criterion.trim())).map_err(|_| {
        ApiError::bad_request(format!(
            "criterion: `{}` is not a criterion; use effectiveness, wellbeing_at_work or productivity",
            printable(&criterion)
        ))
    })?;
    Ok(Json(graph_around(&state, principal, node, raw.as_deref()).await?))
}

fn with_etag(mut response: Response, revision: Option<u64>) -> Response {
    if let Some(revision) = revision
        && let Ok(etag) = axum::http::HeaderValue::from_str(&format!("\"{revision}\""))
    {
        response.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    response
}
