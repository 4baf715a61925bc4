//! What every domain event type declares, and the macro that groups them per aggregate.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A domain event type: its stable name and the current version of its data's shape.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + PartialEq + std::fmt::Debug {
    /// The type name stored with every event, e.g. `PracticeDecided`. Never changes.
    const TYPE: &'static str;
    /// The current schema version (1 for a type that never changed shape).
    const VERSION: u32;
}

/// Declares each event struct's type name and version, and an enum of them for one aggregate
/// with encoding to [`crate::NewEvent`] and decoding (through the upcasters) from
/// [`crate::RecordedEvent`].
#[macro_export]
macro_rules! event_family {
    (
        $(#[$meta:meta])*
        pub enum $family:ident {
            $( $variant:ident ( $event:ident ) = ($type_name:literal, $version:literal) ),* $(,)?
        }
    ) => {
        $(
            impl $crate::domain::DomainEvent for $event {
                const TYPE: &'static str = $type_name;
                const VERSION: u32 = $version;
            }
        )*

        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $family {
            $(
                #[doc = concat!("`", $type_name, "`")]
                $variant($event),
            )*
        }

        impl $family {
            /// Every type name of this family with its current version.
            pub const TYPES: &'static [(&'static str, u32)] = &[$(($type_name, $version)),*];

            /// The stable type name of this event.
            pub fn event_type(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $type_name, )*
                }
            }

            /// The current schema version of this event's type.
            pub fn schema_version(&self) -> u32 {
                match self {
                    $( Self::$variant(_) => $version, )*
                }
            }

            /// The event's data as JSON.
            pub fn to_payload(&self) -> Result<$crate::EventPayload, $crate::PayloadError> {
                match self {
                    $( Self::$variant(event) => $crate::EventPayload::from_value(event), )*
                }
            }

            /// Wraps the event for appending, with the caller's id and metadata.
            pub fn to_new_event(
                &self,
                id: $crate::EventId,
                metadata: $crate::EventMetadata,
            ) -> Result<$crate::NewEvent, $crate::PayloadError> {
                let event_type = $crate::EventType::parse(self.event_type())
                    .map_err(|e| $crate::PayloadError(serde::de::Error::custom(e)))?;
                Ok($crate::NewEvent::new(id, event_type, self.to_payload()?)
                    .with_schema_version(self.schema_version())
                    .with_metadata(metadata))
            }

            /// Whether this family has an event of type `event_type`.
            pub fn knows(event_type: &str) -> bool {
                Self::TYPES.iter().any(|(name, _)| *name == event_type)
            }

            /// Decodes data stored as `event_type` at `schema_version`, upcasting older shapes.
            pub fn decode(
                event_type: &str,
                schema_version: u32,
                data: &str,
            ) -> Result<Self, $crate::domain::DecodeError> {
                let malformed = |e: serde_json::Error| $crate::domain::DecodeError::Malformed {
                    event_type: event_type.to_owned(),
                    version: schema_version,
                    reason: e.to_string(),
                };
                // Today's shape decodes straight from the text; older shapes go through the upcasters.
                match event_type {
                    $(
                        $type_name if schema_version == $version => {
                            return serde_json::from_str(data).map(Self::$variant).map_err(malformed);
                        }
                    )*
                    _ => {}
                }
                let value: serde_json::Value = serde_json::from_str(data).map_err(malformed)?;
                let value = $crate::domain::upcast(event_type, schema_version, value)?;
                match event_type {
                    $(
                        $type_name => serde_json::from_value(value)
                            .map(Self::$variant)
                            .map_err(|e| $crate::domain::DecodeError::Malformed {
                                event_type: event_type.to_owned(),
                                version: schema_version,
                                reason: e.to_string(),
                            }),
                    )*
                    other => Err($crate::domain::DecodeError::UnknownType(other.to_owned())),
                }
            }

            /// Decodes a recorded event of this family.
            pub fn from_recorded(event: &$crate::RecordedEvent) -> Result<Self, $crate::domain::DecodeError> {
                Self::decode(event.event_type.as_str(), event.schema_version, event.data.as_str())
            }
        }

        $(
            impl From<$event> for $family {
                fn from(event: $event) -> Self {
                    Self::$variant(event)
                }
            }
        )*
    };
}
