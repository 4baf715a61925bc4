//! Experiments: proposed, approved by a registered body's decision, run against a protocol of
//! criteria with baselines and measurements, assessed per criterion, concluded.
//!
//! Life cycle (each step refused out of order):
//! `NotProposed → Proposed → Approved(Planning) → Approved(Running) ⇄ Approved(Evaluating) → Concluded`.
//! - protocol only while planning, once; baselines and measurements only after approval and
//!   only for metrics the protocol declares; measurements only while running or evaluating;
//! - outcomes only while evaluating, per declared criterion, resting on this experiment's
//!   measurements of that criterion's metrics;
//! - no conclusion without an outcome for every declared criterion; nothing after conclusion.
//!
//! Other aggregates read [`ExperimentState`] through [`References`]: a practice's evidence link
//! to "the outcome of experiment X on criterion C" holds when
//! [`ExperimentState::has_outcome_for`] is true.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use kirjuri_events::domain::experiment::{
    BaselineEstablished, Criterion, CriterionMetrics, DecisionCitation, EndState, EvaluationDesign, ExperimentApproved,
    ExperimentConcluded, ExperimentEvent, ExperimentProposed, ExperimentScope, MeasurementId, MeasurementRecorded,
    MetricCode, OutcomeAssessed, Period, ProtocolDefined, Stage, StageChanged, Verdict,
};
use kirjuri_events::domain::{BodyId, DecodeError, ExperimentId, LocalizedText, MunicipalityId, UnitId, required_text};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::{Aggregate, DomainError, Expected, ExperimentStep, InputRule, Reference, References, StateRule};

/// Where an experiment is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExperimentStatus {
    /// Nothing recorded: the experiment does not exist.
    #[default]
    NotProposed,
    /// Proposed, waiting for a body's approval.
    Proposed,
    /// Approved and in a stage.
    Approved(Stage),
    /// Ended; accepts nothing more.
    Concluded(EndState),
}

/// The assessed outcome on one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionOutcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The measurements it rests on.
    pub evidence: Vec<MeasurementId>,
    /// When it was assessed.
    pub assessed: NaiveDate,
}

/// An experiment's state.
#[derive(Debug, Clone, Default)]
pub struct ExperimentState {
    /// The experiment, once proposed.
    pub id: Option<ExperimentId>,
    /// Its municipality, once proposed.
    pub municipality: Option<MunicipalityId>,
    /// Where it is in its life cycle.
    pub status: ExperimentStatus,
    /// The units taking part.
    pub units: Vec<UnitId>,
    /// The body whose decision approved it.
    pub approved_by: Option<BodyId>,
    /// Its first day, once approved.
    pub starts: Option<NaiveDate>,
    /// Its last day, once approved.
    pub ends: Option<NaiveDate>,
    /// The criteria its protocol declares, with their metric codes (empty before the protocol).
    pub criteria: BTreeMap<Criterion, Vec<MetricCode>>,
    /// Baseline values per metric.
    pub baselines: BTreeMap<MetricCode, f64>,
    /// Recorded measurements and the metric each measures.
    pub measurements: BTreeMap<MeasurementId, MetricCode>,
    /// The latest assessed outcome per criterion.
    pub outcomes: BTreeMap<Criterion, CriterionOutcome>,
}

impl ExperimentState {
    /// Whether the experiment has been proposed (its stream is not empty).
    pub fn exists(&self) -> bool {
        self.status != ExperimentStatus::NotProposed
    }

    /// Whether a body approved it (it may since have concluded).
    pub fn is_approved(&self) -> bool {
        matches!(self.status, ExperimentStatus::Approved(_) | ExperimentStatus::Concluded(_))
    }

    /// Whether it has concluded.
    pub fn is_concluded(&self) -> bool {
        matches!(self.status, ExperimentStatus::Concluded(_))
    }

    /// Its stage, while approved and not concluded.
    pub fn stage(&self) -> Option<Stage> {
        match self.status {
            ExperimentStatus::Approved(stage) => Some(stage),
            _ => None,
        }
    }

    /// Whether its protocol has been defined.
    pub fn has_protocol(&self) -> bool {
        !self.criteria.is_empty()
    }

    /// Whether its protocol declares `criterion`.
    pub fn declares(&self, criterion: Criterion) -> bool {
        self.criteria.contains_key(&criterion)
    }

    /// Whether an outcome has been assessed for `criterion`.
    pub fn has_outcome_for(&self, criterion: Criterion) -> bool {
        self.outcomes.contains_key(&criterion)
    }

    /// The criterion whose metrics include `metric`, if the protocol declares it.
    pub fn criterion_of(&self, metric: &MetricCode) -> Option<Criterion> {
        self.criteria.iter().find(|(_, codes)| codes.contains(metric)).map(|(criterion, _)| *criterion)
    }

    /// Declared criteria that have no outcome yet.
    pub fn criteria_without_outcome(&self) -> Vec<Criterion> {
        self.criteria.keys().filter(|criterion| !self.has_outcome_for(**criterion)).copied().collect()
    }

    /// The stage of an approved, open experiment; otherwise why `what` is not allowed.
    fn open_stage(&self, what: ExperimentStep) -> Result<Stage, DomainError> {
        match self.status {
            ExperimentStatus::NotProposed => Err(DomainError::not_allowed(StateRule::ExperimentMissing { what })),
            ExperimentStatus::Proposed => Err(DomainError::not_allowed(StateRule::ExperimentNotApproved { what })),
            ExperimentStatus::Concluded(_) => Err(DomainError::not_allowed(StateRule::ExperimentConcluded { what })),
            ExperimentStatus::Approved(stage) => Ok(stage),
        }
    }

    /// The criterion of a metric the protocol declares, or a refusal naming `field`.
    fn declared_metric(&self, field: &str, metric: &MetricCode) -> Result<Criterion, DomainError> {
        self.criterion_of(metric)
            .ok_or_else(|| DomainError::invalid(field, InputRule::UndeclaredMetric { metric: metric.clone() }))
    }
}

/// Propose an experiment.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposeExperiment {
    /// The new experiment.
    pub experiment: ExperimentId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// The problem it addresses.
    pub problem: LocalizedText,
    /// What it expects to show.
    pub hypothesis: LocalizedText,
    /// The registered units taking part (at least one).
    pub units: Vec<UnitId>,
    /// Themes for search.
    pub themes: Vec<String>,
    /// When it was proposed.
    pub proposed: NaiveDate,
}

/// Record a body's decision approving a proposed experiment.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApproveExperiment {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The decision (its body must be registered).
    pub decision: DecisionCitation,
    /// Whom and where it involves.
    pub scope: ExperimentScope,
    /// Its first day (not before the meeting).
    pub starts: NaiveDate,
    /// Its last day (after `starts`).
    pub ends: NaiveDate,
    /// Its budget in euros.
    pub budget_euros: Option<u64>,
}

/// Define the evaluation protocol of an approved experiment that is still being planned.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DefineProtocol {
    /// The experiment.
    pub experiment: ExperimentId,
    /// How results are compared.
    pub design: EvaluationDesign,
    /// Criteria (each at most once) with their metrics (at least one; codes unique).
    pub criteria: Vec<CriterionMetrics>,
}

/// Establish a metric's baseline.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EstablishBaseline {
    /// The experiment.
    pub experiment: ExperimentId,
    /// A metric of the protocol.
    pub metric: MetricCode,
    /// The value (finite).
    pub value: f64,
    /// The period it describes.
    pub period: Period,
}

/// Move an approved experiment to another stage.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeStage {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The stage to enter.
    pub to: Stage,
    /// When.
    pub changed: NaiveDate,
    /// Why.
    pub reason: Option<LocalizedText>,
}

/// Record a measurement of a declared metric.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordMeasurement {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The new measurement's id.
    pub measurement: MeasurementId,
    /// A metric of the protocol.
    pub metric: MetricCode,
    /// The period measured.
    pub period: Period,
    /// The value (finite).
    pub value: f64,
    /// How many observations (at least one).
    pub n: u32,
    /// Where the figure comes from.
    pub data_source: Option<String>,
}

/// Assess the outcome on one declared criterion.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessOutcome {
    /// The experiment.
    pub experiment: ExperimentId,
    /// A criterion of the protocol.
    pub criterion: Criterion,
    /// The verdict.
    pub verdict: Verdict,
    /// Change against the baseline, in percent.
    pub effect: Option<f64>,
    /// Measurements of this criterion's metrics (at least one unless inconclusive).
    pub evidence: Vec<MeasurementId>,
    /// The assessment in words.
    pub summary: LocalizedText,
    /// When.
    pub assessed: NaiveDate,
}

/// Conclude the experiment.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConcludeExperiment {
    /// The experiment.
    pub experiment: ExperimentId,
    /// How it ended.
    pub end_state: EndState,
    /// What came of it.
    pub summary: LocalizedText,
    /// When.
    pub concluded: NaiveDate,
    /// Success rating 1–10.
    pub success_rating: Option<u8>,
}

/// What an experiment can be asked to do.
#[derive(Debug, Clone)]
pub enum ExperimentCommand {
    /// Propose it.
    Propose(ProposeExperiment),
    /// Approve it by a body's decision.
    Approve(ApproveExperiment),
    /// Define its protocol.
    DefineProtocol(DefineProtocol),
    /// Establish a baseline.
    EstablishBaseline(EstablishBaseline),
    /// Change its stage.
    ChangeStage(ChangeStage),
    /// Record a measurement.
    RecordMeasurement(RecordMeasurement),
    /// Assess an outcome.
    AssessOutcome(AssessOutcome),
    /// Conclude it.
    Conclude(ConcludeExperiment),
}

impl ExperimentCommand {
    /// The experiment the command is about.
    pub fn experiment(&self) -> ExperimentId {
        match self {
            Self::Propose(c) => c.experiment,
            Self::Approve(c) => c.experiment,
            Self::DefineProtocol(c) => c.experiment,
            Self::EstablishBaseline(c) => c.experiment,
            Self::ChangeStage(c) => c.experiment,
            Self::RecordMeasurement(c) => c.experiment,
            Self::AssessOutcome(c) => c.experiment,
            Self::Conclude(c) => c.experiment,
        }
    }
}

fn finite(field: &str, value: f64) -> Result<f64, DomainError> {
    if value.is_finite() { Ok(value) } else { Err(DomainError::invalid(field, InputRule::NotFinite)) }
}

fn check_texts(field: &str, texts: &[String]) -> Result<Vec<String>, DomainError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| required_text(&format!("{field}[{i}]"), text).map_err(DomainError::from))
        .collect()
}

impl ExperimentState {
    fn propose(
        &self,
        command: &ProposeExperiment,
        references: &References,
    ) -> Result<Vec<ExperimentEvent>, DomainError> {
        if self.exists() {
            return Err(DomainError::not_allowed(StateRule::ExperimentAlreadyProposed {
                experiment: command.experiment,
            }));
        }
        if command.units.is_empty() {
            return Err(DomainError::invalid("units", InputRule::NoUnitsTakePart));
        }
        let mut seen = BTreeSet::new();
        for (i, unit) in command.units.iter().enumerate() {
            if !seen.insert(*unit) {
                return Err(DomainError::invalid(format!("units[{i}]"), InputRule::ListedTwice));
            }
            if !references.unit(*unit).is_some_and(|unit| unit.is_established()) {
                return Err(DomainError::unknown_reference(format!("units[{i}]"), Expected::RegisteredUnit));
            }
        }
        Ok(vec![ExperimentEvent::Proposed(ExperimentProposed {
            experiment: command.experiment,
            municipality: command.municipality,
            name: command.name.clone(),
            problem: command.problem.clone(),
            hypothesis: command.hypothesis.clone(),
            units: command.units.clone(),
            themes: check_texts("themes", &command.themes)?,
            proposed: command.proposed,
        })])
    }

    fn approve(
        &self,
        command: &ApproveExperiment,
        references: &References,
    ) -> Result<Vec<ExperimentEvent>, DomainError> {
        match self.status {
            ExperimentStatus::NotProposed => {
                return Err(DomainError::not_allowed(StateRule::ApproveBeforeProposal));
            }
            ExperimentStatus::Approved(_) | ExperimentStatus::Concluded(_) => {
                return Err(DomainError::not_allowed(StateRule::ExperimentAlreadyApproved));
            }
            ExperimentStatus::Proposed => {}
        }
        let Some(body) = references.body(command.decision.body).filter(|body| body.is_registered()) else {
            return Err(DomainError::unknown_reference("decision.body", Expected::RegisteredDecisionBody));
        };
        if body.municipality() != self.municipality {
            return Err(DomainError::unknown_reference("decision.body", Expected::BodyOfExperimentMunicipality));
        }
        if command.decision.section == 0 {
            return Err(DomainError::invalid("decision.section", InputRule::SectionZero));
        }
        if command.ends <= command.starts {
            return Err(DomainError::invalid("ends", InputRule::EndsNotAfterStart));
        }
        if command.starts < command.decision.meeting_date {
            return Err(DomainError::invalid("starts", InputRule::StartsBeforeApproval));
        }
        Ok(vec![ExperimentEvent::Approved(ExperimentApproved {
            experiment: command.experiment,
            decision: command.decision.clone(),
            scope: command.scope.clone(),
            starts: command.starts,
            ends: command.ends,
            budget_euros: command.budget_euros,
        })])
    }

    fn define_protocol(&self, command: &DefineProtocol) -> Result<Vec<ExperimentEvent>, DomainError> {
        let stage = self.open_stage(ExperimentStep::Protocol)?;
        if self.has_protocol() {
            return Err(DomainError::not_allowed(StateRule::ProtocolAlreadyDefined));
        }
        if stage != Stage::Planning {
            return Err(DomainError::not_allowed(StateRule::ProtocolOutsidePlanning));
        }
        if command.criteria.is_empty() {
            return Err(DomainError::invalid("criteria", InputRule::NoCriteria));
        }
        let mut criteria_seen = BTreeSet::new();
        let mut codes_seen = BTreeSet::new();
        let mut criteria = Vec::with_capacity(command.criteria.len());
        for (i, declared) in command.criteria.iter().enumerate() {
            let field = format!("criteria[{i}]");
            if !criteria_seen.insert(declared.criterion) {
                return Err(DomainError::invalid(
                    format!("{field}.criterion"),
                    InputRule::CriterionTwice { criterion: declared.criterion },
                ));
            }
            if declared.metrics.is_empty() {
                return Err(DomainError::invalid(format!("{field}.metrics"), InputRule::NoMetrics));
            }
            let mut metrics = Vec::with_capacity(declared.metrics.len());
            for (j, metric) in declared.metrics.iter().enumerate() {
                let metric_field = format!("{field}.metrics[{j}]");
                if !codes_seen.insert(metric.code.clone()) {
                    return Err(DomainError::invalid(
                        format!("{metric_field}.code"),
                        InputRule::MetricCodeTwice { code: metric.code.clone() },
                    ));
                }
                let mut metric = metric.clone();
                metric.unit = required_text(&format!("{metric_field}.unit"), &metric.unit)?;
                metrics.push(metric);
            }
            criteria.push(CriterionMetrics { criterion: declared.criterion, metrics });
        }
        Ok(vec![ExperimentEvent::ProtocolDefined(ProtocolDefined {
            experiment: command.experiment,
            design: command.design,
            criteria,
        })])
    }

    fn establish_baseline(&self, command: &EstablishBaseline) -> Result<Vec<ExperimentEvent>, DomainError> {
        self.open_stage(ExperimentStep::Baseline)?;
        self.declared_metric("metric", &command.metric)?;
        if self.baselines.contains_key(&command.metric) {
            return Err(DomainError::not_allowed(StateRule::BaselineAlreadyEstablished {
                metric: command.metric.clone(),
            }));
        }
        Ok(vec![ExperimentEvent::BaselineEstablished(BaselineEstablished {
            experiment: command.experiment,
            metric: command.metric.clone(),
            value: finite("value", command.value)?,
            period: command.period,
        })])
    }

    fn change_stage(&self, command: &ChangeStage) -> Result<Vec<ExperimentEvent>, DomainError> {
        let from = self.open_stage(ExperimentStep::StageChange)?;
        let to = command.to;
        match (from, to) {
            (from, to) if from == to => {
                return Err(DomainError::not_allowed(StateRule::AlreadyInStage { stage: to }));
            }
            (Stage::Planning, Stage::Running) => {
                if !self.has_protocol() {
                    return Err(DomainError::not_allowed(StateRule::RunWithoutProtocol));
                }
                if self.starts.is_some_and(|starts| command.changed < starts) {
                    return Err(DomainError::invalid("changed", InputRule::RunsBeforeStart));
                }
            }
            (Stage::Running, Stage::Evaluating) | (Stage::Evaluating, Stage::Running) => {}
            (from, to) => {
                return Err(DomainError::not_allowed(StateRule::StageChangeNotAllowed { from, to }));
            }
        }
        Ok(vec![ExperimentEvent::StageChanged(StageChanged {
            experiment: command.experiment,
            from,
            to,
            changed: command.changed,
            reason: command.reason.clone(),
        })])
    }

    fn record_measurement(&self, command: &RecordMeasurement) -> Result<Vec<ExperimentEvent>, DomainError> {
        let stage = self.open_stage(ExperimentStep::Measurement)?;
        if stage == Stage::Planning {
            return Err(DomainError::not_allowed(StateRule::MeasurementBeforeRunning));
        }
        self.declared_metric("metric", &command.metric)?;
        if self.measurements.contains_key(&command.measurement) {
            return Err(DomainError::not_allowed(StateRule::MeasurementAlreadyRecorded {
                measurement: command.measurement,
            }));
        }
        if command.n == 0 {
            return Err(DomainError::invalid("n", InputRule::NoObservations));
        }
        let data_source = command.data_source.as_deref().map(|text| required_text("data_source", text)).transpose()?;
        Ok(vec![ExperimentEvent::MeasurementRecorded(MeasurementRecorded {
            experiment: command.experiment,
            measurement: command.measurement,
            metric: command.metric.clone(),
            period: command.period,
            value: finite("value", command.value)?,
            n: command.n,
            data_source,
        })])
    }

    fn assess_outcome(&self, command: &AssessOutcome) -> Result<Vec<ExperimentEvent>, DomainError> {
        let stage = self.open_stage(ExperimentStep::Outcome)?;
        if stage != Stage::Evaluating {
            return Err(DomainError::not_allowed(StateRule::OutcomeOutsideEvaluation));
        }
        if !self.declares(command.criterion) {
            return Err(DomainError::invalid(
                "criterion",
                InputRule::UndeclaredCriterion { criterion: command.criterion },
            ));
        }
        if command.evidence.is_empty() && command.verdict != Verdict::Inconclusive {
            return Err(DomainError::invalid("evidence", InputRule::NoEvidence));
        }
        let mut seen = BTreeSet::new();
        for (i, measurement) in command.evidence.iter().enumerate() {
            let field = format!("evidence[{i}]");
            if !seen.insert(*measurement) {
                return Err(DomainError::invalid(field, InputRule::ListedTwice));
            }
            let Some(metric) = self.measurements.get(measurement) else {
                return Err(DomainError::unknown_reference(field, Expected::ExperimentMeasurement));
            };
            if self.criterion_of(metric) != Some(command.criterion) {
                return Err(DomainError::invalid(
                    field,
                    InputRule::MetricOfOtherCriterion { metric: metric.clone(), criterion: command.criterion },
                ));
            }
        }
        let effect = command.effect.map(|effect| finite("effect", effect)).transpose()?;
        Ok(vec![ExperimentEvent::OutcomeAssessed(OutcomeAssessed {
            experiment: command.experiment,
            criterion: command.criterion,
            verdict: command.verdict,
            effect,
            evidence: command.evidence.clone(),
            summary: command.summary.clone(),
            assessed: command.assessed,
        })])
    }

    fn conclude(&self, command: &ConcludeExperiment) -> Result<Vec<ExperimentEvent>, DomainError> {
        let stage = self.open_stage(ExperimentStep::Conclusion)?;
        if command.end_state == EndState::Completed && stage != Stage::Evaluating {
            return Err(DomainError::not_allowed(StateRule::CompletedBeforeEvaluation));
        }
        let missing = self.criteria_without_outcome();
        if !missing.is_empty() {
            return Err(DomainError::not_allowed(StateRule::OutcomesMissing { missing }));
        }
        if command.success_rating.is_some_and(|rating| !(1..=10).contains(&rating)) {
            return Err(DomainError::invalid("success_rating", InputRule::SuccessRating));
        }
        Ok(vec![ExperimentEvent::Concluded(ExperimentConcluded {
            experiment: command.experiment,
            end_state: command.end_state,
            summary: command.summary.clone(),
            concluded: command.concluded,
            success_rating: command.success_rating,
        })])
    }
}

impl Aggregate for ExperimentState {
    type Event = ExperimentEvent;
    type Command = ExperimentCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.experiment().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            ExperimentCommand::Propose(c) => c.units.iter().copied().map(Reference::Unit).collect(),
            ExperimentCommand::Approve(c) => vec![Reference::Body(c.decision.body)],
            _ => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        ExperimentEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            ExperimentEvent::Proposed(e) => {
                self.id = Some(e.experiment);
                self.municipality = Some(e.municipality);
                self.units = e.units.clone();
                self.status = ExperimentStatus::Proposed;
            }
            ExperimentEvent::Approved(e) => {
                self.approved_by = Some(e.decision.body);
                self.starts = Some(e.starts);
                self.ends = Some(e.ends);
                self.status = ExperimentStatus::Approved(Stage::Planning);
            }
            ExperimentEvent::ProtocolDefined(e) => {
                self.criteria = e
                    .criteria
                    .iter()
                    .map(|c| (c.criterion, c.metrics.iter().map(|m| m.code.clone()).collect()))
                    .collect();
            }
            ExperimentEvent::BaselineEstablished(e) => {
                self.baselines.insert(e.metric.clone(), e.value);
            }
            ExperimentEvent::StageChanged(e) => {
                self.status = ExperimentStatus::Approved(e.to);
            }
            ExperimentEvent::MeasurementRecorded(e) => {
                self.measurements.insert(e.measurement, e.metric.clone());
            }
            ExperimentEvent::OutcomeAssessed(e) => {
                self.outcomes.insert(
                    e.criterion,
                    CriterionOutcome { verdict: e.verdict, evidence: e.evidence.clone(), assessed: e.assessed },
                );
            }
            ExperimentEvent::Concluded(e) => {
                self.status = ExperimentStatus::Concluded(e.end_state);
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            ExperimentCommand::Propose(c) => self.propose(c, references),
            ExperimentCommand::Approve(c) => self.approve(c, references),
            ExperimentCommand::DefineProtocol(c) => self.define_protocol(c),
            ExperimentCommand::EstablishBaseline(c) => self.establish_baseline(c),
            ExperimentCommand::ChangeStage(c) => self.change_stage(c),
            ExperimentCommand::RecordMeasurement(c) => self.record_measurement(c),
            ExperimentCommand::AssessOutcome(c) => self.assess_outcome(c),
            ExperimentCommand::Conclude(c) => self.conclude(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::experiment::{Direction, Metric};
    use kirjuri_events::domain::organisation::{BodyKind, BodyRegistered, Sector, UnitEstablished};
    use uuid::Uuid;

    use super::*;
    use crate::Referenced;
    use crate::organisation::{BodyState, UnitState};
    use crate::testing::given;

    const EXPERIMENT: ExperimentId = ExperimentId(Uuid::from_u128(0xE1));
    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x297));
    const HOME_CARE: UnitId = UnitId(Uuid::from_u128(0x11));
    const DIGITAL_SERVICES: UnitId = UnitId(Uuid::from_u128(0x12));
    const WELFARE_COMMITTEE: BodyId = BodyId(Uuid::from_u128(0xB1));
    const M1: MeasurementId = MeasurementId(Uuid::from_u128(0x101));
    const M2: MeasurementId = MeasurementId(Uuid::from_u128(0x102));
    const M3: MeasurementId = MeasurementId(Uuid::from_u128(0x103));

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).expect("valid date")
    }

    fn fi(text: &str) -> LocalizedText {
        LocalizedText::fi(text).expect("valid text")
    }

    fn code(text: &str) -> MetricCode {
        MetricCode::parse("code", text).expect("valid code")
    }

    fn metric(text: &str, direction: Direction) -> Metric {
        Metric { code: code(text), name: fi("Mittari"), unit: "%".into(), direction }
    }

    fn period(from: NaiveDate, to: NaiveDate) -> Period {
        Period::parse("period", from, to).expect("valid period")
    }

    fn unit(unit: UnitId) -> Referenced {
        Referenced::Unit(UnitState {
            establishment: Some(UnitEstablished {
                unit,
                municipality: KUOPIO,
                name: fi("Kotihoito"),
                parent: None,
                sector: Sector::SocialAndHealth,
            }),
            ..UnitState::default()
        })
    }

    fn body_of(municipality: MunicipalityId) -> Referenced {
        Referenced::Body(BodyState {
            registration: Some(BodyRegistered {
                body: WELFARE_COMMITTEE,
                municipality,
                name: fi("Hyvinvointilautakunta"),
                kind: BodyKind::Committee,
                parent: None,
                founded: NaiveDate::from_ymd_opt(2021, 8, 1).expect("valid date"),
            }),
            ..BodyState::default()
        })
    }

    fn registered() -> References {
        References::none()
            .with(HOME_CARE.0, unit(HOME_CARE))
            .with(DIGITAL_SERVICES.0, unit(DIGITAL_SERVICES))
            .with(WELFARE_COMMITTEE.0, body_of(KUOPIO))
    }

    fn proposed() -> ExperimentEvent {
        ExperimentEvent::Proposed(ExperimentProposed {
            experiment: EXPERIMENT,
            municipality: KUOPIO,
            name: fi("Etähoiva kotihoidon seurantakäynneillä"),
            problem: fi("Siirtymät vievät kolmanneksen hoitajien työajasta."),
            hypothesis: fi("Etäkäynnit vapauttavat aikaa asiakastyöhön."),
            units: vec![HOME_CARE, DIGITAL_SERVICES],
            themes: vec!["kotihoito".into()],
            proposed: day(1, 2),
        })
    }

    fn decision() -> DecisionCitation {
        DecisionCitation {
            body: WELFARE_COMMITTEE,
            meeting_date: day(1, 14),
            section: 12,
            decision_text: fi("Lautakunta hyväksyi kokeilun esityksen mukaisesti."),
        }
    }

    fn approve_command() -> ApproveExperiment {
        ApproveExperiment {
            experiment: EXPERIMENT,
            decision: decision(),
            scope: ExperimentScope { group: fi("Pohjois-Kuopion kotihoidon asiakkaat"), place: fi("Pohjois-Kuopio") },
            starts: day(2, 1),
            ends: day(11, 30),
            budget_euros: Some(120_000),
        }
    }

    fn approved() -> ExperimentEvent {
        let c = approve_command();
        ExperimentEvent::Approved(ExperimentApproved {
            experiment: c.experiment,
            decision: c.decision,
            scope: c.scope,
            starts: c.starts,
            ends: c.ends,
            budget_euros: c.budget_euros,
        })
    }

    fn protocol() -> Vec<CriterionMetrics> {
        vec![
            CriterionMetrics {
                criterion: Criterion::Effectiveness,
                metrics: vec![metric("client_safety_score", Direction::HigherIsBetter)],
            },
            CriterionMetrics {
                criterion: Criterion::Productivity,
                metrics: vec![metric("direct_client_time_share", Direction::HigherIsBetter)],
            },
        ]
    }

    fn protocol_defined() -> ExperimentEvent {
        ExperimentEvent::ProtocolDefined(ProtocolDefined {
            experiment: EXPERIMENT,
            design: EvaluationDesign::BeforeAfter,
            criteria: protocol(),
        })
    }

    fn stage(from: Stage, to: Stage, changed: NaiveDate) -> ExperimentEvent {
        ExperimentEvent::StageChanged(StageChanged { experiment: EXPERIMENT, from, to, changed, reason: None })
    }

    fn measured(id: MeasurementId, metric: &str, value: f64) -> ExperimentEvent {
        ExperimentEvent::MeasurementRecorded(MeasurementRecorded {
            experiment: EXPERIMENT,
            measurement: id,
            metric: code(metric),
            period: period(day(3, 1), day(5, 31)),
            value,
            n: 40,
            data_source: None,
        })
    }

    fn assessed(criterion: Criterion, evidence: Vec<MeasurementId>) -> ExperimentEvent {
        ExperimentEvent::OutcomeAssessed(OutcomeAssessed {
            experiment: EXPERIMENT,
            criterion,
            verdict: Verdict::Improved,
            effect: Some(8.0),
            evidence,
            summary: fi("Parani selvästi."),
            assessed: day(10, 1),
        })
    }

    /// Approved, protocol defined, running, measured on both criteria, now being evaluated.
    fn evaluating() -> Vec<ExperimentEvent> {
        vec![
            proposed(),
            approved(),
            protocol_defined(),
            stage(Stage::Planning, Stage::Running, day(2, 3)),
            measured(M1, "client_safety_score", 4.2),
            measured(M2, "direct_client_time_share", 64.9),
            stage(Stage::Running, Stage::Evaluating, day(9, 1)),
        ]
    }

    fn measure(id: MeasurementId, metric: &str) -> ExperimentCommand {
        ExperimentCommand::RecordMeasurement(RecordMeasurement {
            experiment: EXPERIMENT,
            measurement: id,
            metric: code(metric),
            period: period(day(6, 1), day(6, 30)),
            value: 61.0,
            n: 38,
            data_source: Some("Toiminnanohjausjärjestelmä".into()),
        })
    }

    fn assess(criterion: Criterion, evidence: Vec<MeasurementId>) -> ExperimentCommand {
        ExperimentCommand::AssessOutcome(AssessOutcome {
            experiment: EXPERIMENT,
            criterion,
            verdict: Verdict::Improved,
            effect: Some(8.0),
            evidence,
            summary: fi("Parani selvästi."),
            assessed: day(10, 1),
        })
    }

    fn conclude(end_state: EndState) -> ExperimentCommand {
        ExperimentCommand::Conclude(ConcludeExperiment {
            experiment: EXPERIMENT,
            end_state,
            summary: fi("Etähoiva sopii seurantakäynteihin."),
            concluded: day(11, 30),
            success_rating: Some(8),
        })
    }

    #[test]
    fn a_proposal_names_registered_units() {
        let ExperimentEvent::Proposed(event) = proposed() else { unreachable!() };
        let command = ProposeExperiment {
            experiment: EXPERIMENT,
            municipality: KUOPIO,
            name: event.name.clone(),
            problem: event.problem.clone(),
            hypothesis: event.hypothesis.clone(),
            units: event.units.clone(),
            themes: vec![" kotihoito ".into()],
            proposed: event.proposed,
        };
        given::<ExperimentState>([])
            .with_references(registered())
            .when(ExperimentCommand::Propose(command.clone()))
            .then([proposed()]);

        let unknown = ProposeExperiment { units: vec![HOME_CARE, UnitId(Uuid::from_u128(0x99))], ..command.clone() };
        given::<ExperimentState>([])
            .with_references(registered())
            .when(ExperimentCommand::Propose(unknown))
            .then_refused_with(&["units[1]", "registered unit"]);
        given::<ExperimentState>([proposed()])
            .with_references(registered())
            .when(ExperimentCommand::Propose(command))
            .then_refused_with(&["already been proposed"]);
    }

    #[test]
    fn an_approval_citing_a_registered_body_starts_the_planning_stage() {
        let state = given::<ExperimentState>([proposed()])
            .with_references(registered())
            .when(ExperimentCommand::Approve(approve_command()))
            .then([approved()]);
        assert_eq!(state.status, ExperimentStatus::Approved(Stage::Planning));
        assert_eq!(state.approved_by, Some(WELFARE_COMMITTEE));
    }

    #[test]
    fn an_approval_by_an_unregistered_body_is_rejected() {
        let error = given::<ExperimentState>([proposed()])
            .with_references(References::none())
            .when(ExperimentCommand::Approve(approve_command()))
            .then_refused_with(&["decision.body", "registered"]);
        assert!(matches!(error, DomainError::UnknownReference { .. }));
        given::<ExperimentState>([proposed()])
            .with_references(References::none().with(WELFARE_COMMITTEE.0, Referenced::Body(BodyState::default())))
            .when(ExperimentCommand::Approve(approve_command()))
            .then_refused_with(&["decision.body", "registered"]);
    }

    #[test]
    fn an_approval_by_another_municipalitys_body_is_rejected() {
        let siilinjarvi = MunicipalityId(Uuid::from_u128(0x749));
        given::<ExperimentState>([proposed()])
            .with_references(References::none().with(WELFARE_COMMITTEE.0, body_of(siilinjarvi)))
            .when(ExperimentCommand::Approve(approve_command()))
            .then_refused_with(&["decision.body", "experiment's municipality"]);
    }

    #[test]
    fn an_approval_whose_end_is_not_after_its_start_is_rejected() {
        let same_day = ApproveExperiment { ends: day(2, 1), ..approve_command() };
        let error = given::<ExperimentState>([proposed()])
            .with_references(registered())
            .when(ExperimentCommand::Approve(same_day))
            .then_refused_with(&["ends", "after `starts`"]);
        assert!(matches!(error, DomainError::Invalid { .. }));
    }

    #[test]
    fn an_experiment_cannot_start_before_the_decision_approving_it() {
        let early = ApproveExperiment { starts: day(1, 10), ..approve_command() };
        given::<ExperimentState>([proposed()])
            .with_references(registered())
            .when(ExperimentCommand::Approve(early))
            .then_refused_with(&["starts", "meeting"]);
    }

    #[test]
    fn an_experiment_that_was_never_proposed_cannot_be_approved() {
        given::<ExperimentState>([])
            .with_references(registered())
            .when(ExperimentCommand::Approve(approve_command()))
            .then_refused_with(&["proposed"]);
    }

    #[test]
    fn no_protocol_baseline_or_measurement_before_approval() {
        let define = ExperimentCommand::DefineProtocol(DefineProtocol {
            experiment: EXPERIMENT,
            design: EvaluationDesign::BeforeAfter,
            criteria: protocol(),
        });
        given::<ExperimentState>([proposed()]).when(define).then_refused_with(&["no protocol before", "approved"]);
        let baseline = ExperimentCommand::EstablishBaseline(EstablishBaseline {
            experiment: EXPERIMENT,
            metric: code("direct_client_time_share"),
            value: 58.4,
            period: period(day(1, 1), day(1, 31)),
        });
        given::<ExperimentState>([proposed()]).when(baseline).then_refused_with(&["no baseline before", "approved"]);
        given::<ExperimentState>([proposed()])
            .when(measure(M3, "direct_client_time_share"))
            .then_refused_with(&["no measurement before", "approved"]);
    }

    #[test]
    fn a_protocol_declares_each_criterion_once_with_unique_metric_codes() {
        let mut twice = protocol();
        twice.push(CriterionMetrics {
            criterion: Criterion::Productivity,
            metrics: vec![metric("visits_per_day", Direction::HigherIsBetter)],
        });
        let define = |criteria| {
            ExperimentCommand::DefineProtocol(DefineProtocol {
                experiment: EXPERIMENT,
                design: EvaluationDesign::BeforeAfter,
                criteria,
            })
        };
        given::<ExperimentState>([proposed(), approved()])
            .when(define(twice))
            .then_refused_with(&["criteria[2].criterion", "declared twice"]);

        let mut reused = protocol();
        reused[1].metrics.push(metric("client_safety_score", Direction::HigherIsBetter));
        given::<ExperimentState>([proposed(), approved()])
            .when(define(reused))
            .then_refused_with(&["criteria[1].metrics[1].code", "used twice"]);

        let mut empty = protocol();
        empty[0].metrics.clear();
        given::<ExperimentState>([proposed(), approved()])
            .when(define(empty))
            .then_refused_with(&["criteria[0].metrics", "at least one metric"]);

        let state =
            given::<ExperimentState>([proposed(), approved()]).when(define(protocol())).then([protocol_defined()]);
        assert!(state.declares(Criterion::Productivity));
        assert!(!state.declares(Criterion::WellbeingAtWork));
        given::<ExperimentState>([proposed(), approved(), protocol_defined()])
            .when(define(protocol()))
            .then_refused_with(&["already defined"]);
    }

    #[test]
    fn an_experiment_runs_only_with_a_protocol_and_not_before_its_start_date() {
        let run = |changed| {
            ExperimentCommand::ChangeStage(ChangeStage {
                experiment: EXPERIMENT,
                to: Stage::Running,
                changed,
                reason: None,
            })
        };
        given::<ExperimentState>([proposed(), approved()]).when(run(day(2, 3))).then_refused_with(&["protocol"]);
        given::<ExperimentState>([proposed(), approved(), protocol_defined()])
            .when(run(day(1, 20)))
            .then_refused_with(&["changed", "start date"]);
        given::<ExperimentState>([proposed(), approved(), protocol_defined()]).when(run(day(2, 3))).then([stage(
            Stage::Planning,
            Stage::Running,
            day(2, 3),
        )]);
        let back_to_planning = ExperimentCommand::ChangeStage(ChangeStage {
            experiment: EXPERIMENT,
            to: Stage::Planning,
            changed: day(3, 1),
            reason: None,
        });
        given::<ExperimentState>([
            proposed(),
            approved(),
            protocol_defined(),
            stage(Stage::Planning, Stage::Running, day(2, 3)),
        ])
        .when(back_to_planning)
        .then_refused_with(&["cannot move"]);
    }

    #[test]
    fn no_measurement_while_the_experiment_is_still_being_planned() {
        given::<ExperimentState>([proposed(), approved(), protocol_defined()])
            .when(measure(M3, "direct_client_time_share"))
            .then_refused_with(&["running"]);
    }

    #[test]
    fn no_measurement_or_baseline_for_a_metric_outside_the_protocol() {
        let running = [proposed(), approved(), protocol_defined(), stage(Stage::Planning, Stage::Running, day(2, 3))];
        given::<ExperimentState>(running.clone())
            .when(measure(M3, "sickness_absence_days"))
            .then_refused_with(&["metric", "`sickness_absence_days` is not declared"]);
        let baseline = ExperimentCommand::EstablishBaseline(EstablishBaseline {
            experiment: EXPERIMENT,
            metric: code("sickness_absence_days"),
            value: 1.2,
            period: period(day(1, 1), day(1, 31)),
        });
        given::<ExperimentState>(running.clone()).when(baseline).then_refused_with(&["not declared"]);
        let state = given::<ExperimentState>(running).when(measure(M3, "direct_client_time_share")).then([
            ExperimentEvent::MeasurementRecorded(MeasurementRecorded {
                experiment: EXPERIMENT,
                measurement: M3,
                metric: code("direct_client_time_share"),
                period: period(day(6, 1), day(6, 30)),
                value: 61.0,
                n: 38,
                data_source: Some("Toiminnanohjausjärjestelmä".into()),
            }),
        ]);
        assert_eq!(state.measurements.get(&M3), Some(&code("direct_client_time_share")));
    }

    #[test]
    fn a_baseline_is_established_once_per_metric() {
        let baseline = EstablishBaseline {
            experiment: EXPERIMENT,
            metric: code("direct_client_time_share"),
            value: 58.4,
            period: period(day(1, 1), day(1, 31)),
        };
        let established = ExperimentEvent::BaselineEstablished(BaselineEstablished {
            experiment: EXPERIMENT,
            metric: baseline.metric.clone(),
            value: 58.4,
            period: baseline.period,
        });
        given::<ExperimentState>([proposed(), approved(), protocol_defined()])
            .when(ExperimentCommand::EstablishBaseline(baseline.clone()))
            .then([established.clone()]);
        given::<ExperimentState>([proposed(), approved(), protocol_defined(), established])
            .when(ExperimentCommand::EstablishBaseline(baseline.clone()))
            .then_refused_with(&["already established"]);
        let not_a_number = EstablishBaseline { value: f64::NAN, ..baseline };
        given::<ExperimentState>([proposed(), approved(), protocol_defined()])
            .when(ExperimentCommand::EstablishBaseline(not_a_number))
            .then_refused_with(&["value", "finite"]);
    }

    #[test]
    fn a_measurement_id_is_recorded_only_once() {
        given::<ExperimentState>(evaluating())
            .when(measure(M1, "client_safety_score"))
            .then_refused_with(&["already recorded"]);
    }

    #[test]
    fn an_outcome_rests_on_this_experiments_measurements_of_its_criterion() {
        given::<ExperimentState>(evaluating())
            .when(assess(Criterion::Productivity, vec![M3]))
            .then_refused_with(&["evidence[0]", "recorded in this experiment"]);
        given::<ExperimentState>(evaluating()).when(assess(Criterion::Productivity, vec![M1])).then_refused_with(&[
            "evidence[0]",
            "`client_safety_score`",
            "not a metric of criterion `productivity`",
        ]);
        given::<ExperimentState>(evaluating())
            .when(assess(Criterion::Productivity, vec![]))
            .then_refused_with(&["evidence", "at least one measurement"]);
        given::<ExperimentState>(evaluating())
            .when(assess(Criterion::WellbeingAtWork, vec![]))
            .then_refused_with(&["criterion", "not declared"]);
        let state = given::<ExperimentState>(evaluating())
            .when(assess(Criterion::Productivity, vec![M2]))
            .then([assessed(Criterion::Productivity, vec![M2])]);
        assert!(state.has_outcome_for(Criterion::Productivity));
        assert!(!state.has_outcome_for(Criterion::Effectiveness));
    }

    #[test]
    fn outcomes_are_assessed_only_while_evaluating() {
        let running = [
            proposed(),
            approved(),
            protocol_defined(),
            stage(Stage::Planning, Stage::Running, day(2, 3)),
            measured(M2, "direct_client_time_share", 64.9),
        ];
        given::<ExperimentState>(running)
            .when(assess(Criterion::Productivity, vec![M2]))
            .then_refused_with(&["evaluated"]);
    }

    #[test]
    fn no_conclusion_without_an_outcome_for_every_declared_criterion() {
        let mut history = evaluating();
        history.push(assessed(Criterion::Productivity, vec![M2]));
        given::<ExperimentState>(history.clone())
            .when(conclude(EndState::Completed))
            .then_refused_with(&["outcome for every declared criterion", "effectiveness"]);
        given::<ExperimentState>(history.clone())
            .when(conclude(EndState::Stopped))
            .then_refused_with(&["missing: effectiveness"]);
        history.push(assessed(Criterion::Effectiveness, vec![M1]));
        let state =
            given::<ExperimentState>(history).when(conclude(EndState::Completed)).then([ExperimentEvent::Concluded(
                ExperimentConcluded {
                    experiment: EXPERIMENT,
                    end_state: EndState::Completed,
                    summary: fi("Etähoiva sopii seurantakäynteihin."),
                    concluded: day(11, 30),
                    success_rating: Some(8),
                },
            )]);
        assert!(state.is_concluded());
        assert!(state.is_approved());
    }

    #[test]
    fn an_experiment_is_completed_only_after_evaluation_but_may_be_stopped_while_planning() {
        let running = [proposed(), approved(), protocol_defined(), stage(Stage::Planning, Stage::Running, day(2, 3))];
        given::<ExperimentState>(running).when(conclude(EndState::Completed)).then_refused_with(&["evaluated"]);
        given::<ExperimentState>([proposed(), approved()]).when(conclude(EndState::Stopped)).accepted();
    }

    #[test]
    fn nothing_is_recorded_after_the_conclusion() {
        let mut history = evaluating();
        history.push(assessed(Criterion::Productivity, vec![M2]));
        history.push(assessed(Criterion::Effectiveness, vec![M1]));
        history.push(ExperimentEvent::Concluded(ExperimentConcluded {
            experiment: EXPERIMENT,
            end_state: EndState::Completed,
            summary: fi("Valmis."),
            concluded: day(11, 30),
            success_rating: None,
        }));
        given::<ExperimentState>(history.clone())
            .when(measure(M3, "direct_client_time_share"))
            .then_refused_with(&["concluded", "no measurement after"]);
        given::<ExperimentState>(history.clone())
            .when(assess(Criterion::Productivity, vec![M2]))
            .then_refused_with(&["concluded"]);
        given::<ExperimentState>(history).when(conclude(EndState::Pivoted)).then_refused_with(&["concluded"]);
    }

    #[test]
    fn a_success_rating_is_from_one_to_ten() {
        let ExperimentCommand::Conclude(command) = conclude(EndState::Stopped) else { unreachable!() };
        let eleven = ConcludeExperiment { success_rating: Some(11), ..command };
        given::<ExperimentState>([proposed(), approved()])
            .when(ExperimentCommand::Conclude(eleven))
            .then_refused_with(&["success_rating"]);
    }

    #[test]
    fn a_command_targets_the_experiments_stream_and_names_what_it_refers_to() {
        let command = ExperimentCommand::Approve(approve_command());
        assert_eq!(ExperimentState::stream(&command), EXPERIMENT.stream());
        assert_eq!(ExperimentState::references(&command), vec![Reference::Body(WELFARE_COMMITTEE)]);
    }

    #[test]
    fn every_event_survives_encoding_and_decoding() {
        let mut history = evaluating();
        history.push(assessed(Criterion::Productivity, vec![M2]));
        for event in history {
            let encoded =
                ExperimentState::encode(&event, EventId::random(), EventMetadata::default()).expect("encodes");
            let decoded =
                ExperimentEvent::decode(encoded.event_type.as_str(), encoded.schema_version, encoded.data.as_str())
                    .expect("decodes");
            assert_eq!(decoded, event);
        }
    }
}
