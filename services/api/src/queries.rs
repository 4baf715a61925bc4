//! Queries of the read side over HTTP: parse the parameters, authorise, ask one read model,
//! map the answer to its wire form.
//!
//! Every query runs on a blocking thread (tantivy and SQLite block). Parameters arrive as
//! `name=value` pairs; a malformed one is a 400 naming it and the rule. A caller reads only
//! its own municipality's records: search is always filtered to it.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use kirjuri_search::SearchResults;
use serde::Serialize;

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated, ErrorCode};
use kirjuri_app::AppError;
use kirjuri_app::queries::{picture_query, search_error, search_request, uuid_parameter, views_error};
use kirjuri_app::wire::{EdgeBody, SubjectBody, TargetBody, TrendPointBody, edge_body, point_body};
use kirjuri_auth::access::{Action, Resource, authorize};

/// One hit, as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHitBody {
    /// The document key, e.g. `lesson:<uuid>`.
    pub id: String,
    /// Its kind (`lesson`, `note`, `outcome`, `experiment`, `practice`, `decision`, …).
    pub kind: String,
    /// The entity it is about.
    pub entity: String,
    /// Its title (Finnish), if it has one.
    pub title: Option<String>,
    /// HTML: the matched words in `<mark>`, everything else escaped.
    pub snippet: String,
    /// Relevance (when sorted by relevance).
    pub score: Option<f32>,
    /// Its date.
    pub date: DateTime<Utc>,
}

/// How many matching documents have one facet value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacetCountBody {
    /// The value.
    pub value: String,
    /// How many.
    pub count: u64,
}

/// A page of search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResultsBody {
    /// How many documents match in all.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHitBody>,
    /// Counts per facet (`kind`, `municipality`, `unit`, `experiment`, `tag`, `language`, `year`), largest first.
    pub facets: BTreeMap<String, Vec<FacetCountBody>>,
    /// A corrected query when a word looked misspelt.
    pub did_you_mean: Option<String>,
}

impl From<SearchResults> for SearchResultsBody {
    fn from(results: SearchResults) -> Self {
        let kind =
            |k: kirjuri_search::DocumentKind| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned));
        Self {
            total: results.total,
            hits: results
                .hits
                .into_iter()
                .map(|hit| SearchHitBody {
                    kind: kind(hit.kind).unwrap_or_default(),
                    id: hit.id,
                    entity: hit.entity,
                    title: hit.title,
                    snippet: hit.snippet,
                    score: hit.score,
                    date: hit.date,
                })
                .collect(),
            facets: results
                .facets
                .into_iter()
                .map(|(name, counts)| {
                    (name, counts.into_iter().map(|c| FacetCountBody { value: c.value, count: c.count }).collect())
                })
                .collect(),
            did_you_mean: results.did_you_mean,
        }
    }
}

/// `GET /api/v1/search`: lessons, shareable coaching notes, experiments, outcomes, practices
/// and decisions of the caller's municipality, Finnish first.
#[utoipa::path(get, path = "/api/v1/search", tag = "read", security(("bearer" = [])),
    params(
        ("q" = Option<String>, Query, description = "What to look for; `\"quoted words\"` are a phrase. Empty: everything (filters only)"),
        ("kind" = Option<String>, Query, pattern = "^(lesson|note|outcome|experiment|practice|decision|observation|communication)$",
            description = "A document kind (repeatable)"),
        ("unit" = Option<uuid::Uuid>, Query, description = "A unit id (repeatable)"),
        ("experiment" = Option<uuid::Uuid>, Query, description = "An experiment id (repeatable)"),
        ("tag" = Option<String>, Query, pattern = "^(?!\\s*$)[^\\x00-\\x1f\\x7f-\\x9f]{1,64}$",
            description = "A tag: 1 to 64 characters, no control characters, not only spaces (repeatable)"),
        ("language" = Option<String>, Query, pattern = "^(fi|sv|en)$", description = "fi, sv or en (repeatable)"),
        ("year" = Option<i32>, Query, minimum = 1900, maximum = 2200, description = "A year (repeatable)"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "From this day on"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Up to this day (not before `from`)"),
        ("sort" = Option<String>, Query, pattern = "^(relevance|newest|oldest)$", description = "relevance (default), newest or oldest"),
        ("offset" = Option<usize>, Query, maximum = 10000, description = "Hits to skip"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Hits to return (default 10)"),
    ),
    responses(
        (status = 200, description = "A page of results with facet counts", body = SearchResultsBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResultsBody>, ApiError> {
    authorize(&principal, Action::Read, &Resource::of(principal.municipality)).map_err(ApiError::denied)?;
    let request = search_request(raw.as_deref(), &principal.municipality.to_string())?;
    let index = state.read_side()?.search();
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(ApiError::internal)?
        .map_err(search_error)?;
    Ok(Json(results.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_used_only_when_the_client_accepts_it() {
        let with = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(axum::http::header::ACCEPT_ENCODING, value.parse().expect("a header value"));
            BodyEncoding::accepted(&headers)
        };
        assert_eq!(BodyEncoding::accepted(&axum::http::HeaderMap::new()), BodyEncoding::Identity);
        assert_eq!(with("gzip, deflate, br"), BodyEncoding::Gzip);
        assert_eq!(with("br;q=1.0, GZIP;q=0.5"), BodyEncoding::Gzip);
        assert_eq!(with("*"), BodyEncoding::Gzip);
        assert_eq!(with("gzip;q=0"), BodyEncoding::Identity);
        assert_eq!(with("br, identity"), BodyEncoding::Identity);
    }
}

/// One subject's figures on one dimension.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PictureRowBody {
    /// Whom it describes.
    pub subject: SubjectBody,
    /// The unit's name (Finnish), for a unit.
    pub unit_name: Option<String>,
    /// The framework.
    pub framework: uuid::Uuid,
    /// `overall`, `dimension` or `competence`.
    pub granularity: String,
    /// The dimension or competence code (`overall` for the overall figure).
    pub dimension: String,
    /// The most recent campaigns' figures, oldest close date first.
    pub trend: Vec<TrendPointBody>,
    /// The latest shown figure's point.
    pub latest: Option<TrendPointBody>,
    /// The unit's target, if set.
    pub target: Option<TargetBody>,
    /// Target minus the latest shown level.
    pub gap: Option<f64>,
}

/// The situational picture of a municipality.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PictureBody {
    /// The municipality.
    pub municipality: uuid::Uuid,
    /// The day it is drawn as of, if one was asked for.
    pub as_of: Option<chrono::NaiveDate>,
    /// Its rows, by subject, framework, granularity and dimension.
    pub rows: Vec<PictureRowBody>,
}

impl From<kirjuri_views::SituationalPicture> for PictureBody {
    fn from(picture: kirjuri_views::SituationalPicture) -> Self {
        let rows = picture
            .rows
            .into_iter()
            .map(|row| PictureRowBody {
                subject: match row.subject {
                    kirjuri_views::PictureSubject::Municipality(m) => SubjectBody { kind: "municipality", id: m.0 },
                    kirjuri_views::PictureSubject::Unit(u) => SubjectBody { kind: "unit", id: u.0 },
                },
                unit_name: row.unit_name,
                framework: row.framework.0,
                granularity: row.granularity,
                dimension: row.dimension,
                trend: row.trend.into_iter().map(point_body).collect(),
                latest: row.latest.map(point_body),
                target: row.target.map(|t| TargetBody { level: t.level, due: t.due, set_on: t.set_on }),
                gap: row.gap,
            })
            .collect();
        Self { municipality: picture.municipality.0, as_of: picture.as_of, rows }
    }
}

/// `GET /api/v1/municipalities/{municipality}/picture`: the situational picture — per unit
/// and dimension the latest level, the trend over the most recent campaigns, target and gap —
/// now or as of a day; groups under a campaign's minimum size are withheld.
#[utoipa::path(get, path = "/api/v1/municipalities/{municipality}/picture", tag = "read", security(("bearer" = [])),
    params(
        ("municipality" = uuid::Uuid, Path, description = "The municipality"),
        ("as_of" = Option<chrono::NaiveDate>, Query, description = "Draw it as it stood at the end of this day"),
        ("unit" = Option<uuid::Uuid>, Query, description = "Only this unit"),
        ("framework" = Option<uuid::Uuid>, Query, description = "Only this framework"),
    ),
    responses(
        (status = 200, description = "The picture", body = PictureBody),
        (status = 400, description = "A malformed parameter", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "Another municipality's picture", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn picture(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    axum::extract::Path(municipality): axum::extract::Path<String>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let municipality = kirjuri_events::domain::MunicipalityId(uuid_parameter("municipality", &municipality)?);
    authorize(&principal, Action::Read, &Resource::of(municipality)).map_err(ApiError::denied)?;
    let query = picture_query(municipality, raw.as_deref())?;
    let read_side = state.read_side()?;
    let encoding = BodyEncoding::accepted(&headers);
    let key = format!("picture {query:?} {encoding:?}");
    let ((), body) = read_side
        .views_answer(
            key,
            move |views| {
                let picture = PictureBody::from(views.situational_picture(&query).map_err(views_error)?);
                Ok(((), encoding.encode(&picture)?))
            },
            views_error,
        )
        .await
        .map_err(ApiError::internal)??;
    Ok(encoding.response(body))
}

/// How a kept body is encoded: gzip when the client accepts it (every browser does), since a
/// body is compressed once and sent many times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyEncoding {
    Identity,
    Gzip,
}

impl BodyEncoding {
    /// Gzip if `Accept-Encoding` lists it (or `*`) with a non-zero weight.
    pub(super) fn accepted(headers: &axum::http::HeaderMap) -> Self {
        let accepts =
            headers.get_all(axum::http::header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|value| {
                value.split(',').any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or_default();
                    let refused =
                        parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().ok() == Some(0.0)));
                    (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
                })
            });
        if accepts { Self::Gzip } else { Self::Identity }
    }

    /// `body` serialised as JSON and encoded.
    fn encode(self, body: &impl Serialize) -> Result<axum::body::Bytes, AppError> {
        let json = serde_json::to_vec(body).map_err(AppError::internal)?;
        match self {
            Self::Identity => Ok(json.into()),
            Self::Gzip => {
                use std::io::Write as _;
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 8), flate2::Compression::default());
                encoder.write_all(&json).map_err(AppError::internal)?;
                encoder.finish().map(Into::into).map_err(AppError::internal)
            }
        }
    }

    /// A JSON response of `body`, encoded as `self` says.
    fn response(self, body: axum::body::Bytes) -> axum::response::Response {
        use axum::http::{HeaderValue, header};
        use axum::response::IntoResponse as _;
        let mut response =
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if self == Self::Gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }
}

/// A body's decision on a version of a practice.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// The version decided.
    pub version: u32,
    /// The body.
    pub body: uuid::Uuid,
    /// Its name, if registered.
    pub body_name: Option<String>,
    /// The meeting's date.
    pub meeting_date: chrono::NaiveDate,
    /// The minutes' section (§).
    pub section: u32,
    /// `passed`, `rejected`, `returned`, …
    pub resolution: String,
    /// The motion (Finnish).
    pub motion: String,
    /// The decision text (Finnish).
    pub decision: String,
    /// Why, if given.
    pub rationale: Option<String>,
}

/// A practice's traceable history: evidence → submissions → decisions by bodies → anchoring →
/// progress, revisions, supersession and partner adoption.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticeHistoryBody {
    /// The practice.
    pub practice: uuid::Uuid,
    /// Its municipality.
    pub municipality: uuid::Uuid,
    /// Its title (Finnish).
    pub title: String,
    /// The current version.
    pub version: u32,
    /// Where it stands (`draft`, `submitted`, `passed`, …, `superseded`, `retired`).
    pub status: kirjuri_events::domain::practice::PracticePhase,
    /// Implementation progress, percent.
    pub progress: u8,
    /// Versions, oldest first: number, what changed and why.
    pub versions: Vec<serde_json::Value>,
    /// Submissions to bodies, oldest first: version, body, body name, case number.
    pub submissions: Vec<serde_json::Value>,
    /// Decisions, oldest first.
    pub decisions: Vec<DecisionBody>,
    /// Anchorings, oldest first: version, into, target, reference, owner unit, from when.
    pub anchors: Vec<serde_json::Value>,
    /// Progress reports, oldest first: percent and note.
    pub progress_reports: Vec<serde_json::Value>,
    /// The practices it replaced, nearest first.
    pub supersedes: Vec<uuid::Uuid>,
    /// The practices that replaced it, nearest first.
    pub superseded_by: Vec<uuid::Uuid>,
    /// Partners it was shared with: version and partner.
    pub shared_with: Vec<serde_json::Value>,
    /// Partners' adoption reports: partner, status, note.
    pub adoptions: Vec<serde_json::Value>,
    /// The evidence it cites.
    pub evidence: Vec<EdgeBody>,
    /// What cites it.
    pub cited_by: Vec<EdgeBody>,
}

impl From<kirjuri_views::PracticeHistory> for PracticeHistoryBody {
    fn from(h: kirjuri_views::PracticeHistory) -> Self {
        use serde_json::json;
        Self {
            practice: h.practice.0,
            municipality: h.municipality.0,
            title: h.title,
            version: h.version,
            status: h.status,
            progress: h.progress,
            versions: h
                .versions
                .into_iter()
                .map(|v| json!({ "version": v.version, "what_changed": v.what_changed, "reason": v.reason }))
                .collect(),
            submissions: h
                .submissions
                .into_iter()
                .map(|s| {
                    json!({ "version": s.version, "body": s.body.0, "body_name": s.body_name, "case_number": s.case_number })
                })
                .collect(),
            decisions: h
                .decisions
                .into_iter()
                .map(|d| DecisionBody {
                    version: d.version,
                    body: d.body.0,
                    body_name: d.body_name,
                    meeting_date: d.meeting_date,
                    section: d.section,
                    resolution: d.resolution,
                    motion: d.motion,
                    decision: d.decision,
                    rationale: d.rationale,
                })
                .collect(),
            anchors: h
                .anchors
                .into_iter()
                .map(|a| {
                    json!({ "version": a.version, "into": a.into, "target": a.target, "target_ref": a.target_ref,
                            "owner_unit": a.owner_unit.0, "effective_from": a.effective_from })
                })
                .collect(),
            progress_reports: h
                .progress_reports
                .into_iter()
                .map(|p| json!({ "percent": p.percent, "note": p.note }))
                .collect(),
            supersedes: h.supersedes.into_iter().map(|p| p.0).collect(),
            superseded_by: h.superseded_by.into_iter().map(|p| p.0).collect(),
            shared_with: h
                .shared_with
                .into_iter()
                .map(|s| json!({ "version": s.version, "partner": s.partner.0 }))
                .collect(),
            adoptions: h
                .adoptions
                .into_iter()
                .map(|a| json!({ "partner": a.partner.0, "status": a.status, "note": a.note }))
                .collect(),
            evidence: h.evidence.into_iter().map(edge_body).collect(),
            cited_by: h.cited_by.into_iter().map(edge_body).collect(),
        }
    }
}

/// `GET /api/v1/practices/{practice}/history`: a best practice's whole traceable history. The
/// `ETag` is the practice stream's revision as the read model last applied it, matching the body (usable as a command's `If-Match`).
#[utoipa::path(get, path = "/api/v1/practices/{practice}/history", tag = "read", security(("bearer" = [])),
    params(("practice" = uuid::Uuid, Path, description = "The practice")),
    responses(
        (status = 200, description = "The history", body = PracticeHistoryBody,
            headers(("ETag" = String, description = "The practice stream's revision, as the read model last applied it"))),
        (status = 400, description = "A malformed id", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 401, description = "No credentials, or unacceptable ones", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 403, description = "No role that may read", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 404, description = "No such practice, or another municipality's not shared with the caller's", body = ProblemDetailsSchema, content_type = "application/problem+json"),
        (status = 503, description = "The read models do not run on this server", body = ProblemDetailsSchema, content_type = "application/problem+json"),
    ))]
pub async fn practice_history(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    axum::extract::Path(practice): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let practice = kirjuri_events::domain::PracticeId(uuid_parameter("practice", &practice)?);
    let read_side = state.read_side()?;
    let encoding = BodyEncoding::accepted(&headers);
    let (found, body) = read_side
        .views_answer(
            format!("practice history {} {encoding:?}", practice.0),
            move |views| {
                let Some(history) = views.practice_history(practice).map_err(views_error)? else {
                    return Ok((None, axum::body::Bytes::new()));
                };
                let revision =
                    views.stream_revision(kirjuri_views::EntityKind::Practice, practice.0).map_err(views_error)?;
                let resource = kirjuri_app::resources::practice(&history);
                Ok((Some((resource, revision)), encoding.encode(&PracticeHistoryBody::from(history))?))
            },
            views_error,
        )
        .await
        .map_err(ApiError::internal)??;
    let (resource, revision) = found.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such practice"))?;
    authorize(&principal, Action::Read, &resource).map_err(ApiError::denied)?;
    let mut response = encoding.response(body);
    if let Some(revision) = revision
        && let Ok(etag) = axum::http::HeaderValue::from_str(&format!("\"{revision}\""))
    {
        response.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    Ok(response)
}
