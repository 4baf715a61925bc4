//! Event payloads: JSON kept as validated text so that readers decode only what they use.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Why bytes are not an event payload.
#[derive(Debug, thiserror::Error)]
#[error("event payload is not valid JSON: {0}")]
pub struct PayloadError(#[source] pub serde_json::Error);

/// One JSON value, validated once when it enters the system, then carried as text.
///
/// Reading a million events should not mean parsing a million payloads nobody looks at, so a
/// recorded event holds its data as text and [`EventPayload::decode`] parses on demand.
/// Cloning is cheap (shared).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EventPayload(Arc<str>);

impl EventPayload {
    /// Serialises a value.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, PayloadError> {
        serde_json::to_string(value).map(|text| Self(text.into())).map_err(PayloadError)
    }

    /// Validates JSON text.
    pub fn parse(text: &str) -> Result<Self, PayloadError> {
        serde_json::from_str::<&RawValue>(text).map_err(PayloadError)?;
        Ok(Self(text.into()))
    }

    /// Wraps text that a store wrote itself after validating it with [`EventPayload::parse`]
    /// or [`EventPayload::from_value`]. Callers that did not write the text use `parse`.
    pub fn from_stored(text: impl Into<Arc<str>>) -> Self {
        Self(text.into())
    }

    /// An empty JSON object.
    pub fn empty_object() -> Self {
        Self("{}".into())
    }

    /// Decodes into a typed value.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        serde_json::from_str(&self.0).map_err(PayloadError)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Size of the JSON text in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text is empty (never, for a validated payload).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for EventPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EventPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_str::<&RawValue>(&self.0) {
            Ok(raw) => raw.serialize(serializer),
            Err(error) => Err(serde::ser::Error::custom(error)),
        }
    }
}

impl<'de> Deserialize<'de> for EventPayload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(Self(raw.get().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_is_rejected_and_valid_json_round_trips() {
        assert!(EventPayload::parse("{\"a\":").is_err());
        assert!(EventPayload::parse("").is_err());
        let payload = EventPayload::parse("{\"a\":[1,2,3]}").expect("valid");
        let value: serde_json::Value = payload.decode().expect("decodes");
        assert_eq!(value["a"][2], 3);
        let wrapped = serde_json::json!({ "data": payload });
        assert_eq!(wrapped["data"]["a"][0], 1);
        let back: EventPayload = serde_json::from_value(wrapped["data"].clone()).expect("decodes");
        assert_eq!(back.decode::<serde_json::Value>().expect("decodes"), value);
    }
}
