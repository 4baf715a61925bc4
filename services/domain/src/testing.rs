//! Given-when-then for aggregates: `given([events]).when(command).then([events])`.

use crate::{Aggregate, DomainError, References};

/// A scenario under construction: the history of one aggregate and what it may refer to.
pub struct Scenario<A: Aggregate> {
    state: A,
    references: References,
}

/// Starts a scenario from `events` (the aggregate's history).
pub fn given<A: Aggregate>(events: impl IntoIterator<Item = A::Event>) -> Scenario<A> {
    let history: Vec<A::Event> = events.into_iter().collect();
    Scenario { state: A::replay(history.iter()), references: References::default() }
}

impl<A: Aggregate> Scenario<A> {
    /// Adds records the command may refer to.
    pub fn with_references(mut self, references: References) -> Self {
        self.references = references;
        self
    }

    /// Decides `command`.
    pub fn when(self, command: A::Command) -> Outcome<A> {
        let result = self.state.decide(&command, &self.references);
        Outcome { result, state: self.state }
    }
}

/// The outcome of a scenario.
pub struct Outcome<A: Aggregate> {
    result: Result<Vec<A::Event>, DomainError>,
    state: A,
}

impl<A: Aggregate> Outcome<A> {
    /// Asserts the command was accepted with exactly `expected`; returns the state after them.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = A::Event>) -> A {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "the command produced other events");
                let mut state = self.state;
                for event in &events {
                    state.evolve(event);
                }
                state
            }
            Err(error) => panic!("expected events {expected:?}, the command was refused: {error}"),
        }
    }

    /// Asserts the command was accepted; returns its events for closer checks.
    #[track_caller]
    pub fn accepted(self) -> Vec<A::Event> {
        match self.result {
            Ok(events) => events,
            Err(error) => panic!("the command was refused: {error}"),
        }
    }

    /// Asserts the command was refused; returns the error for closer checks.
    #[track_caller]
    pub fn then_refused(self) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected a refusal, the command produced {events:?}"),
            Err(error) => error,
        }
    }

    /// Asserts the command was refused with an error whose text contains each of `words`.
    #[track_caller]
    pub fn then_refused_with(self, words: &[&str]) -> DomainError {
        let error = self.then_refused();
        let text = error.to_string();
        for word in words {
            assert!(text.contains(word), "error `{text}` does not mention `{word}`");
        }
        error
    }
}
