//! Identifiers and counters: event ids, event type names, stream revisions, global positions.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// The id of one event, chosen by the caller (derive it from the command id so retries dedupe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl EventId {
    /// A fresh random id, for events that are not the result of a retriable command.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id of the `index`-th event caused by the command with id `command_id`: the same
    /// inputs always give the same id, so a retried command produces the same events.
    pub fn derived(command_id: Uuid, index: u32) -> Self {
        Self(Uuid::new_v5(&command_id, &index.to_be_bytes()))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The longest event type name, in bytes.
pub const MAX_EVENT_TYPE_LEN: usize = 128;

/// Why a string is not an event type name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "event type `{0}` must be 1 to {MAX_EVENT_TYPE_LEN} printable ASCII characters without spaces, not starting with `$`"
)]
pub struct EventTypeError(pub String);

/// The stable name of an event type, e.g. `PracticeDecided`. It never changes once published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EventType(String);

impl EventType {
    /// Validates an event type name.
    pub fn parse(name: &str) -> Result<Self, EventTypeError> {
        let printable = name.bytes().all(|b| b.is_ascii_graphic());
        if name.is_empty() || name.len() > MAX_EVENT_TYPE_LEN || !printable || name.starts_with('$') {
            return Err(EventTypeError(name.to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The 0-based index of an event within its stream; a stream's revisions have no gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Revision(pub u64);

impl Revision {
    /// The revision after this one.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An event's place in the global log `$all`, strictly increasing in commit order.
///
/// KurrentDB positions have two parts (commit and prepare offsets in its transaction log) and
/// both must be kept to resume exactly; the embedded store uses one counter for both. Ordering
/// compares `commit`, then `prepare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Commit offset (the embedded store's global sequence number).
    pub commit: u64,
    /// Prepare offset (equal to `commit` in the embedded store).
    pub prepare: u64,
}

impl Position {
    /// Before the first event.
    pub const START: Self = Self { commit: 0, prepare: 0 };

    /// A position whose two parts are the same counter (the embedded store's form).
    pub const fn sequence(n: u64) -> Self {
        Self { commit: n, prepare: n }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.commit == self.prepare {
            write!(f, "{}", self.commit)
        } else {
            write!(f, "{}/{}", self.commit, self.prepare)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_differ_by_index_and_command() {
        let command = Uuid::from_u128(42);
        assert_eq!(EventId::derived(command, 0), EventId::derived(command, 0));
        assert_ne!(EventId::derived(command, 0), EventId::derived(command, 1));
        assert_ne!(EventId::derived(command, 0), EventId::derived(Uuid::from_u128(43), 0));
    }

    #[test]
    fn event_type_names_reject_blank_spaced_and_reserved_names() {
        assert!(EventType::parse("PracticeDecided").is_ok());
        for bad in ["", "Practice Decided", "$system", "tab\there", "ä"] {
            assert!(EventType::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(EventType::parse(&"x".repeat(MAX_EVENT_TYPE_LEN + 1)).is_err());
    }

    #[test]
    fn positions_order_by_commit_then_prepare() {
        let a = Position { commit: 5, prepare: 9 };
        let b = Position { commit: 6, prepare: 1 };
        assert!(a < b);
        assert!(Position::START < Position::sequence(1));
        assert_eq!(Position::sequence(7).to_string(), "7");
        assert_eq!(a.to_string(), "5/9");
    }
}
