//! The verifiable log over HTTP: thin handlers over [`kirjuri_app::integrity`].
//!
//! - `GET /api/v1/integrity/checkpoint`: the latest signed checkpoint (C2SP signed note);
//! - `GET /api/v1/integrity/checkpoints?size=`: the one of that size, or the smallest covering it;
//! - `GET /api/v1/integrity/proofs/inclusion?event=&size=`: an event's audit path;
//! - `GET /api/v1/integrity/proofs/consistency?from=&to=`: that a later tree extends an earlier;
//! - `GET /api/v1/integrity/bundles/{kind}/{id}`: an evidence bundle of a record's history;
//! - `GET /.well-known/kirjuri/keys`: the log's public keys, current and retired (no sign-in).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse as _, Response};
use kirjuri_app::integrity::{self, CheckpointBody, ConsistencyBody, InclusionBody, KeysBody};

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated};

/// `GET /api/v1/integrity/checkpoint`: the latest signed checkpoint, signed now if the tree
/// moved since the last one.
#[utoipa::path(get, path = "/api/v1/integrity/checkpoint", tag = "integrity", security(("bearer" = [])),
    responses(
        (status = 200, description = "The latest signed checkpoint", body = CheckpointBody),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "The log is empty", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn checkpoint(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
) -> Result<Json<CheckpointBody>, ApiError> {
    Ok(Json(integrity::latest_checkpoint(&state, &principal).await?))
}

/// `GET /api/v1/integrity/checkpoints?size=`: the signed checkpoint of `size` events, or the
/// smallest one covering them.
#[utoipa::path(get, path = "/api/v1/integrity/checkpoints", tag = "integrity", security(("bearer" = [])),
    params(("size" = u64, Query, description = "A tree size (events)")),
    responses(
        (status = 200, description = "The checkpoint", body = CheckpointBody),
        (status = 400, description = "A malformed or missing parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No signed checkpoint covers that size yet", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn checkpoints(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<CheckpointBody>, ApiError> {
    Ok(Json(integrity::checkpoint_of_size(&state, &principal, raw.as_deref()).await?))
}

/// `GET /api/v1/integrity/proofs/inclusion?event=&size=`: the audit path proving that the event
/// is leaf `index` of the tree of `size` events (default: the latest signed checkpoint's).
#[utoipa::path(get, path = "/api/v1/integrity/proofs/inclusion", tag = "integrity", security(("bearer" = [])),
    params(
        ("event" = Uuid, Query, description = "The event's id"),
        ("size" = Option<u64>, Query, description = "The tree size, at least 1 (default: the latest checkpoint's)"),
    ),
    responses(
        (status = 200, description = "The inclusion proof", body = InclusionBody),
        (status = 400, description = "A malformed or missing parameter, or a size that does not hold the event", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the tree, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn inclusion(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<InclusionBody>, ApiError> {
    Ok(Json(integrity::inclusion_proof(&state, &principal, raw.as_deref()).await?))
}

/// `GET /api/v1/integrity/proofs/consistency?from=&to=`: the proof that the tree of `to` events
/// extends the tree of `from` events.
#[utoipa::path(get, path = "/api/v1/integrity/proofs/consistency", tag = "integrity", security(("bearer" = [])),
    params(
        ("from" = u64, Query, minimum = 1, description = "The older tree size"),
        ("to" = u64, Query, minimum = 1, description = "The newer tree size, at least `from`"),
    ),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyBody),
        (status = 400, description = "A malformed or missing parameter, or sizes outside the tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn consistency(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<ConsistencyBody>, ApiError> {
    Ok(Json(integrity::consistency_proof(&state, &principal, raw.as_deref()).await?))
}

/// `GET /api/v1/integrity/bundles/{kind}/{id}`: an evidence bundle of a record's whole history
/// (a practice's with the evidence it cites), to check offline with `kirjuri verify-bundle` or
/// any verifier of the documented format.
#[utoipa::path(get, path = "/api/v1/integrity/bundles/{kind}/{id}", tag = "integrity", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(municipality|unit|body|framework|campaign|experiment|observation|lesson|practice)$",
            description = "The record's kind"),
        ("id" = Uuid, Path, description = "The record's id"),
    ),
    responses(
        (status = 200, description = "The evidence bundle (kirjuri-evidence-bundle/v1)", body = Object,
            headers(("Content-Disposition" = String, description = "attachment; filename=kirjuri-<kind>-<id>.bundle.json"))),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read the audit trail", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such record, or one the caller may not read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models or the tree do not run on this server, or the tree has not reached the record yet", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn bundle(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bundle = integrity::record_bundle(&state, principal, &kind, &id).await?;
    let filename = format!("kirjuri-{}-{}.bundle.json", bundle.subject.kind, bundle.subject.id);
    Ok(([(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))], Json(bundle)).into_response())
}

/// `GET /.well-known/kirjuri/keys`: the log's origin and public keys (current and retired), to
/// check checkpoints and bundles with. Needs no sign-in.
#[utoipa::path(get, path = "/.well-known/kirjuri/keys", tag = "integrity",
    responses(
        (status = 200, description = "The public keys", body = KeysBody),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn keys(State(state): State<AppState>) -> Result<Json<KeysBody>, ApiError> {
    Ok(Json(KeysBody::from(state.integrity()?.public_keys())))
}

/// `GET /.well-known/kirjuri/checkpoint`: the latest signed checkpoint as a C2SP signed note, for
/// partner witnesses and transparency-log tooling (no sign-in: it reveals the log's size and root
/// only).
#[utoipa::path(get, path = "/.well-known/kirjuri/checkpoint", tag = "integrity",
    responses(
        (status = 200, description = "The signed note", body = String, content_type = "text/plain"),
        (status = 404, description = "The log is empty", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn public_checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let checkpoint = state.integrity()?.latest().await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], checkpoint.note).into_response())
}

/// `GET /.well-known/kirjuri/consistency?from=&to=`: a consistency proof for partner witnesses
/// (no sign-in: sizes and hashes only).
#[utoipa::path(get, path = "/.well-known/kirjuri/consistency", tag = "integrity",
    params(
        ("from" = u64, Query, minimum = 1, description = "The older tree size"),
        ("to" = u64, Query, minimum = 1, description = "The newer tree size, at least `from`"),
    ),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyBody),
        (status = 400, description = "A malformed or missing parameter, or sizes outside the tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn public_consistency(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ConsistencyBody>, ApiError> {
    let (from, to) = integrity::from_to(raw.as_deref())?;
    Ok(Json(state.integrity()?.consistency_unchecked(from, to).await?))
}

/// `POST /.well-known/kirjuri/cosignature`: a partner witness's cosignature of one of this log's
/// checkpoints; kept when it is by an accepted witness and verifies.
#[utoipa::path(post, path = "/.well-known/kirjuri/cosignature", tag = "integrity",
    request_body = kirjuri_app::witness::CosignatureRequest,
    responses(
        (status = 204, description = "The cosignature is kept"),
        (status = 400, description = "A malformed body or a cosignature that does not verify", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "Not a witness this log accepts", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No checkpoint of that size was signed", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "This server does not keep the log's tree", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn cosignature(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<axum::http::StatusCode, ApiError> {
    let request: kirjuri_app::witness::CosignatureRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::from(kirjuri_app::AppError::bad_request(format!("body: {e}"))))?;
    let integrity = state.integrity()?;
    let witnesses = integrity.accepted_witnesses().to_vec();
    kirjuri_app::witness::accept_cosignature(&integrity, &witnesses, request).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
