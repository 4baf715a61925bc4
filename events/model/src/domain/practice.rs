//! Best practices: drafted with evidence, submitted to a body, decided, anchored in the city's
//! structures, implemented, revised, superseded or retired; shared with partner
//! municipalities, who report adoption.

use serde::{Deserialize, Serialize};

use super::{LocalizedText, MunicipalityId, PracticeId};
use crate::event_family;

/// A practice was drafted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeDrafted {
    /// The practice.
    pub practice: PracticeId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title.
    pub title: LocalizedText,
    /// The situation it answers.
    pub context: LocalizedText,
}

event_family! {
    /// What happens in a `practice` stream.
    pub enum PracticeEvent {
        Drafted(PracticeDrafted) = ("PracticeDrafted", 1),
    }
}
