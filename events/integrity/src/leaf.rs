//! A leaf's bytes: the canonical encoding of one recorded event.
//!
//! The leaf is the RFC 8785 canonical JSON of
//!
//! ```json
//! {"data": <the event's data>, "id": "<uuid>", "leaf": "kirjuri/v1",
//!  "metadata": {<actor, tenant, correlation_id, causation_id, occurred_at, request_digest,
//!               each only when present>},
//!  "recorded_at": "<UTC, RFC 3339 with microseconds>", "revision": <n>,
//!  "schema_version": <n>, "stream": "<name>", "type": "<type>"}
//! ```
//!
//! Neither the backend's position nor anything it adds is in it: the same events give the same
//! leaves, so the same root, on SQLite and on KurrentDB, and after moving between them.

use chrono::{DateTime, SecondsFormat, Utc};
use kirjuri_events::{EventMetadata, RecordedEvent};
use serde_json::{Map, Value};

use crate::canonical::write_value;
use crate::merkle::{Hash, leaf_hash};

/// The leaf format's tag.
pub const LEAF_FORMAT: &str = "kirjuri/v1";

fn time(at: &DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

fn metadata(metadata: &EventMetadata) -> Value {
    let mut object = Map::new();
    let mut text = |key: &str, value: &Option<String>| {
        if let Some(value) = value {
            object.insert(key.into(), Value::String(value.clone()));
        }
    };
    text("actor", &metadata.actor);
    text("tenant", &metadata.tenant);
    text("request_digest", &metadata.request_digest);
    for (key, value) in [("correlation_id", metadata.correlation_id), ("causation_id", metadata.causation_id)] {
        if let Some(value) = value {
            object.insert(key.into(), Value::String(value.to_string()));
        }
    }
    if let Some(at) = &metadata.occurred_at {
        object.insert("occurred_at".into(), time(at));
    }
    Value::Object(object)
}

/// Why an event has no leaf.
#[derive(Debug, thiserror::Error)]
#[error("event {id} at position {position}: its data is not JSON ({source})")]
pub struct LeafError {
    /// The event's id.
    pub id: String,
    /// Its position.
    pub position: String,
    /// The parse error.
    #[source]
    pub source: serde_json::Error,
}

/// The event's fields as JSON values, in the leaf's (sorted) order.
fn fields(event: &RecordedEvent) -> Result<[(&'static str, Value); 9], LeafError> {
    let data: Value = serde_json::from_str(event.data.as_str()).map_err(|source| LeafError {
        id: event.id.to_string(),
        position: event.position.to_string(),
        source,
    })?;
    Ok([
        ("data", data),
        ("id", Value::String(event.id.0.to_string())),
        ("leaf", Value::String(LEAF_FORMAT.into())),
        ("metadata", metadata(&event.metadata)),
        ("recorded_at", time(&event.recorded_at)),
        ("revision", Value::from(event.revision.0)),
        ("schema_version", Value::from(event.schema_version)),
        ("stream", Value::String(event.stream.as_str().to_owned())),
        ("type", Value::String(event.event_type.as_str().to_owned())),
    ])
}

/// The leaf bytes of `event`.
pub fn leaf_bytes(event: &RecordedEvent) -> Result<String, LeafError> {
    let mut out = String::with_capacity(event.data.as_str().len() + 320);
    out.push('{');
    for (i, (name, value)) in fields(event)?.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        write_value(value, &mut out);
    }
    out.push('}');
    Ok(out)
}

/// The leaf hash of `event`.
pub fn event_leaf_hash(event: &RecordedEvent) -> Result<Hash, LeafError> {
    Ok(leaf_hash(leaf_bytes(event)?.as_bytes()))
}

/// The names of the fields a leaf covers, in order; [`field_fingerprints`] follows it.
pub const FIELDS: [&str; 9] =
    ["data", "id", "leaf", "metadata", "recorded_at", "revision", "schema_version", "stream", "type"];

/// A 4-byte fingerprint of each field of the leaf, so that a changed event can be told by
/// which field changed (kept beside the tree; not part of the proof).
pub fn field_fingerprints(event: &RecordedEvent) -> Result<Vec<u8>, LeafError> {
    let mut out = Vec::with_capacity(4 * FIELDS.len());
    for (_, value) in fields(event)? {
        let text = crate::canonical::to_canonical(&value);
        out.extend_from_slice(&aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes()).as_ref()[..4]);
    }
    Ok(out)
}

/// The fields whose fingerprints differ between two [`field_fingerprints`].
pub fn differing_fields(kept: &[u8], now: &[u8]) -> Vec<&'static str> {
    FIELDS
        .iter()
        .enumerate()
        .filter(|(i, _)| kept.get(i * 4..i * 4 + 4) != now.get(i * 4..i * 4 + 4))
        .map(|(_, name)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use kirjuri_events::{EventId, EventPayload, EventType, Position, Revision, StreamName};
    use uuid::Uuid;

    use super::*;

    fn event(data: &str) -> RecordedEvent {
        RecordedEvent {
            id: EventId(Uuid::from_u128(0x0193_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5b)),
            stream: StreamName::parse("practice-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("valid"),
            revision: Revision(2),
            position: Position::sequence(17),
            event_type: EventType::parse("PracticeDecided").expect("valid"),
            schema_version: 1,
            recorded_at: DateTime::from_timestamp_micros(1_760_000_000_123_456).expect("in range"),
            data: EventPayload::parse(data).expect("valid"),
            metadata: EventMetadata {
                actor: Some("user:anna".into()),
                tenant: Some("kuopio".into()),
                correlation_id: Some(Uuid::from_u128(7)),
                ..EventMetadata::default()
            },
        }
    }

    #[test]
    fn the_leaf_is_canonical_json_of_the_event_without_its_position() {
        let leaf = leaf_bytes(&event(r#"{ "resolution": "passed", "body": "kaupunginhallitus" }"#)).expect("encodes");
        assert_eq!(
            leaf,
            concat!(
                r#"{"data":{"body":"kaupunginhallitus","resolution":"passed"},"#,
                r#""id":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","leaf":"kirjuri/v1","#,
                r#""metadata":{"actor":"user:anna","correlation_id":"00000000-0000-0000-0000-000000000007","tenant":"kuopio"},"#,
                r#""recorded_at":"2025-10-09T08:53:20.123456Z","revision":2,"schema_version":1,"#,
                r#""stream":"practice-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","type":"PracticeDecided"}"#
            )
        );
        let mut moved = event(r#"{"body":"kaupunginhallitus","resolution":"passed"}"#);
        moved.position = Position::sequence(99_999);
        assert_eq!(leaf_bytes(&moved).expect("encodes"), leaf, "same event, other backend position, same leaf");
    }

    #[test]
    fn a_changed_field_changes_the_leaf_and_its_fingerprint_names_it() {
        let original = event(r#"{"resolution":"passed"}"#);
        let mut changed = original.clone();
        changed.data = EventPayload::parse(r#"{"resolution":"tabled"}"#).expect("valid");
        assert_ne!(event_leaf_hash(&original).expect("hashes"), event_leaf_hash(&changed).expect("hashes"));
        let kept = field_fingerprints(&original).expect("fingerprints");
        assert_eq!(differing_fields(&kept, &field_fingerprints(&changed).expect("fingerprints")), ["data"]);
        let mut changed = original.clone();
        changed.metadata.actor = Some("user:mallory".into());
        changed.revision = Revision(3);
        assert_eq!(
            differing_fields(&kept, &field_fingerprints(&changed).expect("fingerprints")),
            ["metadata", "revision"]
        );
    }
}
