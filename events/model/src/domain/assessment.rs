//! The situational picture: assessment frameworks as versioned data, campaigns, responses from
//! pseudonymous respondents, and computed results per person, unit and municipality.
//! (Targets per unit and dimension live on the unit's stream: [`super::organisation::UnitTargetSet`].)
//!
//! A framework version is data ([`FrameworkDefinition`]), published once on its own stream
//! `framework-<id>`, where the id is derived from `code@version` ([`FrameworkDefinition::id`]).
//! kirjuri ships two, loaded from `events/model/frameworks/`: DigComp 2.2 ([`digcomp_2_2`]) and
//! the EU digital maturity assessment for public service organisations ([`eu_dma_pso`]).
//! A campaign (`campaign-<id>`) asks one framework version's items of its municipality's units;
//! answers are values on the framework's scale, and results record the scoring rule that made
//! them.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::{CampaignId, FrameworkId, LocalizedText, MunicipalityId, ShapeRule, UnitId, ValidationError};
use crate::event_family;

/// What a framework measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FrameworkKind {
    /// A person's competence (e.g. DigComp): each respondent assesses themselves.
    Competence,
    /// An organisation's maturity (e.g. the EU DMA): respondents assess their unit.
    Maturity,
}

/// The range of values an answer may take, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scale {
    /// The lowest value.
    pub min: u8,
    /// The highest value.
    pub max: u8,
}

impl Scale {
    /// Whether `value` lies on the scale.
    pub fn contains(&self, value: f64) -> bool {
        value >= f64::from(self.min) && value <= f64::from(self.max)
    }

    /// `value` as a percentage of the scale's span (min = 0 %, max = 100 %).
    pub fn percent(&self, value: f64) -> f64 {
        let span = f64::from(self.max) - f64::from(self.min);
        if span <= 0.0 {
            return 0.0;
        }
        (value - f64::from(self.min)) / span * 100.0
    }
}

/// A named point on the scale (a DigComp proficiency level, a DMA adoption stage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    /// Its value on the scale.
    pub value: u8,
    /// Its name.
    pub title: LocalizedText,
    /// What it means, if the framework says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// The band it belongs to, if the framework groups levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
}

/// A range of scores with a name (DigComp's broad levels, DMA's interpretation bands).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    /// Its code, e.g. `foundation`.
    pub code: String,
    /// Its name.
    pub title: LocalizedText,
    /// The lowest score in the band (inclusive), on the scoring rule's basis; it ends where the next begins.
    pub from: f64,
}

/// Which number bands and headline figures are read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoreBasis {
    /// The answer scale itself (DigComp: mean proficiency level 1–8).
    Level,
    /// Percent of the scale's span (DMA: 0–5 becomes 0–100 %).
    Percent,
}

/// How results are computed, named and versioned so that every result says which rule made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringRule {
    /// The rule's name, e.g. `mean-of-dimension-means`.
    pub id: String,
    /// Its version; a changed rule is a new version.
    pub version: u32,
    /// The basis of the headline figure and of the bands.
    pub basis: ScoreBasis,
}

/// One question: a competence, or one maturity practice or technology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// Its code, stable across the framework version, e.g. `1.1` or `M2.2.1`.
    pub code: String,
    /// What it asks about.
    pub title: LocalizedText,
}

/// A group of items scored together: a DigComp competence area, a DMA dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dimension {
    /// Its code, e.g. `1` or `M2.1`.
    pub code: String,
    /// Its name.
    pub title: LocalizedText,
    /// Its items.
    pub items: Vec<Item>,
}

/// A whole framework version as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkDefinition {
    /// The framework's code, e.g. `digcomp` (lowercase letters, digits, hyphens).
    pub code: String,
    /// Its version, e.g. `2.2`.
    pub version: String,
    /// What it measures.
    pub kind: FrameworkKind,
    /// Its name.
    pub title: LocalizedText,
    /// The licence its content is reused under.
    pub licence: String,
    /// Where it is published.
    pub source: String,
    /// How to cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// The answer scale.
    pub scale: Scale,
    /// The named points of the scale.
    pub levels: Vec<Level>,
    /// The named ranges of results, ascending.
    pub bands: Vec<Band>,
    /// The dimensions and their items.
    pub dimensions: Vec<Dimension>,
    /// The scoring rule.
    pub scoring: ScoringRule,
}

/// The namespace name a framework id is derived from: `urn:kirjuri:framework:<code>@<version>`.
fn framework_urn(code: &str, version: &str) -> String {
    format!("urn:kirjuri:framework:{code}@{version}")
}

impl FrameworkDefinition {
    /// The id of the stream this version is published on, derived from `code@version`, so that
    /// one framework version has one stream wherever it is published from.
    pub fn id(&self) -> FrameworkId {
        Self::id_of(&self.code, &self.version)
    }

    /// The id of framework `code` at `version`.
    pub fn id_of(code: &str, version: &str) -> FrameworkId {
        FrameworkId(Uuid::new_v5(&Uuid::NAMESPACE_URL, framework_urn(code, version).as_bytes()))
    }

    /// `code@version`, e.g. `digcomp@2.2`.
    pub fn label(&self) -> String {
        format!("{}@{}", self.code, self.version)
    }

    /// The dimension with `code`.
    pub fn dimension(&self, code: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.code == code)
    }

    /// The item with `code`, with its dimension.
    pub fn item(&self, code: &str) -> Option<(&Dimension, &Item)> {
        self.dimensions.iter().find_map(|d| d.items.iter().find(|i| i.code == code).map(|item| (d, item)))
    }

    /// Every item, dimension by dimension.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.dimensions.iter().flat_map(|d| d.items.iter())
    }

    /// The band a result falls in, read on the scoring rule's basis.
    pub fn band_for(&self, level: f64, percent: f64) -> Option<&Band> {
        let score = match self.scoring.basis {
            ScoreBasis::Level => level,
            ScoreBasis::Percent => percent,
        };
        self.bands.iter().rev().find(|band| score >= band.from)
    }

    /// Checks the definition is coherent: codes present and unique, a proper scale, levels on
    /// it, bands ascending within it, every dimension with items.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.code.is_empty() || !self.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ValidationError::new("code", ShapeRule::FrameworkCodeShape));
        }
        if self.version.trim().is_empty() || self.version.chars().any(char::is_whitespace) {
            return Err(ValidationError::new("version", ShapeRule::FrameworkVersionShape));
        }
        for (field, text) in [("licence", &self.licence), ("source", &self.source)] {
            if text.trim().is_empty() {
                return Err(ValidationError::new(field, ShapeRule::Empty));
            }
        }
        if self.scale.min >= self.scale.max {
            return Err(ValidationError::new("scale", ShapeRule::ScaleInverted));
        }
        self.validate_bands()?;
        self.validate_levels()?;
        self.validate_dimensions()?;
        if self.scoring.id.trim().is_empty() {
            return Err(ValidationError::new("scoring.id", ShapeRule::Empty));
        }
        if self.scoring.version == 0 {
            return Err(ValidationError::new("scoring.version", ShapeRule::BelowMinimum { min: 1 }));
        }
        Ok(())
    }

    fn validate_bands(&self) -> Result<(), ValidationError> {
        let (low, high) = match self.scoring.basis {
            ScoreBasis::Level => (f64::from(self.scale.min), f64::from(self.scale.max)),
            ScoreBasis::Percent => (0.0, 100.0),
        };
        let mut codes = HashSet::new();
        let mut previous: Option<f64> = None;
        for (index, band) in self.bands.iter().enumerate() {
            let field = |name: &str| format!("bands[{index}].{name}");
            if band.code.trim().is_empty() {
                return Err(ValidationError::new(field("code"), ShapeRule::Empty));
            }
            if !codes.insert(band.code.as_str()) {
                return Err(ValidationError::new(field("code"), ShapeRule::AppearsTwice { code: band.code.clone() }));
            }
            if !(low..=high).contains(&band.from) {
                return Err(ValidationError::new(
                    field("from"),
                    ShapeRule::OutsideRange { low: low.into(), high: high.into() },
                ));
            }
            if previous.is_some_and(|p| band.from <= p) {
                return Err(ValidationError::new(field("from"), ShapeRule::BandsNotAscending));
            }
            previous = Some(band.from);
        }
        Ok(())
    }

    fn validate_levels(&self) -> Result<(), ValidationError> {
        let mut values = HashSet::new();
        for (index, level) in self.levels.iter().enumerate() {
            let field = |name: &str| format!("levels[{index}].{name}");
            if !self.scale.contains(f64::from(level.value)) {
                return Err(ValidationError::new(
                    field("value"),
                    ShapeRule::OffScale { min: self.scale.min, max: self.scale.max },
                ));
            }
            if !values.insert(level.value) {
                return Err(ValidationError::new(field("value"), ShapeRule::LevelTwice { value: level.value }));
            }
            if let Some(band) = &level.band
                && !self.bands.iter().any(|b| &b.code == band)
            {
                return Err(ValidationError::new(field("band"), ShapeRule::UnknownBand { band: band.clone() }));
            }
        }
        Ok(())
    }

    fn validate_dimensions(&self) -> Result<(), ValidationError> {
        if self.dimensions.is_empty() {
            return Err(ValidationError::new("dimensions", ShapeRule::NoDimensions));
        }
        let mut dimension_codes = HashSet::new();
        let mut item_codes = HashSet::new();
        for (d, dimension) in self.dimensions.iter().enumerate() {
            if dimension.code.trim().is_empty() {
                return Err(ValidationError::new(format!("dimensions[{d}].code"), ShapeRule::Empty));
            }
            if !dimension_codes.insert(dimension.code.as_str()) {
                return Err(ValidationError::new(
                    format!("dimensions[{d}].code"),
                    ShapeRule::AppearsTwice { code: dimension.code.clone() },
                ));
            }
            if dimension.items.is_empty() {
                return Err(ValidationError::new(format!("dimensions[{d}].items"), ShapeRule::NoItems));
            }
            for (i, item) in dimension.items.iter().enumerate() {
                let field = format!("dimensions[{d}].items[{i}].code");
                if item.code.trim().is_empty() {
                    return Err(ValidationError::new(field, ShapeRule::Empty));
                }
                if !item_codes.insert(item.code.as_str()) {
                    return Err(ValidationError::new(field, ShapeRule::AppearsTwice { code: item.code.clone() }));
                }
            }
        }
        Ok(())
    }
}

/// Why a shipped framework file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkDataError {
    /// The file is not a framework definition.
    #[error("{file}: not a framework definition: {reason}")]
    Malformed {
        /// The file.
        file: &'static str,
        /// What did not fit.
        reason: String,
    },
    /// The file is a definition, but an incoherent one.
    #[error("{file}: {error}")]
    Invalid {
        /// The file.
        file: &'static str,
        /// The rule it breaks.
        error: ValidationError,
    },
}

/// Parses and checks a framework definition written as JSON; `file` names it in errors.
pub fn parse_framework(file: &'static str, json: &str) -> Result<FrameworkDefinition, FrameworkDataError> {
    let definition: FrameworkDefinition =
        serde_json::from_str(json).map_err(|e| FrameworkDataError::Malformed { file, reason: e.to_string() })?;
    definition.validate().map_err(|error| FrameworkDataError::Invalid { file, error })?;
    Ok(definition)
}

const DIGCOMP_2_2_FILE: &str = "frameworks/digcomp-2.2.json";
const DIGCOMP_2_2_JSON: &str = include_str!("../../frameworks/digcomp-2.2.json");
const EU_DMA_PSO_FILE: &str = "frameworks/eu-dma-pso.json";
const EU_DMA_PSO_JSON: &str = include_str!("../../frameworks/eu-dma-pso.json");

/// DigComp 2.2, the EU digital competence framework for citizens: 5 areas, 21 competences,
/// 8 proficiency levels in 4 bands.
pub fn digcomp_2_2() -> Result<FrameworkDefinition, FrameworkDataError> {
    parse_framework(DIGCOMP_2_2_FILE, DIGCOMP_2_2_JSON)
}

/// The EU digital maturity assessment for public service organisations: 6 dimensions on a 0–5
/// adoption scale, overall score the average of the dimension scores in percent.
pub fn eu_dma_pso() -> Result<FrameworkDefinition, FrameworkDataError> {
    parse_framework(EU_DMA_PSO_FILE, EU_DMA_PSO_JSON)
}

/// Every framework kirjuri ships.
pub fn shipped_frameworks() -> Result<Vec<FrameworkDefinition>, FrameworkDataError> {
    Ok(vec![digcomp_2_2()?, eu_dma_pso()?])
}

/// A framework version was published as data (e.g. DigComp 2.2, the EU DMA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkPublished {
    /// The framework version (its id is [`FrameworkDefinition::id`]).
    pub framework: FrameworkId,
    /// The whole definition.
    pub definition: FrameworkDefinition,
}

/// One response to a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ResponseId(pub Uuid);

impl ResponseId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The longest pseudonym kirjuri accepts, in characters.
pub const MAX_RESPONDENT_REF_CHARS: usize = 64;

/// A pseudonymous respondent: `r-` followed by 8–62 lowercase hex digits (e.g. `r-1a2b3c4d`),
/// or a UUID in its hyphenated form. Only the survey tool holds the key back to a person;
/// kirjuri never sees a name, an e-mail address or a personal identity code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct RespondentRef(String);

fn looks_like_personal_identity_code(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.len() == 11
        && chars[..6].iter().all(char::is_ascii_digit)
        && "+-ABCDEFYXWVU".contains(chars[6])
        && chars[7..10].iter().all(char::is_ascii_digit)
}

impl RespondentRef {
    /// Checks `text` is a pseudonym, saying why not when it looks like something identifying.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let refuse = |rule: ShapeRule| ValidationError::new("respondent", rule);
        if text.contains('@') {
            return Err(refuse(ShapeRule::PseudonymIsEmail));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(refuse(ShapeRule::PseudonymHasSpaces));
        }
        if looks_like_personal_identity_code(&text.to_ascii_uppercase()) {
            return Err(refuse(ShapeRule::PseudonymIsIdentityCode));
        }
        if let Some(hex) = text.strip_prefix("r-") {
            let valid = (8..=MAX_RESPONDENT_REF_CHARS - 2).contains(&hex.len())
                && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if valid {
                return Ok(Self(text.to_owned()));
            }
            return Err(refuse(ShapeRule::PseudonymHexDigits));
        }
        if text.len() == 36 && Uuid::try_parse(text).is_ok() {
            return Ok(Self(text.to_ascii_lowercase()));
        }
        Err(refuse(ShapeRule::NotPseudonym))
    }

    /// The pseudonym as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RespondentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RespondentRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(crate::domain::refusal::refuse)
    }
}

/// One answer: a value on the framework's scale for one of its items.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    /// The item's code.
    pub item: String,
    /// The value chosen.
    pub value: u8,
}

/// An assessment campaign opened for answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignOpened {
    /// The campaign.
    pub campaign: CampaignId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The framework version it asks about.
    pub framework: FrameworkId,
    /// The units it covers.
    pub units: Vec<UnitId>,
    /// Its title.
    pub title: LocalizedText,
    /// First day for answers.
    pub opens: NaiveDate,
    /// Last day for answers.
    pub closes: NaiveDate,
    /// The fewest responses a group (unit, municipality) needs before its result is reported.
    pub min_group_size: u32,
}

/// A respondent answered a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseSubmitted {
    /// The campaign.
    pub campaign: CampaignId,
    /// The response.
    pub response: ResponseId,
    /// Who answered, as a pseudonym.
    pub respondent: RespondentRef,
    /// The unit they answered for.
    pub unit: UnitId,
    /// Their answers.
    pub answers: Vec<Answer>,
    /// The day they answered.
    pub submitted_on: NaiveDate,
}

/// A response was withdrawn and no longer counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseWithdrawn {
    /// The campaign.
    pub campaign: CampaignId,
    /// The response.
    pub response: ResponseId,
    /// The day it was withdrawn.
    pub withdrawn_on: NaiveDate,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<LocalizedText>,
}

/// A campaign stopped taking answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignClosed {
    /// The campaign.
    pub campaign: CampaignId,
    /// The day it closed.
    pub closed_on: NaiveDate,
    /// How many responses counted at closing (withdrawn ones excluded).
    pub response_count: u32,
}

/// Whose result a result is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ResultSubject {
    /// One respondent, by pseudonym.
    Person(RespondentRef),
    /// A unit: every counted response given for it.
    Unit(UnitId),
    /// The whole municipality: every counted response of the campaign.
    Municipality(MunicipalityId),
}

/// A dimension's score in a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionScore {
    /// The dimension's code.
    pub dimension: String,
    /// The mean answer, on the framework's scale (DigComp: mean proficiency level).
    pub level: f64,
    /// The same as a percentage of the scale's span.
    pub percent: f64,
}

/// A result's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverallScore {
    /// The mean of the dimension levels.
    pub level: f64,
    /// The mean of the dimension percentages (DMA's overall score).
    pub percent: f64,
    /// The band it falls in, if the framework has bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
}

/// A result was computed from a campaign's responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultComputed {
    /// The campaign.
    pub campaign: CampaignId,
    /// The framework version scored.
    pub framework: FrameworkId,
    /// Whose result it is.
    pub subject: ResultSubject,
    /// The score of each dimension that had answers.
    pub scores: Vec<DimensionScore>,
    /// The headline figures.
    pub overall: OverallScore,
    /// The scoring rule's name.
    pub scoring_rule: String,
    /// The scoring rule's version.
    pub scoring_rule_version: u32,
    /// How many responses it rests on.
    pub response_count: u32,
    /// The day it was computed.
    pub computed_on: NaiveDate,
}

event_family! {
    /// What happens in a `framework` stream.
    pub enum FrameworkEvent {
        Published(FrameworkPublished) = ("FrameworkPublished", 1),
    }
}

event_family! {
    /// What happens in a `campaign` stream.
    pub enum CampaignEvent {
        Opened(CampaignOpened) = ("CampaignOpened", 1),
        ResponseSubmitted(ResponseSubmitted) = ("ResponseSubmitted", 1),
        ResponseWithdrawn(ResponseWithdrawn) = ("ResponseWithdrawn", 1),
        Closed(CampaignClosed) = ("CampaignClosed", 1),
        ResultComputed(ResultComputed) = ("ResultComputed", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digcomp_2_2_has_5_areas_21_competences_and_8_levels_in_4_bands() {
        let digcomp = digcomp_2_2().expect("the shipped DigComp 2.2 loads");
        assert_eq!(digcomp.label(), "digcomp@2.2");
        assert_eq!(digcomp.kind, FrameworkKind::Competence);
        let areas: Vec<&str> = digcomp.dimensions.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(areas, ["1", "2", "3", "4", "5"]);
        let competences: Vec<&str> = digcomp.items().map(|i| i.code.as_str()).collect();
        assert_eq!(
            competences,
            [
                "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4", "4.1",
                "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"
            ]
        );
        assert_eq!(digcomp.scale, Scale { min: 1, max: 8 });
        let levels: Vec<u8> = digcomp.levels.iter().map(|l| l.value).collect();
        assert_eq!(levels, [1, 2, 3, 4, 5, 6, 7, 8]);
        let bands: Vec<&str> = digcomp.bands.iter().map(|b| b.code.as_str()).collect();
        assert_eq!(bands, ["foundation", "intermediate", "advanced", "highly_specialised"]);
        for level in &digcomp.levels {
            let expected_band = bands[usize::from(level.value - 1) / 2];
            assert_eq!(level.band.as_deref(), Some(expected_band), "level {}", level.value);
            assert!(level.title.en.is_some() && level.title.sv.is_some());
        }
        assert_eq!(digcomp.scoring.basis, ScoreBasis::Level);
        assert_eq!(digcomp.band_for(4.9, 55.0).map(|b| b.code.as_str()), Some("intermediate"));
        assert_eq!(digcomp.band_for(7.0, 85.0).map(|b| b.code.as_str()), Some("highly_specialised"));
        assert_eq!(
            digcomp.item("4.2").map(|(area, item)| (area.title.fi.as_str(), item.title.fi.as_str())),
            Some(("Turvallisuus", "Henkilötietojen ja yksityisyyden suojaaminen"))
        );
    }

    #[test]
    fn the_eu_dma_has_6_dimensions_on_a_0_to_5_adoption_scale_scored_in_percent() {
        let dma = eu_dma_pso().expect("the shipped DMA loads");
        assert_eq!(dma.kind, FrameworkKind::Maturity);
        assert_eq!(dma.dimensions.len(), 6);
        assert!(dma.dimensions.iter().all(|d| !d.items.is_empty()));
        assert_eq!(dma.scale, Scale { min: 0, max: 5 });
        let levels: Vec<u8> = dma.levels.iter().map(|l| l.value).collect();
        assert_eq!(levels, [0, 1, 2, 3, 4, 5]);
        assert_eq!(dma.levels[5].title.en.as_deref(), Some("Operational"));
        assert_eq!(dma.scoring.basis, ScoreBasis::Percent);
        assert_eq!(dma.scale.percent(2.5), 50.0);
        assert_eq!(dma.band_for(1.0, 20.0).map(|b| b.code.as_str()), Some("basic"));
        assert_eq!(dma.band_for(5.0, 100.0).map(|b| b.code.as_str()), Some("advanced"));
    }

    #[test]
    fn every_shipped_framework_has_its_own_stable_id() {
        let frameworks = shipped_frameworks().expect("loads");
        assert_ne!(frameworks[0].id(), frameworks[1].id());
        assert_eq!(frameworks[0].id(), FrameworkDefinition::id_of("digcomp", "2.2"));
        assert_eq!(frameworks[0].id(), digcomp_2_2().expect("loads").id());
    }

    #[test]
    fn an_incoherent_definition_is_refused_naming_the_field() {
        let mut definition = digcomp_2_2().expect("loads");
        definition.dimensions[1].items[0].code = "1.1".into();
        let error = definition.validate().expect_err("duplicate item");
        assert_eq!(error.field, "dimensions[1].items[0].code");

        let mut definition = digcomp_2_2().expect("loads");
        definition.levels[0].value = 9;
        assert_eq!(definition.validate().expect_err("off the scale").field, "levels[0].value");

        let mut definition = eu_dma_pso().expect("loads");
        definition.bands.swap(0, 1);
        assert_eq!(definition.validate().expect_err("descending").field, "bands[1].from");

        let malformed = parse_framework("test.json", r#"{"code":"x"}"#);
        assert!(matches!(malformed, Err(FrameworkDataError::Malformed { file: "test.json", .. })));
    }

    #[test]
    fn a_respondent_is_a_pseudonym_and_identifying_text_is_refused_with_the_reason() {
        assert_eq!(RespondentRef::parse("r-1a2b3c4d").expect("pseudonym").as_str(), "r-1a2b3c4d");
        let uuid = "0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B";
        assert_eq!(RespondentRef::parse(uuid).expect("uuid").as_str(), uuid.to_ascii_lowercase());
        let cases = [
            ("aino.rasanen@kuopio.fi", "e-mail"),
            ("Aino Räsänen", "spaces"),
            ("010190-123A", "personal identity code"),
            ("r-12ab", "8 to 62"),
            ("r-1A2B3C4D", "lowercase"),
            ("respondent-7", "pseudonym"),
        ];
        for (text, reason) in cases {
            let error = RespondentRef::parse(text).expect_err(text);
            assert_eq!(error.field, "respondent");
            assert!(error.rule.to_string().contains(reason), "{text}: {error}");
        }
        assert!(serde_json::from_str::<RespondentRef>("\"aino@kuopio.fi\"").is_err());
    }
}
