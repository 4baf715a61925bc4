//! Observations and lessons (NATO/NASA lessons-learned style).
//!
//! An observation is submitted once, from an existing experiment, coaching engagement or
//! assessment campaign of the same municipality. A lesson is identified once, from existing
//! sources of those kinds and from observations of its municipality whose sources it lists;
//! actions are assigned to registered units; a lesson is learned once, and only after an action
//! was assigned to act on it. A learned lesson takes no more actions.

use std::collections::HashSet;

use chrono::NaiveDate;
use kirjuri_events::domain::lesson::{
    LessonActionAssigned, LessonEvent, LessonIdentified, LessonLearned, LessonSource, ObservationEvent,
    ObservationSubmitted,
};
use kirjuri_events::domain::practice::Tag;
use kirjuri_events::domain::{DecodeError, LessonId, LocalizedText, MunicipalityId, ObservationId, UnitId};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::{Aggregate, DomainError, Expected, InputRule, LessonStep, RecordKind, Reference, References, StateRule};

/// The record a source names, for the caller to load.
fn source_reference(source: &LessonSource) -> Reference {
    match *source {
        LessonSource::Experiment(id) => Reference::Experiment(id),
        LessonSource::Engagement(id) => Reference::Engagement(id),
        LessonSource::Campaign(id) => Reference::Campaign(id),
    }
}

/// Checks that a source exists and, where its state says, belongs to `municipality`.
fn check_source(
    field: &str,
    source: &LessonSource,
    municipality: MunicipalityId,
    references: &References,
) -> Result<(), DomainError> {
    let (exists, owner) = match *source {
        LessonSource::Experiment(id) => match references.experiment(id).filter(|state| state.exists()) {
            Some(state) => (true, state.municipality),
            None => (false, None),
        },
        LessonSource::Engagement(id) => match references.engagement(id).filter(|state| state.exists()) {
            Some(state) => (true, state.municipality),
            None => (false, None),
        },
        LessonSource::Campaign(id) => (references.campaign(id).is_some(), None),
    };
    if !exists {
        let kind = match source {
            LessonSource::Experiment(_) => RecordKind::Experiment,
            LessonSource::Engagement(_) => RecordKind::CoachingEngagement,
            LessonSource::Campaign(_) => RecordKind::AssessmentCampaign,
        };
        return Err(DomainError::unknown_reference(field, Expected::Existing { kind }));
    }
    if owner.is_some_and(|owner| owner != municipality) {
        return Err(DomainError::unknown_reference(field, Expected::SameMunicipality));
    }
    Ok(())
}

/// A lesson's tags obey the one rule for tags ([`Tag::check`]: at most 64 characters, as the
/// API documents), each named by its place (`tags[2]`).
fn check_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    tags.iter()
        .enumerate()
        .map(|(i, tag)| {
            Tag::check(tag).map(str::to_owned).map_err(|error| DomainError::invalid(format!("tags[{i}]"), error.rule))
        })
        .collect()
}

/// An observation's state.
#[derive(Debug, Clone, Default)]
pub struct ObservationState {
    /// The observation, once submitted.
    pub id: Option<ObservationId>,
    /// Its municipality.
    pub municipality: Option<MunicipalityId>,
    /// Where it was seen.
    pub source: Option<LessonSource>,
}

impl ObservationState {
    /// Whether it has been submitted (its stream is not empty).
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }
}

/// Submit an observation.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitObservation {
    /// The new observation.
    pub observation: ObservationId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// An existing experiment, engagement or campaign of that municipality.
    pub source: LessonSource,
    /// What was observed.
    pub text: LocalizedText,
    /// Under which conditions.
    pub conditions: Option<LocalizedText>,
}

/// What an observation can be asked to do.
#[derive(Debug, Clone)]
pub enum ObservationCommand {
    /// Submit it.
    Submit(SubmitObservation),
}

impl ObservationCommand {
    /// The observation the command is about.
    pub fn observation(&self) -> ObservationId {
        match self {
            Self::Submit(c) => c.observation,
        }
    }
}

impl Aggregate for ObservationState {
    type Event = ObservationEvent;
    type Command = ObservationCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.observation().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        let ObservationCommand::Submit(c) = command;
        vec![source_reference(&c.source)]
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        ObservationEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            ObservationEvent::Submitted(e) => {
                self.id = Some(e.observation);
                self.municipality = Some(e.municipality);
                self.source = Some(e.source.clone());
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        let ObservationCommand::Submit(c) = command;
        if self.exists() {
            return Err(DomainError::not_allowed(StateRule::ObservationAlreadySubmitted {
                observation: c.observation,
            }));
        }
        check_source("source", &c.source, c.municipality, references)?;
        Ok(vec![ObservationEvent::Submitted(ObservationSubmitted {
            observation: c.observation,
            municipality: c.municipality,
            source: c.source.clone(),
            text: c.text.clone(),
            conditions: c.conditions.clone(),
        })])
    }
}

/// Where a lesson is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LessonStatus {
    /// Nothing recorded: the lesson does not exist.
    #[default]
    NotIdentified,
    /// Identified, no action yet.
    Identified,
    /// At least one action assigned.
    ActionAssigned,
    /// Shown to have changed how things are done.
    Learned,
}

/// An action assigned on a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedAction {
    /// The unit that acts.
    pub unit: UnitId,
    /// By when.
    pub due: NaiveDate,
}

/// A lesson's state.
#[derive(Debug, Clone, Default)]
pub struct LessonState {
    /// The lesson, once identified.
    pub id: Option<LessonId>,
    /// Its municipality.
    pub municipality: Option<MunicipalityId>,
    /// The unit it concerns most.
    pub unit: Option<UnitId>,
    /// Where it comes from.
    pub sources: Vec<LessonSource>,
    /// The observations it rests on.
    pub observations: Vec<ObservationId>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Actions assigned on it.
    pub actions: Vec<AssignedAction>,
    /// Where it is in its life.
    pub status: LessonStatus,
}

impl LessonState {
    /// Whether it has been identified (its stream is not empty).
    pub fn exists(&self) -> bool {
        self.status != LessonStatus::NotIdentified
    }

    /// Whether it comes from `source` (e.g. a practice citing "a lesson from experiment X").
    pub fn comes_from(&self, source: &LessonSource) -> bool {
        self.sources.contains(source)
    }

    fn identified(&self, what: LessonStep) -> Result<(), DomainError> {
        match self.status {
            LessonStatus::NotIdentified => Err(DomainError::not_allowed(StateRule::LessonMissing { what })),
            LessonStatus::Learned => Err(DomainError::not_allowed(StateRule::LessonAlreadyLearned { what })),
            LessonStatus::Identified | LessonStatus::ActionAssigned => Ok(()),
        }
    }
}

/// Identify a lesson.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifyLesson {
    /// The new lesson.
    pub lesson: LessonId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// A registered unit it concerns most.
    pub unit: Option<UnitId>,
    /// A short title.
    pub title: LocalizedText,
    /// What happened that taught it.
    pub driving_event: LocalizedText,
    /// The lesson itself.
    pub lesson_text: LocalizedText,
    /// What to do differently.
    pub recommendations: Vec<LocalizedText>,
    /// Existing observations of the municipality, each from one of `sources`.
    pub observations: Vec<ObservationId>,
    /// Existing experiments, engagements or campaigns (at least one, none twice).
    pub sources: Vec<LessonSource>,
    /// Free tags.
    pub tags: Vec<String>,
}

/// Assign an action on a lesson to a unit.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignLessonAction {
    /// The lesson.
    pub lesson: LessonId,
    /// A registered unit.
    pub unit: UnitId,
    /// What it does.
    pub action: LocalizedText,
    /// By when.
    pub due: NaiveDate,
}

/// Record that a lesson was learned.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordLessonLearned {
    /// The lesson.
    pub lesson: LessonId,
    /// What shows the change took hold.
    pub evidence: LocalizedText,
}

/// What a lesson can be asked to do.
#[allow(clippy::large_enum_variant, reason = "a command lives for one decision; boxing would only add allocations")]
#[derive(Debug, Clone)]
pub enum LessonCommand {
    /// Identify it.
    Identify(IdentifyLesson),
    /// Assign an action.
    AssignAction(AssignLessonAction),
    /// Record it as learned.
    RecordLearned(RecordLessonLearned),
}

impl LessonCommand {
    /// The lesson the command is about.
    pub fn lesson(&self) -> LessonId {
        match self {
            Self::Identify(c) => c.lesson,
            Self::AssignAction(c) => c.lesson,
            Self::RecordLearned(c) => c.lesson,
        }
    }
}

impl LessonState {
    fn identify(&self, c: &IdentifyLesson, references: &References) -> Result<Vec<LessonEvent>, DomainError> {
        if self.exists() {
            return Err(DomainError::not_allowed(StateRule::LessonAlreadyIdentified { lesson: c.lesson }));
        }
        if c.sources.is_empty() {
            return Err(DomainError::invalid("sources", InputRule::NoSources));
        }
        let mut seen_sources = HashSet::new();
        for (i, source) in c.sources.iter().enumerate() {
            let field = format!("sources[{i}]");
            if !seen_sources.insert(source) {
                return Err(DomainError::invalid(field, InputRule::ListedTwice));
            }
            check_source(&field, source, c.municipality, references)?;
        }
        let mut seen_observations = HashSet::new();
        for (i, observation) in c.observations.iter().enumerate() {
            let field = format!("observations[{i}]");
            if !seen_observations.insert(observation) {
                return Err(DomainError::invalid(field, InputRule::ListedTwice));
            }
            let Some(state) = references.observation(*observation).filter(|state| state.exists()) else {
                return Err(DomainError::unknown_reference(field, Expected::SubmittedObservation));
            };
            if state.municipality != Some(c.municipality) {
                return Err(DomainError::unknown_reference(field, Expected::ObservationOfSameMunicipality));
            }
            if state.source.as_ref().is_some_and(|source| !c.sources.contains(source)) {
                return Err(DomainError::invalid(field, InputRule::SourceNotListed));
            }
        }
        if let Some(unit) = c.unit
            && !references.unit(unit).is_some_and(|unit| unit.is_established())
        {
            return Err(DomainError::unknown_reference("unit", Expected::RegisteredUnit));
        }
        Ok(vec![LessonEvent::Identified(LessonIdentified {
            lesson: c.lesson,
            municipality: c.municipality,
            unit: c.unit,
            title: c.title.clone(),
            driving_event: c.driving_event.clone(),
            lesson_text: c.lesson_text.clone(),
            recommendations: c.recommendations.clone(),
            observations: c.observations.clone(),
            sources: c.sources.clone(),
            tags: check_tags(&c.tags)?,
        })])
    }

    fn assign_action(&self, c: &AssignLessonAction, references: &References) -> Result<Vec<LessonEvent>, DomainError> {
        self.identified(LessonStep::Action)?;
        if !references.unit(c.unit).is_some_and(|unit| unit.is_established()) {
            return Err(DomainError::unknown_reference("unit", Expected::RegisteredUnit));
        }
        Ok(vec![LessonEvent::ActionAssigned(LessonActionAssigned {
            lesson: c.lesson,
            unit: c.unit,
            action: c.action.clone(),
            due: c.due,
        })])
    }

    fn record_learned(&self, c: &RecordLessonLearned) -> Result<Vec<LessonEvent>, DomainError> {
        self.identified(LessonStep::LearningRecord)?;
        if self.actions.is_empty() {
            return Err(DomainError::not_allowed(StateRule::LearnedWithoutAction));
        }
        Ok(vec![LessonEvent::Learned(LessonLearned { lesson: c.lesson, evidence: c.evidence.clone() })])
    }
}

impl Aggregate for LessonState {
    type Event = LessonEvent;
    type Command = LessonCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.lesson().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            LessonCommand::Identify(c) => c
                .sources
                .iter()
                .map(source_reference)
                .chain(c.observations.iter().copied().map(Reference::Observation))
                .chain(c.unit.map(Reference::Unit))
                .collect(),
            LessonCommand::AssignAction(c) => vec![Reference::Unit(c.unit)],
            LessonCommand::RecordLearned(_) => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        LessonEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            LessonEvent::Identified(e) => {
                self.id = Some(e.lesson);
                self.municipality = Some(e.municipality);
                self.unit = e.unit;
                self.sources = e.sources.clone();
                self.observations = e.observations.clone();
                self.tags = e.tags.clone();
                self.status = LessonStatus::Identified;
            }
            LessonEvent::ActionAssigned(e) => {
                self.actions.push(AssignedAction { unit: e.unit, due: e.due });
                self.status = LessonStatus::ActionAssigned;
            }
            LessonEvent::Learned(_) => {
                self.status = LessonStatus::Learned;
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            LessonCommand::Identify(c) => self.identify(c, references),
            LessonCommand::AssignAction(c) => self.assign_action(c, references),
            LessonCommand::RecordLearned(c) => self.record_learned(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::coaching::{EngagementEvent, EngagementStarted, PersonRef};
    use kirjuri_events::domain::experiment::{ExperimentEvent, ExperimentProposed};
    use kirjuri_events::domain::organisation::{Sector, UnitEstablished};
    use kirjuri_events::domain::{CampaignId, EngagementId, ExperimentId};
    use uuid::Uuid;

    use super::*;
    use crate::Referenced;
    use crate::coaching::EngagementState;
    use crate::experiment::ExperimentState;
    use crate::organisation::UnitState;
    use crate::testing::given;

    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x297));
    const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(0x749));
    const EXPERIMENT: ExperimentId = ExperimentId(Uuid::from_u128(0xE1));
    const ENGAGEMENT: EngagementId = EngagementId(Uuid::from_u128(0xE6));
    const OBSERVATION: ObservationId = ObservationId(Uuid::from_u128(0x0B5));
    const LESSON: LessonId = LessonId(Uuid::from_u128(0x1E5));
    const DIGITAL_SERVICES: UnitId = UnitId(Uuid::from_u128(0x12));

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).expect("valid date")
    }

    fn fi(text: &str) -> LocalizedText {
        LocalizedText::fi(text).expect("valid text")
    }

    fn experiment(municipality: MunicipalityId) -> ExperimentState {
        ExperimentState::replay(&[ExperimentEvent::Proposed(ExperimentProposed {
            experiment: EXPERIMENT,
            municipality,
            name: fi("Etähoiva"),
            problem: fi("Siirtymät vievät aikaa."),
            hypothesis: fi("Etäkäynnit vapauttavat aikaa."),
            units: vec![],
            themes: vec![],
            proposed: day(1, 2),
        })])
    }

    fn engagement() -> EngagementState {
        EngagementState::replay(&[EngagementEvent::Started(EngagementStarted {
            engagement: ENGAGEMENT,
            municipality: KUOPIO,
            unit: None,
            coach: PersonRef::parse("coach", "coach-k7q2").expect("pseudonym"),
            coachees: vec![PersonRef::parse("coachee", "hlo-3f9a1c").expect("pseudonym")],
            experiment: None,
            goals: vec![fi("Etähoivan laitteet haltuun.")],
            started: day(2, 3),
        })])
    }

    fn submitted(source: LessonSource) -> ObservationEvent {
        ObservationEvent::Submitted(ObservationSubmitted {
            observation: OBSERVATION,
            municipality: KUOPIO,
            source,
            text: fi("Sovellus kirjautui ulos kesken asiakaskäynnin."),
            conditions: None,
        })
    }

    fn programme() -> References {
        References::none()
            .with(EXPERIMENT.0, Referenced::Experiment(experiment(KUOPIO)))
            .with(ENGAGEMENT.0, Referenced::Engagement(engagement()))
            .with(
                OBSERVATION.0,
                Referenced::Observation(ObservationState::replay(&[submitted(LessonSource::Engagement(ENGAGEMENT))])),
            )
            .with(
                DIGITAL_SERVICES.0,
                Referenced::Unit(UnitState {
                    establishment: Some(UnitEstablished {
                        unit: DIGITAL_SERVICES,
                        municipality: KUOPIO,
                        name: fi("Digipalvelut"),
                        parent: None,
                        sector: Sector::CentralAdministration,
                    }),
                    ..UnitState::default()
                }),
            )
    }

    fn submit(source: LessonSource) -> ObservationCommand {
        ObservationCommand::Submit(SubmitObservation {
            observation: OBSERVATION,
            municipality: KUOPIO,
            source,
            text: fi("Sovellus kirjautui ulos kesken asiakaskäynnin."),
            conditions: None,
        })
    }

    fn identify_command() -> IdentifyLesson {
        IdentifyLesson {
            lesson: LESSON,
            municipality: KUOPIO,
            unit: Some(DIGITAL_SERVICES),
            title: fi("Mobiilisovellusten asetukset kentän työtapojen mukaan"),
            driving_event: fi("Kirjaaminen keskeytyi asiakaskäynnillä."),
            lesson_text: fi("Asetukset sovitetaan kentän työpäivään ennen käyttöönottoa."),
            recommendations: vec![fi("Lisätään työpäivän läpikäynti käyttöönoton tarkistuslistaan.")],
            observations: vec![OBSERVATION],
            sources: vec![LessonSource::Experiment(EXPERIMENT), LessonSource::Engagement(ENGAGEMENT)],
            tags: vec!["käyttöönotto".into()],
        }
    }

    fn identified() -> LessonEvent {
        let c = identify_command();
        LessonEvent::Identified(LessonIdentified {
            lesson: c.lesson,
            municipality: c.municipality,
            unit: c.unit,
            title: c.title,
            driving_event: c.driving_event,
            lesson_text: c.lesson_text,
            recommendations: c.recommendations,
            observations: c.observations,
            sources: c.sources,
            tags: c.tags,
        })
    }

    fn assign() -> LessonCommand {
        LessonCommand::AssignAction(AssignLessonAction {
            lesson: LESSON,
            unit: DIGITAL_SERVICES,
            action: fi("Päivittää käyttöönoton tarkistuslistan."),
            due: day(9, 30),
        })
    }

    fn assigned() -> LessonEvent {
        LessonEvent::ActionAssigned(LessonActionAssigned {
            lesson: LESSON,
            unit: DIGITAL_SERVICES,
            action: fi("Päivittää käyttöönoton tarkistuslistan."),
            due: day(9, 30),
        })
    }

    fn learn() -> LessonCommand {
        LessonCommand::RecordLearned(RecordLessonLearned {
            lesson: LESSON,
            evidence: fi("Syksyn käyttöönotoissa ei tullut yhtään aikakatkaisun tukipyyntöä."),
        })
    }

    #[test]
    fn an_observation_comes_from_an_existing_source_of_its_kind_and_municipality() {
        given::<ObservationState>([])
            .with_references(programme())
            .when(submit(LessonSource::Engagement(ENGAGEMENT)))
            .then([submitted(LessonSource::Engagement(ENGAGEMENT))]);
        // The engagement's id, cited as an experiment, is the wrong kind.
        given::<ObservationState>([])
            .with_references(programme())
            .when(submit(LessonSource::Experiment(ExperimentId(ENGAGEMENT.0))))
            .then_refused_with(&["source", "existing experiment"]);
        given::<ObservationState>([])
            .with_references(programme())
            .when(submit(LessonSource::Campaign(CampaignId(Uuid::from_u128(0xCA)))))
            .then_refused_with(&["source", "assessment campaign"]);
        let foreign = References::none().with(EXPERIMENT.0, Referenced::Experiment(experiment(SIILINJARVI)));
        given::<ObservationState>([])
            .with_references(foreign)
            .when(submit(LessonSource::Experiment(EXPERIMENT)))
            .then_refused_with(&["source", "same municipality"]);
        given::<ObservationState>([submitted(LessonSource::Engagement(ENGAGEMENT))])
            .with_references(programme())
            .when(submit(LessonSource::Engagement(ENGAGEMENT)))
            .then_refused_with(&["already submitted"]);
    }

    #[test]
    fn a_lesson_is_identified_from_existing_observations_and_sources() {
        let state = given::<LessonState>([])
            .with_references(programme())
            .when(LessonCommand::Identify(identify_command()))
            .then([identified()]);
        assert!(state.comes_from(&LessonSource::Experiment(EXPERIMENT)));
        given::<LessonState>([identified()])
            .with_references(programme())
            .when(LessonCommand::Identify(identify_command()))
            .then_refused_with(&["already identified"]);
    }

    #[test]
    fn a_lessons_tags_follow_the_one_tag_rule_and_keep_their_case() {
        let with_tags = |tags: Vec<String>| LessonCommand::Identify(IdentifyLesson { tags, ..identify_command() });
        given::<LessonState>([])
            .with_references(programme())
            .when(with_tags(vec!["etä".into(), "x".repeat(Tag::MAX_CHARS + 1)]))
            .then_refused_with(&["tags[1]", "at most 64 characters"]);
        given::<LessonState>([])
            .with_references(programme())
            .when(with_tags(vec!["\u{200B}".into()]))
            .then_refused_with(&["tags[0]", "must not be empty"]);
        let longest = "Ä".repeat(Tag::MAX_CHARS);
        let state = given::<LessonState>([])
            .with_references(programme())
            .when(with_tags(vec![format!(" {longest} ")]))
            .then([LessonEvent::Identified(LessonIdentified {
                tags: vec![longest.clone()],
                ..match identified() {
                    LessonEvent::Identified(e) => e,
                    other => panic!("{other:?}"),
                }
            })]);
        assert_eq!(state.tags, [longest]);
    }

    #[test]
    fn a_lesson_from_a_missing_source_or_observation_is_rejected() {
        let missing_source = IdentifyLesson {
            sources: vec![
                LessonSource::Experiment(ExperimentId(Uuid::from_u128(0x99))),
                LessonSource::Engagement(ENGAGEMENT),
            ],
            ..identify_command()
        };
        given::<LessonState>([])
            .with_references(programme())
            .when(LessonCommand::Identify(missing_source))
            .then_refused_with(&["sources[0]", "existing experiment"]);
        let missing_observation =
            IdentifyLesson { observations: vec![ObservationId(Uuid::from_u128(0x98))], ..identify_command() };
        given::<LessonState>([])
            .with_references(programme())
            .when(LessonCommand::Identify(missing_observation))
            .then_refused_with(&["observations[0]", "submitted observation"]);
        let no_sources = IdentifyLesson { sources: vec![], ..identify_command() };
        given::<LessonState>([])
            .with_references(programme())
            .when(LessonCommand::Identify(no_sources))
            .then_refused_with(&["sources", "at least one"]);
    }

    #[test]
    fn a_lesson_lists_the_sources_of_its_observations() {
        let experiment_only =
            IdentifyLesson { sources: vec![LessonSource::Experiment(EXPERIMENT)], ..identify_command() };
        given::<LessonState>([])
            .with_references(programme())
            .when(LessonCommand::Identify(experiment_only))
            .then_refused_with(&["observations[0]", "`sources`"]);
    }

    #[test]
    fn an_action_goes_to_a_registered_unit_of_an_identified_lesson() {
        given::<LessonState>([]).with_references(programme()).when(assign()).then_refused_with(&["identify it"]);
        given::<LessonState>([identified()]).when(assign()).then_refused_with(&["unit", "registered"]);
        let state = given::<LessonState>([identified()]).with_references(programme()).when(assign()).then([assigned()]);
        assert_eq!(state.status, LessonStatus::ActionAssigned);
    }

    #[test]
    fn a_lesson_is_learned_once_and_only_after_an_action_was_assigned() {
        given::<LessonState>([identified()]).when(learn()).then_refused_with(&["after an action was assigned"]);
        let learned = LessonEvent::Learned(LessonLearned {
            lesson: LESSON,
            evidence: fi("Syksyn käyttöönotoissa ei tullut yhtään aikakatkaisun tukipyyntöä."),
        });
        given::<LessonState>([identified(), assigned()]).when(learn()).then([learned.clone()]);
        given::<LessonState>([identified(), assigned(), learned.clone()])
            .when(learn())
            .then_refused_with(&["already learned"]);
        given::<LessonState>([identified(), assigned(), learned])
            .with_references(programme())
            .when(assign())
            .then_refused_with(&["already learned"]);
    }

    #[test]
    fn a_command_names_the_records_it_needs() {
        let references = LessonState::references(&LessonCommand::Identify(identify_command()));
        assert_eq!(
            references,
            vec![
                Reference::Experiment(EXPERIMENT),
                Reference::Engagement(ENGAGEMENT),
                Reference::Observation(OBSERVATION),
                Reference::Unit(DIGITAL_SERVICES),
            ]
        );
        assert_eq!(LessonState::stream(&learn()), LESSON.stream());
        assert_eq!(
            ObservationState::references(&submit(LessonSource::Engagement(ENGAGEMENT))),
            vec![Reference::Engagement(ENGAGEMENT)]
        );
    }
}
