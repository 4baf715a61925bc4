//! kirjuri's domain: what may happen in the programme, decided without I/O.
//!
//! Each aggregate (one stream each: a municipality, unit, body, framework, campaign,
//! engagement, communication, experiment, observation, lesson, practice) has a state, the
//! commands it accepts and two pure functions:
//! - [`Aggregate::evolve`] folds one of its events into its state;
//! - [`Aggregate::decide`] turns a command into new events, or refuses it with a
//!   [`DomainError`] that names the field and the rule ([`rules`]: typed, so pages can say
//!   it in their language). A refused command produces nothing.
//!
//! Rules that look across aggregates (an approval cites a decision of a *registered* body;
//! evidence points to records of the right kind; supersession never forms a cycle) read other
//! aggregates' states from [`References`], which the caller (the use case in `kirjuri`) loads
//! before deciding — so `decide` stays pure and testable given-when-then ([`testing`]).

pub mod assessment;
pub mod coaching;
pub mod experiment;
pub mod lesson;
pub mod organisation;
pub mod practice;
pub mod references;
pub mod rules;
pub mod testing;

pub use references::References;

use kirjuri_events::domain::{DecodeError, ValidationError};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

pub use kirjuri_events::domain::ShapeRule;
pub use references::{Reference, Referenced};
pub use rules::{EngagementStep, Expected, ExperimentStep, InputRule, LessonStep, Milestone, RecordKind, StateRule};

/// Why a command was refused: which field (where one is to blame) and which rule, typed.
/// `Display` is the English the API sends (`{field}: {rule}`, or the state rule alone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input breaks a rule about its shape (empty title, score out of range, end before start).
    #[error("{field}: {rule}")]
    Invalid {
        /// The field, e.g. `answers[2].value`.
        field: String,
        /// The rule it broke.
        rule: InputRule,
    },
    /// The command is not allowed in the aggregate's current state (e.g. a measurement before approval).
    #[error("{rule}")]
    NotAllowed {
        /// The rule.
        rule: StateRule,
    },
    /// A referenced record does not exist, or is of the wrong kind.
    #[error("{field}: {expected}")]
    UnknownReference {
        /// The field holding the reference.
        field: String,
        /// What was expected there.
        expected: Expected,
    },
}

impl DomainError {
    /// A shape rule broken by `field` (an [`InputRule`], or a value type's [`ShapeRule`]).
    pub fn invalid(field: impl Into<String>, rule: impl Into<InputRule>) -> Self {
        Self::Invalid { field: field.into(), rule: rule.into() }
    }

    /// A state rule.
    pub fn not_allowed(rule: StateRule) -> Self {
        Self::NotAllowed { rule }
    }

    /// A reference in `field` that does not resolve to what was `expected`.
    pub fn unknown_reference(field: impl Into<String>, expected: Expected) -> Self {
        Self::UnknownReference { field: field.into(), expected }
    }
}

impl From<ValidationError> for DomainError {
    fn from(error: ValidationError) -> Self {
        Self::Invalid { field: error.field, rule: InputRule::Shape(error.rule) }
    }
}

/// One aggregate: its state, the events that change it and the commands it decides on.
pub trait Aggregate: Default + Clone + std::fmt::Debug {
    /// The aggregate's event family (e.g. `ExperimentEvent`).
    type Event: Clone + std::fmt::Debug + PartialEq;
    /// What it can be asked to do.
    type Command: Clone + std::fmt::Debug;

    /// The stream a command is about (the aggregate instance it targets).
    fn stream(command: &Self::Command) -> StreamName;

    /// Records a command refers to; the caller loads them into [`References`] before deciding.
    fn references(_command: &Self::Command) -> Vec<Reference> {
        Vec::new()
    }

    /// Reads one of this aggregate's stored events (through the upcasters).
    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError>;

    /// Prepares one of this aggregate's events for appending.
    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError>;

    /// Folds one event into the state. Never fails: events are facts.
    fn evolve(&mut self, event: &Self::Event);

    /// Decides what a command means, given the state and the referenced records.
    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after `events`, from the start.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        let mut state = Self::default();
        for event in events {
            state.evolve(event);
        }
        state
    }
}
