//! Personal data over HTTP: an engagement's coaching notes (personal text only for its coach
//! and coachees, every such read logged first) and the personal-data access log for auditors.
//!
//! - `GET /api/v1/coaching/engagements/{engagement}/notes?purpose=…`: anyone who may read the
//!   engagement's municipality gets the notes' shareable review; the coach and coachees also get
//!   each note's personal text, and that read is appended to the access log before the answer
//!   is sent (if the append fails, so does the read). Others are not refused: the personal text
//!   is left out and each such note says `personal_text_withheld`. `purpose` is required of
//!   everyone, so a read never depends on who turns out to be a participant.
//! - `GET /api/v1/access-log`: who read which personal data when and why, in the caller's
//!   municipality, newest first, by reader and time, in pages.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use chrono::Utc;
use kirjuri_events::domain::access_log::Purpose;
use kirjuri_events::domain::{EngagementId, LocalizedText};
use kirjuri_store::StoreError;
use serde::Serialize;

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated, ErrorCode};
use kirjuri_app::access_log::{AccessLogPageBody, access_log_page};
use kirjuri_app::personal_data::{CoachingNotes, PersonalDataError, read_coaching_notes};
use kirjuri_app::queries::{pairs, printable, uuid_parameter};

/// One coaching note as the caller may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoachingNoteBody {
    /// The note.
    pub note: uuid::Uuid,
    /// The session it is about.
    pub session: uuid::Uuid,
    /// That session's date.
    pub session_date: Option<chrono::NaiveDate>,
    /// Who wrote it (a pseudonymous person reference).
    pub author: String,
    /// What was planned.
    pub planned: LocalizedText,
    /// What happened.
    pub happened: LocalizedText,
    /// Why it differed from the plan.
    pub why_different: LocalizedText,
    /// What to keep doing and what to change.
    pub keep_or_change: LocalizedText,
    /// The note's personal free text: only for the engagement's coach and coachees.
    pub personal_text: Option<String>,
    /// Whether the note has personal text that this caller may not read.
    pub personal_text_withheld: bool,
    /// Whether the note's personal text was erased for good (a person it is about had their
    /// personal data erased).
    pub personal_text_erased: bool,
}

/// An engagement's notes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoachingNotesBody {
    /// The engagement.
    pub engagement: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Whether the caller is the coach or a coachee, so personal text is included.
    pub personal_text_included: bool,
    /// The access-log event recording this read, when personal text was sent.
    pub access_log_event: Option<uuid::Uuid>,
    /// The notes, oldest first.
    pub notes: Vec<CoachingNoteBody>,
}

impl From<CoachingNotes> for CoachingNotesBody {
    fn from(notes: CoachingNotes) -> Self {
        Self {
            engagement: notes.engagement.0,
            municipality: notes.municipality.0,
            personal_text_included: notes.personal_text_included,
            access_log_event: notes.logged.map(|id| id.0),
            notes: notes
                .notes
                .into_iter()
                .map(|n| CoachingNoteBody {
                    note: n.note.note.0,
                    session: n.note.session.0,
                    session_date: n.session_date,
                    author: n.note.author.to_string(),
                    planned: n.note.planned,
                    happened: n.note.happened,
                    why_different: n.note.why_different,
                    keep_or_change: n.note.keep_or_change,
                    personal_text: n.note.personal.map(|p| p.text),
                    personal_text_withheld: n.personal_withheld,
                    personal_text_erased: n.personal_erased,
                })
                .collect(),
        }
    }
}

fn personal_data_error(error: PersonalDataError) -> ApiError {
    match error {
        PersonalDataError::NotFound => ApiError::new(ErrorCode::NotFound, "no such engagement"),
        PersonalDataError::Denied(denied) => ApiError::denied(denied),
        PersonalDataError::Store(StoreError::Unavailable { .. } | StoreError::Closed) => ApiError::new(
            ErrorCode::StoreUnavailable,
            "the event store is unavailable; nothing was read (a read of personal data is logged first)",
        ),
        other => ApiError::internal(other),
    }
}

/// Reads the notes route's query: `purpose` (required), nothing else.
fn notes_purpose(raw: Option<&str>) -> Result<Purpose, ApiError> {
    let mut purpose = None;
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "purpose" if purpose.is_some() => return Err(ApiError::bad_request("purpose: give it once")),
            "purpose" => {
                purpose = Some(Purpose::parse("purpose", &value).map_err(|e| ApiError::bad_request(e.to_string()))?);
            }
            other => {
                return Err(ApiError::bad_request(format!("{}: unknown parameter; use purpose", printable(other))));
            }
        }
    }
    purpose.ok_or_else(|| {
        ApiError::bad_request("purpose: required; say why you read this engagement's notes (3 to 200 characters)")
    })
}

/// Marks a response as not to be stored by caches (it may hold personal data).
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/v1/coaching/engagements/{engagement}/notes`: the engagement's notes; their
/// personal text only for its coach and coachees, and every read of it logged first.
#[utoipa::path(get, path = "/api/v1/coaching/engagements/{engagement}/notes", tag = "read", security(("bearer" = [])),
    params(
        ("engagement" = uuid::Uuid, Path, description = "The engagement"),
        ("purpose" = String, Query, min_length = 3, max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$",
            description = "Why you read the notes (3 to 200 characters after trimming, no control characters); recorded in the access log with every read of personal text"),
    ),
    responses(
        (status = 200, description = "The notes; personal text included only for the coach and coachees, and then logged",
            body = CoachingNotesBody,
            headers(("ETag" = String, description = "The engagement stream's revision"),
                    ("Cache-Control" = String, description = "`no-store`: the answer may hold personal data"))),
        (status = 400, description = "A malformed id, or `purpose` missing or malformed", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such engagement, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The event store is unavailable (nothing was read or logged)", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn coaching_notes(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(engagement): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let engagement = EngagementId(uuid_parameter("engagement", &engagement)?);
    let purpose = notes_purpose(raw.as_deref())?;
    let notes =
        read_coaching_notes(&*state.store, state.personal_keys.as_deref(), &principal, engagement, purpose, Utc::now())
            .await
            .map_err(personal_data_error)?;
    let revision = notes.revision;
    let mut response = no_store(Json(CoachingNotesBody::from(notes)).into_response());
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", revision.0)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// `GET /api/v1/access-log`: who read which personal data when and why, in the caller's
/// municipality, newest first.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "read", security(("bearer" = [])),
    params(
        ("reader" = Option<String>, Query, min_length = 1, description = "Only reads by this principal subject (e.g. `token:<id>`)"),
        ("from" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Read at or after this day (`YYYY-MM-DD`, from its start) or RFC 3339 moment"),
        ("to" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$", description = "Read at or before this day (`YYYY-MM-DD`, to its end) or RFC 3339 moment; not before `from`"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,19}\\.[0-9]{1,19}$", description = "The `next` of the previous page"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 200, description = "Entries per page (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of the access log, newest first", body = AccessLogPageBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "Not an auditor or admin", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let page = access_log_page(&state, &principal, raw.as_deref()).await?;
    Ok(no_store(Json(page).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notes_route_needs_a_purpose_and_names_it() {
        for (query, named) in [
            (None, "purpose"),
            (Some("purpose="), "purpose"),
            (Some("purpose=ok"), "purpose"),
            (Some("purpose=preparing&purpose=again"), "purpose"),
            (Some("purpose=preparing%20a%20session&colour=red"), "colour"),
        ] {
            let error = notes_purpose(query).expect_err("refused");
            assert_eq!(error.code(), ErrorCode::BadRequest, "{query:?}");
            assert!(error.detail().starts_with(named), "{query:?}: {}", error.detail());
        }
        let purpose = notes_purpose(Some("purpose=preparing%20a%20session")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(purpose.as_str(), "preparing a session");
    }
}
