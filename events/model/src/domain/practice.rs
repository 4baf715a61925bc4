//! Best practices (ADR/MADR style): drafted with evidence, submitted to a body under a case
//! number, decided (Ahjo resolution codes), anchored in the city's structures, implemented,
//! revised, superseded or retired; shared with partner municipalities, who report adoption.
//!
//! A practice has a version, starting at 1 when drafted; [`PracticeRevised`] raises it and
//! reopens the practice for a new submission and decision. Submissions, decisions, anchorings
//! and sharings record the version they concern, so the history reads on its own.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    BodyId, CampaignId, ExperimentId, LessonId, LocalizedText, MunicipalityId, PracticeId, ShapeRule, UnitId,
    ValidationError,
};
use crate::event_family;

/// The criterion an outcome link cites: the experiment strand's own.
pub use super::experiment::Criterion;

/// A record a practice rests on, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceLink {
    /// An experiment's outcome for one criterion.
    Outcome {
        /// The experiment.
        experiment: ExperimentId,
        /// The criterion whose outcome is cited.
        criterion: Criterion,
    },
    /// An experiment as a whole.
    Experiment {
        /// The experiment.
        experiment: ExperimentId,
    },
    /// A lesson.
    Lesson {
        /// The lesson.
        lesson: LessonId,
    },
    /// An assessment campaign's results.
    Assessment {
        /// The campaign.
        campaign: CampaignId,
    },
}

/// Positive and negative consequences of the chosen option.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consequences {
    /// What gets better.
    #[serde(default)]
    pub positive: Vec<LocalizedText>,
    /// What gets worse, or costs.
    #[serde(default)]
    pub negative: Vec<LocalizedText>,
}

/// A free tag for search and facets: trimmed, lowercase, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
pub struct Tag(String);

impl Tag {
    /// The longest tag, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Validates and normalises a tag (trimmed, lowercase).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::check(text).map(|trimmed| Self(trimmed.to_lowercase()))
    }

    /// The one rule for tags, wherever one is given (a practice's, a lesson's, a filter): `text`
    /// trimmed, if it is 1 to [`Tag::MAX_CHARS`] visible characters without control or
    /// text-direction characters; its case is kept.
    pub fn check(text: &str) -> Result<&str, ValidationError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::new("tag", ShapeRule::Empty));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new("tag", ShapeRule::TooLong { max: Self::MAX_CHARS }));
        }
        if let Some(rule) = super::common::text_rule(trimmed, &[]) {
            return Err(ValidationError::new("tag", rule));
        }
        Ok(trimmed)
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Tag {
    type Error = ValidationError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

crate::deserialize_through_try_from!(Tag, String);

impl From<Tag> for String {
    fn from(tag: Tag) -> Self {
        tag.0
    }
}

/// A case's diary number (diaarinumero), e.g. `KUO/1234/00.01.02/2025`: the registry prefix,
/// a running number, the task classification code (two-digit groups) and the year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
pub struct CaseNumber(String);

impl CaseNumber {
    /// Validates a diary number.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let parts: Vec<&str> = trimmed.split('/').collect();
        let [prefix, number, classification, year] = parts.as_slice() else {
            return Err(ValidationError::new("case_number", ShapeRule::CaseNumberShape));
        };
        let prefix_ok = (2..=5).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_uppercase());
        let number_ok = (1..=7).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit());
        let groups: Vec<&str> = classification.split('.').collect();
        let classification_ok = (1..=4).contains(&groups.len())
            && groups.iter().all(|g| g.len() == 2 && g.chars().all(|c| c.is_ascii_digit()));
        let year_ok = year.len() == 4 && year.parse::<u16>().is_ok_and(|y| (1900..=2100).contains(&y));
        if !(prefix_ok && number_ok && classification_ok && year_ok) {
            return Err(ValidationError::new("case_number", ShapeRule::CaseNumberShape));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The diary number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = ValidationError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

crate::deserialize_through_try_from!(CaseNumber, String);

impl From<CaseNumber> for String {
    fn from(number: CaseNumber) -> Self {
        number.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The section (pykälä, §) of a meeting's minutes a decision was recorded under; 1 or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "u32")]
pub struct SectionNumber(u32);

impl SectionNumber {
    /// Validates a section number.
    pub fn parse(number: u32) -> Result<Self, ValidationError> {
        if number == 0 {
            return Err(ValidationError::new("section", ShapeRule::SectionZero));
        }
        Ok(Self(number))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for SectionNumber {
    type Error = ValidationError;
    fn try_from(number: u32) -> Result<Self, Self::Error> {
        Self::parse(number)
    }
}

crate::deserialize_through_try_from!(SectionNumber, u32);

impl From<SectionNumber> for u32 {
    fn from(section: SectionNumber) -> Self {
        section.0
    }
}

impl fmt::Display for SectionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "§ {}", self.0)
    }
}

/// Implementation progress in percent, 0 to 100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "u32")]
pub struct Percent(u8);

impl Percent {
    /// Validates a percentage.
    pub fn parse(value: u32) -> Result<Self, ValidationError> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Self)
            .ok_or_else(|| ValidationError::new("percent", ShapeRule::PercentOutOfRange))
    }

    /// The value.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u32> for Percent {
    type Error = ValidationError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

crate::deserialize_through_try_from!(Percent, u32);

impl From<Percent> for u32 {
    fn from(percent: Percent) -> Self {
        u32::from(percent.0)
    }
}

vocabulary! {
    /// Where a best practice stands, as its history, the lists, the API's `status` filter and the
    /// pages name it.
    pub enum PracticePhase {
        /// Being written (also after a return or a revision).
        Draft => "draft",
        /// Submitted to a body.
        Submitted => "submitted",
        /// Passed by the body (as proposed, amended or after a vote).
        Passed => "passed",
        /// Rejected by the body.
        Rejected => "rejected",
        /// Returned for further preparation.
        Returned => "returned",
        /// Tabled (postponed to a later meeting).
        Tabled => "tabled",
        /// Noted for information.
        Noted => "noted",
        /// Superseded by a newer practice.
        Superseded => "superseded",
        /// Retired.
        Retired => "retired",
    }
}

impl Default for PracticePhase {
    /// A practice begins as a draft.
    fn default() -> Self {
        Self::Draft
    }
}

/// How a body resolved a case (the Ahjo resolution codes kirjuri keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Hyväksyttiin esityksen mukaisesti.
    Passed,
    /// Hyväksyttiin muutettuna.
    PassedAsAmended,
    /// Hyväksyttiin äänestyksen jälkeen.
    PassedAfterVote,
    /// Hylättiin.
    Rejected,
    /// Palautettiin uudelleen valmisteltavaksi.
    Returned,
    /// Pantiin pöydälle.
    Tabled,
    /// Merkittiin tiedoksi.
    Noted,
}

impl Resolution {
    /// Every resolution.
    pub const ALL: [Self; 7] = [
        Self::Passed,
        Self::PassedAsAmended,
        Self::PassedAfterVote,
        Self::Rejected,
        Self::Returned,
        Self::Tabled,
        Self::Noted,
    ];

    /// Reads a resolution code such as `passed_as_amended`.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let code = code.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| ValidationError::new("resolution", ShapeRule::UnknownResolution))
    }

    /// The resolution's code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::PassedAsAmended => "passed_as_amended",
            Self::PassedAfterVote => "passed_after_vote",
            Self::Rejected => "rejected",
            Self::Returned => "returned",
            Self::Tabled => "tabled",
            Self::Noted => "noted",
        }
    }

    /// Whether the practice was approved (in any form).
    pub fn is_passing(self) -> bool {
        matches!(self, Self::Passed | Self::PassedAsAmended | Self::PassedAfterVote)
    }

    /// Whether the decision must say why (rejection and return).
    pub fn needs_rationale(self) -> bool {
        matches!(self, Self::Rejected | Self::Returned)
    }

    /// Whether the case stays open for another decision on the same version (returned, tabled).
    pub fn leaves_open(self) -> bool {
        matches!(self, Self::Returned | Self::Tabled)
    }
}

/// The kind of structure a practice is anchored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AnchorKind {
    /// An organisational unit's way of working.
    Unit,
    /// A service or management process.
    Process,
    /// A guideline or instruction (ohje).
    Guideline,
    /// An item of the city strategy or programme.
    StrategyItem,
}

/// Where a partner municipality stands with a shared practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdoptionStatus {
    /// Harkitsee.
    Considering,
    /// Pilotoi.
    Piloting,
    /// Ottanut käyttöön.
    Adopted,
    /// Päättänyt olla ottamatta käyttöön.
    Rejected,
}

/// A practice was drafted (version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeDrafted {
    /// The practice.
    pub practice: PracticeId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title.
    pub title: LocalizedText,
    /// The context and problem it answers.
    pub context: LocalizedText,
    /// The options considered.
    #[serde(default)]
    pub options_considered: Vec<LocalizedText>,
    /// The option chosen, and why.
    pub chosen_option: LocalizedText,
    /// Its positive and negative consequences.
    #[serde(default)]
    pub consequences: Consequences,
    /// The records it rests on.
    #[serde(default)]
    pub evidence: Vec<EvidenceLink>,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A version of a practice was submitted to a body for decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeSubmitted {
    /// The practice.
    pub practice: PracticeId,
    /// The version submitted.
    pub version: u32,
    /// The body that will decide.
    pub body: BodyId,
    /// The case's diary number.
    pub case_number: CaseNumber,
}

/// A body decided on a version of a practice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeDecided {
    /// The practice.
    pub practice: PracticeId,
    /// The version decided on.
    pub version: u32,
    /// The body that decided.
    pub body: BodyId,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The minutes' section (§).
    pub section: SectionNumber,
    /// The motion (päätösesitys).
    pub motion: LocalizedText,
    /// The decision text (päätös).
    pub decision: LocalizedText,
    /// How the body resolved it.
    pub resolution: Resolution,
    /// Why (always given for rejection and return).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<LocalizedText>,
}

/// A passed practice was anchored in a structure of the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeAnchored {
    /// The practice.
    pub practice: PracticeId,
    /// The version anchored.
    pub version: u32,
    /// The kind of structure.
    pub into: AnchorKind,
    /// The structure's name.
    pub target: LocalizedText,
    /// The structure's reference in its own system (document number, process id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ref: Option<String>,
    /// The unit that owns it from now on.
    pub owner_unit: UnitId,
    /// From when it applies.
    pub effective_from: NaiveDate,
}

/// Implementation of a practice moved forward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImplementationProgressed {
    /// The practice.
    pub practice: PracticeId,
    /// How far, in percent.
    pub percent: Percent,
    /// What was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<LocalizedText>,
}

/// A practice was revised into a new version, which needs a new decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeRevised {
    /// The practice.
    pub practice: PracticeId,
    /// The new version.
    pub new_version: u32,
    /// What changed.
    pub what_changed: LocalizedText,
    /// Why.
    pub reason: LocalizedText,
}

/// A practice was superseded by another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeSuperseded {
    /// The practice superseded.
    pub practice: PracticeId,
    /// The practice that replaces it.
    pub by: PracticeId,
}

/// A practice was retired: it no longer applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeRetired {
    /// The practice.
    pub practice: PracticeId,
    /// Why.
    pub reason: LocalizedText,
}

/// A practice was shared with partner municipalities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeShared {
    /// The practice.
    pub practice: PracticeId,
    /// The version shared.
    pub version: u32,
    /// The partners it was shared with (only those not shared with before).
    pub partners: Vec<MunicipalityId>,
}

/// A partner municipality reported where it stands with a shared practice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptionReported {
    /// The practice.
    pub practice: PracticeId,
    /// The partner reporting.
    pub partner: MunicipalityId,
    /// Where it stands.
    pub status: AdoptionStatus,
    /// What it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<LocalizedText>,
}

event_family! {
    /// What happens in a `practice` stream.
    pub enum PracticeEvent {
        Drafted(PracticeDrafted) = ("PracticeDrafted", 1),
        Submitted(PracticeSubmitted) = ("PracticeSubmitted", 1),
        Decided(PracticeDecided) = ("PracticeDecided", 1),
        Anchored(PracticeAnchored) = ("PracticeAnchored", 1),
        ImplementationProgressed(ImplementationProgressed) = ("ImplementationProgressed", 1),
        Revised(PracticeRevised) = ("PracticeRevised", 1),
        Superseded(PracticeSuperseded) = ("PracticeSuperseded", 1),
        Retired(PracticeRetired) = ("PracticeRetired", 1),
        Shared(PracticeShared) = ("PracticeShared", 1),
        AdoptionReported(AdoptionReported) = ("AdoptionReported", 1),
    }
}

impl PracticeEvent {
    /// The practice this event is about.
    pub fn practice(&self) -> PracticeId {
        match self {
            Self::Drafted(e) => e.practice,
            Self::Submitted(e) => e.practice,
            Self::Decided(e) => e.practice,
            Self::Anchored(e) => e.practice,
            Self::ImplementationProgressed(e) => e.practice,
            Self::Revised(e) => e.practice,
            Self::Superseded(e) => e.practice,
            Self::Retired(e) => e.practice,
            Self::Shared(e) => e.practice,
            Self::AdoptionReported(e) => e.practice,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_number_follows_the_diary_number_shape() {
        assert_eq!(CaseNumber::parse(" KUO/1234/00.01.02/2025 ").expect("valid").as_str(), "KUO/1234/00.01.02/2025");
        assert!(CaseNumber::parse("SIILI/7/12/2024").is_ok());
        for bad in [
            "",
            "KUO/1234/00.01.02",
            "kuo/1234/00.01.02/2025",
            "KUO/12a4/00.01.02/2025",
            "KUO/1234/0.1/2025",
            "KUO/1234/00.01.02/25",
        ] {
            let error = CaseNumber::parse(bad).expect_err(bad);
            assert_eq!(error.field, "case_number");
        }
        assert!(serde_json::from_str::<CaseNumber>(r#""KUO/1/2025""#).is_err());
    }

    #[test]
    fn section_percent_and_resolution_are_checked_when_read() {
        assert_eq!(SectionNumber::parse(0).expect_err("zero").field, "section");
        assert_eq!(SectionNumber::parse(112).expect("valid").to_string(), "§ 112");
        assert_eq!(Percent::parse(101).expect_err("over").field, "percent");
        assert_eq!(Percent::parse(100).expect("valid").get(), 100);
        assert!(serde_json::from_str::<Percent>("300").is_err());
        assert!(serde_json::from_str::<SectionNumber>("0").is_err());
        assert_eq!(Resolution::parse("passed_after_vote").expect("valid"), Resolution::PassedAfterVote);
        assert_eq!(Resolution::parse("hyväksytty").expect_err("unknown").field, "resolution");
        for resolution in Resolution::ALL {
            let json = serde_json::to_string(&resolution).expect("serialises");
            assert_eq!(json, format!("\"{}\"", resolution.code()));
        }
    }

    #[test]
    fn tags_are_trimmed_and_lowercased() {
        assert_eq!(Tag::parse("  Etävastaanotto ").expect("valid").as_str(), "etävastaanotto");
        assert_eq!(Tag::parse(" ").expect_err("empty").field, "tag");
        assert!(Tag::parse(&"x".repeat(Tag::MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn evidence_links_are_tagged_by_kind() {
        let link = EvidenceLink::Outcome {
            experiment: ExperimentId(uuid::Uuid::from_u128(1)),
            criterion: Criterion::WellbeingAtWork,
        };
        let json = serde_json::to_value(link).expect("serialises");
        assert_eq!(json["kind"], "outcome");
        assert_eq!(json["criterion"], "wellbeing_at_work");
        assert_eq!(serde_json::from_value::<EvidenceLink>(json).expect("reads back"), link);
    }
}
