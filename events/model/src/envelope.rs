//! The envelope: what a caller hands the store, and what the store hands back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{EventId, EventPayload, EventType, Position, Revision, StreamName};

/// What an append expects the stream to be before it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedRevision {
    /// Write whatever the stream holds. Idempotent retries are only guaranteed with the other
    /// three (KurrentDB dedupes `Any` from a bounded in-memory cache).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must hold at least one event.
    StreamExists,
    /// The stream's last event must have exactly this revision.
    Exact(Revision),
}

impl std::fmt::Display for ExpectedRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Any => f.write_str("any"),
            Self::NoStream => f.write_str("no stream"),
            Self::StreamExists => f.write_str("stream exists"),
            Self::Exact(revision) => write!(f, "revision {revision}"),
        }
    }
}

/// Who did it, for whom, why, and when it happened in the world.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The person or system that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The municipality the event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Groups the events of one user action across streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The command or event that directly caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// When it happened, where that differs from when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// A digest of the request that issued the command (e.g. `sha256:<hex>` of its canonical
    /// JSON), so that a repeated command id with another request is told apart from a retry on
    /// any instance. Absent on events written before it existed and by non-HTTP callers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_digest: Option<String>,
}

impl EventMetadata {
    /// Whether every field is empty.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Size in bytes as counted against the event size limit: the lengths of the fields as
    /// JSON would write them, without escapes. Computed without serialising (it is on every
    /// append's path).
    pub fn encoded_len(&self) -> usize {
        const UUID_TEXT: usize = 36;
        const RFC3339_MICROS: usize = 27;
        // `"key":"value",` around each present field.
        let field = |key: &str, value_len: usize| key.len() + value_len + 6;
        let text = |key: &str, value: &Option<String>| value.as_ref().map_or(0, |v| field(key, v.len()));
        let uuid = |key: &str, value: &Option<Uuid>| value.map_or(0, |_| field(key, UUID_TEXT));
        2 + text("actor", &self.actor)
            + text("tenant", &self.tenant)
            + uuid("correlation_id", &self.correlation_id)
            + uuid("causation_id", &self.causation_id)
            + self.occurred_at.map_or(0, |_| field("occurred_at", RFC3339_MICROS))
            + text("request_digest", &self.request_digest)
    }
}

/// An event to append: the caller chooses its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The caller-chosen id; appending the same id with the same content again is a no-op.
    pub id: EventId,
    /// The stable type name.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The schema version of `data` for this type (starting at 1).
    pub schema_version: u32,
    /// The event's data.
    pub data: EventPayload,
    /// Actor, tenant, correlation and causation, domain time.
    #[serde(default)]
    pub metadata: EventMetadata,
}

impl NewEvent {
    /// An event with empty metadata and schema version 1.
    pub fn new(id: EventId, event_type: EventType, data: EventPayload) -> Self {
        Self { id, event_type, schema_version: 1, data, metadata: EventMetadata::default() }
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: EventMetadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets the schema version.
    pub fn with_schema_version(mut self, schema_version: u32) -> Self {
        self.schema_version = schema_version;
        self
    }

    /// Size counted against the store's per-event limit: data plus metadata, in bytes.
    pub fn encoded_len(&self) -> usize {
        self.data.len() + self.metadata.encoded_len()
    }

    /// Whether `recorded` is this very event (same id and the same content), as a retry sees it.
    pub fn is_same_as(&self, recorded: &RecordedEvent) -> bool {
        self.id == recorded.id
            && self.event_type == recorded.event_type
            && self.schema_version == recorded.schema_version
            && self.data == recorded.data
            && self.metadata == recorded.metadata
    }
}

/// An event as stored: the new event plus where and when the store put it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// The caller-chosen id.
    pub id: EventId,
    /// The stream it belongs to.
    pub stream: StreamName,
    /// Its index within the stream.
    pub revision: Revision,
    /// Its place in `$all`.
    pub position: Position,
    /// The stable type name.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The schema version of `data`.
    pub schema_version: u32,
    /// When the store committed it (the store's clock).
    pub recorded_at: DateTime<Utc>,
    /// The event's data.
    pub data: EventPayload,
    /// Actor, tenant, correlation and causation, domain time.
    pub metadata: EventMetadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_round_trips_through_json_with_metadata_as_an_object() {
        let stream = StreamName::parse("lesson-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("valid");
        let recorded = RecordedEvent {
            id: EventId(Uuid::from_u128(1)),
            stream,
            revision: Revision(3),
            position: Position::sequence(10),
            event_type: EventType::parse("LessonIdentified").expect("valid"),
            schema_version: 2,
            recorded_at: DateTime::from_timestamp_micros(1_760_000_000_123_456).expect("in range"),
            data: EventPayload::parse(r#"{"title":{"fi":"Opittu asia"}}"#).expect("valid"),
            metadata: EventMetadata {
                actor: Some("user:anna".into()),
                tenant: Some("kuopio".into()),
                correlation_id: Some(Uuid::from_u128(7)),
                causation_id: None,
                occurred_at: None,
                request_digest: None,
            },
        };
        let json = serde_json::to_value(&recorded).expect("serialises");
        assert_eq!(json["type"], "LessonIdentified");
        assert_eq!(json["metadata"]["tenant"], "kuopio");
        assert_eq!(json["data"]["title"]["fi"], "Opittu asia");
        assert!(json["metadata"].get("causation_id").is_none());
        let back: RecordedEvent = serde_json::from_value(json).expect("decodes");
        assert_eq!(back, recorded);
    }

    #[test]
    fn the_counted_metadata_size_is_close_to_its_json_size() {
        let metadata = EventMetadata {
            actor: Some("user:anna".into()),
            tenant: Some("kuopio".into()),
            correlation_id: Some(Uuid::from_u128(7)),
            causation_id: Some(Uuid::from_u128(8)),
            occurred_at: Some(DateTime::from_timestamp_micros(1_760_000_000_123_456).expect("in range")),
            request_digest: Some(format!("sha256:{}", "ab".repeat(32))),
        };
        let json_len = serde_json::to_string(&metadata).expect("serialises").len();
        let counted = metadata.encoded_len();
        assert!(counted.abs_diff(json_len) <= 8, "counted {counted}, JSON {json_len}");
        assert_eq!(EventMetadata::default().encoded_len(), 2);
    }

    #[test]
    fn a_retry_is_recognised_only_when_all_content_matches() {
        let new = NewEvent::new(
            EventId(Uuid::from_u128(1)),
            EventType::parse("A").expect("valid"),
            EventPayload::parse("{\"x\":1}").expect("valid"),
        );
        let recorded = RecordedEvent {
            id: new.id,
            stream: StreamName::parse("a-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("valid"),
            revision: Revision(0),
            position: Position::sequence(1),
            event_type: new.event_type.clone(),
            schema_version: 1,
            recorded_at: Utc::now(),
            data: new.data.clone(),
            metadata: EventMetadata::default(),
        };
        assert!(new.is_same_as(&recorded));
        let other = NewEvent { data: EventPayload::parse("{\"x\":2}").expect("valid"), ..new.clone() };
        assert!(!other.is_same_as(&recorded));
        assert_eq!(ExpectedRevision::Exact(Revision(4)).to_string(), "revision 4");
    }
}
