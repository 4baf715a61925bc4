//! How kirjuri's envelope is written to and read back from KurrentDB, with no I/O.
//!
//! - data: the exact payload text, as JSON (`application/json`) — or, for the rare payload with
//!   leading or trailing whitespace, as raw bytes, because the client's JSON path would trim it;
//! - custom metadata: `{"schema_version": n, "metadata": <EventMetadata>}`;
//! - `recorded_at`: the server's `created` timestamp at its full 100 ns precision (the client's
//!   own `created` field is truncated to whole seconds).

use chrono::{DateTime, Utc};
use kirjuri_events::{
    EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent, Position, RecordedEvent, Revision,
    StreamName,
};
use kurrentdb::{EventData, StreamState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{EventFilter, StoreError};

/// The characters JSON treats as insignificant whitespace.
const JSON_WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// .NET ticks (100 ns) per second, the unit of the server's `created` timestamp.
const TICKS_PER_SECOND: i64 = 10_000_000;

/// The custom metadata kirjuri writes with every event.
#[derive(Debug, Serialize)]
pub(super) struct StoredMetadataOut<'a> {
    pub(super) schema_version: u32,
    pub(super) metadata: &'a EventMetadata,
}

/// The custom metadata as read back.
#[derive(Debug, Deserialize)]
struct StoredMetadataIn {
    schema_version: u32,
    #[serde(default)]
    metadata: EventMetadata,
}

/// Maps kirjuri's expected revision onto KurrentDB's stream state.
pub(super) fn stream_state(expected: ExpectedRevision) -> StreamState {
    match expected {
        ExpectedRevision::Any => StreamState::Any,
        ExpectedRevision::NoStream => StreamState::NoStream,
        ExpectedRevision::StreamExists => StreamState::StreamExists,
        ExpectedRevision::Exact(revision) => StreamState::StreamRevision(revision.0),
    }
}

/// A KurrentDB position as kirjuri's, both parts kept.
pub(super) fn from_kurrent(position: kurrentdb::Position) -> Position {
    Position { commit: position.commit, prepare: position.prepare }
}

/// A kirjuri position as KurrentDB's, both parts kept.
pub(super) fn to_kurrent(position: Position) -> kurrentdb::Position {
    kurrentdb::Position { commit: position.commit, prepare: position.prepare }
}

/// The custom metadata of `event`.
pub(super) fn custom_metadata(event: &NewEvent) -> StoredMetadataOut<'_> {
    StoredMetadataOut { schema_version: event.schema_version, metadata: &event.metadata }
}

/// Whether the client's JSON path would change `text` (it trims outer whitespace).
pub(super) fn needs_raw_bytes(text: &str) -> bool {
    text.starts_with(JSON_WHITESPACE) || text.ends_with(JSON_WHITESPACE)
}

/// Builds the KurrentDB event for `event`: its own id, its type, its exact data, kirjuri's metadata.
pub(super) fn encode_event(stream: &StreamName, event: &NewEvent) -> Result<EventData, StoreError> {
    let encoding_failed = |error: serde_json::Error| StoreError::InvalidArgument {
        field: "event",
        rule: format!("event {} for `{stream}` could not be encoded: {error}", event.id),
    };
    let text = event.data.as_str();
    let data = if needs_raw_bytes(text) {
        EventData::binary(event.event_type.as_str(), text.as_bytes().to_vec().into())
    } else {
        // `EventPayload` serialises as a raw JSON value, so these bytes are exactly `text`.
        EventData::json(event.event_type.as_str(), &event.data).map_err(encoding_failed)?
    };
    data.id(event.id.0).metadata_as_json(&custom_metadata(event)).map_err(encoding_failed)
}

/// Decodes kirjuri's custom metadata: the schema version and the event metadata.
pub(super) fn decode_custom_metadata(bytes: &[u8]) -> Result<(u32, EventMetadata), String> {
    if bytes.is_empty() {
        return Err("has no kirjuri metadata (its custom metadata is empty)".to_owned());
    }
    serde_json::from_slice::<StoredMetadataIn>(bytes)
        .map(|stored| (stored.schema_version, stored.metadata))
        .map_err(|error| format!("has unreadable kirjuri metadata: {error}"))
}

/// Converts .NET ticks since the Unix epoch (the server's `created`) to a timestamp.
pub(super) fn ticks_to_datetime(ticks: i64) -> Option<DateTime<Utc>> {
    let seconds = ticks.div_euclid(TICKS_PER_SECOND);
    let nanos = u32::try_from(ticks.rem_euclid(TICKS_PER_SECOND) * 100).ok()?;
    DateTime::from_timestamp(seconds, nanos)
}

/// When the server recorded `raw`, at the best precision it reports.
pub(super) fn recorded_at(raw: &kurrentdb::RecordedEvent) -> DateTime<Utc> {
    raw.metadata
        .get("created")
        .and_then(|ticks| ticks.parse::<i64>().ok())
        .and_then(ticks_to_datetime)
        .unwrap_or(raw.created)
}

/// The parts of a stored event that decoding needs.
pub(super) struct RawParts<'a> {
    pub(super) stream: StreamName,
    pub(super) id: Uuid,
    pub(super) revision: u64,
    pub(super) position: kurrentdb::Position,
    pub(super) event_type: &'a str,
    pub(super) data: &'a [u8],
    pub(super) custom_metadata: &'a [u8],
    pub(super) recorded_at: DateTime<Utc>,
}

/// Decodes a stored kirjuri event; anything undecodable is [`StoreError::Corrupt`].
pub(super) fn decode_parts(parts: RawParts<'_>) -> Result<RecordedEvent, StoreError> {
    let RawParts { stream, id, revision, position, event_type, data, custom_metadata, recorded_at } = parts;
    let corrupt = |why: String| StoreError::Corrupt(format!("event {id} in `{stream}` at revision {revision} {why}"));
    let event_type = EventType::parse(event_type).map_err(|error| corrupt(format!("has an invalid type: {error}")))?;
    let text = std::str::from_utf8(data).map_err(|error| corrupt(format!("has data that is not UTF-8: {error}")))?;
    // Other clients can write to a KurrentDB cluster, so the text is checked once here to keep
    // the promise that an `EventPayload` always holds valid JSON.
    let data = EventPayload::parse(text).map_err(|error| corrupt(format!("has data that is not JSON: {error}")))?;
    let (schema_version, metadata) = decode_custom_metadata(custom_metadata).map_err(&corrupt)?;
    Ok(RecordedEvent {
        id: EventId(id),
        stream,
        revision: Revision(revision),
        position: from_kurrent(position),
        event_type,
        schema_version,
        recorded_at,
        data,
        metadata,
    })
}

/// Decodes `raw`, an event of the kirjuri stream `stream`.
pub(super) fn decode_event(stream: StreamName, raw: &kurrentdb::RecordedEvent) -> Result<RecordedEvent, StoreError> {
    decode_parts(RawParts {
        stream,
        id: raw.id,
        revision: raw.revision,
        position: raw.position,
        event_type: &raw.event_type,
        data: &raw.data,
        custom_metadata: &raw.custom_metadata,
        recorded_at: recorded_at(raw),
    })
}

/// Where an event of `$all` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    /// A kirjuri stream.
    Kirjuri(StreamName),
    /// The server's own bookkeeping: a `$` stream or a `$` event type.
    System,
    /// A stream some other application wrote to a shared cluster.
    Foreign,
}

/// Classifies an event of `$all` by its stream name and type.
pub(super) fn origin(stream: &str, event_type: &str) -> Origin {
    if stream.starts_with('$') || event_type.starts_with('$') {
        return Origin::System;
    }
    match StreamName::parse(stream) {
        Ok(name) => Origin::Kirjuri(name),
        Err(_) => Origin::Foreign,
    }
}

/// Whether a stored event's stream and type pass `filter` (the same rule as
/// [`EventFilter::matches`], checked before decoding so that an event nobody asked for is
/// never decoded).
pub(super) fn matches_raw(filter: &EventFilter, stream: &str, event_type: &str) -> bool {
    let stream_ok =
        filter.stream_prefixes.is_empty() || filter.stream_prefixes.iter().any(|p| stream.starts_with(p.as_str()));
    let type_ok =
        filter.type_prefixes.is_empty() || filter.type_prefixes.iter().any(|p| event_type.starts_with(p.as_str()));
    stream_ok && type_ok
}

/// `connection` with its password replaced by `***`.
pub(super) fn redact_connection_string(connection: &str) -> String {
    match password_span(connection) {
        Some((start, end)) => format!("{}***{}", &connection[..start], &connection[end..]),
        None => connection.to_owned(),
    }
}

/// `text` with every occurrence of `connection`'s password replaced by `***`.
pub(super) fn scrub_password(text: &str, connection: &str) -> String {
    match password_span(connection) {
        Some((start, end)) if end > start => text.replace(&connection[start..end], "***"),
        _ => text.to_owned(),
    }
}

/// The byte range of the password in `scheme://user:password@host…`, if there is one.
fn password_span(connection: &str) -> Option<(usize, usize)> {
    let authority_start = connection.find("://")? + 3;
    let rest = &connection[authority_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    let colon = rest[..at].find(':')?;
    Some((authority_start + colon + 1, authority_start + at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kirjuri_events::{EventId, EventPayload};

    fn stream() -> StreamName {
        StreamName::parse("lesson-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("valid")
    }

    fn sample_metadata() -> EventMetadata {
        EventMetadata {
            actor: Some("user:anna".into()),
            tenant: Some("kuopio".into()),
            correlation_id: Some(Uuid::from_u128(7)),
            causation_id: Some(Uuid::from_u128(8)),
            occurred_at: DateTime::from_timestamp_micros(1_760_000_000_123_456),
            request_digest: Some(format!("sha256:{}", "5a".repeat(32))),
        }
    }

    #[test]
    fn expected_revisions_map_onto_stream_states() {
        assert_eq!(stream_state(ExpectedRevision::Any), StreamState::Any);
        assert_eq!(stream_state(ExpectedRevision::NoStream), StreamState::NoStream);
        assert_eq!(stream_state(ExpectedRevision::StreamExists), StreamState::StreamExists);
        assert_eq!(stream_state(ExpectedRevision::Exact(Revision(41))), StreamState::StreamRevision(41));
    }

    #[test]
    fn positions_convert_both_ways_whole_and_keep_their_order() {
        let ours = Position { commit: 1_234, prepare: 1_200 };
        let theirs = to_kurrent(ours);
        assert_eq!((theirs.commit, theirs.prepare), (1_234, 1_200));
        assert_eq!(from_kurrent(theirs), ours);
        let (a, b) = (Position { commit: 5, prepare: 9 }, Position { commit: 6, prepare: 1 });
        assert_eq!(a < b, to_kurrent(a) < to_kurrent(b));
    }

    #[test]
    fn metadata_round_trips_through_the_custom_metadata_object() {
        let event = NewEvent::new(
            EventId(Uuid::from_u128(1)),
            EventType::parse("LessonIdentified").expect("valid"),
            EventPayload::parse("{}").expect("valid"),
        )
        .with_schema_version(3)
        .with_metadata(sample_metadata());
        let bytes = serde_json::to_vec(&custom_metadata(&event)).expect("serialises");
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(value["schema_version"], 3);
        assert_eq!(value["metadata"]["tenant"], "kuopio");
        let (schema_version, metadata) = decode_custom_metadata(&bytes).expect("decodes");
        assert_eq!(schema_version, 3);
        assert_eq!(metadata, sample_metadata());

        let empty = NewEvent { metadata: EventMetadata::default(), ..event };
        let bytes = serde_json::to_vec(&custom_metadata(&empty)).expect("serialises");
        assert_eq!(decode_custom_metadata(&bytes).expect("decodes"), (3, EventMetadata::default()));
    }

    #[test]
    fn missing_or_foreign_metadata_does_not_decode() {
        assert!(decode_custom_metadata(b"").expect_err("empty").contains("empty"));
        assert!(decode_custom_metadata(b"{}").is_err());
        assert!(decode_custom_metadata(b"not json").is_err());
        assert!(decode_custom_metadata(br#"{"$correlationId":"x"}"#).is_err());
    }

    #[test]
    fn payload_text_is_written_byte_for_byte() {
        let text = "{\"a\" : [1, 2 ,3],\n  \"b\":\"\\u00e4 \u{e4}\", \"c\": 1.50}";
        let payload = EventPayload::parse(text).expect("valid");
        assert!(!needs_raw_bytes(text));
        assert_eq!(serde_json::to_vec(&payload).expect("serialises"), text.as_bytes());
        for padded in [" {}", "{}\n", "\t[1]\r\n"] {
            assert!(needs_raw_bytes(padded), "{padded:?}");
        }
    }

    fn decode_sample(event_type: &str, data: &[u8], custom: &[u8]) -> Result<RecordedEvent, StoreError> {
        decode_parts(RawParts {
            stream: stream(),
            id: Uuid::from_u128(9),
            revision: 4,
            position: kurrentdb::Position { commit: 100, prepare: 90 },
            event_type,
            data,
            custom_metadata: custom,
            recorded_at: sample_recorded_at(),
        })
    }

    fn sample_recorded_at() -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_770_000_000_000_001).expect("in range")
    }

    #[test]
    fn events_decode_back_to_the_envelope_and_bad_ones_are_corrupt() {
        let metadata = serde_json::to_vec(&StoredMetadataOut { schema_version: 2, metadata: &sample_metadata() })
            .expect("serialises");
        let event = decode_sample("LessonIdentified", b" {\"x\": 1} ", &metadata).expect("decodes");
        assert_eq!(event.id, EventId(Uuid::from_u128(9)));
        assert_eq!(event.stream, stream());
        assert_eq!(event.revision, Revision(4));
        assert_eq!(event.position, Position { commit: 100, prepare: 90 });
        assert_eq!(event.event_type.as_str(), "LessonIdentified");
        assert_eq!(event.schema_version, 2);
        assert_eq!(event.recorded_at, sample_recorded_at());
        assert_eq!(event.data.as_str(), " {\"x\": 1} ");
        assert_eq!(event.metadata, sample_metadata());

        let bad: [(&str, &[u8], &[u8]); 4] = [
            ("$metadata", b"{}", &metadata),
            ("LessonIdentified", b"\xff", &metadata),
            ("LessonIdentified", b"{\"x\":", &metadata),
            ("LessonIdentified", b"{}", b""),
        ];
        for (event_type, data, custom) in bad {
            let error = decode_sample(event_type, data, custom).expect_err("corrupt");
            let message = error.to_string();
            assert!(matches!(error, StoreError::Corrupt(_)), "{message}");
            assert!(message.contains(stream().as_str()) && message.contains("revision 4"), "{message}");
        }
    }

    #[test]
    fn server_ticks_convert_at_full_precision() {
        // 2025-10-09T08:46:40.1234567Z in .NET ticks since the Unix epoch.
        let at = ticks_to_datetime(17_599_996_001_234_567).expect("in range");
        assert_eq!(at.timestamp(), 1_759_999_600);
        assert_eq!(at.timestamp_subsec_nanos(), 123_456_700);
        assert_eq!(ticks_to_datetime(0), DateTime::from_timestamp(0, 0));
    }

    #[test]
    fn events_of_all_are_classified_by_stream_and_type() {
        assert_eq!(origin(stream().as_str(), "LessonIdentified"), Origin::Kirjuri(stream()));
        assert_eq!(origin("$$lesson-x", "$metadata"), Origin::System);
        assert_eq!(origin("$ce-lesson", "$>"), Origin::System);
        assert_eq!(origin(stream().as_str(), "$>"), Origin::System);
        assert_eq!(origin("orders-42", "OrderPlaced"), Origin::Foreign);
    }

    #[test]
    fn raw_matching_follows_the_filter_rule() {
        let name = stream();
        let both = EventFilter {
            stream_prefixes: vec!["practice".into(), "lesson".into()],
            type_prefixes: vec!["Lesson".into()],
        };
        assert!(matches_raw(&both, name.as_str(), "LessonIdentified"));
        assert!(!matches_raw(&both, name.as_str(), "PracticeDecided"));
        assert!(!matches_raw(&EventFilter::streams(["practice"]), name.as_str(), "LessonIdentified"));
        assert!(matches_raw(&EventFilter::all(), name.as_str(), "Anything"));
    }

    #[test]
    fn passwords_never_leave_the_connection_string() {
        let connection = "kurrentdb://admin:s3cret@node1:2113,node2:2113?tls=true";
        assert_eq!(redact_connection_string(connection), "kurrentdb://admin:***@node1:2113,node2:2113?tls=true");
        assert_eq!(
            scrub_password(&format!("bad: {connection}"), connection),
            format!("bad: {}", redact_connection_string(connection))
        );
        let plain = "kurrentdb://localhost:2113?tls=false";
        assert_eq!(redact_connection_string(plain), plain);
        assert_eq!(redact_connection_string("not a url"), "not a url");
        assert_eq!(redact_connection_string("kdb://user@host"), "kdb://user@host");
    }
}
