//! Cross-sector service experiments: proposed, approved by a body's decision, run against a
//! protocol of criteria (effectiveness, wellbeing at work, productivity) with baselines and
//! measurements, assessed per criterion, concluded.
//!
//! The life cycle is proposed → approved (stage `planning`) → `running` ⇄ `evaluating` →
//! concluded (`completed`, `stopped` or `pivoted`). A *kokeilu* is bounded: its approval names
//! a scope (group and place) and a start and an end date.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BodyId, ExperimentId, LocalizedText, MunicipalityId, ShapeRule, UnitId, ValidationError};
use crate::event_family;

/// The longest metric code, in characters.
pub const MAX_METRIC_CODE_CHARS: usize = 48;

/// A metric's code within a protocol, e.g. `sickness_absence_days` or `uwes9.mean`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
pub struct MetricCode(String);

impl MetricCode {
    /// Checks a code: a lowercase ASCII letter, then up to 47 lowercase letters, digits, `_`, `.` or `-`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let mut chars = text.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_allowed = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        if !starts_with_letter || !rest_allowed || text.len() > MAX_METRIC_CODE_CHARS {
            return Err(ValidationError::new(field, ShapeRule::MetricCodeShape { max: MAX_METRIC_CODE_CHARS }));
        }
        Ok(Self(text.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MetricCode {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse("metric", &text)
    }
}

crate::deserialize_through_try_from!(MetricCode, String);

impl From<MetricCode> for String {
    fn from(code: MetricCode) -> Self {
        code.0
    }
}

impl fmt::Display for MetricCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A measurement within an experiment (not a stream of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct MeasurementId(pub Uuid);

impl MeasurementId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }
}

impl fmt::Display for MeasurementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (not before `from`).
    pub to: NaiveDate,
}

impl Period {
    /// A period from `from` to `to`; `to` must not be before `from`.
    pub fn parse(field: &str, from: NaiveDate, to: NaiveDate) -> Result<Self, ValidationError> {
        if to < from {
            return Err(ValidationError::new(format!("{field}.to"), ShapeRule::BeforePeriodStart));
        }
        Ok(Self { from, to })
    }
}

/// What an experiment is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Vaikuttavuus: does the service achieve more for residents.
    Effectiveness,
    /// Työhyvinvointi: wellbeing at work of the staff involved.
    WellbeingAtWork,
    /// Tuottavuus: output per resource.
    Productivity,
}

impl Criterion {
    /// Every criterion, in a fixed order.
    pub const ALL: [Self; 3] = [Self::Effectiveness, Self::WellbeingAtWork, Self::Productivity];

    /// The stable snake_case name, as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Effectiveness => "effectiveness",
            Self::WellbeingAtWork => "wellbeing_at_work",
            Self::Productivity => "productivity",
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way a metric should move for the better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value is better (e.g. customer satisfaction).
    HigherIsBetter,
    /// A lower value is better (e.g. waiting time, sickness absence).
    LowerIsBetter,
}

/// One metric of a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metric {
    /// Its code, unique within the protocol.
    pub code: MetricCode,
    /// Its name.
    pub name: LocalizedText,
    /// Its unit, e.g. `vrk`, `%`, `min`, `1–5`.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
}

/// One criterion of a protocol and the metrics that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionMetrics {
    /// The criterion.
    pub criterion: Criterion,
    /// Its metrics (at least one).
    pub metrics: Vec<Metric>,
}

/// How results are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvaluationDesign {
    /// The same group before and after.
    BeforeAfter,
    /// Against a comparison group that kept the old way.
    ComparisonGroup,
    /// Repeated measurements over time, before and during.
    TimeSeries,
}

/// The decision of a body that a record cites (Ahjo: body, meeting, §, decision text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionCitation {
    /// The body that decided.
    pub body: BodyId,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The section number (§) in the minutes.
    pub section: u32,
    /// The decision as minuted.
    pub decision_text: LocalizedText,
}

/// Whom and where an experiment involves (a kokeilu is tested on a limited group and place).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentScope {
    /// The group, e.g. "kotihoidon asiakkaat Pohjois-Kuopiossa".
    pub group: LocalizedText,
    /// The place, e.g. "Kallaveden alue".
    pub place: LocalizedText,
}

/// The stage of an approved, not yet concluded experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Approved, being prepared.
    Planning,
    /// Running: measurements are collected.
    Running,
    /// Being evaluated: outcomes are assessed.
    Evaluating,
}

vocabulary! {
    /// Where an experiment stands, as the lists, the API's `status` filter and the pages name it.
    pub enum ExperimentPhase {
        /// Proposed, waiting for a body's approval.
        Proposed => "proposed",
        /// Approved and being planned.
        Approved => "approved",
        /// Running: measurements are collected.
        Running => "running",
        /// Being evaluated: outcomes are assessed.
        Evaluating => "evaluating",
        /// Ended (how: its [`EndState`]).
        Concluded => "concluded",
    }
}

impl ExperimentPhase {
    /// The phase of an approved experiment in `stage` (planning is `approved`).
    pub fn of_stage(stage: Stage) -> Self {
        match stage {
            Stage::Planning => Self::Approved,
            Stage::Running => Self::Running,
            Stage::Evaluating => Self::Evaluating,
        }
    }
}

/// A verdict on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Better than the baseline.
    Improved,
    /// No meaningful change.
    NoChange,
    /// Worse than the baseline.
    Worse,
    /// The evidence does not allow a verdict.
    Inconclusive,
}

/// How an experiment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndState {
    /// Ran its course.
    Completed,
    /// Stopped early.
    Stopped,
    /// Turned into something else.
    Pivoted,
}

/// An experiment was proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentProposed {
    /// The experiment.
    pub experiment: ExperimentId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// The problem it addresses.
    pub problem: LocalizedText,
    /// What it expects to show.
    pub hypothesis: LocalizedText,
    /// The units taking part (cross-sector: usually more than one).
    pub units: Vec<UnitId>,
    /// Themes for search and facets.
    #[serde(default)]
    pub themes: Vec<String>,
    /// When it was proposed.
    pub proposed: NaiveDate,
}

/// A body approved the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentApproved {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The decision approving it.
    pub decision: DecisionCitation,
    /// Whom and where it involves.
    pub scope: ExperimentScope,
    /// Its first day (not before the decision).
    pub starts: NaiveDate,
    /// Its last day (after `starts`).
    pub ends: NaiveDate,
    /// Its budget in euros, if one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_euros: Option<u64>,
}

/// The experiment's evaluation protocol was defined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtocolDefined {
    /// The experiment.
    pub experiment: ExperimentId,
    /// How results are compared.
    pub design: EvaluationDesign,
    /// The criteria it is evaluated on, each with its metrics.
    pub criteria: Vec<CriterionMetrics>,
}

/// A metric's value before the experiment was established.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaselineEstablished {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The metric (declared in the protocol).
    pub metric: MetricCode,
    /// Its value.
    pub value: f64,
    /// The period it describes.
    pub period: Period,
}

/// The experiment moved to another stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageChanged {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The stage it left.
    pub from: Stage,
    /// The stage it entered.
    pub to: Stage,
    /// When.
    pub changed: NaiveDate,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<LocalizedText>,
}

/// A metric was measured during the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasurementRecorded {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The measurement.
    pub measurement: MeasurementId,
    /// The metric (declared in the protocol).
    pub metric: MetricCode,
    /// The period measured.
    pub period: Period,
    /// The value, in the metric's unit.
    pub value: f64,
    /// How many observations it rests on.
    pub n: u32,
    /// Where the figure comes from, if said (e.g. "Pegasos-potilastietojärjestelmä").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<String>,
}

/// The experiment's result on one criterion was assessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeAssessed {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The criterion (declared in the protocol).
    pub criterion: Criterion,
    /// The verdict.
    pub verdict: Verdict,
    /// The change against the baseline in percent (e.g. `-12.5`), if quantified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<f64>,
    /// The measurements the verdict rests on.
    pub evidence: Vec<MeasurementId>,
    /// The assessment in words.
    pub summary: LocalizedText,
    /// When it was assessed.
    pub assessed: NaiveDate,
}

/// The experiment ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentConcluded {
    /// The experiment.
    pub experiment: ExperimentId,
    /// How it ended.
    pub end_state: EndState,
    /// What came of it.
    pub summary: LocalizedText,
    /// When it ended.
    pub concluded: NaiveDate,
    /// The team's rating of its success, 1–10 (as in Kokeilun paikka), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_rating: Option<u8>,
}

event_family! {
    /// What happens in an `experiment` stream.
    pub enum ExperimentEvent {
        Proposed(ExperimentProposed) = ("ExperimentProposed", 1),
        Approved(ExperimentApproved) = ("ExperimentApproved", 1),
        ProtocolDefined(ProtocolDefined) = ("ProtocolDefined", 1),
        BaselineEstablished(BaselineEstablished) = ("BaselineEstablished", 1),
        StageChanged(StageChanged) = ("StageChanged", 1),
        MeasurementRecorded(MeasurementRecorded) = ("MeasurementRecorded", 1),
        OutcomeAssessed(OutcomeAssessed) = ("OutcomeAssessed", 1),
        Concluded(ExperimentConcluded) = ("ExperimentConcluded", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planning_stage_is_the_approved_phase() {
        assert_eq!(ExperimentPhase::of_stage(Stage::Planning), ExperimentPhase::Approved);
        assert_eq!(ExperimentPhase::of_stage(Stage::Evaluating), ExperimentPhase::Evaluating);
    }

    #[test]
    fn a_metric_code_is_lowercase_and_short() {
        assert!(MetricCode::parse("code", "sickness_absence_days").is_ok());
        assert!(MetricCode::parse("code", "uwes9.mean").is_ok());
        assert_eq!(
            MetricCode::parse("criteria[0].metrics[1].code", "Odotusaika").expect_err("upper").field,
            "criteria[0].metrics[1].code"
        );
        assert!(MetricCode::parse("code", "").is_err());
        assert!(MetricCode::parse("code", "9lives").is_err());
        assert!(MetricCode::parse("code", &"a".repeat(MAX_METRIC_CODE_CHARS + 1)).is_err());
    }

    #[test]
    fn a_period_may_not_end_before_it_starts() {
        let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).expect("valid date");
        assert!(Period::parse("period", day(1), day(1)).is_ok());
        assert_eq!(Period::parse("period", day(2), day(1)).expect_err("reversed").field, "period.to");
    }
}
