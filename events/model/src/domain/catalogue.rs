//! Every event type kirjuri knows, and the upcasters that read older shapes of them.
//!
//! An event's type name and version never change once written. When a type's data changes
//! shape, its version goes up by one and an upcaster from the previous version is added here;
//! decoding runs the chain from the stored version to the current one. The repository keeps a
//! JSON fixture for every version of every type (`events/model/fixtures/<Type>.v<N>.json`), and
//! a test decodes each of them through this chain.

use std::sync::LazyLock;

use serde_json::Value;

use super::access_log::AccessLogEvent;
use super::api_token::ApiTokenEvent;
use super::assessment::{CampaignEvent, FrameworkEvent};
use super::coaching::{CommunicationEvent, EngagementEvent};
use super::experiment::ExperimentEvent;
use super::lesson::{LessonEvent, ObservationEvent};
use super::organisation::{BodyEvent, MunicipalityEvent, UnitEvent};
use super::practice::PracticeEvent;
use super::user::UserEvent;
use crate::RecordedEvent;

/// Why stored data could not be read as a domain event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No family knows the type.
    #[error("unknown event type `{0}`")]
    UnknownType(String),
    /// The data does not fit the type's shape.
    #[error("`{event_type}` v{version} does not decode: {reason}")]
    Malformed {
        /// The type.
        event_type: String,
        /// The stored version.
        version: u32,
        /// What did not fit.
        reason: String,
    },
    /// The stored version is newer than this build knows.
    #[error("`{event_type}` v{version} is newer than this kirjuri knows (v{current})")]
    FutureVersion {
        /// The type.
        event_type: String,
        /// The stored version.
        version: u32,
        /// The newest version this build knows.
        current: u32,
    },
    /// A version between the stored one and the current one has no upcaster.
    #[error("`{event_type}` has no upcaster from v{from}")]
    NoUpcaster {
        /// The type.
        event_type: String,
        /// The version with no way forward.
        from: u32,
    },
}

/// One type in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The stable type name.
    pub event_type: &'static str,
    /// Its current version.
    pub version: u32,
    /// The stream category (aggregate) whose streams hold it.
    pub category: &'static str,
}

macro_rules! catalogue {
    ($($family:ident => $category:expr),* $(,)?) => {
        /// Every event type of every aggregate, with its current version.
        pub static CATALOGUE: LazyLock<Vec<CatalogueEntry>> = LazyLock::new(|| {
            let mut entries = Vec::new();
            $(
                for (event_type, version) in $family::TYPES {
                    entries.push(CatalogueEntry { event_type, version: *version, category: $category });
                }
            )*
            entries
        });

        /// Any domain event, whichever aggregate it belongs to.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyDomainEvent {
            $(
                #[doc = concat!("An event of `", stringify!($family), "`.")]
                $family($family),
            )*
        }

        impl AnyDomainEvent {
            /// Decodes stored data of any known type, upcasting older shapes.
            pub fn decode(event_type: &str, schema_version: u32, data: &str) -> Result<Self, DecodeError> {
                $(
                    if $family::knows(event_type) {
                        return $family::decode(event_type, schema_version, data).map(Self::$family);
                    }
                )*
                Err(DecodeError::UnknownType(event_type.to_owned()))
            }

            /// Decodes a recorded event.
            pub fn from_recorded(event: &RecordedEvent) -> Result<Self, DecodeError> {
                Self::decode(event.event_type.as_str(), event.schema_version, event.data.as_str())
            }
        }
    };
}

catalogue! {
    MunicipalityEvent => super::MunicipalityId::CATEGORY,
    UnitEvent => super::UnitId::CATEGORY,
    BodyEvent => super::BodyId::CATEGORY,
    FrameworkEvent => super::FrameworkId::CATEGORY,
    CampaignEvent => super::CampaignId::CATEGORY,
    EngagementEvent => super::EngagementId::CATEGORY,
    CommunicationEvent => super::CommunicationId::CATEGORY,
    ExperimentEvent => super::ExperimentId::CATEGORY,
    ObservationEvent => super::ObservationId::CATEGORY,
    LessonEvent => super::LessonId::CATEGORY,
    PracticeEvent => super::PracticeId::CATEGORY,
    AccessLogEvent => super::AccessLogId::CATEGORY,
    ApiTokenEvent => super::ApiTokenStream::CATEGORY,
    UserEvent => super::UserStream::CATEGORY,
}

/// Reads version `from` of a type's data as version `from + 1`.
struct Upcaster {
    event_type: &'static str,
    from: u32,
    upgrade: fn(Value) -> Result<Value, String>,
}

/// Every upcaster, for every type that changed shape.
const UPCASTERS: &[Upcaster] =
    &[Upcaster { event_type: "LessonIdentified", from: 1, upgrade: super::lesson::lesson_identified_v1_to_v2 }];

/// The current version of `event_type`, if the catalogue knows it.
pub fn current_version(event_type: &str) -> Option<u32> {
    CATALOGUE.iter().find(|e| e.event_type == event_type).map(|e| e.version)
}

/// Brings data stored as `event_type` at `version` to the type's current shape.
pub fn upcast(event_type: &str, version: u32, mut data: Value) -> Result<Value, DecodeError> {
    let current = current_version(event_type).ok_or_else(|| DecodeError::UnknownType(event_type.to_owned()))?;
    if version > current {
        return Err(DecodeError::FutureVersion { event_type: event_type.to_owned(), version, current });
    }
    let mut at = version.max(1);
    while at < current {
        let step = UPCASTERS
            .iter()
            .find(|u| u.event_type == event_type && u.from == at)
            .ok_or_else(|| DecodeError::NoUpcaster { event_type: event_type.to_owned(), from: at })?;
        data = (step.upgrade)(data).map_err(|reason| DecodeError::Malformed {
            event_type: event_type.to_owned(),
            version: at,
            reason,
        })?;
        at += 1;
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_unique_and_valid() {
        let mut seen = std::collections::HashSet::new();
        for entry in CATALOGUE.iter() {
            assert!(seen.insert(entry.event_type), "{} appears twice", entry.event_type);
            assert!(crate::EventType::parse(entry.event_type).is_ok(), "{}", entry.event_type);
            assert!(entry.version >= 1);
        }
    }

    #[test]
    fn every_version_step_has_an_upcaster() {
        for entry in CATALOGUE.iter() {
            for from in 1..entry.version {
                assert!(
                    UPCASTERS.iter().any(|u| u.event_type == entry.event_type && u.from == from),
                    "{} has no upcaster from v{from}",
                    entry.event_type
                );
            }
        }
    }

    /// Every fixture decodes into today's types, and there is one for every version of every type.
    #[test]
    fn every_fixture_of_every_version_decodes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut missing = Vec::new();
        for entry in CATALOGUE.iter() {
            for version in 1..=entry.version {
                let path = dir.join(format!("{}.v{version}.json", entry.event_type));
                let Ok(text) = std::fs::read_to_string(&path) else {
                    missing.push(path.display().to_string());
                    continue;
                };
                if let Err(error) = AnyDomainEvent::decode(entry.event_type, version, &text) {
                    panic!("{}: {error}", path.display());
                }
            }
        }
        assert!(missing.is_empty(), "fixtures missing: {missing:#?}");
    }

    #[test]
    fn a_newer_version_than_known_is_refused() {
        let outcome = upcast("LessonIdentified", 99, Value::Null);
        assert!(matches!(outcome, Err(DecodeError::FutureVersion { .. })), "{outcome:?}");
        assert!(matches!(upcast("NoSuchThing", 1, Value::Null), Err(DecodeError::UnknownType(_))));
    }
}
