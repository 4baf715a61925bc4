//! kirjuri's event vocabulary: the envelope every fact travels in.
//!
//! Everything kirjuri knows is an event appended to a stream named `<category>-<uuid>`.
//! This crate holds the types both sides agree on — ids, validated stream names, revisions,
//! global positions, expected revisions, metadata, new and recorded events — and their JSON
//! form. It does no I/O: the store (`kirjuri-store`) persists these values, the domain decides
//! which ones to create.
//!
//! Invariants the types make impossible to break:
//! - a [`StreamName`] is always well formed (`$`-names are reserved and never constructible);
//! - an [`EventPayload`] always holds one syntactically valid JSON value;
//! - an [`EventType`] is a non-empty, printable name without whitespace.

pub mod domain;
mod envelope;
mod ids;
mod payload;
mod stream;

pub use envelope::{EventMetadata, ExpectedRevision, NewEvent, RecordedEvent};
pub use ids::{EventId, EventType, EventTypeError, Position, Revision};
pub use payload::{EventPayload, PayloadError};
pub use stream::{StreamCategory, StreamName, StreamNameError};
