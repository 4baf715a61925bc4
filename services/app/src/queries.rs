//! The read use cases' parameters, read alike by the API and the pages: a query string's
//! `name=value` pairs parsed into the read models' filters and requests, a malformed or
//! unknown parameter refused as a 400 naming it and the rule.

use chrono::NaiveDate;
use kirjuri_events::domain::practice::Tag;
use kirjuri_events::domain::{BodyId, UnitId, Vocabulary};
use kirjuri_search::{SearchError, SearchFilters, SearchRequest, SortOrder};
use kirjuri_views::lists::parse_status;
use kirjuri_views::{ExperimentFilter, ListCursor, ListRequest, PracticeFilter, ViewsError, ViewsReader};

use crate::error::AppError;
use crate::state::AppState;

/// The `name=value` pairs of a query string, in order (a name may repeat).
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

/// A search parameter the index refuses is a 400 naming it; anything else is the server's fault.
pub fn search_error(error: SearchError) -> AppError {
    match error {
        SearchError::InvalidFilter { name, reason } => AppError::bad_request(format!("{name}: {reason}")),
        other => AppError::internal(other),
    }
}

/// Reads a non-negative integer parameter.
pub fn number(name: &str, value: &str) -> Result<usize, AppError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| AppError::bad_request(format!("{name}: `{}` is not a whole number", printable(value))))
}

/// A value as it may be shown back in an error: no control characters, at most 64 characters.
pub fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// A read model's refusal of its input is a 400 naming it; anything else is the server's fault.
pub fn views_error(error: kirjuri_views::ViewsError) -> AppError {
    use kirjuri_views::ViewsError;
    match error {
        ViewsError::InvalidInput { field, reason } => AppError::bad_request(format!("{field}: {reason}")),
        ViewsError::UnknownEntityKind(_)
        | ViewsError::MalformedCursor(_)
        | ViewsError::MalformedDate(_)
        | ViewsError::MalformedNode(_) => AppError::bad_request(error.to_string()),
        other => AppError::internal(other),
    }
}

/// Reads an id parameter (a UUID).
pub fn uuid_parameter(name: &str, value: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(value.trim())
        .map_err(|_| AppError::bad_request(format!("{name}: `{}` is not an id", printable(value))))
}

/// The picture `raw` (`as_of`, `unit`, `framework`) asks for of `municipality`; a malformed or
/// unknown parameter is a 400 naming it (the API and the home page read it alike).
pub fn picture_query(
    municipality: kirjuri_events::domain::MunicipalityId,
    raw: Option<&str>,
) -> Result<kirjuri_views::PictureQuery, AppError> {
    let mut query = kirjuri_views::PictureQuery::of(municipality);
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "as_of" => {
                query.as_of = Some(chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
                    AppError::bad_request(format!("as_of: `{}` is not a date like 2025-03-31", printable(&value)))
                })?);
            }
            "unit" => query.unit = Some(kirjuri_events::domain::UnitId(uuid_parameter("unit", &value)?)),
            "framework" => {
                query.framework = Some(kirjuri_events::domain::FrameworkId(uuid_parameter("framework", &value)?));
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "{}: unknown parameter; use as_of, unit or framework",
                    printable(other)
                )));
            }
        }
    }
    Ok(query)
}

/// Builds the search request from the query string; the caller's municipality is always a filter.
pub fn search_request(raw: Option<&str>, municipality: &str) -> Result<SearchRequest, AppError> {
    let mut request = SearchRequest::default();
    let mut filters = Vec::new();
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "q" => request.text = value,
            "sort" if value.trim().is_empty() => {
                return Err(AppError::bad_request("sort: must be relevance, newest or oldest"));
            }
            "sort" => request.sort = SortOrder::parse(&value).map_err(search_error)?,
            "offset" => request.offset = number("offset", &value)?,
            "limit" => request.limit = number("limit", &value)?,
            // The tenant is the caller's; a municipality parameter cannot widen it.
            "municipality" => {
                return Err(AppError::bad_request(
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

/// The `status` parameter, a status of vocabulary `V`: a 400 naming it and the allowed values.
pub fn status_parameter<V: Vocabulary>(value: &str) -> Result<V, AppError> {
    parse_status("status", value).map_err(views_error)
}

/// Reads a day parameter (`2025-03-31`).
pub fn date_parameter(name: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad_request(format!("{name}: `{}` is not a date like 2025-03-31", printable(value))))
}

/// Whether a list's tag filter accepts `value` (the API's test that its document's limits hold asks).
pub fn tag_filter_accepts(value: &str) -> bool {
    tag_parameter(value).is_ok()
}

/// A tag filter obeys the one rule for tags ([`Tag::check`]).
pub fn tag_parameter(value: &str) -> Result<String, AppError> {
    Tag::check(value).map(str::to_owned).map_err(|error| AppError::bad_request(format!("tag: {}", error.rule)))
}

/// Reads `after` and `limit`, and hands every other parameter to `other`; an unknown one is a
/// 400 naming it and the known ones.
pub fn read_parameters(
    raw: Option<&str>,
    known: &str,
    mut other: impl FnMut(&str, &str) -> Result<bool, AppError>,
) -> Result<ListRequest, AppError> {
    let mut request = ListRequest::default();
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "after" => {
                request.after = Some(ListCursor::parse(value.trim()).map_err(|_| {
                    AppError::bad_request(format!(
                        "after: `{}` is not a cursor this server handed out (use a page's `next`)",
                        printable(&value)
                    ))
                })?);
            }
            "limit" => {
                request.limit = value.trim().parse::<usize>().map_err(|_| {
                    AppError::bad_request(format!("limit: `{}` is not a whole number from 1 to 100", printable(&value)))
                })?;
            }
            "municipality" => {
                return Err(AppError::bad_request(
                    "municipality: lists are always of your own municipality; remove this parameter",
                ));
            }
            _ => {
                if !other(&name, &value)? {
                    let known = if known.is_empty() { String::new() } else { format!("{known}, ") };
                    return Err(AppError::bad_request(format!(
                        "{}: unknown parameter; use {known}after or limit",
                        printable(&name)
                    )));
                }
            }
        }
    }
    Ok(request)
}

/// Runs `query` on a views connection on a blocking thread.
pub async fn with_views<T: Send + 'static>(
    state: &AppState,
    query: impl FnOnce(&ViewsReader) -> Result<T, ViewsError> + Send + 'static,
) -> Result<T, AppError> {
    let read_side = state.read_side()?;
    tokio::task::spawn_blocking(move || query(&*read_side.views()?))
        .await
        .map_err(AppError::internal)?
        .map_err(views_error)
}

/// The filter and page `raw` (`status`, `unit`, `from`, `to`, `after`, `limit`) asks for; a
/// malformed or unknown parameter is a 400 naming it (the API and the experiments page alike).
pub fn experiment_list_request(raw: Option<&str>) -> Result<(ExperimentFilter, ListRequest), AppError> {
    let mut filter = ExperimentFilter::default();
    let request = read_parameters(raw, "status, unit, from, to", |name, value| {
        match name {
            "status" => filter.status = Some(status_parameter(value)?),
            "unit" => filter.unit = Some(UnitId(uuid_parameter("unit", value)?)),
            "from" => filter.from = Some(date_parameter("from", value)?),
            "to" => filter.to = Some(date_parameter("to", value)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((filter, request))
}

/// The practices list's query string (`status`, `body`, `from`, `to`, `tag`, `after`, `limit`)
/// read into a filter and a page request; a bad parameter is a 400 naming it and its rule.
/// (The web page `/practices` reads its query with this too.)
pub fn practice_query(raw: Option<&str>) -> Result<(PracticeFilter, ListRequest), AppError> {
    let mut filter = PracticeFilter::default();
    let request = read_parameters(raw, "status, body, from, to, tag", |name, value| {
        match name {
            "status" => filter.status = Some(status_parameter(value)?),
            "body" => filter.body = Some(BodyId(uuid_parameter("body", value)?)),
            "from" => filter.from = Some(date_parameter("from", value)?),
            "to" => filter.to = Some(date_parameter("to", value)?),
            // Practice tags are stored in lowercase.
            "tag" => filter.tag = Some(tag_parameter(value)?.to_lowercase()),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((filter, request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

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
