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
use kirjuri_search::{SearchError, SearchFilters, SearchRequest, SearchResults, SortOrder};
use serde::Serialize;

use super::error::ProblemDetailsSchema;
use super::{ApiError, AppState, Authenticated, ErrorCode};
use crate::access::{Action, Resource, authorize};
use crate::readside::ReadSide;

/// The `name=value` pairs of a query string, in order (a name may repeat).
fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

fn read_side(state: &AppState) -> Result<std::sync::Arc<ReadSide>, ApiError> {
    state.read_side.clone().ok_or_else(|| {
        ApiError::new(
            ErrorCode::StoreUnavailable,
            "this server does not run the read models; queries cannot be answered",
        )
    })
}

fn search_error(error: SearchError) -> ApiError {
    match error {
        SearchError::InvalidFilter { name, reason } => ApiError::bad_request(format!("{name}: {reason}")),
        other => ApiError::internal(other),
    }
}

/// Reads a non-negative integer parameter.
fn number(name: &str, value: &str) -> Result<usize, ApiError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| ApiError::bad_request(format!("{name}: `{}` is not a whole number", printable(value))))
}

fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(64).collect()
}

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

/// Builds the search request from the query string; the caller's municipality is always a filter.
fn search_request(raw: Option<&str>, municipality: &str) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest::default();
    let mut filters = Vec::new();
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "q" => request.text = value,
            "sort" if value.trim().is_empty() => {
                return Err(ApiError::bad_request("sort: must be relevance, newest or oldest"));
            }
            "sort" => request.sort = SortOrder::parse(&value).map_err(search_error)?,
            "offset" => request.offset = number("offset", &value)?,
            "limit" => request.limit = number("limit", &value)?,
            // The tenant is the caller's; a municipality parameter cannot widen it.
            "municipality" => {
                return Err(ApiError::bad_request(
                    "municipality: search is always within your own municipality; remove this parameter",
                ));
            }
            _ => filters.push((name, value)),
        }
    }
    filters.push(("municipality".to_owned(), municipality.to_owned()));
    request.filters =
        SearchFilters::parse(filters.iter().map(|(n, v)| (n.as_str(), v.as_str()))).map_err(search_error)?;
    Ok(request)
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
    let index = read_side(&state)?.search();
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
    fn the_search_request_is_read_from_the_query_string_and_kept_within_the_tenant() {
        let tenant = uuid::Uuid::new_v4().to_string();
        let request =
            search_request(Some("q=kotihoito%20etäkäynti&kind=lesson&kind=practice&sort=newest&limit=5"), &tenant)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(request.text, "kotihoito etäkäynti");
        assert_eq!(request.sort, SortOrder::Newest);
        assert_eq!(request.limit, 5);
        assert_eq!(request.filters.kinds.len(), 2);
        assert_eq!(request.filters.municipalities, vec![tenant.clone()]);
        for (query, named) in [
            ("limit=ten", "limit"),
            ("offset=-1", "offset"),
            ("sort=sideways", "sort"),
            ("sort=", "sort"),
            ("kind=memo", "kind"),
            ("from=2025-13-01", "from"),
            ("colour=red", "colour"),
            ("municipality=00000000-0000-0000-0000-000000000000", "municipality"),
        ] {
            let error = search_request(Some(query), &tenant).expect_err(query);
            assert_eq!(error.code(), ErrorCode::BadRequest, "{query}");
            assert!(error.detail().starts_with(named), "{query}: {}", error.detail());
        }
    }
}
