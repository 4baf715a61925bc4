//! Frameworks and campaigns: publishing a framework version, opening a campaign, taking and
//! withdrawing responses, closing, and computing results with [`score_responses`].
//!
//! Rules kept here:
//! - a framework version is published once, and only a coherent definition;
//! - a campaign covers only established units of its own municipality and asks a published
//!   framework; its window ends no earlier than it begins; results need at least
//!   [`MIN_REPORTING_GROUP`] responses per group;
//! - a response is taken only while the campaign is open (on or between its first and last day,
//!   and not closed), for one of its units, from a pseudonymous respondent who has no other
//!   counted response, with answers only to the framework's own items and on its scale;
//! - a response is withdrawn once;
//! - results are computed after closing, and again only when a withdrawal made them stale.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kirjuri_events::domain::assessment::{
    Answer, CampaignClosed, CampaignEvent, CampaignOpened, DimensionScore, FrameworkDefinition, FrameworkEvent,
    FrameworkPublished, OverallScore, RespondentRef, ResponseId, ResponseSubmitted, ResponseWithdrawn, ResultComputed,
    ResultSubject,
};
use kirjuri_events::domain::{CampaignId, DecodeError, FrameworkId, LocalizedText, MunicipalityId, UnitId};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::organisation::{TextInput, command_input, not_before, optional_text};
use crate::{Aggregate, DomainError, Expected, InputRule, Milestone, Reference, References, ShapeRule, StateRule};

// ---------------------------------------------------------------------------------------------
// Scoring

/// Scores of a group of responses (or of one), as [`ResultComputed`] records them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSheet {
    /// The score of each dimension that had answers, in the framework's order.
    pub scores: Vec<DimensionScore>,
    /// The headline figures.
    pub overall: OverallScore,
    /// How many responses were scored.
    pub response_count: u32,
}

/// Rounds to two decimals, as results are recorded.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// Scores responses with the framework's rule (`mean-of-dimension-means`, version 1):
/// a response's dimension score is the mean of its answers to that dimension's items; a group's
/// dimension score is the mean over the responses that answered the dimension; the overall
/// level is the mean of the dimension scores, and the overall percent the mean of their
/// percentages of the scale (DMA: 0–5 becomes 0–100 %). DigComp's area score is thus the mean
/// proficiency level of its competences. Answers to items outside the framework are ignored.
/// Figures are rounded to two decimals; `None` when nothing could be scored.
pub fn score_responses<'a>(
    definition: &FrameworkDefinition,
    responses: impl IntoIterator<Item = &'a [Answer]>,
) -> Option<ScoreSheet> {
    let mut per_dimension: Vec<Vec<f64>> = vec![Vec::new(); definition.dimensions.len()];
    let mut response_count = 0u32;
    for answers in responses {
        response_count += 1;
        for (index, dimension) in definition.dimensions.iter().enumerate() {
            let values: Vec<f64> = answers
                .iter()
                .filter(|a| dimension.items.iter().any(|item| item.code == a.item))
                .map(|a| f64::from(a.value))
                .collect();
            if let Some(response_mean) = mean(&values) {
                per_dimension[index].push(response_mean);
            }
        }
    }
    let mut scores = Vec::new();
    for (dimension, means) in definition.dimensions.iter().zip(&per_dimension) {
        if let Some(level) = mean(means) {
            scores.push((dimension.code.clone(), level, definition.scale.percent(level)));
        }
    }
    let levels: Vec<f64> = scores.iter().map(|(_, level, _)| *level).collect();
    let percents: Vec<f64> = scores.iter().map(|(_, _, percent)| *percent).collect();
    let overall_level = mean(&levels)?;
    let overall_percent = mean(&percents)?;
    let band = definition.band_for(overall_level, overall_percent).map(|b| b.code.clone());
    Some(ScoreSheet {
        scores: scores
            .into_iter()
            .map(|(dimension, level, percent)| DimensionScore {
                dimension,
                level: round2(level),
                percent: round2(percent),
            })
            .collect(),
        overall: OverallScore { level: round2(overall_level), percent: round2(overall_percent), band },
        response_count,
    })
}

// ---------------------------------------------------------------------------------------------
// Framework

/// A framework version's state: its definition, once published.
#[derive(Debug, Clone, Default)]
pub struct FrameworkState {
    /// The publication, once published.
    pub published: Option<FrameworkPublished>,
}

impl FrameworkState {
    /// Whether the version is published.
    pub fn is_published(&self) -> bool {
        self.published.is_some()
    }

    /// Its definition, once published.
    pub fn definition(&self) -> Option<&FrameworkDefinition> {
        self.published.as_ref().map(|p| &p.definition)
    }
}

/// Publish a framework version (on the stream of [`FrameworkDefinition::id`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishFramework {
    /// The whole definition.
    pub definition: FrameworkDefinition,
}

command_input! {
    /// [`PublishFramework`] as it arrives.
    PublishFrameworkInput => PublishFramework {
        /// The whole definition (checked for coherence).
        definition: FrameworkDefinition,
    }
    |raw| PublishFramework::parse(raw.definition)
}

impl PublishFramework {
    /// Checks the definition is coherent.
    pub fn parse(definition: FrameworkDefinition) -> Result<Self, DomainError> {
        definition.validate().map_err(|e| DomainError::from(e.within("definition")))?;
        Ok(Self { definition })
    }
}

/// What a framework version can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameworkCommand {
    /// Publish it.
    Publish(PublishFramework),
}

impl Aggregate for FrameworkState {
    type Event = FrameworkEvent;
    type Command = FrameworkCommand;

    fn stream(command: &Self::Command) -> StreamName {
        match command {
            FrameworkCommand::Publish(c) => c.definition.id().stream(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        FrameworkEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            FrameworkEvent::Published(e) => self.published = Some(e.clone()),
        }
    }

    fn decide(&self, command: &Self::Command, _references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            FrameworkCommand::Publish(c) => {
                if let Some(existing) = &self.published {
                    return Err(DomainError::not_allowed(StateRule::FrameworkAlreadyPublished {
                        framework: existing.definition.label(),
                    }));
                }
                c.definition.validate().map_err(|e| DomainError::from(e.within("definition")))?;
                Ok(vec![FrameworkEvent::Published(FrameworkPublished {
                    framework: c.definition.id(),
                    definition: c.definition.clone(),
                })])
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Campaign

/// The fewest responses a group may be reported on, so that no result points to one or two people.
pub const MIN_REPORTING_GROUP: u32 = 3;

/// A campaign's first and last day for answers, the last no earlier than the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignWindow {
    opens: NaiveDate,
    closes: NaiveDate,
}

impl CampaignWindow {
    /// Checks `closes` is not before `opens`.
    pub fn parse(opens: NaiveDate, closes: NaiveDate) -> Result<Self, DomainError> {
        not_before("closes", closes, Milestone::Opens, opens)?;
        Ok(Self { opens, closes })
    }

    /// The first day for answers.
    pub fn opens(&self) -> NaiveDate {
        self.opens
    }

    /// The last day for answers.
    pub fn closes(&self) -> NaiveDate {
        self.closes
    }
}

/// A response as the campaign's state holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignResponse {
    /// The response as submitted.
    pub submitted: ResponseSubmitted,
    /// The day it was withdrawn, if it was.
    pub withdrawn_on: Option<NaiveDate>,
}

/// A campaign's state.
#[derive(Debug, Clone, Default)]
pub struct CampaignState {
    /// Its opening, once opened.
    pub opened: Option<CampaignOpened>,
    /// Every response, in submission order, withdrawn ones included.
    pub responses: Vec<CampaignResponse>,
    /// The day it closed, once closed.
    pub closed_on: Option<NaiveDate>,
    /// Whether results have been computed and no response was withdrawn since.
    pub results_current: bool,
    /// How many results it has recorded.
    pub results_recorded: u32,
    by_id: HashMap<ResponseId, usize>,
    counted_by_respondent: HashMap<RespondentRef, ResponseId>,
}

impl CampaignState {
    /// Whether the campaign has been opened.
    pub fn is_opened(&self) -> bool {
        self.opened.is_some()
    }

    /// Whether it takes answers on `date`: opened, within its window and not closed.
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.opened.as_ref().is_some_and(|o| o.opens <= date && date <= o.closes) && self.closed_on.is_none()
    }

    /// Its municipality, once opened.
    pub fn municipality(&self) -> Option<MunicipalityId> {
        self.opened.as_ref().map(|o| o.municipality)
    }

    /// The response with `id`.
    pub fn response(&self, id: ResponseId) -> Option<&CampaignResponse> {
        self.by_id.get(&id).and_then(|index| self.responses.get(*index))
    }

    /// The responses that count (not withdrawn), in submission order.
    pub fn counted_responses(&self) -> impl Iterator<Item = &ResponseSubmitted> {
        self.responses.iter().filter(|r| r.withdrawn_on.is_none()).map(|r| &r.submitted)
    }
}

/// Open an assessment campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCampaign {
    /// The campaign.
    pub campaign: CampaignId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The framework version it asks.
    pub framework: FrameworkId,
    /// The units it covers (at least one, each once).
    pub units: Vec<UnitId>,
    /// Its title.
    pub title: LocalizedText,
    /// Its first and last day for answers.
    pub window: CampaignWindow,
    /// The fewest responses a reported group needs.
    pub min_group_size: u32,
}

command_input! {
    /// [`OpenCampaign`] as it arrives: its window as `opens` and `closes`.
    OpenCampaignInput => OpenCampaign {
        /// The campaign.
        campaign: CampaignId,
        /// Its municipality.
        municipality: MunicipalityId,
        /// The framework version it asks.
        framework: FrameworkId,
        /// The units it covers (at least one, each once).
        units: Vec<UnitId>,
        /// Its title.
        title: TextInput,
        /// The first day for answers.
        opens: NaiveDate,
        /// The last day for answers (not before `opens`).
        closes: NaiveDate,
        /// The fewest responses a reported group needs (at least 3).
        min_group_size: u32,
    }
    |raw| OpenCampaign::parse(
        raw.campaign,
        raw.municipality,
        raw.framework,
        raw.units,
        &raw.title,
        raw.opens,
        raw.closes,
        raw.min_group_size,
    )
}

impl OpenCampaign {
    /// Parses the command from raw input.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        campaign: CampaignId,
        municipality: MunicipalityId,
        framework: FrameworkId,
        units: Vec<UnitId>,
        title: &TextInput,
        opens: NaiveDate,
        closes: NaiveDate,
        min_group_size: u32,
    ) -> Result<Self, DomainError> {
        if units.is_empty() {
            return Err(DomainError::invalid("units", InputRule::NoUnits));
        }
        for (index, unit) in units.iter().enumerate() {
            if units[..index].contains(unit) {
                return Err(DomainError::invalid(format!("units[{index}]"), InputRule::UnitAlreadyListed));
            }
        }
        if min_group_size < MIN_REPORTING_GROUP {
            return Err(DomainError::invalid("min_group_size", InputRule::GroupTooSmall { min: MIN_REPORTING_GROUP }));
        }
        Ok(Self {
            campaign,
            municipality,
            framework,
            units,
            title: title.parse("title")?,
            window: CampaignWindow::parse(opens, closes)?,
            min_group_size,
        })
    }
}

/// Submit one respondent's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitResponse {
    /// The campaign.
    pub campaign: CampaignId,
    /// The framework the answers are for (must be the campaign's; loaded to check the answers).
    pub framework: FrameworkId,
    /// The response.
    pub response: ResponseId,
    /// The respondent's pseudonym.
    pub respondent: RespondentRef,
    /// The unit answered for.
    pub unit: UnitId,
    /// The answers (at least one, each item once).
    pub answers: Vec<Answer>,
    /// The day of submission.
    pub submitted_on: NaiveDate,
}

/// One answer as it arrives.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// The item's code.
    pub item: String,
    /// The value on the item's scale (0–255).
    pub value: i64,
}

command_input! {
    /// [`SubmitResponse`] as it arrives.
    SubmitResponseInput => SubmitResponse {
        /// The campaign.
        campaign: CampaignId,
        /// The framework the answers are for (the campaign's).
        framework: FrameworkId,
        /// The response.
        response: ResponseId,
        /// The respondent's pseudonym.
        respondent: String,
        /// The unit answered for.
        unit: UnitId,
        /// The answers (at least one, each item once).
        answers: Vec<AnswerInput>,
        /// The day of submission.
        submitted_on: NaiveDate,
    }
    |raw| {
        let answers: Vec<(&str, i64)> = raw.answers.iter().map(|a| (a.item.as_str(), a.value)).collect();
        SubmitResponse::parse(
            raw.campaign,
            raw.framework,
            raw.response,
            &raw.respondent,
            raw.unit,
            &answers,
            raw.submitted_on,
        )
    }
}

impl SubmitResponse {
    /// Parses the command from raw input; `answers` are `(item code, value)` pairs.
    pub fn parse(
        campaign: CampaignId,
        framework: FrameworkId,
        response: ResponseId,
        respondent: &str,
        unit: UnitId,
        answers: &[(&str, i64)],
        submitted_on: NaiveDate,
    ) -> Result<Self, DomainError> {
        let respondent = RespondentRef::parse(respondent)?;
        if answers.is_empty() {
            return Err(DomainError::invalid("answers", InputRule::NoAnswers));
        }
        let mut parsed: Vec<Answer> = Vec::with_capacity(answers.len());
        for (index, (item, value)) in answers.iter().enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err(DomainError::invalid(format!("answers[{index}].item"), ShapeRule::Empty));
            }
            if parsed.iter().any(|a| a.item == item) {
                return Err(DomainError::invalid(
                    format!("answers[{index}].item"),
                    InputRule::AnsweredTwice { item: item.to_owned() },
                ));
            }
            let value = u8::try_from(*value).map_err(|_| {
                DomainError::invalid(format!("answers[{index}].value"), InputRule::NotAScaleValue { got: *value })
            })?;
            parsed.push(Answer { item: item.to_owned(), value });
        }
        Ok(Self { campaign, framework, response, respondent, unit, answers: parsed, submitted_on })
    }
}

/// Withdraw a response so that it no longer counts.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawResponse {
    /// The campaign.
    pub campaign: CampaignId,
    /// The response.
    pub response: ResponseId,
    /// The day of withdrawal.
    pub withdrawn_on: NaiveDate,
    /// Why, if said.
    pub reason: Option<LocalizedText>,
}

command_input! {
    /// [`WithdrawResponse`] as it arrives.
    WithdrawResponseInput => WithdrawResponse {
        /// The campaign.
        campaign: CampaignId,
        /// The response.
        response: ResponseId,
        /// The day of withdrawal.
        withdrawn_on: NaiveDate,
        /// Why, if said.
        #[serde(default)]
        reason: Option<TextInput>,
    }
    |raw| WithdrawResponse::parse(raw.campaign, raw.response, raw.withdrawn_on, raw.reason.as_ref())
}

impl WithdrawResponse {
    /// Parses the command from raw input.
    pub fn parse(
        campaign: CampaignId,
        response: ResponseId,
        withdrawn_on: NaiveDate,
        reason: Option<&TextInput>,
    ) -> Result<Self, DomainError> {
        Ok(Self { campaign, response, withdrawn_on, reason: optional_text("reason", reason)? })
    }
}

/// Stop taking answers.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseCampaign {
    /// The campaign.
    pub campaign: CampaignId,
    /// The day it closes.
    pub closed_on: NaiveDate,
}

/// Compute and record results per person, unit and municipality.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComputeResults {
    /// The campaign.
    pub campaign: CampaignId,
    /// The campaign's framework (loaded to score).
    pub framework: FrameworkId,
    /// The day of computation.
    pub computed_on: NaiveDate,
}

/// What a campaign can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignCommand {
    /// Open it.
    Open(OpenCampaign),
    /// Take a response.
    SubmitResponse(SubmitResponse),
    /// Withdraw a response.
    WithdrawResponse(WithdrawResponse),
    /// Close it.
    Close(CloseCampaign),
    /// Compute its results.
    ComputeResults(ComputeResults),
}

/// The campaign's published framework, or the error naming the field.
fn campaign_framework(
    state_framework: FrameworkId,
    command_framework: FrameworkId,
    references: &References,
) -> Result<&FrameworkDefinition, DomainError> {
    if command_framework != state_framework {
        return Err(DomainError::invalid("framework", InputRule::NotCampaignFramework { framework: state_framework }));
    }
    references
        .framework(command_framework)
        .and_then(FrameworkState::definition)
        .ok_or_else(|| DomainError::unknown_reference("framework", Expected::PublishedFramework))
}

impl CampaignState {
    fn decide_open(&self, c: &OpenCampaign, references: &References) -> Result<Vec<CampaignEvent>, DomainError> {
        if let Some(existing) = &self.opened {
            return Err(DomainError::not_allowed(StateRule::CampaignAlreadyOpen { title: existing.title.fi.clone() }));
        }
        if !references.municipality(c.municipality).is_some_and(|m| m.is_registered()) {
            return Err(DomainError::unknown_reference("municipality", Expected::RegisteredMunicipality));
        }
        if !references.framework(c.framework).is_some_and(FrameworkState::is_published) {
            return Err(DomainError::unknown_reference("framework", Expected::PublishedFramework));
        }
        for (index, unit) in c.units.iter().enumerate() {
            let field = format!("units[{index}]");
            let state = references
                .unit(*unit)
                .filter(|u| u.is_established())
                .ok_or_else(|| DomainError::unknown_reference(field.clone(), Expected::EstablishedUnit))?;
            if !state.belongs_to(c.municipality) {
                return Err(DomainError::unknown_reference(field, Expected::UnitOfCampaignMunicipality));
            }
        }
        Ok(vec![CampaignEvent::Opened(CampaignOpened {
            campaign: c.campaign,
            municipality: c.municipality,
            framework: c.framework,
            units: c.units.clone(),
            title: c.title.clone(),
            opens: c.window.opens(),
            closes: c.window.closes(),
            min_group_size: c.min_group_size,
        })])
    }

    fn decide_submit(&self, c: &SubmitResponse, references: &References) -> Result<Vec<CampaignEvent>, DomainError> {
        let Some(opened) = &self.opened else {
            return Err(DomainError::not_allowed(StateRule::CampaignNotOpened));
        };
        if let Some(closed_on) = self.closed_on {
            return Err(DomainError::not_allowed(StateRule::CampaignClosedOn { closed_on }));
        }
        if c.submitted_on < opened.opens {
            return Err(DomainError::not_allowed(StateRule::CampaignNotYetOpen { opens: opened.opens }));
        }
        if c.submitted_on > opened.closes {
            return Err(DomainError::not_allowed(StateRule::CampaignPastLastDay { closes: opened.closes }));
        }
        if !opened.units.contains(&c.unit) {
            return Err(DomainError::unknown_reference("unit", Expected::CampaignUnit));
        }
        if self.by_id.contains_key(&c.response) {
            return Err(DomainError::not_allowed(StateRule::ResponseAlreadySubmitted { response: c.response }));
        }
        if self.counted_by_respondent.contains_key(&c.respondent) {
            return Err(DomainError::not_allowed(StateRule::RespondentAlreadyAnswered {
                respondent: c.respondent.clone(),
            }));
        }
        let definition = campaign_framework(opened.framework, c.framework, references)?;
        if c.answers.is_empty() {
            return Err(DomainError::invalid("answers", InputRule::NoAnswers));
        }
        for (index, answer) in c.answers.iter().enumerate() {
            if definition.item(&answer.item).is_none() {
                return Err(DomainError::invalid(
                    format!("answers[{index}].item"),
                    InputRule::NotAnItem { item: answer.item.clone(), framework: definition.label() },
                ));
            }
            if !definition.scale.contains(f64::from(answer.value)) {
                return Err(DomainError::invalid(
                    format!("answers[{index}].value"),
                    InputRule::OffFrameworkScale {
                        framework: definition.label(),
                        min: definition.scale.min,
                        max: definition.scale.max,
                        got: answer.value.into(),
                    },
                ));
            }
            if c.answers[..index].iter().any(|a| a.item == answer.item) {
                return Err(DomainError::invalid(
                    format!("answers[{index}].item"),
                    InputRule::AnsweredTwice { item: answer.item.clone() },
                ));
            }
        }
        Ok(vec![CampaignEvent::ResponseSubmitted(ResponseSubmitted {
            campaign: c.campaign,
            response: c.response,
            respondent: c.respondent.clone(),
            unit: c.unit,
            answers: c.answers.clone(),
            submitted_on: c.submitted_on,
        })])
    }

    fn decide_withdraw(&self, c: &WithdrawResponse) -> Result<Vec<CampaignEvent>, DomainError> {
        let Some(response) = self.response(c.response) else {
            return Err(DomainError::unknown_reference("response", Expected::CampaignResponse));
        };
        if let Some(withdrawn_on) = response.withdrawn_on {
            return Err(DomainError::not_allowed(StateRule::ResponseAlreadyWithdrawn {
                response: c.response,
                withdrawn_on,
            }));
        }
        not_before("withdrawn_on", c.withdrawn_on, Milestone::ResponseSubmitted, response.submitted.submitted_on)?;
        Ok(vec![CampaignEvent::ResponseWithdrawn(ResponseWithdrawn {
            campaign: c.campaign,
            response: c.response,
            withdrawn_on: c.withdrawn_on,
            reason: c.reason.clone(),
        })])
    }

    fn decide_close(&self, c: &CloseCampaign) -> Result<Vec<CampaignEvent>, DomainError> {
        let Some(opened) = &self.opened else {
            return Err(DomainError::not_allowed(StateRule::CloseUnopenedCampaign));
        };
        if let Some(closed_on) = self.closed_on {
            return Err(DomainError::not_allowed(StateRule::CampaignAlreadyClosed { closed_on }));
        }
        not_before("closed_on", c.closed_on, Milestone::CampaignFirstDay, opened.opens)?;
        let response_count = u32::try_from(self.counted_responses().count()).unwrap_or(u32::MAX);
        Ok(vec![CampaignEvent::Closed(CampaignClosed { campaign: c.campaign, closed_on: c.closed_on, response_count })])
    }

    fn decide_compute(&self, c: &ComputeResults, references: &References) -> Result<Vec<CampaignEvent>, DomainError> {
        let Some(opened) = &self.opened else {
            return Err(DomainError::not_allowed(StateRule::ResultsOfUnopenedCampaign));
        };
        let Some(closed_on) = self.closed_on else {
            return Err(DomainError::not_allowed(StateRule::ResultsBeforeClosing));
        };
        not_before("computed_on", c.computed_on, Milestone::CampaignClosed, closed_on)?;
        if self.results_current {
            return Err(DomainError::not_allowed(StateRule::ResultsUpToDate));
        }
        let definition = campaign_framework(opened.framework, c.framework, references)?;
        let counted: Vec<&ResponseSubmitted> = self.counted_responses().collect();
        if counted.is_empty() {
            return Err(DomainError::not_allowed(StateRule::NoCountedResponses));
        }
        let result = |subject: ResultSubject, sheet: ScoreSheet| {
            CampaignEvent::ResultComputed(ResultComputed {
                campaign: c.campaign,
                framework: opened.framework,
                subject,
                scores: sheet.scores,
                overall: sheet.overall,
                scoring_rule: definition.scoring.id.clone(),
                scoring_rule_version: definition.scoring.version,
                response_count: sheet.response_count,
                computed_on: c.computed_on,
            })
        };
        let mut events = Vec::new();
        for response in &counted {
            if let Some(sheet) = score_responses(definition, [response.answers.as_slice()]) {
                events.push(result(ResultSubject::Person(response.respondent.clone()), sheet));
            }
        }
        let mut by_unit: BTreeMap<UnitId, Vec<&[Answer]>> = BTreeMap::new();
        for response in &counted {
            by_unit.entry(response.unit).or_default().push(response.answers.as_slice());
        }
        for unit in &opened.units {
            let Some(answers) = by_unit.get(unit) else { continue };
            if answers.len() < opened.min_group_size as usize {
                continue;
            }
            if let Some(sheet) = score_responses(definition, answers.iter().copied()) {
                events.push(result(ResultSubject::Unit(*unit), sheet));
            }
        }
        if counted.len() >= opened.min_group_size as usize
            && let Some(sheet) = score_responses(definition, counted.iter().map(|r| r.answers.as_slice()))
        {
            events.push(result(ResultSubject::Municipality(opened.municipality), sheet));
        }
        Ok(events)
    }
}

impl Aggregate for CampaignState {
    type Event = CampaignEvent;
    type Command = CampaignCommand;

    fn stream(command: &Self::Command) -> StreamName {
        match command {
            CampaignCommand::Open(c) => c.campaign.stream(),
            CampaignCommand::SubmitResponse(c) => c.campaign.stream(),
            CampaignCommand::WithdrawResponse(c) => c.campaign.stream(),
            CampaignCommand::Close(c) => c.campaign.stream(),
            CampaignCommand::ComputeResults(c) => c.campaign.stream(),
        }
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            CampaignCommand::Open(c) => {
                let mut references = vec![Reference::Municipality(c.municipality), Reference::Framework(c.framework)];
                references.extend(c.units.iter().copied().map(Reference::Unit));
                references
            }
            CampaignCommand::SubmitResponse(c) => vec![Reference::Framework(c.framework)],
            CampaignCommand::ComputeResults(c) => vec![Reference::Framework(c.framework)],
            CampaignCommand::WithdrawResponse(_) | CampaignCommand::Close(_) => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        CampaignEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            CampaignEvent::Opened(e) => self.opened = Some(e.clone()),
            CampaignEvent::ResponseSubmitted(e) => {
                self.by_id.insert(e.response, self.responses.len());
                self.counted_by_respondent.insert(e.respondent.clone(), e.response);
                self.responses.push(CampaignResponse { submitted: e.clone(), withdrawn_on: None });
            }
            CampaignEvent::ResponseWithdrawn(e) => {
                let Some(index) = self.by_id.get(&e.response).copied() else { return };
                let Some(response) = self.responses.get_mut(index) else { return };
                response.withdrawn_on = Some(e.withdrawn_on);
                let respondent = &response.submitted.respondent;
                if self.counted_by_respondent.get(respondent) == Some(&e.response) {
                    self.counted_by_respondent.remove(respondent);
                }
                if self.results_recorded > 0 {
                    self.results_current = false;
                }
            }
            CampaignEvent::Closed(e) => self.closed_on = Some(e.closed_on),
            CampaignEvent::ResultComputed(_) => {
                self.results_recorded += 1;
                self.results_current = true;
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            CampaignCommand::Open(c) => self.decide_open(c, references),
            CampaignCommand::SubmitResponse(c) => self.decide_submit(c, references),
            CampaignCommand::WithdrawResponse(c) => self.decide_withdraw(c),
            CampaignCommand::Close(c) => self.decide_close(c),
            CampaignCommand::ComputeResults(c) => self.decide_compute(c, references),
        }
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::assessment::{FrameworkKind, digcomp_2_2, eu_dma_pso};
    use kirjuri_events::domain::organisation::{
        MunicipalityCode, MunicipalityEvent, MunicipalityRegistered, Sector, UnitEstablished, UnitEvent,
    };
    use uuid::Uuid;

    use super::*;
    use crate::Referenced;
    use crate::organisation::{MunicipalityState, UnitState};
    use crate::testing::given;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(297));
    const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(749));
    const SCHOOLS: UnitId = UnitId(Uuid::from_u128(0x101));
    const LIBRARY: UnitId = UnitId(Uuid::from_u128(0x102));
    const SIILINJARVI_LIBRARY: UnitId = UnitId(Uuid::from_u128(0x103));
    const CAMPAIGN: CampaignId = CampaignId(Uuid::from_u128(0x500));

    fn digcomp() -> FrameworkDefinition {
        digcomp_2_2().expect("the shipped DigComp loads")
    }

    fn municipality(id: MunicipalityId, code: &str, name: &str) -> Referenced {
        Referenced::Municipality(MunicipalityState::replay(&[MunicipalityEvent::Registered(MunicipalityRegistered {
            municipality: id,
            code: MunicipalityCode::parse(code).expect("code"),
            name: LocalizedText::fi(name).expect("name"),
        })]))
    }

    fn unit(id: UnitId, of: MunicipalityId) -> Referenced {
        Referenced::Unit(UnitState::replay(&[UnitEvent::Established(UnitEstablished {
            unit: id,
            municipality: of,
            name: LocalizedText::fi("Yksikkö").expect("name"),
            parent: None,
            sector: Sector::EducationAndLearning,
        })]))
    }

    fn published(definition: FrameworkDefinition) -> Referenced {
        Referenced::Framework(FrameworkState::replay(&[FrameworkEvent::Published(FrameworkPublished {
            framework: definition.id(),
            definition,
        })]))
    }

    fn references() -> References {
        References::none()
            .with(KUOPIO.0, municipality(KUOPIO, "297", "Kuopio"))
            .with(SIILINJARVI.0, municipality(SIILINJARVI, "749", "Siilinjärvi"))
            .with(SCHOOLS.0, unit(SCHOOLS, KUOPIO))
            .with(LIBRARY.0, unit(LIBRARY, KUOPIO))
            .with(SIILINJARVI_LIBRARY.0, unit(SIILINJARVI_LIBRARY, SIILINJARVI))
            .with(digcomp().id().0, published(digcomp()))
    }

    fn opened(min_group_size: u32) -> CampaignEvent {
        CampaignEvent::Opened(CampaignOpened {
            campaign: CAMPAIGN,
            municipality: KUOPIO,
            framework: digcomp().id(),
            units: vec![SCHOOLS, LIBRARY],
            title: LocalizedText::fi("Henkilöstön digiosaamisen kartoitus 2025").expect("title"),
            opens: day("2025-03-03"),
            closes: day("2025-03-28"),
            min_group_size,
        })
    }

    fn open_command(units: Vec<UnitId>) -> CampaignCommand {
        CampaignCommand::Open(
            OpenCampaign::parse(
                CAMPAIGN,
                KUOPIO,
                digcomp().id(),
                units,
                &TextInput::fi("Henkilöstön digiosaamisen kartoitus 2025"),
                day("2025-03-03"),
                day("2025-03-28"),
                3,
            )
            .expect("valid"),
        )
    }

    fn response_id(n: u128) -> ResponseId {
        ResponseId(Uuid::from_u128(0x9000 + n))
    }

    fn respondent(n: u128) -> String {
        format!("r-{:08x}", 0xa000_0000 + n)
    }

    fn submit(n: u128, unit: UnitId, answers: &[(&str, i64)], on: &str) -> CampaignCommand {
        CampaignCommand::SubmitResponse(
            SubmitResponse::parse(CAMPAIGN, digcomp().id(), response_id(n), &respondent(n), unit, answers, day(on))
                .expect("valid"),
        )
    }

    fn submitted(n: u128, unit: UnitId, answers: &[(&str, u8)]) -> CampaignEvent {
        CampaignEvent::ResponseSubmitted(ResponseSubmitted {
            campaign: CAMPAIGN,
            response: response_id(n),
            respondent: RespondentRef::parse(&respondent(n)).expect("pseudonym"),
            unit,
            answers: answers.iter().map(|(item, value)| Answer { item: (*item).into(), value: *value }).collect(),
            submitted_on: day("2025-03-10"),
        })
    }

    fn withdrawn(n: u128) -> CampaignEvent {
        CampaignEvent::ResponseWithdrawn(ResponseWithdrawn {
            campaign: CAMPAIGN,
            response: response_id(n),
            withdrawn_on: day("2025-03-20"),
            reason: None,
        })
    }

    fn closed(count: u32) -> CampaignEvent {
        CampaignEvent::Closed(CampaignClosed {
            campaign: CAMPAIGN,
            closed_on: day("2025-03-28"),
            response_count: count,
        })
    }

    #[test]
    fn a_framework_version_is_published_once_on_the_stream_of_its_code_and_version() {
        let command = FrameworkCommand::Publish(PublishFramework::parse(digcomp()).expect("coherent"));
        assert_eq!(FrameworkState::stream(&command), FrameworkDefinition::id_of("digcomp", "2.2").stream());
        let state = given::<FrameworkState>([])
            .when(command.clone())
            .then([FrameworkEvent::Published(FrameworkPublished { framework: digcomp().id(), definition: digcomp() })]);
        assert_eq!(state.definition().map(|d| d.kind), Some(FrameworkKind::Competence));
        given::<FrameworkState>([FrameworkEvent::Published(FrameworkPublished {
            framework: digcomp().id(),
            definition: digcomp(),
        })])
        .when(command)
        .then_refused_with(&["digcomp@2.2 is already published", "new version"]);
    }

    #[test]
    fn an_incoherent_framework_is_refused_naming_the_field() {
        let mut definition = eu_dma_pso().expect("loads");
        definition.scale.max = 0;
        let error = PublishFramework::parse(definition.clone()).expect_err("no scale");
        assert_eq!(error, DomainError::invalid("definition.scale", ShapeRule::ScaleInverted));
        assert_eq!(error.to_string(), "definition.scale: min must be below max");
        given::<FrameworkState>([])
            .when(FrameworkCommand::Publish(PublishFramework { definition }))
            .then_refused_with(&["definition.scale", "min must be below max"]);
    }

    #[test]
    fn a_campaign_covers_only_established_units_of_its_own_municipality() {
        let state = given::<CampaignState>([])
            .with_references(references())
            .when(open_command(vec![SCHOOLS, LIBRARY]))
            .then([opened(3)]);
        assert!(state.is_open_on(day("2025-03-03")));
        given::<CampaignState>([])
            .with_references(references())
            .when(open_command(vec![SCHOOLS, SIILINJARVI_LIBRARY]))
            .then_refused_with(&["units[1]", "campaign's municipality"]);
        given::<CampaignState>([])
            .with_references(references())
            .when(open_command(vec![UnitId(Uuid::from_u128(0xdead))]))
            .then_refused_with(&["units[0]", "established unit"]);
        // An id of another kind (here a municipality's) is not a unit.
        given::<CampaignState>([])
            .with_references(references())
            .when(open_command(vec![UnitId(KUOPIO.0)]))
            .then_refused_with(&["units[0]", "established unit"]);
        given::<CampaignState>([opened(3)])
            .with_references(references())
            .when(open_command(vec![SCHOOLS]))
            .then_refused_with(&["already open"]);
        given::<CampaignState>([])
            .with_references(References::none().with(KUOPIO.0, municipality(KUOPIO, "297", "Kuopio")))
            .when(open_command(vec![SCHOOLS]))
            .then_refused_with(&["framework", "published framework"]);
        let references = CampaignState::references(&open_command(vec![SCHOOLS, LIBRARY]));
        assert_eq!(
            references,
            [
                Reference::Municipality(KUOPIO),
                Reference::Framework(digcomp().id()),
                Reference::Unit(SCHOOLS),
                Reference::Unit(LIBRARY)
            ]
        );
    }

    #[test]
    fn a_campaign_with_its_end_before_its_start_no_units_or_a_tiny_reporting_group_is_not_a_command() {
        let parse = |units: Vec<UnitId>, title: &str, opens: &str, closes: &str, min: u32| {
            OpenCampaign::parse(
                CAMPAIGN,
                KUOPIO,
                digcomp().id(),
                units,
                &TextInput::fi(title),
                day(opens),
                day(closes),
                min,
            )
        };
        let error = parse(vec![SCHOOLS], "Kartoitus", "2025-03-03", "2025-03-02", 3).expect_err("window");
        assert_eq!(
            error,
            DomainError::invalid("closes", InputRule::NotBefore { what: Milestone::Opens, date: day("2025-03-03") })
        );
        assert_eq!(error.to_string(), "closes: must not be before opens (2025-03-03)");
        assert!(parse(vec![SCHOOLS], "Kartoitus", "2025-03-03", "2025-03-03", 3).is_ok());
        assert!(matches!(
            parse(vec![], "Kartoitus", "2025-03-03", "2025-03-28", 3),
            Err(DomainError::Invalid { field, .. }) if field == "units"
        ));
        assert!(matches!(
            parse(vec![SCHOOLS, SCHOOLS], "Kartoitus", "2025-03-03", "2025-03-28", 3),
            Err(DomainError::Invalid { field, .. }) if field == "units[1]"
        ));
        assert!(matches!(
            parse(vec![SCHOOLS], "Kartoitus", "2025-03-03", "2025-03-28", 2),
            Err(DomainError::Invalid { field, .. }) if field == "min_group_size"
        ));
        assert_eq!(
            parse(vec![SCHOOLS], " ", "2025-03-03", "2025-03-28", 3).expect_err("title"),
            DomainError::invalid("title.fi", ShapeRule::Empty)
        );
    }

    #[test]
    fn a_response_is_taken_only_while_the_campaign_is_open() {
        let answers = [("1.1", 4), ("4.2", 3)];
        let open = || given::<CampaignState>([opened(3)]).with_references(references());
        open().when(submit(1, SCHOOLS, &answers, "2025-03-03")).accepted();
        open().when(submit(1, SCHOOLS, &answers, "2025-03-28")).accepted();
        open()
            .when(submit(1, SCHOOLS, &answers, "2025-03-02"))
            .then_refused_with(&["opens on 2025-03-03", "only while it is open"]);
        open()
            .when(submit(1, SCHOOLS, &answers, "2025-03-29"))
            .then_refused_with(&["last day for answers was 2025-03-28"]);
        let closed_early = CampaignEvent::Closed(CampaignClosed {
            campaign: CAMPAIGN,
            closed_on: day("2025-03-20"),
            response_count: 0,
        });
        given::<CampaignState>([opened(3), closed_early])
            .with_references(references())
            .when(submit(1, SCHOOLS, &answers, "2025-03-21"))
            .then_refused_with(&["closed on 2025-03-20"]);
        given::<CampaignState>([])
            .with_references(references())
            .when(submit(1, SCHOOLS, &answers, "2025-03-10"))
            .then_refused_with(&["once the campaign is open"]);
    }

    #[test]
    fn answers_are_only_for_the_frameworks_own_items_and_on_its_scale() {
        let open = || given::<CampaignState>([opened(3)]).with_references(references());
        let events = open().when(submit(1, SCHOOLS, &[("1.1", 1), ("5.4", 8)], "2025-03-10")).accepted();
        assert_eq!(
            events,
            [CampaignEvent::ResponseSubmitted(ResponseSubmitted {
                campaign: CAMPAIGN,
                response: response_id(1),
                respondent: RespondentRef::parse(&respondent(1)).expect("pseudonym"),
                unit: SCHOOLS,
                answers: vec![Answer { item: "1.1".into(), value: 1 }, Answer { item: "5.4".into(), value: 8 }],
                submitted_on: day("2025-03-10"),
            })]
        );
        open()
            .when(submit(1, SCHOOLS, &[("1.1", 4), ("M2.2.1", 3)], "2025-03-10"))
            .then_refused_with(&["answers[1].item", "`M2.2.1` is not an item of digcomp@2.2"]);
        open()
            .when(submit(1, SCHOOLS, &[("1.1", 9)], "2025-03-10"))
            .then_refused_with(&["answers[0].value", "scale 1–8, got 9"]);
        open()
            .when(submit(1, SCHOOLS, &[("1.1", 0)], "2025-03-10"))
            .then_refused_with(&["answers[0].value", "scale 1–8, got 0"]);
        let raw = |answers: &[(&str, i64)]| {
            SubmitResponse::parse(
                CAMPAIGN,
                digcomp().id(),
                response_id(1),
                "r-1a2b3c4d",
                SCHOOLS,
                answers,
                day("2025-03-10"),
            )
        };
        assert!(matches!(raw(&[("1.1", 300)]), Err(DomainError::Invalid { field, .. }) if field == "answers[0].value"));
        assert!(
            matches!(raw(&[("1.1", 3), ("1.1", 4)]), Err(DomainError::Invalid { field, .. }) if field == "answers[1].item")
        );
        assert!(matches!(raw(&[]), Err(DomainError::Invalid { field, .. }) if field == "answers"));
    }

    #[test]
    fn answers_must_be_for_the_campaigns_framework_and_unit() {
        let dma = eu_dma_pso().expect("loads");
        let command = CampaignCommand::SubmitResponse(
            SubmitResponse::parse(
                CAMPAIGN,
                dma.id(),
                response_id(1),
                "r-1a2b3c4d",
                SCHOOLS,
                &[("M2.2.1", 3)],
                day("2025-03-10"),
            )
            .expect("valid"),
        );
        given::<CampaignState>([opened(3)])
            .with_references(references().with(dma.id().0, published(dma)))
            .when(command)
            .then_refused_with(&["framework", "the campaign's framework"]);
        given::<CampaignState>([opened(3)])
            .with_references(references())
            .when(submit(1, SIILINJARVI_LIBRARY, &[("1.1", 3)], "2025-03-10"))
            .then_refused_with(&["unit", "one of the campaign's units"]);
    }

    #[test]
    fn respondents_are_pseudonymous() {
        for (text, reason) in
            [("aino.rasanen@kuopio.fi", "e-mail"), ("Aino Räsänen", "spaces"), ("131052-308T", "identity code")]
        {
            let error = SubmitResponse::parse(
                CAMPAIGN,
                digcomp().id(),
                response_id(1),
                text,
                SCHOOLS,
                &[("1.1", 3)],
                day("2025-03-10"),
            )
            .expect_err(text);
            let DomainError::Invalid { field, rule: InputRule::Shape(_) } = &error else { panic!("{error:?}") };
            assert_eq!(field, "respondent");
            let text = error.to_string();
            assert!(text.contains(reason) && text.contains("pseudonym"), "{text}");
        }
    }

    #[test]
    fn a_respondent_answers_once_unless_the_first_response_was_withdrawn() {
        let first = submitted(1, SCHOOLS, &[("1.1", 3)]);
        let again = CampaignCommand::SubmitResponse(
            SubmitResponse::parse(
                CAMPAIGN,
                digcomp().id(),
                response_id(2),
                &respondent(1),
                SCHOOLS,
                &[("1.1", 5)],
                day("2025-03-12"),
            )
            .expect("valid"),
        );
        given::<CampaignState>([opened(3), first.clone()])
            .with_references(references())
            .when(again.clone())
            .then_refused_with(&["has already answered", "withdraw that response first"]);
        given::<CampaignState>([opened(3), first.clone(), withdrawn(1)])
            .with_references(references())
            .when(again)
            .accepted();
        given::<CampaignState>([opened(3), first])
            .with_references(references())
            .when(submit(1, SCHOOLS, &[("1.1", 3)], "2025-03-12"))
            .then_refused_with(&["already submitted"]);
    }

    #[test]
    fn a_response_is_withdrawn_only_once() {
        let withdraw = |n: u128, on: &str| {
            CampaignCommand::WithdrawResponse(
                WithdrawResponse::parse(
                    CAMPAIGN,
                    response_id(n),
                    day(on),
                    Some(&TextInput::fi("Vastasin väärän yksikön nimissä.")),
                )
                .expect("valid"),
            )
        };
        let history = [opened(3), submitted(1, SCHOOLS, &[("1.1", 3)])];
        let state = given::<CampaignState>(history.clone()).when(withdraw(1, "2025-03-20")).then([
            CampaignEvent::ResponseWithdrawn(ResponseWithdrawn {
                campaign: CAMPAIGN,
                response: response_id(1),
                withdrawn_on: day("2025-03-20"),
                reason: Some(LocalizedText::fi("Vastasin väärän yksikön nimissä.").expect("text")),
            }),
        ]);
        assert_eq!(state.counted_responses().count(), 0);
        given::<CampaignState>([opened(3), submitted(1, SCHOOLS, &[("1.1", 3)]), withdrawn(1)])
            .when(withdraw(1, "2025-03-21"))
            .then_refused_with(&["already withdrawn on 2025-03-20", "withdrawn once"]);
        given::<CampaignState>(history.clone())
            .when(withdraw(2, "2025-03-21"))
            .then_refused_with(&["response", "a response to this campaign"]);
        given::<CampaignState>(history)
            .when(withdraw(1, "2025-03-09"))
            .then_refused_with(&["withdrawn_on", "(2025-03-10)"]);
    }

    #[test]
    fn a_campaign_closes_once_counting_only_responses_not_withdrawn() {
        let close = |on: &str| CampaignCommand::Close(CloseCampaign { campaign: CAMPAIGN, closed_on: day(on) });
        let history =
            [opened(3), submitted(1, SCHOOLS, &[("1.1", 3)]), submitted(2, SCHOOLS, &[("1.1", 4)]), withdrawn(1)];
        let state = given::<CampaignState>(history.clone()).when(close("2025-03-28")).then([closed(1)]);
        assert!(!state.is_open_on(day("2025-03-15")));
        let mut after = history.to_vec();
        after.push(closed(1));
        given::<CampaignState>(after).when(close("2025-03-29")).then_refused_with(&["already closed on 2025-03-28"]);
        given::<CampaignState>(history).when(close("2025-03-01")).then_refused_with(&["closed_on", "(2025-03-03)"]);
        given::<CampaignState>([]).when(close("2025-03-28")).then_refused_with(&["never opened"]);
    }

    #[test]
    fn digcomp_area_scores_are_mean_levels_of_their_competences() {
        let definition = digcomp();
        let alice = [
            Answer { item: "1.1".into(), value: 2 },
            Answer { item: "1.2".into(), value: 4 },
            Answer { item: "4.1".into(), value: 8 },
        ];
        let bob = [Answer { item: "1.1".into(), value: 6 }];
        let sheet = score_responses(&definition, [alice.as_slice(), bob.as_slice()]).expect("scores");
        assert_eq!(sheet.response_count, 2);
        // Area 1: alice 3.0, bob 6.0 -> 4.5; area 4: alice 8.0.
        assert_eq!(
            sheet.scores,
            [
                DimensionScore { dimension: "1".into(), level: 4.5, percent: 50.0 },
                DimensionScore { dimension: "4".into(), level: 8.0, percent: 100.0 },
            ]
        );
        assert_eq!(sheet.overall, OverallScore { level: 6.25, percent: 75.0, band: Some("advanced".into()) });
        assert!(score_responses(&definition, []).is_none());
    }

    #[test]
    fn the_dma_overall_score_is_the_mean_of_its_dimension_scores_in_percent() {
        let definition = eu_dma_pso().expect("loads");
        let answers: Vec<Answer> = definition
            .dimensions
            .iter()
            .enumerate()
            .flat_map(|(index, dimension)| {
                dimension.items.iter().map(move |item| Answer { item: item.code.clone(), value: index as u8 })
            })
            .collect();
        let sheet = score_responses(&definition, [answers.as_slice()]).expect("scores");
        let percents: Vec<f64> = sheet.scores.iter().map(|s| s.percent).collect();
        assert_eq!(percents, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(sheet.overall.percent, 50.0);
        assert_eq!(sheet.overall.level, 2.5);
        assert_eq!(sheet.overall.band.as_deref(), Some("average"));
    }

    fn compute(on: &str) -> CampaignCommand {
        CampaignCommand::ComputeResults(ComputeResults {
            campaign: CAMPAIGN,
            framework: digcomp().id(),
            computed_on: day(on),
        })
    }

    #[test]
    fn results_are_recorded_per_person_and_for_groups_of_at_least_the_minimum_size() {
        let history = [
            opened(3),
            submitted(1, SCHOOLS, &[("1.1", 2), ("2.1", 4)]),
            submitted(2, SCHOOLS, &[("1.1", 4), ("2.1", 4)]),
            submitted(3, SCHOOLS, &[("1.1", 6), ("2.1", 4)]),
            submitted(4, LIBRARY, &[("1.1", 8)]),
            closed(4),
        ];
        let events =
            given::<CampaignState>(history).with_references(references()).when(compute("2025-04-02")).accepted();
        let subjects: Vec<&ResultSubject> = events
            .iter()
            .map(|e| match e {
                CampaignEvent::ResultComputed(r) => &r.subject,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let person = |n| ResultSubject::Person(RespondentRef::parse(&respondent(n)).expect("pseudonym"));
        // The library has one respondent, below the minimum group of 3: no unit result for it.
        assert_eq!(
            subjects,
            [
                &person(1),
                &person(2),
                &person(3),
                &person(4),
                &ResultSubject::Unit(SCHOOLS),
                &ResultSubject::Municipality(KUOPIO)
            ]
        );
        let CampaignEvent::ResultComputed(schools) = &events[4] else { panic!("a result") };
        assert_eq!(schools.response_count, 3);
        assert_eq!(schools.scores[0], DimensionScore { dimension: "1".into(), level: 4.0, percent: 42.86 });
        assert_eq!(schools.overall.level, 4.0);
        assert_eq!(schools.overall.band.as_deref(), Some("intermediate"));
        assert_eq!((schools.scoring_rule.as_str(), schools.scoring_rule_version), ("mean-of-dimension-means", 1));
        assert_eq!(schools.computed_on, day("2025-04-02"));
    }

    #[test]
    fn results_are_computed_after_closing_and_again_only_when_a_withdrawal_made_them_stale() {
        let responses = [
            opened(3),
            submitted(1, SCHOOLS, &[("1.1", 2)]),
            submitted(2, SCHOOLS, &[("1.1", 4)]),
            submitted(3, SCHOOLS, &[("1.1", 6)]),
        ];
        given::<CampaignState>(responses.clone())
            .with_references(references())
            .when(compute("2025-03-20"))
            .then_refused_with(&["once the campaign has closed"]);
        let mut closed_history = responses.to_vec();
        closed_history.push(closed(3));
        given::<CampaignState>(closed_history.clone())
            .with_references(references())
            .when(compute("2025-03-27"))
            .then_refused_with(&["computed_on", "(2025-03-28)"]);
        let results = given::<CampaignState>(closed_history.clone())
            .with_references(references())
            .when(compute("2025-04-02"))
            .accepted();
        let mut computed = closed_history;
        computed.extend(results);
        given::<CampaignState>(computed.clone())
            .with_references(references())
            .when(compute("2025-04-03"))
            .then_refused_with(&["up to date"]);
        computed.push(withdrawn(3));
        let recomputed =
            given::<CampaignState>(computed).with_references(references()).when(compute("2025-04-03")).accepted();
        // Two people remain: below the minimum group, so only their own results.
        assert_eq!(recomputed.len(), 2);
        given::<CampaignState>([opened(3), closed(0)])
            .with_references(references())
            .when(compute("2025-04-02"))
            .then_refused_with(&["no counted responses"]);
    }
}
