//! Coaching and communication: engagements, sessions, structured notes (whose free text is
//! personal data), agreed actions, and published communications.
//!
//! A note has two parts. The structured after-action review (planned / what happened / why it
//! differed / what to keep or change) is the shareable part: search and the programme's views
//! may show it. Its free text is [`PersonalText`], always classified `personal`: read models
//! keep it out of search and show it only to the engagement's coach and coachees. People are
//! named only by pseudonymous [`PersonRef`]s.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    CommunicationId, EngagementId, ExperimentId, Language, LessonId, LocalizedText, MunicipalityId, PracticeId,
    ShapeRule, UnitId, ValidationError,
};
use crate::event_family;

/// The longest pseudonymous person reference, in characters.
pub const MAX_PERSON_REF_CHARS: usize = 64;

/// A pseudonymous reference to a person (e.g. `hlo-7f3a2c`): never a name or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
pub struct PersonRef(String);

impl PersonRef {
    /// Checks that `text` is a pseudonym: 3–64 letters, digits, `-`, `_`, `.` or `:`, no `@`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let length = text.chars().count();
        if !(3..=MAX_PERSON_REF_CHARS).contains(&length) {
            return Err(ValidationError::new(field, ShapeRule::PersonRefLength { min: 3, max: MAX_PERSON_REF_CHARS }));
        }
        if text.contains('@') {
            return Err(ValidationError::new(field, ShapeRule::PersonRefIsEmail));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')) {
            return Err(ValidationError::new(field, ShapeRule::PersonRefCharacters));
        }
        Ok(Self(text.to_owned()))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonRef {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse("person", &text)
    }
}

crate::deserialize_through_try_from!(PersonRef, String);

impl From<PersonRef> for String {
    fn from(person: PersonRef) -> Self {
        person.0
    }
}

impl fmt::Display for PersonRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares an id of a part of an engagement (not a stream of its own).
macro_rules! part_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

part_id!(
    /// A coaching session within an engagement.
    SessionId);
part_id!(
    /// A note on a coaching session.
    NoteId);
part_id!(
    /// An action agreed in an engagement.
    ActionId);

/// How a session was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionFormat {
    /// One coach, one coachee.
    OneToOne,
    /// A coach with a group or team.
    Group,
    /// A workshop.
    Workshop,
}

/// A coach started working with coachees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngagementStarted {
    /// The engagement.
    pub engagement: EngagementId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The unit the coachees work in, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    /// The coach.
    pub coach: PersonRef,
    /// The coachees.
    pub coachees: Vec<PersonRef>,
    /// The experiment the coaching supports, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ExperimentId>,
    /// What the engagement aims at.
    pub goals: Vec<LocalizedText>,
    /// When it started.
    pub started: NaiveDate,
}

/// A coaching session took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionHeld {
    /// The engagement.
    pub engagement: EngagementId,
    /// The session.
    pub session: SessionId,
    /// When it was held.
    pub date: NaiveDate,
    /// How it was held.
    pub format: SessionFormat,
    /// How long it took, in minutes.
    pub duration_minutes: u32,
    /// What it covered: DigComp competence codes (e.g. `2.1`), maturity dimensions or themes.
    #[serde(default)]
    pub topics: Vec<String>,
    /// How many people attended.
    pub attendees: u32,
}

/// How a piece of text is classified for data protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Personal data: shown only to the people it concerns, never indexed for search.
    Personal,
}

/// Free text that may hold personal data, carried apart from the shareable fields.
///
/// Its `Debug` form never shows the text (logs, error messages and the as-of views print
/// states with `Debug`); read `text` where showing it is authorised.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalText {
    /// The text, in the language it was written in. Empty as stored: the store keeps it only
    /// sealed (see `sealed`), and it is opened for those who may read it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Always [`Classification::Personal`]; stored so every reader of the JSON sees it.
    pub classification: Classification,
    /// The people the text is about (the data subjects), whose keys seal it: erasing any one of
    /// them makes it unreadable for good (set by the domain, e.g. an engagement's coach and
    /// coachees).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<PersonRef>,
    /// The text encrypted under the subjects' keys, as the store keeps it (`kirjuri-integrity`'s
    /// `personal` module writes and opens it); absent before it is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub sealed: Option<serde_json::Value>,
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonalText")
            .field("text", &format_args!("<redacted: {} characters>", self.text.chars().count()))
            .field("classification", &self.classification)
            .field("subjects", &self.subjects)
            .field("sealed", &self.sealed.is_some())
            .finish()
    }
}

impl PersonalText {
    /// Personal free text, checked like any text field.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            text: super::required_text(field, text)?,
            classification: Classification::Personal,
            subjects: Vec::new(),
            sealed: None,
        })
    }

    /// The same text, about `subjects` (the people whose keys seal it).
    pub fn about(mut self, subjects: impl IntoIterator<Item = PersonRef>) -> Self {
        self.subjects = subjects.into_iter().collect();
        self.subjects.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        self.subjects.dedup();
        self
    }
}

/// A note on a session was recorded: a structured review (shareable) and personal free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteRecorded {
    /// The engagement.
    pub engagement: EngagementId,
    /// The note.
    pub note: NoteId,
    /// The session it is about.
    pub session: SessionId,
    /// Who wrote it (the coach or a coachee).
    pub author: PersonRef,
    /// What was planned. Shareable.
    pub planned: LocalizedText,
    /// What actually happened. Shareable.
    pub happened: LocalizedText,
    /// Why it differed from the plan. Shareable.
    pub why_different: LocalizedText,
    /// What to keep doing and what to change. Shareable.
    pub keep_or_change: LocalizedText,
    /// Free text: personal data, for the coach and coachees only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<PersonalText>,
}

/// Participants agreed on an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionAgreed {
    /// The engagement.
    pub engagement: EngagementId,
    /// The action.
    pub action: ActionId,
    /// The session where it was agreed, if in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    /// Who carries it out.
    pub owner: PersonRef,
    /// What they do.
    pub description: LocalizedText,
    /// By when.
    pub due: NaiveDate,
    /// The competence it develops (a DigComp code such as `3.1`), if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competence: Option<String>,
}

/// An agreed action was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionCompleted {
    /// The engagement.
    pub engagement: EngagementId,
    /// The action.
    pub action: ActionId,
    /// When it was done.
    pub completed: NaiveDate,
    /// What came of it, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<LocalizedText>,
}

/// The engagement ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngagementClosed {
    /// The engagement.
    pub engagement: EngagementId,
    /// When it ended.
    pub closed: NaiveDate,
    /// What it achieved, in brief.
    pub outcome_summary: LocalizedText,
}

/// Where a communication was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The city's intranet.
    Intranet,
    /// A newsletter.
    Newsletter,
    /// The city's public website.
    Website,
    /// An event (info session, seminar).
    Event,
    /// Social media.
    SocialMedia,
}

/// Who a communication is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// All staff.
    Staff,
    /// Managers and supervisors.
    Managers,
    /// Elected officials and decision-making bodies.
    DecisionMakers,
    /// Residents.
    Residents,
    /// Partner municipalities.
    Partners,
}

/// A record a communication tells about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CommunicationLink {
    /// An experiment.
    Experiment(ExperimentId),
    /// A lesson.
    Lesson(LessonId),
    /// A best practice.
    Practice(PracticeId),
}

/// A communication was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunicationPublished {
    /// The communication.
    pub communication: CommunicationId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Where it was published.
    pub channel: Channel,
    /// Who it is for.
    pub audience: Audience,
    /// The language it was written in first.
    pub language: Language,
    /// Its title.
    pub title: LocalizedText,
    /// Its text.
    pub body: LocalizedText,
    /// The records it tells about.
    #[serde(default)]
    pub links: Vec<CommunicationLink>,
    /// When it was published.
    pub published: NaiveDate,
}

event_family! {
    /// What happens in an `engagement` stream.
    #[allow(clippy::large_enum_variant, reason = "events are decoded, decided and dropped one at a time; boxing would only add allocations")]
    pub enum EngagementEvent {
        Started(EngagementStarted) = ("EngagementStarted", 1),
        SessionHeld(SessionHeld) = ("SessionHeld", 1),
        NoteRecorded(NoteRecorded) = ("NoteRecorded", 1),
        ActionAgreed(ActionAgreed) = ("ActionAgreed", 1),
        ActionCompleted(ActionCompleted) = ("ActionCompleted", 1),
        Closed(EngagementClosed) = ("EngagementClosed", 1),
    }
}

event_family! {
    /// What happens in a `communication` stream.
    pub enum CommunicationEvent {
        Published(CommunicationPublished) = ("CommunicationPublished", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_reference_must_be_a_pseudonym() {
        assert!(PersonRef::parse("coach", "hlo-7f3a2c").is_ok());
        assert_eq!(PersonRef::parse("coach", "maija.meikalainen@kuopio.fi").expect_err("e-mail").field, "coach");
        assert!(PersonRef::parse("coach", "Maija Meikäläinen").is_err());
        assert!(PersonRef::parse("coach", "ab").is_err());
        assert!(serde_json::from_str::<PersonRef>(r#""x y z""#).is_err());
    }

    #[test]
    fn personal_free_text_is_stored_apart_and_marked_personal() {
        let personal = PersonalText::parse("personal", "Kertoi väsymyksestä.").expect("valid");
        let json = serde_json::to_value(&personal).expect("serialises");
        assert_eq!(json["classification"], "personal");
        assert!(!format!("{personal:?}").contains("väsymyksestä"), "Debug never shows personal text");
        assert!(!format!("{:#?}", Some(&personal)).contains("väsymyksestä"));
        let unclassified = serde_json::json!({ "text": "x", "classification": "public" });
        assert!(serde_json::from_value::<PersonalText>(unclassified).is_err());
    }
}
