//! The programme's event catalogue: every fact kirjuri records, one stable type name and a
//! schema version each, grouped by the aggregate whose stream holds it.
//!
//! | module | stream category | what happens there |
//! | --- | --- | --- |
//! | [`organisation`] | `municipality`, `unit`, `body` | municipalities (tenants) and the partner network, units, decision-making bodies and memberships |
//! | [`assessment`] | `framework`, `campaign` | assessment frameworks as data, campaigns, responses, computed results, targets |
//! | [`coaching`] | `engagement`, `communication` | coaching engagements, sessions, structured notes, actions; published communications |
//! | [`experiment`] | `experiment` | proposal, approval by a body's decision, protocol, stages, baselines, measurements, outcomes, conclusion |
//! | [`lesson`] | `observation`, `lesson` | observations, lessons identified from them, actions, lessons learned |
//! | [`practice`] | `practice` | best practices from draft through decision, anchoring, progress, revision, supersession, sharing and adoption |
//! | [`access_log`] | `access_log` | every read of personal data: who, what, when, why (one stream per reader and day) |
//! | [`api_token`] | `apitoken` | local API tokens issued and revoked (only their hashes) |
//! | [`server_key`] | `serverkey` | keys the server instances share (the web session key); secrets, outside the catalogue, never in a read model |
//! | [`user`] | `user` | local user accounts created, given new passwords (only argon2id hashes) and disabled |
//! | [`web_session`] | `websession` | web sessions their holders signed out of; outside the catalogue, never in a read model |
//!
//! Text people read is a [`LocalizedText`]: Finnish required, Swedish and English optional.
//! Older shapes of an event are read through [`catalogue::upcast`], so stored events never
//! need rewriting.

/// A closed vocabulary with wire names: the statuses the read models store, the API filters by
/// and the pages translate, spelled once.
pub trait Vocabulary: Copy + Eq + Sized + 'static {
    /// Every value, in their natural order.
    const ALL: &'static [Self];

    /// The wire name (what serde writes, and the read models store).
    fn as_str(self) -> &'static str;

    /// The value with wire name `text`, if there is one.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.as_str() == text)
    }

    /// Every wire name, comma separated (for error messages).
    fn listed() -> String {
        Self::ALL.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Declares a [`Vocabulary`]: the enum with serde's snake_case names (checked equal to the wire
/// names by the tests), its OpenAPI schema, and the trait.
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $crate::domain::Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant,)+];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }
    };
}

pub mod access_log;
pub mod api_token;
pub mod assessment;
pub mod catalogue;
pub mod coaching;
mod common;
pub mod erasure;
pub mod experiment;
mod family;
pub mod lesson;
pub mod organisation;
pub mod practice;
pub mod refusal;
pub mod server_key;
mod shape;
pub mod user;
pub mod web_session;

pub use catalogue::{CATALOGUE, CatalogueEntry, DecodeError, upcast};
pub use common::*;
pub use family::DomainEvent;
pub use shape::{Number, ShapeRule};

#[cfg(test)]
mod vocabulary_tests {
    use super::Vocabulary;
    use super::experiment::ExperimentPhase;
    use super::lesson::LessonPhase;
    use super::practice::PracticePhase;

    fn wire_names_are_serde_s<V: Vocabulary + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug>() {
        assert!(!V::ALL.is_empty());
        for value in V::ALL {
            assert_eq!(serde_json::to_value(value).expect("serialises"), serde_json::json!(value.as_str()));
            assert_eq!(serde_json::from_value::<V>(serde_json::json!(value.as_str())).expect("parses"), *value);
            assert_eq!(V::parse(value.as_str()), Some(*value));
        }
        assert_eq!(V::parse("no such value"), None);
        assert_eq!(V::listed().split(", ").count(), V::ALL.len());
    }

    #[test]
    fn every_vocabulary_s_wire_names_are_what_serde_writes_and_reads() {
        wire_names_are_serde_s::<ExperimentPhase>();
        wire_names_are_serde_s::<LessonPhase>();
        wire_names_are_serde_s::<PracticePhase>();
    }
}
