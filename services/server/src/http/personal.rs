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
use chrono::{DateTime, NaiveTime, Utc};
use kirjuri_events::domain::access_log::{AccessLogEvent, PersonalData, Purpose};
use kirjuri_events::domain::{EngagementId, LocalizedText};
use kirjuri_store::StoreError;
use kirjuri_views::{AuditFilter, AuditRow, Cursor, EntityKind, PageRequest};
use serde::Serialize;

use super::error::ProblemDetailsSchema;
use super::queries::{number, pairs, printable, read_side, uuid_parameter, views_error};
use super::{ApiError, AppState, Authenticated, ErrorCode};
use crate::access::{Action, Resource, authorize};
use crate::personal_data::{CoachingNotes, PersonalDataError, read_coaching_notes};

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

/// The access log's `reader` filter: a principal's subject, trimmed, not empty.
pub(crate) fn reader_parameter(value: &str) -> Result<String, ApiError> {
    let reader = value.trim();
    if reader.is_empty() {
        return Err(ApiError::bad_request("reader: a principal's subject, e.g. token:<id>; not empty"));
    }
    Ok(reader.to_owned())
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
    let notes = read_coaching_notes(&*state.store, &principal, engagement, purpose, Utc::now())
        .await
        .map_err(personal_data_error)?;
    let revision = notes.revision;
    let mut response = no_store(Json(CoachingNotesBody::from(notes)).into_response());
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", revision.0)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// One read of personal data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessLogEntryBody {
    /// The log event's id.
    pub event_id: uuid::Uuid,
    /// When the data was read.
    pub read_at: DateTime<Utc>,
    /// Who read it: the principal's subject (`token:<id>`, or the OIDC subject).
    pub reader: String,
    /// The pseudonymous person reference the reader is.
    pub reader_person: String,
    /// What was read.
    pub data: PersonalData,
    /// Why, in the reader's words.
    pub purpose: String,
}

/// A page of the access log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessLogPageBody {
    /// The reads.
    pub entries: Vec<AccessLogEntryBody>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next: Option<String>,
}

fn entry_body(row: AuditRow) -> Result<AccessLogEntryBody, ApiError> {
    let decoded = AccessLogEvent::decode(row.event_type.as_str(), row.schema_version, row.data.as_str())
        .map_err(ApiError::internal)?;
    let AccessLogEvent::PersonalDataRead(read) = decoded;
    Ok(AccessLogEntryBody {
        event_id: row.event_id.0,
        read_at: read.read_at,
        reader: read.reader,
        reader_person: read.reader_person,
        data: read.data,
        purpose: read.purpose.into(),
    })
}

/// The default and largest page of the access log.
const DEFAULT_ACCESS_LOG_LIMIT: usize = 50;
pub(crate) const MAX_ACCESS_LOG_LIMIT: usize = 200;

/// Reads a time bound: an RFC 3339 moment, or a day (its start for `from`, its end for `to`).
fn time_bound(name: &str, value: &str, end_of_day: bool) -> Result<DateTime<Utc>, ApiError> {
    let malformed = || {
        ApiError::bad_request(format!(
            "{name}: `{}` is not a day like 2026-03-02 or a moment like 2026-03-02T08:00:00Z",
            printable(value)
        ))
    };
    let text = value.trim();
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Ok(moment.with_timezone(&Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| malformed())?;
    let time = if end_of_day { NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999) } else { Some(NaiveTime::MIN) };
    Ok(day.and_time(time.ok_or_else(malformed)?).and_utc())
}

/// The access log's filter and page from the query string; always within `municipality`.
fn access_log_query(raw: Option<&str>, municipality: &str) -> Result<(AuditFilter, PageRequest), ApiError> {
    let mut filter = AuditFilter {
        entity_kind: Some(EntityKind::AccessLog),
        municipality: Some(municipality.to_owned()),
        ..AuditFilter::default()
    };
    let mut cursor = None;
    let mut limit = DEFAULT_ACCESS_LOG_LIMIT;
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "reader" => filter.actor = Some(reader_parameter(&value)?),
            "from" => filter.from = Some(time_bound("from", &value, false)?),
            "to" => filter.to = Some(time_bound("to", &value, true)?),
            "cursor" => {
                cursor = Some(Cursor::parse(value.trim()).map_err(|_| {
                    ApiError::bad_request(format!(
                        "cursor: `{}` is not a cursor this API handed out",
                        printable(&value)
                    ))
                })?);
            }
            "limit" => {
                limit = number("limit", &value)?;
                if !(1..=MAX_ACCESS_LOG_LIMIT).contains(&limit) {
                    return Err(ApiError::bad_request(format!("limit: must be 1 to {MAX_ACCESS_LOG_LIMIT}")));
                }
            }
            "municipality" => {
                return Err(ApiError::bad_request(
                    "municipality: the access log is always your own municipality's; remove this parameter",
                ));
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "{}: unknown parameter; use reader, from, to, cursor or limit",
                    printable(other)
                )));
            }
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(ApiError::bad_request("to: must not be before from"));
    }
    let limit = u32::try_from(limit).unwrap_or(PageRequest::MAX_LIMIT);
    let page = match cursor {
        Some(cursor) => PageRequest::before(cursor, limit),
        None => PageRequest::last(limit),
    };
    Ok((filter, page))
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

/// What `GET /api/v1/access-log` answers; the web's access-log page reads it too.
pub(crate) async fn access_log_page(
    state: &AppState,
    principal: &crate::auth::Principal,
    raw: Option<&str>,
) -> Result<AccessLogPageBody, ApiError> {
    authorize(principal, Action::ReadAccessLog, &Resource::of(principal.municipality)).map_err(ApiError::denied)?;
    let (filter, page) = access_log_query(raw, &principal.municipality.to_string())?;
    let read_side = read_side(state)?;
    let found = tokio::task::spawn_blocking(move || read_side.views()?.timeline(&filter, page))
        .await
        .map_err(ApiError::internal)?
        .map_err(views_error)?;
    let next = found.next.map(|cursor| cursor.to_string());
    let entries = found.rows.into_iter().map(entry_body).collect::<Result<Vec<_>, _>>()?;
    Ok(AccessLogPageBody { entries, next })
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

    #[test]
    fn the_access_log_query_stays_in_the_callers_municipality_and_reads_days_whole() {
        let tenant = uuid::Uuid::new_v4().to_string();
        let (filter, page) = access_log_query(Some("reader=token:abc&from=2026-03-02&to=2026-03-02&limit=10"), &tenant)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filter.municipality.as_deref(), Some(tenant.as_str()));
        assert_eq!(filter.entity_kind, Some(EntityKind::AccessLog));
        assert_eq!(filter.actor.as_deref(), Some("token:abc"));
        assert_eq!(filter.from.map(|f| f.to_rfc3339()), Some("2026-03-02T00:00:00+00:00".to_owned()));
        assert!(filter.to.is_some_and(|t| t > filter.from.unwrap_or_default()), "the whole day");
        assert_eq!(page.limit, 10);
        for (query, named) in [
            ("municipality=x", "municipality"),
            ("from=yesterday", "from"),
            ("from=2026-03-03&to=2026-03-02", "to"),
            ("limit=0", "limit"),
            ("limit=1000", "limit"),
            ("cursor=abc", "cursor"),
            ("reader=", "reader"),
            ("colour=red", "colour"),
        ] {
            let error = access_log_query(Some(query), &tenant).expect_err(query);
            assert!(error.detail().starts_with(named), "{query}: {}", error.detail());
        }
    }
}
