//! The personal-data access log as a read use case: who read which personal data when and
//! why, in the caller's municipality, newest first, by reader and time, in pages. Only for
//! those who may read it ([`Action::ReadAccessLog`]); the API and the pages answer it alike.

use chrono::{DateTime, NaiveTime, Utc};
use kirjuri_auth::access::{Action, Resource, authorize};
use kirjuri_events::domain::access_log::{AccessLogEvent, PersonalData};
use kirjuri_views::{AuditFilter, AuditRow, Cursor, EntityKind, PageRequest};
use serde::Serialize;

use crate::error::AppError;
use crate::queries::{number, pairs, printable, with_views};
use crate::state::AppState;

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

fn entry_body(row: AuditRow) -> Result<AccessLogEntryBody, AppError> {
    let decoded = AccessLogEvent::decode(row.event_type.as_str(), row.schema_version, row.data.as_str())
        .map_err(AppError::internal)?;
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

/// The largest page of the access log.
pub const MAX_ACCESS_LOG_LIMIT: usize = 200;

/// Reads a time bound: an RFC 3339 moment, or a day (its start for `from`, its end for `to`).
fn time_bound(name: &str, value: &str, end_of_day: bool) -> Result<DateTime<Utc>, AppError> {
    let malformed = || {
        AppError::bad_request(format!(
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
pub fn access_log_query(raw: Option<&str>, municipality: &str) -> Result<(AuditFilter, PageRequest), AppError> {
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
                    AppError::bad_request(format!(
                        "cursor: `{}` is not a cursor this API handed out",
                        printable(&value)
                    ))
                })?);
            }
            "limit" => {
                limit = number("limit", &value)?;
                if !(1..=MAX_ACCESS_LOG_LIMIT).contains(&limit) {
                    return Err(AppError::bad_request(format!("limit: must be 1 to {MAX_ACCESS_LOG_LIMIT}")));
                }
            }
            "municipality" => {
                return Err(AppError::bad_request(
                    "municipality: the access log is always your own municipality's; remove this parameter",
                ));
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "{}: unknown parameter; use reader, from, to, cursor or limit",
                    printable(other)
                )));
            }
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(AppError::bad_request("to: must not be before from"));
    }
    let limit = u32::try_from(limit).unwrap_or(PageRequest::MAX_LIMIT);
    let page = match cursor {
        Some(cursor) => PageRequest::before(cursor, limit),
        None => PageRequest::last(limit),
    };
    Ok((filter, page))
}

/// A page of the access log as `raw` asks for it (`reader`, `from`, `to`, `cursor`, `limit`);
/// what `GET /api/v1/access-log` answers and the access-log page shows.
pub async fn access_log_page(
    state: &AppState,
    principal: &kirjuri_auth::Principal,
    raw: Option<&str>,
) -> Result<AccessLogPageBody, AppError> {
    authorize(principal, Action::ReadAccessLog, &Resource::of(principal.municipality)).map_err(AppError::denied)?;
    let (filter, page) = access_log_query(raw, &principal.municipality.to_string())?;
    let found = with_views(state, move |views| views.timeline(&filter, page)).await?;
    let next = found.next.map(|cursor| cursor.to_string());
    let entries = found.rows.into_iter().map(entry_body).collect::<Result<Vec<_>, _>>()?;
    Ok(AccessLogPageBody { entries, next })
}

/// The access log's `reader` filter: a principal's subject, trimmed, not empty.
pub fn reader_parameter(value: &str) -> Result<String, AppError> {
    let reader = value.trim();
    if reader.is_empty() {
        return Err(AppError::bad_request("reader: a principal's subject, e.g. token:<id>; not empty"));
    }
    Ok(reader.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
