//! Rows of the `events` table to and from envelopes, and the read queries.

use chrono::{DateTime, Utc};
use kirjuri_events::{EventId, EventMetadata, EventPayload, EventType, Position, RecordedEvent, Revision, StreamName};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};
use uuid::Uuid;

use crate::{Direction, EventFilter, StoreError};

/// The columns every read selects, in the order [`decode_row`] expects.
pub const COLUMNS: &str = "position, stream, revision, id, event_type, schema_version, recorded_at, data, \
                           actor, tenant, correlation_id, causation_id, occurred_at, request_digest";

fn corrupt(position: i64, what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("event at position {position}: {what}: {detail}"))
}

fn text_column<'row>(row: &'row Row<'_>, index: usize, position: i64, what: &str) -> Result<&'row str, StoreError> {
    row.get_ref(index).and_then(|value| value.as_str().map_err(Into::into)).map_err(|e| corrupt(position, what, e))
}

fn optional_text(row: &Row<'_>, index: usize, position: i64, what: &str) -> Result<Option<String>, StoreError> {
    row.get_ref(index)
        .and_then(|value| value.as_str_or_null().map_err(Into::into))
        .map(|text| text.map(str::to_owned))
        .map_err(|e| corrupt(position, what, e))
}

fn uuid_column(row: &Row<'_>, index: usize, position: i64, what: &str) -> Result<Option<Uuid>, StoreError> {
    let bytes = row
        .get_ref(index)
        .and_then(|value| value.as_blob_or_null().map_err(Into::into))
        .map_err(|e| corrupt(position, what, e))?;
    bytes.map(|b| Uuid::from_slice(b).map_err(|e| corrupt(position, what, e))).transpose()
}

fn time_column(micros: i64, position: i64, what: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| corrupt(position, what, "timestamp out of range"))
}

/// Decodes one row selected with [`COLUMNS`]. Reads text and blobs in place (no intermediate
/// copies): this runs once per event on every read.
pub fn decode_row(row: &Row<'_>) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.get(0).map_err(|e| StoreError::Corrupt(format!("event position: {e}")))?;
    let stream =
        StreamName::parse(text_column(row, 1, position, "stream")?).map_err(|e| corrupt(position, "stream", e))?;
    let revision: i64 = row.get(2).map_err(|e| corrupt(position, "revision", e))?;
    let id = uuid_column(row, 3, position, "id")?.ok_or_else(|| corrupt(position, "id", "missing"))?;
    let event_type = EventType::parse(text_column(row, 4, position, "event type")?)
        .map_err(|e| corrupt(position, "event type", e))?;
    let schema_version: i64 = row.get(5).map_err(|e| corrupt(position, "schema version", e))?;
    let recorded_at: i64 = row.get(6).map_err(|e| corrupt(position, "recorded_at", e))?;
    let occurred_at: Option<i64> = row.get(12).map_err(|e| corrupt(position, "occurred_at", e))?;
    let metadata = EventMetadata {
        actor: optional_text(row, 8, position, "actor")?,
        tenant: optional_text(row, 9, position, "tenant")?,
        correlation_id: uuid_column(row, 10, position, "correlation id")?,
        causation_id: uuid_column(row, 11, position, "causation id")?,
        occurred_at: occurred_at.map(|t| time_column(t, position, "occurred_at")).transpose()?,
        request_digest: optional_text(row, 13, position, "request digest")?,
    };
    Ok(RecordedEvent {
        id: EventId(id),
        stream,
        revision: Revision(u64::try_from(revision).map_err(|e| corrupt(position, "revision", e))?),
        position: Position::sequence(u64::try_from(position).map_err(|e| corrupt(position, "position", e))?),
        event_type,
        schema_version: u32::try_from(schema_version).map_err(|e| corrupt(position, "schema version", e))?,
        recorded_at: time_column(recorded_at, position, "recorded_at")?,
        data: EventPayload::from_stored(text_column(row, 7, position, "data")?),
        metadata,
    })
}

/// Runs a prepared read and decodes every row.
pub fn query_events(connection: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<RecordedEvent>, StoreError> {
    let unavailable = |e| StoreError::unavailable("reading events", e);
    let mut statement = connection.prepare_cached(sql).map_err(unavailable)?;
    let mut rows = statement.query(params_from_iter(params)).map_err(unavailable)?;
    let mut events = Vec::new();
    while let Some(row) = rows.next().map_err(unavailable)? {
        events.push(decode_row(row)?);
    }
    Ok(events)
}

/// Converts an unsigned counter to SQLite's integer, saturating (no stored value is that large).
pub fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The SQL and parameters reading one stream.
pub fn stream_query(
    stream: &StreamName,
    direction: Direction,
    from: Option<Revision>,
    limit: usize,
) -> (String, Vec<Value>) {
    let mut params = vec![Value::Text(stream.as_str().to_owned())];
    let (bound, order) = match direction {
        Direction::Forward => ("revision >= ?2", "ASC"),
        Direction::Backward => ("revision <= ?2", "DESC"),
    };
    let bound = match from {
        Some(revision) => {
            params.push(Value::Integer(to_sql_int(revision.0)));
            format!(" AND {bound}")
        }
        None => String::new(),
    };
    params.push(Value::Integer(to_sql_int(limit as u64)));
    let limit_index = params.len();
    let sql =
        format!("SELECT {COLUMNS} FROM events WHERE stream = ?1{bound} ORDER BY revision {order} LIMIT ?{limit_index}");
    (sql, params)
}

/// The SQL and parameters reading `$all` between optional bounds (both inclusive).
pub fn all_query(
    direction: Direction,
    lower: Option<u64>,
    upper: Option<u64>,
    filter: &EventFilter,
    limit: usize,
) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let bind = |value: Value, params: &mut Vec<Value>| {
        params.push(value);
        format!("?{}", params.len())
    };
    if let Some(lower) = lower {
        clauses.push(format!("position >= {}", bind(Value::Integer(to_sql_int(lower)), &mut params)));
    }
    if let Some(upper) = upper {
        clauses.push(format!("position <= {}", bind(Value::Integer(to_sql_int(upper)), &mut params)));
    }
    for (column, prefixes) in [("stream", &filter.stream_prefixes), ("event_type", &filter.type_prefixes)] {
        if prefixes.is_empty() {
            continue;
        }
        let alternatives: Vec<String> = prefixes
            .iter()
            .map(|prefix| {
                let length = bind(Value::Integer(to_sql_int(prefix.chars().count() as u64)), &mut params);
                let text = bind(Value::Text(prefix.clone()), &mut params);
                format!("substr({column}, 1, {length}) = {text}")
            })
            .collect();
        clauses.push(format!("({})", alternatives.join(" OR ")));
    }
    let filter_sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let order = match direction {
        Direction::Forward => "ASC",
        Direction::Backward => "DESC",
    };
    let limit_param = bind(Value::Integer(to_sql_int(limit as u64)), &mut params);
    let sql = format!("SELECT {COLUMNS} FROM events{filter_sql} ORDER BY position {order} LIMIT {limit_param}");
    (sql, params)
}
