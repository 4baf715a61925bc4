//! The personal-data access log: every successful read of personal data (today: a coaching
//! note's personal text) is recorded as a [`PersonalDataRead`] — who read, which data, when and
//! for what purpose — before the data is sent.
//!
//! ## Stream layout
//! One stream per reader, per municipality, per UTC day ([`AccessLogId::of_reader_on`]):
//! `access_log-<uuid v5 of municipality, reader, day>`. Reads are appended with
//! `ExpectedRevision::Any`, so they never conflict and never need a retry loop; different
//! readers never touch the same stream, so no stream becomes a hot spot every read goes
//! through; and the number of streams grows with readers × days, not with reads. One reader's
//! day reads back in order from one stream. Each read is its own fact with a fresh event id:
//! reading twice is logged twice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::coaching::NoteId;
use super::{AccessLogId, EngagementId, MunicipalityId, ShapeRule, ValidationError};
use crate::event_family;

/// The namespace of access-log stream ids (uuid v5).
const ACCESS_LOG_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_4944_8000_6163_6365_7373);

impl AccessLogId {
    /// The log stream of `reader`'s reads in `municipality` on `day` (UTC): the same inputs
    /// always name the same stream.
    pub fn of_reader_on(municipality: MunicipalityId, reader: &str, day: NaiveDate) -> Self {
        let key = format!("{municipality}\n{reader}\n{day}");
        Self(Uuid::new_v5(&ACCESS_LOG_NAMESPACE, key.as_bytes()))
    }
}

/// The fewest characters a purpose has.
pub const MIN_PURPOSE_CHARS: usize = 3;
/// The most characters a purpose has.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Why personal data was read, in the reader's words (e.g. `preparing the next session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
pub struct Purpose(String);

impl Purpose {
    /// Checks a purpose: 3–200 characters after trimming, no control characters.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let length = text.chars().count();
        if !(MIN_PURPOSE_CHARS..=MAX_PURPOSE_CHARS).contains(&length) {
            return Err(ValidationError::new(
                field,
                ShapeRule::PurposeLength { min: MIN_PURPOSE_CHARS, max: MAX_PURPOSE_CHARS },
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(ValidationError::new(field, ShapeRule::ControlCharacters));
        }
        Ok(Self(text.to_owned()))
    }

    /// The purpose as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Purpose {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse("purpose", &text)
    }
}

crate::deserialize_through_try_from!(Purpose, String);

impl From<Purpose> for String {
    fn from(purpose: Purpose) -> Self {
        purpose.0
    }
}

/// Which personal data was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PersonalData {
    /// The personal text of coaching notes of one engagement.
    CoachingNotes {
        /// The engagement.
        engagement: EngagementId,
        /// The notes whose personal text was sent.
        notes: Vec<NoteId>,
    },
}

/// Personal data was read (and sent to the reader).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalDataRead {
    /// The municipality whose data it is (the reader's: personal data never crosses tenants).
    pub municipality: MunicipalityId,
    /// Who read: the principal's stable subject (`token:<id>`, or the OIDC `oid`/`sub`).
    pub reader: String,
    /// The pseudonymous person reference the reader is (what made the data theirs to read).
    pub reader_person: String,
    /// What was read.
    pub data: PersonalData,
    /// Why.
    pub purpose: Purpose,
    /// When it was read (the server's clock when the answer was made).
    pub read_at: DateTime<Utc>,
}

event_family! {
    /// What happens in an `access_log` stream.
    pub enum AccessLogEvent {
        PersonalDataRead(PersonalDataRead) = ("PersonalDataRead", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_is_short_plain_text() {
        assert_eq!(
            Purpose::parse("purpose", "  preparing the next session ").expect("valid").as_str(),
            "preparing the next session"
        );
        assert_eq!(Purpose::parse("purpose", "ok").expect_err("too short").field, "purpose");
        assert!(Purpose::parse("purpose", &"x".repeat(MAX_PURPOSE_CHARS + 1)).is_err());
        assert!(Purpose::parse("purpose", "line\nbreak").is_err());
        assert!(serde_json::from_str::<Purpose>(r#""""#).is_err());
    }

    #[test]
    fn one_readers_day_is_one_stream_and_others_are_not() {
        let kuopio = MunicipalityId(Uuid::from_u128(1));
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let next = NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
        let stream = AccessLogId::of_reader_on(kuopio, "token:a", day);
        assert_eq!(stream, AccessLogId::of_reader_on(kuopio, "token:a", day));
        assert_ne!(stream, AccessLogId::of_reader_on(kuopio, "token:b", day));
        assert_ne!(stream, AccessLogId::of_reader_on(kuopio, "token:a", next));
        assert_ne!(stream, AccessLogId::of_reader_on(MunicipalityId(Uuid::from_u128(2)), "token:a", day));
        assert_eq!(stream.stream().category(), "access_log");
    }
}
