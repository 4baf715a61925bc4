//! Types every strand shares: entity ids, multilingual text, and the validation error that
//! names the field and the rule.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::ShapeRule;
use crate::{StreamCategory, StreamName};

/// Input that breaks a rule: which field, and which rule. Built by the `parse` constructors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ValidationError {
    /// The field, as the caller named it (e.g. `title.fi`, `answers[3].value`).
    pub field: String,
    /// The rule it broke.
    pub rule: ShapeRule,
}

impl ValidationError {
    /// A rule broken by `field`.
    pub fn new(field: impl Into<String>, rule: ShapeRule) -> Self {
        Self { field: field.into(), rule }
    }

    /// The same error for a field nested under `parent` (e.g. `criteria[1]` + `name`).
    pub fn within(self, parent: &str) -> Self {
        Self { field: format!("{parent}.{}", self.field), rule: self.rule }
    }
}

/// Declares a typed entity id whose stream is `<category>-<uuid>`.
macro_rules! entity_id {
    ($(#[$meta:meta])* $name:ident, $category:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The stream category of this kind of entity.
            pub const CATEGORY: &'static str = $category;

            /// A fresh random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The stream holding this entity's events.
            pub fn stream(&self) -> StreamName {
                // The category literal is valid by construction (checked by a test below).
                let category = StreamCategory::parse(Self::CATEGORY)
                    .unwrap_or_else(|_| unreachable!("category literal {} is valid", Self::CATEGORY));
                StreamName::new(&category, self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

entity_id!(
    /// A municipality: the tenant whose records these are.
    MunicipalityId, "municipality");
entity_id!(
    /// An organisational unit of a municipality.
    UnitId, "unit");
entity_id!(
    /// A decision-making body (council, board, committee, management team, steering group).
    BodyId, "body");
entity_id!(
    /// A published assessment framework version.
    FrameworkId, "framework");
entity_id!(
    /// An assessment campaign.
    CampaignId, "campaign");
entity_id!(
    /// A coaching engagement.
    EngagementId, "engagement");
entity_id!(
    /// A published communication.
    CommunicationId, "communication");
entity_id!(
    /// A cross-sector service experiment.
    ExperimentId, "experiment");
entity_id!(
    /// An observation that may become a lesson.
    ObservationId, "observation");
entity_id!(
    /// A lesson.
    LessonId, "lesson");
entity_id!(
    /// A best practice.
    PracticeId, "practice");
entity_id!(
    /// One reader's personal-data access log of one day in one municipality (see
    /// [`crate::domain::access_log`]): not an entity people work on, a partition of the log.
    AccessLogId, "access_log");
entity_id!(
    /// The stream of one local API token, named after the token's name (see
    /// [`super::api_token::ApiTokenStream::for_name`]), so that names stay unique.
    ApiTokenStream, "apitoken");
entity_id!(
    /// The stream of one local user account, named after its username (see
    /// [`super::user::UserStream::for_username`]), so that usernames stay unique.
    UserStream, "user");

/// The longest text field kirjuri accepts, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Text in Finnish, and optionally Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedText {
    /// Finnish (required).
    pub fi: String,
    /// Swedish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// Whether `c` shows nothing on its own: white space, or a format or filler character (zero
/// width spaces and joiners, directional marks, soft hyphen, variation selectors, tag
/// characters, Hangul fillers, the blank Braille pattern).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Whether `c` overrides, embeds or isolates text direction (U+202A–U+202E, U+2066–U+2069):
/// such characters can make a name or title read other than it is stored ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The rule `text` (already trimmed) breaks as a line of text people read, if any: nothing
/// visible, a control character (other than `allowed`), a direction control.
pub fn text_rule(text: &str, allowed: &[char]) -> Option<ShapeRule> {
    if text.chars().all(is_invisible) {
        return Some(ShapeRule::OnlyInvisible);
    }
    if text.chars().any(|c| c.is_control() && !allowed.contains(&c)) {
        return Some(ShapeRule::ControlCharacters);
    }
    if text.chars().any(is_bidi_control) {
        return Some(ShapeRule::DirectionControls);
    }
    None
}

fn check_text(field: &str, text: &str) -> Result<String, ValidationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, ShapeRule::Empty));
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(ValidationError::new(field, ShapeRule::TooLong { max: MAX_TEXT_CHARS }));
    }
    if let Some(rule) = text_rule(trimmed, &['\n', '\t']) {
        return Err(ValidationError::new(field, rule));
    }
    Ok(trimmed.to_owned())
}

impl LocalizedText {
    /// Finnish text only.
    pub fn fi(text: &str) -> Result<Self, ValidationError> {
        Ok(Self { fi: check_text("fi", text)?, sv: None, en: None })
    }

    /// Validates each language: Finnish required and non-empty; the others, when given, too.
    pub fn parse(fi: &str, sv: Option<&str>, en: Option<&str>) -> Result<Self, ValidationError> {
        Ok(Self {
            fi: check_text("fi", fi)?,
            sv: sv.map(|t| check_text("sv", t)).transpose()?,
            en: en.map(|t| check_text("en", t)).transpose()?,
        })
    }

    /// Adds a Swedish version.
    pub fn with_sv(mut self, text: &str) -> Result<Self, ValidationError> {
        self.sv = Some(check_text("sv", text)?);
        Ok(self)
    }

    /// Adds an English version.
    pub fn with_en(mut self, text: &str) -> Result<Self, ValidationError> {
        self.en = Some(check_text("en", text)?);
        Ok(self)
    }

    /// The text in `language`, falling back to Finnish.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Fi => &self.fi,
            Language::Sv => self.sv.as_deref().unwrap_or(&self.fi),
            Language::En => self.en.as_deref().unwrap_or(&self.fi),
        }
    }
}

impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            fi: String,
            #[serde(default)]
            sv: Option<String>,
            #[serde(default)]
            en: Option<String>,
        }
        let raw = Raw::deserialize(deserializer)?;
        Self::parse(&raw.fi, raw.sv.as_deref(), raw.en.as_deref()).map_err(crate::domain::refusal::refuse)
    }
}

/// A language kirjuri writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// Checks a required single-language text field (names, codes, free text).
pub fn required_text(field: &str, text: &str) -> Result<String, ValidationError> {
    check_text(field, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_only_invisible_characters_or_with_direction_overrides_is_refused() {
        for invisible in ["\u{200B}\u{200B}", "\u{3164}", "\u{FEFF} \u{2060}", "\u{00AD}", "\u{E0041}\u{E0042}"] {
            let error = LocalizedText::fi(invisible).expect_err(invisible);
            assert_eq!(error.field, "fi");
            assert_eq!(error.rule, ShapeRule::OnlyInvisible, "{invisible:?}");
            assert!(error.to_string().starts_with("fi: must not be empty"), "{invisible:?}: {error}");
        }
        for spoofed in ["Kuopio\u{202E}txt.exe", "\u{2066}nimi\u{2069}", "a\u{202A}b"] {
            let error = required_text("name", spoofed).expect_err(spoofed);
            assert_eq!(error.rule, ShapeRule::DirectionControls, "{spoofed:?}");
            assert!(error.to_string().contains("text-direction"), "{spoofed:?}: {error}");
        }
        assert_eq!(
            required_text("name", "Kuopio\u{200B}n kaupunki").expect("a visible name"),
            "Kuopio\u{200B}n kaupunki"
        );
        assert!(LocalizedText::fi("rivi\nrivi\tsarake").is_ok(), "new lines and tabs stay allowed in text");
    }

    #[test]
    fn every_entity_category_is_a_valid_stream_category() {
        for category in [
            MunicipalityId::CATEGORY,
            UnitId::CATEGORY,
            BodyId::CATEGORY,
            FrameworkId::CATEGORY,
            CampaignId::CATEGORY,
            EngagementId::CATEGORY,
            CommunicationId::CATEGORY,
            ExperimentId::CATEGORY,
            ObservationId::CATEGORY,
            LessonId::CATEGORY,
            PracticeId::CATEGORY,
            AccessLogId::CATEGORY,
            ApiTokenStream::CATEGORY,
            UserStream::CATEGORY,
        ] {
            assert!(StreamCategory::parse(category).is_ok(), "{category}");
        }
        let id = PracticeId(Uuid::from_u128(5));
        assert_eq!(id.stream().category(), "practice");
        assert_eq!(id.stream().entity_id(), id.0);
    }

    #[test]
    fn finnish_text_is_required_and_each_language_is_checked() {
        assert_eq!(LocalizedText::parse("  ", None, None).expect_err("empty").field, "fi");
        assert_eq!(LocalizedText::parse("Hyvä", Some(""), None).expect_err("empty sv").field, "sv");
        assert_eq!(LocalizedText::parse("Hyvä", None, Some("a\u{0}b")).expect_err("control").field, "en");
        let text = LocalizedText::parse(" Etätyö ", Some("Distansarbete"), None).expect("valid");
        assert_eq!(text.fi, "Etätyö");
        assert_eq!(text.get(Language::En), "Etätyö");
        assert_eq!(text.get(Language::Sv), "Distansarbete");
        assert!(serde_json::from_str::<LocalizedText>(r#"{"fi":""}"#).is_err());
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        assert!(LocalizedText::fi(&long).is_err());
    }
}
