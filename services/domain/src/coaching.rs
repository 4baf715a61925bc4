//! Coaching engagements and published communications.
//!
//! An engagement is started by a coach with pseudonymous coachees, optionally in support of an
//! experiment of the same municipality. Sessions, notes and actions follow; once closed, an
//! engagement accepts nothing more. Notes are only about this engagement's sessions and are
//! written by its participants; their personal free text stays in
//! [`kirjuri_events::domain::coaching::PersonalText`], which read models show only to the
//! people [`EngagementState::is_participant`] names. An agreed action is completed once.
//!
//! A communication is published once and links only to experiments, lessons and practices
//! that exist.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use kirjuri_events::domain::coaching::{
    ActionAgreed, ActionCompleted, ActionId, Audience, Channel, CommunicationEvent, CommunicationLink,
    CommunicationPublished, EngagementClosed, EngagementEvent, EngagementStarted, NoteId, NoteRecorded, PersonRef,
    PersonalText, SessionFormat, SessionHeld, SessionId,
};
use kirjuri_events::domain::{
    CommunicationId, DecodeError, EngagementId, ExperimentId, Language, LocalizedText, MunicipalityId, UnitId,
    required_text,
};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::{Aggregate, DomainError, EngagementStep, Expected, InputRule, Milestone, Reference, References, StateRule};

/// The longest session, in minutes (a full-day workshop).
pub const MAX_SESSION_MINUTES: u32 = 720;

/// An agreed action as the engagement knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedAction {
    /// Who carries it out.
    pub owner: PersonRef,
    /// By when.
    pub due: NaiveDate,
    /// When it was done, once done.
    pub completed: Option<NaiveDate>,
}

/// An engagement's state.
#[derive(Debug, Clone, Default)]
pub struct EngagementState {
    /// The engagement, once started.
    pub id: Option<EngagementId>,
    /// Its municipality, once started.
    pub municipality: Option<MunicipalityId>,
    /// The coachees' unit, if one.
    pub unit: Option<UnitId>,
    /// The coach.
    pub coach: Option<PersonRef>,
    /// The coachees.
    pub coachees: Vec<PersonRef>,
    /// The experiment it supports, if any.
    pub experiment: Option<ExperimentId>,
    /// When it started.
    pub started: Option<NaiveDate>,
    /// Its sessions and their dates.
    pub sessions: BTreeMap<SessionId, NaiveDate>,
    /// Its notes.
    pub notes: BTreeSet<NoteId>,
    /// Its agreed actions.
    pub actions: BTreeMap<ActionId, AgreedAction>,
    /// When it closed, once closed.
    pub closed: Option<NaiveDate>,
}

impl EngagementState {
    /// Whether the engagement has been started (its stream is not empty).
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// Whether it has closed.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Whether `person` is its coach or one of its coachees: the only readers of personal note text.
    pub fn is_participant(&self, person: &PersonRef) -> bool {
        self.coach.as_ref() == Some(person) || self.coachees.contains(person)
    }

    /// The start date of a started, open engagement; otherwise why `what` is not allowed.
    fn open(&self, what: EngagementStep) -> Result<NaiveDate, DomainError> {
        match (self.started, self.closed) {
            (None, _) => Err(DomainError::not_allowed(StateRule::EngagementMissing { what })),
            (Some(_), Some(closed)) => Err(DomainError::not_allowed(StateRule::EngagementClosed { closed, what })),
            (Some(started), None) => Ok(started),
        }
    }

    fn participant(&self, field: &str, person: &PersonRef) -> Result<(), DomainError> {
        if self.is_participant(person) {
            return Ok(());
        }
        Err(DomainError::invalid(field, InputRule::NotAParticipant { person: person.clone() }))
    }
}

fn not_before(field: &str, date: NaiveDate, earliest: NaiveDate, what: Milestone) -> Result<(), DomainError> {
    if date < earliest {
        return Err(DomainError::invalid(field, InputRule::NotBefore { what, date: earliest }));
    }
    Ok(())
}

/// Start a coaching engagement.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartEngagement {
    /// The new engagement.
    pub engagement: EngagementId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The coachees' unit (registered), if one.
    pub unit: Option<UnitId>,
    /// The coach.
    pub coach: PersonRef,
    /// The coachees (at least one, none twice, not the coach).
    pub coachees: Vec<PersonRef>,
    /// An existing experiment of the same municipality it supports.
    pub experiment: Option<ExperimentId>,
    /// Its goals (at least one).
    pub goals: Vec<LocalizedText>,
    /// When it starts.
    pub started: NaiveDate,
}

/// Record a session held.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldSession {
    /// The engagement.
    pub engagement: EngagementId,
    /// The new session.
    pub session: SessionId,
    /// When (not before the engagement started).
    pub date: NaiveDate,
    /// How.
    pub format: SessionFormat,
    /// How long, 1–720 minutes.
    pub duration_minutes: u32,
    /// What it covered.
    pub topics: Vec<String>,
    /// How many attended (at least one).
    pub attendees: u32,
}

/// Record a note on one of the engagement's sessions.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordNote {
    /// The engagement.
    pub engagement: EngagementId,
    /// The new note.
    pub note: NoteId,
    /// A session of this engagement.
    pub session: SessionId,
    /// The coach or a coachee.
    pub author: PersonRef,
    /// What was planned.
    pub planned: LocalizedText,
    /// What happened.
    pub happened: LocalizedText,
    /// Why it differed.
    pub why_different: LocalizedText,
    /// What to keep or change.
    pub keep_or_change: LocalizedText,
    /// Personal free text.
    pub personal: Option<PersonalText>,
}

/// Agree on an action.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreeAction {
    /// The engagement.
    pub engagement: EngagementId,
    /// The new action.
    pub action: ActionId,
    /// The session where it was agreed (of this engagement), if in one.
    pub session: Option<SessionId>,
    /// A participant who carries it out.
    pub owner: PersonRef,
    /// What they do.
    pub description: LocalizedText,
    /// By when (not before the engagement started).
    pub due: NaiveDate,
    /// The competence code it develops.
    pub competence: Option<String>,
}

/// Mark an agreed action done.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteAction {
    /// The engagement.
    pub engagement: EngagementId,
    /// An agreed, not yet completed action.
    pub action: ActionId,
    /// When it was done.
    pub completed: NaiveDate,
    /// What came of it.
    pub result: Option<LocalizedText>,
}

/// Close the engagement.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseEngagement {
    /// The engagement.
    pub engagement: EngagementId,
    /// When (not before its last session).
    pub closed: NaiveDate,
    /// What it achieved.
    pub outcome_summary: LocalizedText,
}

/// What an engagement can be asked to do.
#[allow(clippy::large_enum_variant, reason = "a command lives for one decision; boxing would only add allocations")]
#[derive(Debug, Clone)]
pub enum EngagementCommand {
    /// Start it.
    Start(StartEngagement),
    /// Record a session.
    HoldSession(HoldSession),
    /// Record a note.
    RecordNote(RecordNote),
    /// Agree on an action.
    AgreeAction(AgreeAction),
    /// Complete an action.
    CompleteAction(CompleteAction),
    /// Close it.
    Close(CloseEngagement),
}

impl EngagementCommand {
    /// The engagement the command is about.
    pub fn engagement(&self) -> EngagementId {
        match self {
            Self::Start(c) => c.engagement,
            Self::HoldSession(c) => c.engagement,
            Self::RecordNote(c) => c.engagement,
            Self::AgreeAction(c) => c.engagement,
            Self::CompleteAction(c) => c.engagement,
            Self::Close(c) => c.engagement,
        }
    }
}

impl EngagementState {
    fn start(&self, command: &StartEngagement, references: &References) -> Result<Vec<EngagementEvent>, DomainError> {
        if self.exists() {
            return Err(DomainError::not_allowed(StateRule::EngagementAlreadyStarted {
                engagement: command.engagement,
            }));
        }
        if command.coachees.is_empty() {
            return Err(DomainError::invalid("coachees", InputRule::NoCoachees));
        }
        let mut seen = BTreeSet::new();
        for (i, coachee) in command.coachees.iter().enumerate() {
            if coachee == &command.coach {
                return Err(DomainError::invalid(format!("coachees[{i}]"), InputRule::CoachAsCoachee));
            }
            if !seen.insert(coachee) {
                return Err(DomainError::invalid(format!("coachees[{i}]"), InputRule::ListedTwice));
            }
        }
        if command.goals.is_empty() {
            return Err(DomainError::invalid("goals", InputRule::NoGoals));
        }
        if let Some(unit) = command.unit
            && !references.unit(unit).is_some_and(|unit| unit.is_established())
        {
            return Err(DomainError::unknown_reference("unit", Expected::RegisteredUnit));
        }
        if let Some(experiment) = command.experiment {
            let Some(state) = references.experiment(experiment).filter(|state| state.exists()) else {
                return Err(DomainError::unknown_reference("experiment", Expected::ProposedExperiment));
            };
            if state.municipality != Some(command.municipality) {
                return Err(DomainError::unknown_reference("experiment", Expected::ExperimentOfEngagementMunicipality));
            }
        }
        Ok(vec![EngagementEvent::Started(EngagementStarted {
            engagement: command.engagement,
            municipality: command.municipality,
            unit: command.unit,
            coach: command.coach.clone(),
            coachees: command.coachees.clone(),
            experiment: command.experiment,
            goals: command.goals.clone(),
            started: command.started,
        })])
    }

    fn hold_session(&self, command: &HoldSession) -> Result<Vec<EngagementEvent>, DomainError> {
        let started = self.open(EngagementStep::Session)?;
        if self.sessions.contains_key(&command.session) {
            return Err(DomainError::not_allowed(StateRule::SessionAlreadyRecorded { session: command.session }));
        }
        not_before("date", command.date, started, Milestone::EngagementStart)?;
        if !(1..=MAX_SESSION_MINUTES).contains(&command.duration_minutes) {
            return Err(DomainError::invalid(
                "duration_minutes",
                InputRule::SessionLength { max: MAX_SESSION_MINUTES },
            ));
        }
        if command.attendees == 0 {
            return Err(DomainError::invalid("attendees", InputRule::NoAttendees));
        }
        let topics = command
            .topics
            .iter()
            .enumerate()
            .map(|(i, topic)| required_text(&format!("topics[{i}]"), topic))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(vec![EngagementEvent::SessionHeld(SessionHeld {
            engagement: command.engagement,
            session: command.session,
            date: command.date,
            format: command.format,
            duration_minutes: command.duration_minutes,
            topics,
            attendees: command.attendees,
        })])
    }

    fn record_note(&self, command: &RecordNote) -> Result<Vec<EngagementEvent>, DomainError> {
        self.open(EngagementStep::Note)?;
        if !self.sessions.contains_key(&command.session) {
            return Err(DomainError::unknown_reference("session", Expected::EngagementSession));
        }
        if self.notes.contains(&command.note) {
            return Err(DomainError::not_allowed(StateRule::NoteAlreadyRecorded { note: command.note }));
        }
        self.participant("author", &command.author)?;
        let personal = command
            .personal
            .as_ref()
            .map(|personal| {
                // The text is about everyone in the engagement: each one's key seals it.
                let subjects = self.coach.iter().chain(&self.coachees).cloned();
                PersonalText::parse("personal.text", &personal.text).map(|text| text.about(subjects))
            })
            .transpose()?;
        Ok(vec![EngagementEvent::NoteRecorded(NoteRecorded {
            engagement: command.engagement,
            note: command.note,
            session: command.session,
            author: command.author.clone(),
            planned: command.planned.clone(),
            happened: command.happened.clone(),
            why_different: command.why_different.clone(),
            keep_or_change: command.keep_or_change.clone(),
            personal,
        })])
    }

    fn agree_action(&self, command: &AgreeAction) -> Result<Vec<EngagementEvent>, DomainError> {
        let started = self.open(EngagementStep::Action)?;
        if self.actions.contains_key(&command.action) {
            return Err(DomainError::not_allowed(StateRule::ActionAlreadyAgreed { action: command.action }));
        }
        if let Some(session) = command.session
            && !self.sessions.contains_key(&session)
        {
            return Err(DomainError::unknown_reference("session", Expected::EngagementSession));
        }
        self.participant("owner", &command.owner)?;
        not_before("due", command.due, started, Milestone::EngagementStart)?;
        let competence = command.competence.as_deref().map(|code| required_text("competence", code)).transpose()?;
        Ok(vec![EngagementEvent::ActionAgreed(ActionAgreed {
            engagement: command.engagement,
            action: command.action,
            session: command.session,
            owner: command.owner.clone(),
            description: command.description.clone(),
            due: command.due,
            competence,
        })])
    }

    fn complete_action(&self, command: &CompleteAction) -> Result<Vec<EngagementEvent>, DomainError> {
        let started = self.open(EngagementStep::ActionCompletion)?;
        let Some(action) = self.actions.get(&command.action) else {
            return Err(DomainError::unknown_reference("action", Expected::EngagementAction));
        };
        if let Some(completed) = action.completed {
            return Err(DomainError::not_allowed(StateRule::ActionAlreadyCompleted {
                action: command.action,
                completed,
            }));
        }
        not_before("completed", command.completed, started, Milestone::EngagementStart)?;
        Ok(vec![EngagementEvent::ActionCompleted(ActionCompleted {
            engagement: command.engagement,
            action: command.action,
            completed: command.completed,
            result: command.result.clone(),
        })])
    }

    fn close(&self, command: &CloseEngagement) -> Result<Vec<EngagementEvent>, DomainError> {
        let started = self.open(EngagementStep::Closing)?;
        let last_activity = self.sessions.values().copied().max().unwrap_or(started).max(started);
        not_before("closed", command.closed, last_activity, Milestone::EngagementStartOrLastSession)?;
        Ok(vec![EngagementEvent::Closed(EngagementClosed {
            engagement: command.engagement,
            closed: command.closed,
            outcome_summary: command.outcome_summary.clone(),
        })])
    }
}

impl Aggregate for EngagementState {
    type Event = EngagementEvent;
    type Command = EngagementCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.engagement().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            EngagementCommand::Start(c) => {
                c.unit.map(Reference::Unit).into_iter().chain(c.experiment.map(Reference::Experiment)).collect()
            }
            _ => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        EngagementEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            EngagementEvent::Started(e) => {
                self.id = Some(e.engagement);
                self.municipality = Some(e.municipality);
                self.unit = e.unit;
                self.coach = Some(e.coach.clone());
                self.coachees = e.coachees.clone();
                self.experiment = e.experiment;
                self.started = Some(e.started);
            }
            EngagementEvent::SessionHeld(e) => {
                self.sessions.insert(e.session, e.date);
            }
            EngagementEvent::NoteRecorded(e) => {
                self.notes.insert(e.note);
            }
            EngagementEvent::ActionAgreed(e) => {
                self.actions.insert(e.action, AgreedAction { owner: e.owner.clone(), due: e.due, completed: None });
            }
            EngagementEvent::ActionCompleted(e) => {
                if let Some(action) = self.actions.get_mut(&e.action) {
                    action.completed = Some(e.completed);
                }
            }
            EngagementEvent::Closed(e) => {
                self.closed = Some(e.closed);
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            EngagementCommand::Start(c) => self.start(c, references),
            EngagementCommand::HoldSession(c) => self.hold_session(c),
            EngagementCommand::RecordNote(c) => self.record_note(c),
            EngagementCommand::AgreeAction(c) => self.agree_action(c),
            EngagementCommand::CompleteAction(c) => self.complete_action(c),
            EngagementCommand::Close(c) => self.close(c),
        }
    }
}

/// A communication's state.
#[derive(Debug, Clone, Default)]
pub struct CommunicationState {
    /// The communication, once published.
    pub id: Option<CommunicationId>,
    /// Its municipality.
    pub municipality: Option<MunicipalityId>,
    /// When it was published.
    pub published: Option<NaiveDate>,
    /// The records it links to.
    pub links: Vec<CommunicationLink>,
}

impl CommunicationState {
    /// Whether it has been published (its stream is not empty).
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }
}

/// Publish a communication.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishCommunication {
    /// The new communication.
    pub communication: CommunicationId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Where.
    pub channel: Channel,
    /// For whom.
    pub audience: Audience,
    /// The language it was written in; its title and body must have that language.
    pub language: Language,
    /// Its title.
    pub title: LocalizedText,
    /// Its text.
    pub body: LocalizedText,
    /// Existing experiments, lessons and practices it tells about (none twice).
    pub links: Vec<CommunicationLink>,
    /// When.
    pub published: NaiveDate,
}

/// What a communication can be asked to do.
#[derive(Debug, Clone)]
pub enum CommunicationCommand {
    /// Publish it.
    Publish(PublishCommunication),
}

impl CommunicationCommand {
    /// The communication the command is about.
    pub fn communication(&self) -> CommunicationId {
        match self {
            Self::Publish(c) => c.communication,
        }
    }
}

fn has_language(text: &LocalizedText, language: Language) -> bool {
    match language {
        Language::Fi => true,
        Language::Sv => text.sv.is_some(),
        Language::En => text.en.is_some(),
    }
}

fn link_exists(references: &References, link: CommunicationLink) -> bool {
    match link {
        CommunicationLink::Experiment(id) => references.experiment(id).is_some_and(|state| state.exists()),
        CommunicationLink::Lesson(id) => references.lesson(id).is_some_and(|state| state.exists()),
        CommunicationLink::Practice(id) => references.practice(id).is_some(),
    }
}

impl Aggregate for CommunicationState {
    type Event = CommunicationEvent;
    type Command = CommunicationCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.communication().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        let CommunicationCommand::Publish(c) = command;
        c.links
            .iter()
            .map(|link| match *link {
                CommunicationLink::Experiment(id) => Reference::Experiment(id),
                CommunicationLink::Lesson(id) => Reference::Lesson(id),
                CommunicationLink::Practice(id) => Reference::Practice(id),
            })
            .collect()
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        CommunicationEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            CommunicationEvent::Published(e) => {
                self.id = Some(e.communication);
                self.municipality = Some(e.municipality);
                self.published = Some(e.published);
                self.links = e.links.clone();
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        let CommunicationCommand::Publish(c) = command;
        if self.exists() {
            return Err(DomainError::not_allowed(StateRule::CommunicationAlreadyPublished {
                communication: c.communication,
            }));
        }
        for (field, text) in [("title", &c.title), ("body", &c.body)] {
            if !has_language(text, c.language) {
                return Err(DomainError::invalid(field, InputRule::MissingLanguage { language: c.language }));
            }
        }
        let mut seen = HashSet::new();
        for (i, link) in c.links.iter().enumerate() {
            let field = format!("links[{i}]");
            if !seen.insert(*link) {
                return Err(DomainError::invalid(field, InputRule::ListedTwice));
            }
            if !link_exists(references, *link) {
                return Err(DomainError::unknown_reference(field, Expected::LinkTarget));
            }
        }
        Ok(vec![CommunicationEvent::Published(CommunicationPublished {
            communication: c.communication,
            municipality: c.municipality,
            channel: c.channel,
            audience: c.audience,
            language: c.language,
            title: c.title.clone(),
            body: c.body.clone(),
            links: c.links.clone(),
            published: c.published,
        })])
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::LessonId;
    use kirjuri_events::domain::experiment::ExperimentEvent;
    use kirjuri_events::domain::experiment::ExperimentProposed;
    use uuid::Uuid;

    use super::*;
    use crate::Referenced;
    use crate::experiment::ExperimentState;
    use crate::testing::given;

    const ENGAGEMENT: EngagementId = EngagementId(Uuid::from_u128(0xE6));
    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x297));
    const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(0x749));
    const EXPERIMENT: ExperimentId = ExperimentId(Uuid::from_u128(0xE1));
    const SESSION: SessionId = SessionId(Uuid::from_u128(0x5E1));
    const ACTION: ActionId = ActionId(Uuid::from_u128(0xAC1));
    const COMMUNICATION: CommunicationId = CommunicationId(Uuid::from_u128(0xC0));

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).expect("valid date")
    }

    fn fi(text: &str) -> LocalizedText {
        LocalizedText::fi(text).expect("valid text")
    }

    fn person(text: &str) -> PersonRef {
        PersonRef::parse("person", text).expect("valid pseudonym")
    }

    fn experiment_of(municipality: MunicipalityId) -> References {
        let state = ExperimentState::replay(&[ExperimentEvent::Proposed(ExperimentProposed {
            experiment: EXPERIMENT,
            municipality,
            name: fi("Etähoiva"),
            problem: fi("Siirtymät vievät aikaa."),
            hypothesis: fi("Etäkäynnit vapauttavat aikaa."),
            units: vec![],
            themes: vec![],
            proposed: day(1, 2),
        })]);
        References::none().with(EXPERIMENT.0, Referenced::Experiment(state))
    }

    fn start_command() -> StartEngagement {
        StartEngagement {
            engagement: ENGAGEMENT,
            municipality: KUOPIO,
            unit: None,
            coach: person("coach-k7q2"),
            coachees: vec![person("hlo-3f9a1c"), person("hlo-8b27de")],
            experiment: Some(EXPERIMENT),
            goals: vec![fi("Tiimi käyttää etähoivan laitteita itsenäisesti.")],
            started: day(2, 3),
        }
    }

    fn started() -> EngagementEvent {
        let c = start_command();
        EngagementEvent::Started(EngagementStarted {
            engagement: c.engagement,
            municipality: c.municipality,
            unit: c.unit,
            coach: c.coach,
            coachees: c.coachees,
            experiment: c.experiment,
            goals: c.goals,
            started: c.started,
        })
    }

    fn session_command(session: SessionId, date: NaiveDate) -> HoldSession {
        HoldSession {
            engagement: ENGAGEMENT,
            session,
            date,
            format: SessionFormat::Group,
            duration_minutes: 90,
            topics: vec!["2.1".into(), "etähoiva".into()],
            attendees: 3,
        }
    }

    fn session_held() -> EngagementEvent {
        let c = session_command(SESSION, day(2, 17));
        EngagementEvent::SessionHeld(SessionHeld {
            engagement: c.engagement,
            session: c.session,
            date: c.date,
            format: c.format,
            duration_minutes: c.duration_minutes,
            topics: c.topics,
            attendees: c.attendees,
        })
    }

    fn note_command(session: SessionId) -> RecordNote {
        RecordNote {
            engagement: ENGAGEMENT,
            note: NoteId(Uuid::from_u128(0xD1)),
            session,
            author: person("coach-k7q2"),
            planned: fi("Harjoitellaan videopuhelun aloittamista."),
            happened: fi("Kirjaaminen jäi kesken, koska sovellus kirjautui ulos."),
            why_different: fi("Aikakatkaisu oli liian lyhyt."),
            keep_or_change: fi("Pidennetään aikakatkaisua."),
            personal: Some(PersonalText::parse("personal", "Yksi tiimiläinen jännitti kameraa.").expect("valid")),
        }
    }

    fn agree_command() -> AgreeAction {
        AgreeAction {
            engagement: ENGAGEMENT,
            action: ACTION,
            session: Some(SESSION),
            owner: person("hlo-8b27de"),
            description: fi("Pyytää tietohallinnolta pidemmän aikakatkaisun."),
            due: day(3, 3),
            competence: Some("5.1".into()),
        }
    }

    fn action_agreed() -> EngagementEvent {
        let c = agree_command();
        EngagementEvent::ActionAgreed(ActionAgreed {
            engagement: c.engagement,
            action: c.action,
            session: c.session,
            owner: c.owner,
            description: c.description,
            due: c.due,
            competence: c.competence,
        })
    }

    fn complete_command() -> CompleteAction {
        CompleteAction { engagement: ENGAGEMENT, action: ACTION, completed: day(2, 26), result: None }
    }

    fn closed() -> EngagementEvent {
        EngagementEvent::Closed(EngagementClosed {
            engagement: ENGAGEMENT,
            closed: day(6, 13),
            outcome_summary: fi("Tiimi toimii itsenäisesti."),
        })
    }

    #[test]
    fn an_engagement_supporting_an_experiment_of_its_municipality_starts() {
        let state = given::<EngagementState>([])
            .with_references(experiment_of(KUOPIO))
            .when(EngagementCommand::Start(start_command()))
            .then([started()]);
        assert!(state.is_participant(&person("hlo-3f9a1c")));
        assert!(!state.is_participant(&person("hlo-000000")));
    }

    #[test]
    fn an_engagement_cannot_support_a_missing_or_foreign_experiment() {
        given::<EngagementState>([])
            .when(EngagementCommand::Start(start_command()))
            .then_refused_with(&["experiment", "proposed experiment"]);
        given::<EngagementState>([])
            .with_references(experiment_of(SIILINJARVI))
            .when(EngagementCommand::Start(start_command()))
            .then_refused_with(&["experiment", "municipality"]);
    }

    #[test]
    fn an_engagement_needs_coachees_other_than_the_coach_and_a_goal() {
        let references = experiment_of(KUOPIO);
        let no_coachees = StartEngagement { coachees: vec![], ..start_command() };
        given::<EngagementState>([])
            .with_references(references.clone())
            .when(EngagementCommand::Start(no_coachees))
            .then_refused_with(&["coachees", "at least one"]);
        let coach_coaches_self = StartEngagement { coachees: vec![person("coach-k7q2")], ..start_command() };
        given::<EngagementState>([])
            .with_references(references.clone())
            .when(EngagementCommand::Start(coach_coaches_self))
            .then_refused_with(&["coachees[0]", "coach"]);
        let no_goals = StartEngagement { goals: vec![], ..start_command() };
        given::<EngagementState>([])
            .with_references(references)
            .when(EngagementCommand::Start(no_goals))
            .then_refused_with(&["goals"]);
    }

    #[test]
    fn a_session_is_held_within_the_engagement_for_a_sensible_duration() {
        given::<EngagementState>([started()])
            .when(EngagementCommand::HoldSession(session_command(SESSION, day(2, 17))))
            .then([session_held()]);
        given::<EngagementState>([started()])
            .when(EngagementCommand::HoldSession(session_command(SESSION, day(1, 17))))
            .then_refused_with(&["date", "before the engagement's start"]);
        let endless = HoldSession { duration_minutes: 0, ..session_command(SESSION, day(2, 17)) };
        given::<EngagementState>([started()])
            .when(EngagementCommand::HoldSession(endless))
            .then_refused_with(&["duration_minutes"]);
        given::<EngagementState>([])
            .when(EngagementCommand::HoldSession(session_command(SESSION, day(2, 17))))
            .then_refused_with(&["does not exist"]);
    }

    #[test]
    fn no_sessions_after_the_engagement_closed() {
        let later = SessionId(Uuid::from_u128(0x5E2));
        let error = given::<EngagementState>([started(), session_held(), closed()])
            .when(EngagementCommand::HoldSession(session_command(later, day(6, 20))))
            .then_refused_with(&["closed", "no session after"]);
        assert!(matches!(error, DomainError::NotAllowed { .. }));
    }

    #[test]
    fn a_note_is_only_about_a_session_of_its_engagement() {
        let other_session = SessionId(Uuid::from_u128(0x5E9));
        given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::RecordNote(note_command(other_session)))
            .then_refused_with(&["session", "session of this engagement"]);
        let events = given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::RecordNote(note_command(SESSION)))
            .accepted();
        let [EngagementEvent::NoteRecorded(note)] = events.as_slice() else { panic!("one note: {events:?}") };
        let personal = note.personal.as_ref().expect("personal text kept");
        assert_eq!(personal.classification, kirjuri_events::domain::coaching::Classification::Personal);
    }

    #[test]
    fn a_note_is_written_by_a_participant() {
        let outsider = RecordNote { author: person("hlo-000000"), ..note_command(SESSION) };
        given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::RecordNote(outsider))
            .then_refused_with(&["author", "coach"]);
    }

    #[test]
    fn an_action_is_completed_only_once() {
        let completed = EngagementEvent::ActionCompleted(ActionCompleted {
            engagement: ENGAGEMENT,
            action: ACTION,
            completed: day(2, 26),
            result: None,
        });
        given::<EngagementState>([started(), session_held(), action_agreed()])
            .when(EngagementCommand::CompleteAction(complete_command()))
            .then([completed.clone()]);
        given::<EngagementState>([started(), session_held(), action_agreed(), completed])
            .when(EngagementCommand::CompleteAction(complete_command()))
            .then_refused_with(&["already completed", "only once"]);
    }

    #[test]
    fn only_an_agreed_action_can_be_completed() {
        given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::CompleteAction(complete_command()))
            .then_refused_with(&["action", "agreed in this engagement"]);
    }

    #[test]
    fn an_action_is_owned_by_a_participant_and_agreed_in_one_of_its_sessions() {
        given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::AgreeAction(agree_command()))
            .then([action_agreed()]);
        let foreign_owner = AgreeAction { owner: person("hlo-000000"), ..agree_command() };
        given::<EngagementState>([started(), session_held()])
            .when(EngagementCommand::AgreeAction(foreign_owner))
            .then_refused_with(&["owner"]);
        given::<EngagementState>([started()])
            .when(EngagementCommand::AgreeAction(agree_command()))
            .then_refused_with(&["session"]);
    }

    #[test]
    fn an_engagement_closes_once_and_not_before_its_last_session() {
        let close = |closed| {
            EngagementCommand::Close(CloseEngagement {
                engagement: ENGAGEMENT,
                closed,
                outcome_summary: fi("Tiimi toimii itsenäisesti."),
            })
        };
        given::<EngagementState>([started(), session_held()])
            .when(close(day(2, 10)))
            .then_refused_with(&["closed", "last session"]);
        given::<EngagementState>([started(), session_held()]).when(close(day(6, 13))).then([closed()]);
        given::<EngagementState>([started(), session_held(), closed()])
            .when(close(day(6, 14)))
            .then_refused_with(&["closed"]);
    }

    fn publish_command(links: Vec<CommunicationLink>) -> PublishCommunication {
        PublishCommunication {
            communication: COMMUNICATION,
            municipality: KUOPIO,
            channel: Channel::Intranet,
            audience: Audience::Staff,
            language: Language::Fi,
            title: fi("Etähoivakokeilu puolivälissä"),
            body: fi("Viidesosa seurantakäynneistä hoidetaan nyt videoyhteydellä."),
            links,
            published: day(5, 6),
        }
    }

    #[test]
    fn a_communication_links_only_to_existing_records_of_the_right_kind() {
        let published = given::<CommunicationState>([])
            .with_references(experiment_of(KUOPIO))
            .when(CommunicationCommand::Publish(publish_command(vec![CommunicationLink::Experiment(EXPERIMENT)])))
            .accepted();
        assert_eq!(published.len(), 1);
        // The experiment's id, cited as a lesson, is the wrong kind.
        given::<CommunicationState>([])
            .with_references(experiment_of(KUOPIO))
            .when(CommunicationCommand::Publish(publish_command(vec![CommunicationLink::Lesson(LessonId(
                EXPERIMENT.0,
            ))])))
            .then_refused_with(&["links[0]", "existing"]);
        let state = CommunicationState::replay(&published);
        given::<CommunicationState>(published)
            .with_references(experiment_of(KUOPIO))
            .when(CommunicationCommand::Publish(publish_command(vec![])))
            .then_refused_with(&["already published"]);
        assert!(state.exists());
    }

    #[test]
    fn a_communication_has_text_in_its_own_language() {
        let swedish = PublishCommunication { language: Language::Sv, ..publish_command(vec![]) };
        given::<CommunicationState>([])
            .when(CommunicationCommand::Publish(swedish))
            .then_refused_with(&["title", "language"]);
    }

    #[test]
    fn every_event_survives_encoding_and_decoding() {
        let events = [started(), session_held(), action_agreed(), closed()];
        for event in events {
            let encoded =
                EngagementState::encode(&event, EventId::random(), EventMetadata::default()).expect("encodes");
            let decoded =
                EngagementEvent::decode(encoded.event_type.as_str(), encoded.schema_version, encoded.data.as_str())
                    .expect("decodes");
            assert_eq!(decoded, event);
        }
        assert_eq!(EngagementState::stream(&EngagementCommand::Start(start_command())), ENGAGEMENT.stream());
        assert_eq!(
            EngagementState::references(&EngagementCommand::Start(start_command())),
            vec![Reference::Experiment(EXPERIMENT)]
        );
    }
}
