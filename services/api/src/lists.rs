//! Lists over HTTP: a municipality's experiments, lessons, best practices, bodies and related
//! municipalities, in keyset pages, and single experiments, lessons and municipalities with
//! an `ETag` carrying their stream revision.
//!
//! Every list is the caller's municipality's (practices shared with it included, marked
//! `shared`); a single record of another municipality answers 404. A page holds at most
//! `limit` items (1–100, default 20), newest first; `next` is the `after` of the next page.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, NaiveDate, Utc};
use kirjuri_events::domain::experiment::ExperimentPhase;
use kirjuri_events::domain::lesson::LessonPhase;
use kirjuri_events::domain::practice::PracticePhase;
use kirjuri_events::domain::{ExperimentId, LessonId, MunicipalityId, UnitId};
use kirjuri_views::lists::parse_body_kind;
use kirjuri_views::{BodyRow, ExperimentRow, LessonFilter, LessonRow, Listed, MunicipalityRow, PracticeRow};
use serde::Serialize;

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated, ErrorCode};
use kirjuri_app::queries::{
    date_parameter, experiment_list_request, practice_query, read_parameters, status_parameter, tag_parameter,
    uuid_parameter, views_error, with_views,
};
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};

fn may_list(principal: &Principal) -> Result<MunicipalityId, ApiError> {
    authorize(principal, Action::Read, &Resource::of(principal.municipality)).map_err(ApiError::denied)?;
    Ok(principal.municipality)
}

/// Whether `If-None-Match` names `etag` (or `*`), weak or strong.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|value| value.to_str().ok()).any(|value| {
        value.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
    })
}

/// `body` with an `ETag` of `revision`, or `304 Not Modified` when the caller already has it.
fn versioned<T: Serialize>(headers: &HeaderMap, revision: u64, body: T) -> Response {
    let etag = format!("\"{revision}\"");
    let mut response = if matches_etag(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(body).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("no such {what}"))
}

fn next_cursor<T>(page: &Listed<T>) -> Option<String> {
    page.next.map(|cursor| cursor.to_string())
}

/// An experiment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExperimentBody {
    /// The experiment.
    pub experiment: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Its name (Finnish).
    pub title: String,
    /// Its name in English, if given.
    pub title_en: Option<String>,
    /// `proposed`, `approved` (being planned), `running`, `evaluating` or `concluded`.
    pub status: ExperimentPhase,
    /// How it ended (`completed`, `stopped`, `pivoted`), once concluded.
    pub end_state: Option<String>,
    /// The units taking part.
    pub units: Vec<uuid::Uuid>,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
    /// The body whose decision approved it.
    pub approved_by: Option<uuid::Uuid>,
    /// The date of that decision.
    pub approved_on: Option<NaiveDate>,
    /// Its first day, once approved.
    pub starts: Option<NaiveDate>,
    /// Its last planned day, once approved.
    pub ends: Option<NaiveDate>,
    /// When it ended.
    pub concluded_on: Option<NaiveDate>,
}

impl From<ExperimentRow> for ExperimentBody {
    fn from(row: ExperimentRow) -> Self {
        Self {
            experiment: row.experiment.0,
            municipality: row.municipality.0,
            title: row.title_fi,
            title_en: row.title_en,
            status: row.status,
            end_state: row.end_state,
            units: row.units.into_iter().map(|u| u.0).collect(),
            proposed_on: row.proposed_on,
            approved_by: row.approved_by.map(|b| b.0),
            approved_on: row.approved_on,
            starts: row.starts,
            ends: row.ends,
            concluded_on: row.concluded_on,
        }
    }
}

/// A page of experiments.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExperimentPage {
    /// The experiments, newest first.
    pub items: Vec<ExperimentBody>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/experiments`: the caller's municipality's experiments, newest first.
#[utoipa::path(get, path = "/api/v1/experiments", tag = "read", security(("bearer" = [])),
    params(
        ("status" = Option<ExperimentPhase>, Query, description = "Only experiments in this status"),
        ("unit" = Option<uuid::Uuid>, Query, description = "Only experiments this unit takes part in"),
        ("from" = Option<NaiveDate>, Query, description = "Proposed on or after this day"),
        ("to" = Option<NaiveDate>, Query, description = "Proposed on or before this day (not before `from`)"),
        ("after" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}$", description = "A previous page's `next`"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Items per page (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of experiments", body = ExperimentPage),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn experiments(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<ExperimentPage>, ApiError> {
    let municipality = may_list(&principal)?;
    let (filter, request) = experiment_list_request(raw.as_deref())?;
    let page = with_views(&state, move |views| views.experiments(municipality, &filter, request)).await?;
    Ok(Json(ExperimentPage { next: next_cursor(&page), items: page.items.into_iter().map(Into::into).collect() }))
}

/// `GET /api/v1/experiments/{experiment}`: one experiment; the `ETag` is its stream's revision.
#[utoipa::path(get, path = "/api/v1/experiments/{experiment}", tag = "read", security(("bearer" = [])),
    params(
        ("experiment" = uuid::Uuid, Path, description = "The experiment"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag this caller holds: 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The experiment", body = ExperimentBody,
            headers(("ETag" = String, description = "The experiment stream's revision, as the read model last saw it"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A malformed id", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such experiment, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn experiment(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(experiment): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let experiment = ExperimentId(uuid_parameter("experiment", &experiment)?);
    let found =
        with_views(&state, move |views| views.experiment(experiment)).await?.ok_or_else(|| not_found("experiment"))?;
    authorize(&principal, Action::Read, &Resource::of(found.item.municipality)).map_err(ApiError::denied)?;
    Ok(versioned(&headers, found.revision, ExperimentBody::from(found.item)))
}

/// A lesson.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonBody {
    /// The lesson.
    pub lesson: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Its title (Finnish).
    pub title: String,
    /// Its title in English, if given.
    pub title_en: Option<String>,
    /// The unit it concerns most, if one.
    pub unit: Option<uuid::Uuid>,
    /// The experiment it comes from, if any.
    pub experiment: Option<uuid::Uuid>,
    /// `identified`, `acting` (an action was assigned) or `learned`.
    pub status: LessonPhase,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<LessonRow> for LessonBody {
    fn from(row: LessonRow) -> Self {
        Self {
            lesson: row.lesson.0,
            municipality: row.municipality.0,
            title: row.title_fi,
            title_en: row.title_en,
            unit: row.unit.map(|u| u.0),
            experiment: row.experiment.map(|x| x.0),
            status: row.status,
            tags: row.tags,
            recorded_at: row.recorded_at,
        }
    }
}

/// A page of lessons.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonPage {
    /// The lessons, newest first.
    pub items: Vec<LessonBody>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/lessons`: the caller's municipality's lessons, newest first.
#[utoipa::path(get, path = "/api/v1/lessons", tag = "read", security(("bearer" = [])),
    params(
        ("status" = Option<LessonPhase>, Query, description = "Only lessons in this status"),
        ("experiment" = Option<uuid::Uuid>, Query, description = "Only lessons from this experiment"),
        ("unit" = Option<uuid::Uuid>, Query, description = "Only lessons concerning this unit"),
        ("tag" = Option<String>, Query, pattern = "^(?!\\s*$)[^\\x00-\\x1f\\x7f-\\x9f]{1,64}$", description = "Only lessons with this tag: 1 to 64 characters, no control characters"),
        ("from" = Option<NaiveDate>, Query, description = "Recorded on or after this day (UTC)"),
        ("to" = Option<NaiveDate>, Query, description = "Recorded on or before this day (UTC; not before `from`)"),
        ("after" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}$", description = "A previous page's `next`"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Items per page (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of lessons", body = LessonPage),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn lessons(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<LessonPage>, ApiError> {
    let municipality = may_list(&principal)?;
    let mut filter = LessonFilter::default();
    let request = read_parameters(raw.as_deref(), "status, experiment, unit, tag, from, to", |name, value| {
        match name {
            "status" => filter.status = Some(status_parameter(value)?),
            "experiment" => filter.experiment = Some(ExperimentId(uuid_parameter("experiment", value)?)),
            "unit" => filter.unit = Some(UnitId(uuid_parameter("unit", value)?)),
            "tag" => filter.tag = Some(tag_parameter(value)?),
            "from" => filter.from = Some(date_parameter("from", value)?),
            "to" => filter.to = Some(date_parameter("to", value)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let page = with_views(&state, move |views| views.lessons(municipality, &filter, request)).await?;
    Ok(Json(LessonPage { next: next_cursor(&page), items: page.items.into_iter().map(Into::into).collect() }))
}

/// `GET /api/v1/lessons/{lesson}`: one lesson; the `ETag` is its stream's revision.
#[utoipa::path(get, path = "/api/v1/lessons/{lesson}", tag = "read", security(("bearer" = [])),
    params(
        ("lesson" = uuid::Uuid, Path, description = "The lesson"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag this caller holds: 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The lesson", body = LessonBody,
            headers(("ETag" = String, description = "The lesson stream's revision, as the read model last saw it"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A malformed id", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such lesson, or another municipality's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn lesson(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(lesson): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lesson = LessonId(uuid_parameter("lesson", &lesson)?);
    let found = with_views(&state, move |views| views.lesson(lesson)).await?.ok_or_else(|| not_found("lesson"))?;
    authorize(&principal, Action::Read, &Resource::of(found.item.municipality)).map_err(ApiError::denied)?;
    Ok(versioned(&headers, found.revision, LessonBody::from(found.item)))
}

/// The latest decision on a practice.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LatestDecisionBody {
    /// The body that decided.
    pub body: uuid::Uuid,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// `passed`, `passed_as_amended`, `rejected`, `returned`, `tabled`, `noted`, …
    pub resolution: String,
}

/// A best practice.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticeBody {
    /// The practice.
    pub practice: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Another municipality's practice, shared with the caller's (read only).
    pub shared: bool,
    /// Its title (Finnish).
    pub title: String,
    /// Its title in English, if given.
    pub title_en: Option<String>,
    /// The current version.
    pub version: u32,
    /// `draft`, `submitted`, `passed`, `rejected`, `returned`, `tabled`, `noted`, `superseded` or `retired`.
    pub status: PracticePhase,
    /// Implementation progress, percent.
    pub progress: u8,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was drafted.
    pub drafted_at: DateTime<Utc>,
    /// The latest decision on it, if any.
    pub latest_decision: Option<LatestDecisionBody>,
}

impl From<PracticeRow> for PracticeBody {
    fn from(row: PracticeRow) -> Self {
        Self {
            practice: row.practice.0,
            municipality: row.municipality.0,
            shared: row.shared,
            title: row.title_fi,
            title_en: row.title_en,
            version: row.version,
            status: row.status,
            progress: row.progress,
            tags: row.tags,
            drafted_at: row.drafted_at,
            latest_decision: row.latest_decision.map(|d| LatestDecisionBody {
                body: d.body.0,
                meeting_date: d.meeting_date,
                resolution: d.resolution,
            }),
        }
    }
}

/// A page of practices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticePage {
    /// The practices, newest first.
    pub items: Vec<PracticeBody>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/practices`: the caller's municipality's best practices and those shared with
/// it (`shared: true`), newest first.
#[utoipa::path(get, path = "/api/v1/practices", tag = "read", security(("bearer" = [])),
    params(
        ("status" = Option<PracticePhase>, Query, description = "Only practices in this status"),
        ("body" = Option<uuid::Uuid>, Query, description = "Only practices this body decided on (with from/to: in that period)"),
        ("from" = Option<NaiveDate>, Query, description = "Only practices decided at a meeting on or after this day"),
        ("to" = Option<NaiveDate>, Query, description = "Only practices decided at a meeting on or before this day (not before `from`)"),
        ("tag" = Option<String>, Query, pattern = "^(?!\\s*$)[^\\x00-\\x1f\\x7f-\\x9f]{1,64}$", description = "Only practices with this tag (compared in lowercase): 1 to 64 characters, no control characters"),
        ("after" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}$", description = "A previous page's `next`"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Items per page (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of practices", body = PracticePage),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn practices(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<PracticePage>, ApiError> {
    let municipality = may_list(&principal)?;
    let (filter, request) = practice_query(raw.as_deref())?;
    let page = with_views(&state, move |views| views.practices(municipality, &filter, request)).await?;
    Ok(Json(PracticePage { next: next_cursor(&page), items: page.items.into_iter().map(Into::into).collect() }))
}

/// A decision-making body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BodyBody {
    /// The body.
    pub body: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Its name (Finnish).
    pub name: String,
    /// Its name in English, if given.
    pub name_en: Option<String>,
    /// `council`, `city_board`, `committee`, `management_team` or `steering_group`.
    pub kind: String,
    /// The body it reports to, if any.
    pub parent: Option<uuid::Uuid>,
    /// When it was founded.
    pub founded: NaiveDate,
}

impl From<BodyRow> for BodyBody {
    fn from(row: BodyRow) -> Self {
        Self {
            body: row.body.0,
            municipality: row.municipality.0,
            name: row.name_fi,
            name_en: row.name_en,
            kind: row.kind,
            parent: row.parent.map(|p| p.0),
            founded: row.founded,
        }
    }
}

/// A page of bodies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BodyPage {
    /// The bodies, newest registration first.
    pub items: Vec<BodyBody>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/bodies`: the caller's municipality's decision-making bodies.
#[utoipa::path(get, path = "/api/v1/bodies", tag = "read", security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, pattern = "^(council|city_board|committee|management_team|steering_group)$", description = "Only bodies of this kind"),
        ("after" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}$", description = "A previous page's `next`"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Items per page (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of bodies", body = BodyPage),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn bodies(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<BodyPage>, ApiError> {
    let municipality = may_list(&principal)?;
    let mut kind = None;
    let request = read_parameters(raw.as_deref(), "kind", |name, value| {
        if name != "kind" {
            return Ok(false);
        }
        kind = Some(parse_body_kind("kind", value).map_err(views_error)?);
        Ok(true)
    })?;
    let page = with_views(&state, move |views| views.bodies(municipality, kind, request)).await?;
    Ok(Json(BodyPage { next: next_cursor(&page), items: page.items.into_iter().map(Into::into).collect() }))
}

/// A municipality.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MunicipalityBody {
    /// The municipality.
    pub municipality: uuid::Uuid,
    /// Its official code, e.g. `297`.
    pub code: String,
    /// Its name (Finnish).
    pub name: String,
    /// Its name in English, if given.
    pub name_en: Option<String>,
    /// `own` (the caller's), `partner` (in the network the caller's hosts) or `host` (hosts a
    /// network the caller's belongs to).
    pub relation: &'static str,
}

fn municipality_body(row: MunicipalityRow, relation: kirjuri_views::MunicipalityRelation) -> MunicipalityBody {
    MunicipalityBody {
        municipality: row.municipality.0,
        code: row.code,
        name: row.name_fi,
        name_en: row.name_en,
        relation: relation.as_str(),
    }
}

/// A page of municipalities.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MunicipalityPage {
    /// The municipalities, newest registration first.
    pub items: Vec<MunicipalityBody>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/municipalities`: the caller's municipality and the municipalities of its
/// current partner networks (those it hosts and those it belongs to).
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "read", security(("bearer" = [])),
    params(
        ("after" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}$", description = "A previous page's `next`"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Items per page (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of municipalities", body = MunicipalityPage),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn municipalities(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<MunicipalityPage>, ApiError> {
    let municipality = may_list(&principal)?;
    let request = read_parameters(raw.as_deref(), "", |_, _| Ok(false))?;
    let page = with_views(&state, move |views| views.municipalities(municipality, request)).await?;
    Ok(Json(MunicipalityPage {
        next: next_cursor(&page),
        items: page.items.into_iter().map(|(row, relation)| municipality_body(row, relation)).collect(),
    }))
}

/// A municipality with its current partner networks (shown to its own staff only).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MunicipalityDetailBody {
    /// The municipality.
    #[serde(flatten)]
    pub municipality: MunicipalityBody,
    /// Members of the partner network it hosts (its own staff only; empty for others).
    pub partners: Vec<uuid::Uuid>,
    /// Hosts of the partner networks it belongs to (its own staff only; empty for others).
    pub hosts: Vec<uuid::Uuid>,
}

/// `GET /api/v1/municipalities/{municipality}`: the caller's municipality, or one in a partner
/// network with it; the `ETag` is its stream's revision.
#[utoipa::path(get, path = "/api/v1/municipalities/{municipality}", tag = "read", security(("bearer" = [])),
    params(
        ("municipality" = uuid::Uuid, Path, description = "The municipality"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag this caller holds: 304 if it is still current"),
    ),
    responses(
        (status = 200, description = "The municipality", body = MunicipalityDetailBody,
            headers(("ETag" = String, description = "The municipality stream's revision, as the read model last saw it"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A malformed id", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such municipality, or one unrelated to the caller's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn municipality(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(municipality): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let municipality = MunicipalityId(uuid_parameter("municipality", &municipality)?);
    let found = with_views(&state, move |views| views.municipality(municipality))
        .await?
        .ok_or_else(|| not_found("municipality"))?;
    let detail = found.item;
    let related = detail.partners.iter().chain(&detail.hosts).copied();
    authorize(&principal, Action::Read, &Resource::of(municipality).shared_with(related)).map_err(ApiError::denied)?;
    let own = principal.municipality == municipality;
    let relation = if own {
        kirjuri_views::MunicipalityRelation::Own
    } else if detail.hosts.contains(&principal.municipality) {
        kirjuri_views::MunicipalityRelation::Partner
    } else {
        kirjuri_views::MunicipalityRelation::Host
    };
    let body = MunicipalityDetailBody {
        partners: if own { detail.partners.iter().map(|p| p.0).collect() } else { Vec::new() },
        hosts: if own { detail.hosts.iter().map(|h| h.0).collect() } else { Vec::new() },
        municipality: municipality_body(detail.row, relation),
    };
    Ok(versioned(&headers, found.revision, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_matches_strong_weak_listed_and_any() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")));
            headers
        };
        assert!(matches_etag(&with("\"3\""), "\"3\""));
        assert!(matches_etag(&with("W/\"3\""), "\"3\""));
        assert!(matches_etag(&with("\"1\", \"3\""), "\"3\""));
        assert!(matches_etag(&with("*"), "\"3\""));
        assert!(!matches_etag(&with("\"2\""), "\"3\""));
        assert!(!matches_etag(&HeaderMap::new(), "\"3\""));
    }

    #[test]
    fn list_parameters_name_the_one_that_is_wrong() {
        for (query, named) in [
            ("limit=ten", "limit"),
            ("after=abc", "after"),
            ("after=-5", "after"),
            ("colour=red", "colour"),
            ("municipality=00000000-0000-0000-0000-000000000000", "municipality"),
        ] {
            let error = read_parameters(Some(query), "nothing", |_, _| Ok(false)).expect_err(query);
            assert_eq!(error.code(), ErrorCode::BadRequest, "{query}");
            assert!(error.detail().starts_with(named), "{query}: {}", error.detail());
        }
        let request =
            read_parameters(Some("after=42&limit=5"), "nothing", |_, _| Ok(false)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((request.after.map(|a| a.to_string()), request.limit), (Some("42".to_owned()), 5));
        assert!(
            tag_parameter("  ").is_err() && tag_parameter(&"x".repeat(65)).is_err() && tag_parameter("etä").is_ok()
        );
        assert!(date_parameter("from", "2025-02-30").is_err_and(|e| e.detail().starts_with("from")));
    }
}
