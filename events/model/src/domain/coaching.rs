//! Coaching and communication: engagements, sessions, structured notes (whose free text is
//! personal data), agreed actions, and published communications.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CommunicationId, EngagementId, LocalizedText, MunicipalityId};
use crate::event_family;

/// A coach started working with coachees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementStarted {
    /// The engagement.
    pub engagement: EngagementId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The coach (a pseudonymous person reference).
    pub coach: String,
    /// The coachees (pseudonymous person references).
    pub coachees: Vec<String>,
    /// What the engagement aims at.
    pub goals: Vec<LocalizedText>,
    /// When it started.
    pub started: NaiveDate,
}

/// A communication was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunicationPublished {
    /// The communication.
    pub communication: CommunicationId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title.
    pub title: LocalizedText,
    /// Its text.
    pub body: LocalizedText,
    /// When it was published.
    pub published: NaiveDate,
}

event_family! {
    /// What happens in an `engagement` stream.
    pub enum EngagementEvent {
        Started(EngagementStarted) = ("EngagementStarted", 1),
    }
}

event_family! {
    /// What happens in a `communication` stream.
    pub enum CommunicationEvent {
        Published(CommunicationPublished) = ("CommunicationPublished", 1),
    }
}
